CREATE STREAM avg_5m AS
SELECT
    symbol,
    window_start,
    window_end,
    AVG(price)        AS avg_price,
    COUNT(*)          AS trades
FROM trades
GROUP BY symbol
WINDOW SLIDING(ts, 5m, 1m);

CREATE STREAM next_trades AS
SELECT
    trade_id,
    symbol,
    price,
    LEAD(price) OVER (PARTITION BY symbol ORDER BY ts)          AS next_price,
    LEAD(price, 2, 0) OVER (PARTITION BY symbol ORDER BY ts)    AS price_in_2,
    LEAD(price) OVER (PARTITION BY symbol ORDER BY ts) - price  AS next_change,
    ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY ts)         AS nth_trade,
    LEAD(trade_id) OVER (ORDER BY ts)                           AS next_trade
FROM trades
WHERE qty >= 5
WITH (
    'trades.type' = 'file_source',
    'trades.path' = './trades.csv',
    'trades.format' = 'csv',
    'trades.schema' = 'trade_id BIGINT, symbol STRING, price DECIMAL(10,2), qty BIGINT, ts TIMESTAMP',
    'watermark.max_out_of_orderness' = '5s',
    'late.data.strategy' = 'dead_letter',
    'next_trades.type' = 'file_sink',
    'next_trades.path' = './output/next_trades.csv',
    'avg_5m.type' = 'file_sink',
    'avg_5m.path' = './output/avg_5m.csv'
);
