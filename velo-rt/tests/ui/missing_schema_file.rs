velo_rt::velo_sql!("CREATE STREAM s AS
SELECT * FROM orders
WITH ('orders.type' = 'file_source', 'orders.path' = 'orders.csv', 'orders.schema.file' = 'schemas/nope.avsc')");

fn main() {}
