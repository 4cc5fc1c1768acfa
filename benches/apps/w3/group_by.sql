-- W3 scenario 2: GROUP BY 200 symbols with 5 aggregates, one row per symbol at the end.
CREATE STREAM out AS
SELECT symbol, COUNT(*) AS n, SUM(qty) AS volume, AVG(price) AS avg_price, MIN(price) AS low, MAX(price) AS high
FROM trades
GROUP BY symbol
EMIT FINAL
WITH (
    'trades.type' = 'file_source',
    'trades.path' = './trades.csv',
    'trades.schema' = 'trader_id STRING, symbol STRING, price DECIMAL(10,2), qty BIGINT, trade_time TIMESTAMP',
    'out.type' = 'file_sink',
    'out.path' = './out.csv'
);
