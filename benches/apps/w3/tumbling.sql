-- W3 scenario 3a: 1-minute TUMBLING windows over 50 traders x 200 symbols, 5 aggregates.
CREATE STREAM out AS
SELECT trader_id, symbol, _window_start AS minute,
       COUNT(*) AS n, SUM(qty) AS volume, AVG(price) AS avg_price, MIN(price) AS low, MAX(price) AS high
FROM trades
GROUP BY trader_id, symbol
WINDOW TUMBLING(trade_time, INTERVAL '1' MINUTE)
WITH (
    'trades.type' = 'file_source',
    'trades.path' = './trades.csv',
    'trades.schema' = 'trader_id STRING, symbol STRING, price DECIMAL(10,2), qty BIGINT, trade_time TIMESTAMP',
    'out.type' = 'file_sink',
    'out.path' = './out.csv'
);
