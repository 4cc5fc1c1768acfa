CREATE STREAM ohlc_1m AS
SELECT
    symbol,
    _window_start      AS bar_start,
    _window_end        AS bar_end,
    FIRST_VALUE(price) AS open,
    MAX(price)         AS high,
    MIN(price)         AS low,
    LAST_VALUE(price)  AS close,
    SUM(qty)           AS volume,
    COUNT(*)           AS trades
FROM trades
GROUP BY symbol
WINDOW TUMBLING(ts, 1m)
EMIT FINAL;

CREATE STREAM bars_corrected AS
SELECT
    symbol,
    _window_start AS bar_start,
    MIN(price)    AS low,
    MAX(price)    AS high,
    SUM(qty)      AS volume,
    COUNT(*)      AS trades
FROM trades
GROUP BY symbol
WINDOW TUMBLING(ts, 1m)
WITH (
    'trades.type' = 'file_source',
    'trades.path' = './trades.csv',
    'trades.format' = 'csv',
    'trades.schema' = 'trade_id BIGINT, symbol STRING, price DECIMAL(10,2), qty BIGINT, ts TIMESTAMP',
    'watermark.max_out_of_orderness' = '5s',
    'late.data.strategy' = 'dead_letter',
    'bars_corrected.late.data.strategy' = 'update_previous_window',
    'bars_corrected.allowed.lateness' = '100s',
    'ohlc_1m.type' = 'file_sink',
    'ohlc_1m.path' = './output/ohlc_1m.csv',
    'bars_corrected.type' = 'file_sink',
    'bars_corrected.path' = './output/bars_corrected.csv'
);
