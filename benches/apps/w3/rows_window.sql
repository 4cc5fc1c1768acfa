-- W3 scenario 1: ROWS window functions over the last 100 rows of each symbol.
CREATE STREAM out AS
SELECT symbol, price,
       LAG(price) OVER (ROWS WINDOW BUFFER 100 ROWS PARTITION BY symbol ORDER BY trade_time) AS prev,
       ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY trade_time) AS n,
       AVG(price) OVER (ROWS WINDOW BUFFER 100 ROWS PARTITION BY symbol ORDER BY trade_time) AS avg_100
FROM trades
WITH (
    'trades.type' = 'file_source',
    'trades.path' = './trades.csv',
    'trades.schema' = 'trader_id STRING, symbol STRING, price DECIMAL(10,2), qty BIGINT, trade_time TIMESTAMP',
    'out.type' = 'file_sink',
    'out.path' = './out.csv'
);
