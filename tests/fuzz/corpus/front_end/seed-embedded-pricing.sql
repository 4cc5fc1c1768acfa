-- @app: pricing
-- @description: Library-mode example: the SQL is compiled into the crate by velo_sql!.

CREATE STREAM quotes AS
SELECT sku, price * qty AS total, CASE WHEN qty >= 10 THEN 'bulk' ELSE 'retail' END AS tier
FROM orders
WHERE qty > 0
WITH (
    'orders.type' = 'file_source',
    'orders.path' = './orders.csv',
    'orders.schema' = 'sku STRING NOT NULL, price DECIMAL(10,2), qty BIGINT',
    'quotes.type' = 'file_sink',
    'quotes.path' = './output/quotes.csv'
);

-- Reads `quotes` in-process.
CREATE STREAM big_quotes AS
SELECT sku, total FROM quotes WHERE total >= 100
