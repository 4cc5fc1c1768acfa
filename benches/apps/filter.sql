-- @app: bench_filter
-- @description: Benchmark W1: filter + projection with exact DECIMAL arithmetic.
--               Inline schema, so it builds without the data file. Run it with the working
--               directory set to where `./orders.csv` is, or override the paths:
--               ./bench_filter --set orders.path=/abs/orders.csv --set filtered.path=/abs/out.csv

CREATE STREAM filtered AS
SELECT
    order_id,
    region,
    price * qty                    AS gross,
    price * qty * (1 - discount)   AS net
FROM orders
WHERE status <> 'cancelled' AND qty >= 10
EMIT CHANGES
WITH (
    'orders.type' = 'file_source',
    'orders.path' = './orders.csv',
    'orders.format' = 'csv',
    'orders.schema' = 'order_id BIGINT, customer STRING, region STRING, price DECIMAL(10,2), qty BIGINT, discount DECIMAL(10,3), status STRING',

    'filtered.type' = 'file_sink',
    'filtered.path' = './out/filter.csv',
    'filtered.format' = 'csv'
);
