-- W3 scenario 0: pure SELECT + WHERE.
CREATE STREAM out AS
SELECT trader_id, symbol, price, qty FROM trades WHERE qty > 50 AND price > 100
WITH (
    'trades.type' = 'file_source',
    'trades.path' = './trades.csv',
    'trades.schema' = 'trader_id STRING, symbol STRING, price DECIMAL(10,2), qty BIGINT, trade_time TIMESTAMP',
    'out.type' = 'file_sink',
    'out.path' = './out.csv'
);
