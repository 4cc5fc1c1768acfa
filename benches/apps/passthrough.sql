-- @app: bench_passthrough
-- @description: Benchmark W4: SELECT * (decode every field, encode it again): the parse ceiling.
--               Inline schema, so it builds without the data file.

CREATE STREAM passthrough AS
SELECT *
FROM orders
EMIT CHANGES
WITH (
    'orders.type' = 'file_source',
    'orders.path' = './orders.csv',
    'orders.format' = 'csv',
    'orders.schema' = 'order_id BIGINT, customer STRING, region STRING, price DECIMAL(10,2), qty BIGINT, discount DECIMAL(10,3), status STRING',

    'passthrough.type' = 'file_sink',
    'passthrough.path' = './out/passthrough.csv',
    'passthrough.format' = 'csv'
);
