CREATE STREAM trade_stats AS
SELECT
    trade_id,
    symbol,
    price,
    ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY ts)                        AS nth_trade,
    LAG(price, 2, 0) OVER (PARTITION BY symbol ORDER BY ts)                    AS price_2_back,
    price - LAG(price) OVER (PARTITION BY symbol ORDER BY ts)                  AS change,
    SUM(qty) OVER (PARTITION BY symbol ORDER BY ts
                   ROWS BETWEEN 4 PRECEDING AND CURRENT ROW)                   AS qty_last_5,
    AVG(price) OVER (ROWS WINDOW BUFFER 10 ROWS PARTITION BY symbol ORDER BY ts) AS avg_last_10,
    MAX(price) OVER (PARTITION BY symbol ORDER BY ts
                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)         AS high_so_far,
    FIRST_VALUE(price) OVER (PARTITION BY symbol ORDER BY ts)                  AS first_price,
    NTH_VALUE(price, 2) OVER (PARTITION BY symbol ORDER BY ts)                 AS second_price,
    COUNT(*) OVER (ORDER BY ts ROWS 2 PRECEDING)                               AS last_3_trades
FROM trades
WHERE qty >= 5;

CREATE STREAM running_volume AS
SELECT
    symbol,
    TUMBLE_START(ts)  AS minute,
    SUM(qty)          AS volume
FROM trades
GROUP BY symbol
WINDOW TUMBLING(ts, INTERVAL '1' MINUTE)
EMIT CHANGES
WITH (
    'trades.type' = 'file_source',
    'trades.path' = './trades.csv',
    'trades.format' = 'csv',
    'trades.schema' = 'trade_id BIGINT, symbol STRING, price DECIMAL(10,2), qty BIGINT, ts TIMESTAMP',
    'watermark.max_out_of_orderness' = '5s',
    'late.data.strategy' = 'dead_letter',
    'trade_stats.type' = 'file_sink',
    'trade_stats.path' = './output/trade_stats.csv',
    'running_volume.type' = 'file_sink',
    'running_volume.path' = './output/running_volume.csv'
);
