-- W3 scenario 3b: GROUP BY with EMIT CHANGES: an updated row per input record.
CREATE STREAM out AS
SELECT symbol, COUNT(*) AS n, SUM(qty) AS volume, AVG(price) AS avg_price
FROM trades
GROUP BY symbol
EMIT CHANGES
WITH (
    'trades.type' = 'file_source',
    'trades.path' = './trades.csv',
    'trades.schema' = 'trader_id STRING, symbol STRING, price DECIMAL(10,2), qty BIGINT, trade_time TIMESTAMP',
    'out.type' = 'file_sink',
    'out.path' = './out.csv'
);
