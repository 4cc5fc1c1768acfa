CREATE STREAM trade_smooth AS
SELECT
    trade_id,
    symbol,
    SUM(qty) OVER (PARTITION BY symbol ORDER BY ts ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS qty_around,
    MIN(price) OVER (PARTITION BY symbol ORDER BY ts ROWS BETWEEN CURRENT ROW AND 3 FOLLOWING) AS low_ahead,
    COUNT(*) OVER (ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND 2 FOLLOWING)            AS seen_by_then
FROM trades
WHERE qty >= 5;

CREATE STREAM price_ranks AS
SELECT
    trade_id,
    symbol,
    PERCENT_RANK() OVER (PARTITION BY symbol ORDER BY ts) AS pct_rank,
    CUME_DIST() OVER (PARTITION BY symbol ORDER BY ts)    AS cume_dist,
    NTILE(4) OVER (PARTITION BY symbol ORDER BY ts)       AS quartile
FROM trades
WHERE qty >= 5
WITH (
    'trades.type' = 'file_source',
    'trades.path' = './trades.csv',
    'trades.format' = 'csv',
    'trades.schema' = 'trade_id BIGINT, symbol STRING, price DECIMAL(10,2), qty BIGINT, ts TIMESTAMP',
    'watermark.max_out_of_orderness' = '5s',
    'late.data.strategy' = 'dead_letter',
    'price_ranks.type' = 'file_sink',
    'price_ranks.path' = './output/price_ranks.csv',
    'trade_smooth.type' = 'file_sink',
    'trade_smooth.path' = './output/trade_smooth.csv'
);
