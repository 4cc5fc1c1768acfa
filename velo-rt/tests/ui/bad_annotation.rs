velo_rt::velo_sql!("-- @num_partitions: many
CREATE STREAM s AS
SELECT id FROM orders
WITH ('orders.type' = 'file_source', 'orders.path' = 'orders.csv', 'orders.schema' = 'id BIGINT, amount DECIMAL(10,2), customer STRING')");

fn main() {}
