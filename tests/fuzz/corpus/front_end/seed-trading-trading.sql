-- @app: trading
-- @version: 1.0.0
-- @description: Event-time windows over a trade file: 1-minute OHLC bars, a 5-minute moving
--               average sliding every minute, window functions over rows, date/time functions
--               per trade, and a running per-minute volume.
--
-- Run it from this folder:   velo run trading.sql
-- Event time is the `ts` column; the watermark trails the newest trade by 5 seconds, so trades up
-- to 5 s out of order still count. Later trades are late: they go to the dead-letter files.

-- 1-minute bars (EMIT FINAL, the default for windows: one row per symbol per minute, emitted
-- when the watermark passes the end of the minute).
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

-- The same bars corrected by late trades: with update_previous_window, a trade at most 100 s
-- behind the watermark goes into its bar, which has already been emitted, and the corrected bar is
-- emitted again. Trades later than that are counted and dropped.
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
WINDOW TUMBLING(ts, 1m);

-- 5-minute moving average, a new window every minute (hopping).
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

-- LEAD: each trade waits until the next two trades of its symbol and the next trade of any
-- symbol have arrived (or the file ends).
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
WHERE qty >= 5;

-- Frames that reach into later rows: a trade waits for the trades its frame ends with (at the
-- end of the input, the frames of the last trades end with what came).
CREATE STREAM trade_smooth AS
SELECT
    trade_id,
    symbol,
    SUM(qty) OVER (PARTITION BY symbol ORDER BY ts ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS qty_around,
    MIN(price) OVER (PARTITION BY symbol ORDER BY ts ROWS BETWEEN CURRENT ROW AND 3 FOLLOWING) AS low_ahead,
    COUNT(*) OVER (ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND 2 FOLLOWING)            AS seen_by_then
FROM trades
WHERE qty >= 5;

-- Whole-partition rankings: every row waits for the end of the input (a bounded file).
CREATE STREAM price_ranks AS
SELECT
    trade_id,
    symbol,
    PERCENT_RANK() OVER (PARTITION BY symbol ORDER BY ts) AS pct_rank,
    CUME_DIST() OVER (PARTITION BY symbol ORDER BY ts)    AS cume_dist,
    NTILE(4) OVER (PARTITION BY symbol ORDER BY ts)       AS quartile
FROM trades
WHERE qty >= 5;

-- Rankings by price and size rather than time: rows do not arrive in that order, so each
-- partition is ranked as a whole, in its ORDER BY order, at the end of the input (like
-- Velostream's price-analytics demo; its BUFFER does not limit a ranking). Aggregates over the
-- whole partition (UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) also wait for the end.
CREATE STREAM price_leaders AS
SELECT
    trade_id,
    symbol,
    price,
    RANK() OVER (PARTITION BY symbol ORDER BY price DESC)                               AS price_rank,
    DENSE_RANK() OVER (ROWS WINDOW BUFFER 1000 ROWS PARTITION BY symbol ORDER BY qty DESC) AS size_rank,
    ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY price DESC, trade_id)               AS nth_priciest,
    CUME_DIST() OVER (ORDER BY qty)                                                     AS size_cume_dist,
    SUM(qty) OVER (PARTITION BY symbol ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS symbol_qty,
    AVG(price) OVER whole_symbol                                                        AS symbol_avg_price
FROM trades
WINDOW whole_symbol AS (PARTITION BY symbol ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING);

-- Date/time functions on every trade: calendar parts, truncation, interval arithmetic,
-- differences and formatting.
CREATE STREAM trade_calendar AS
SELECT
    trade_id,
    EXTRACT(YEAR FROM ts)                        AS year,
    EXTRACT(QUARTER FROM ts)                     AS quarter,
    EXTRACT(WEEK FROM ts)                        AS iso_week,
    EXTRACT(DOW FROM ts)                         AS day_of_week,
    EXTRACT(DOY FROM ts)                         AS day_of_year,
    EXTRACT(HOUR FROM ts)                        AS hour,
    EXTRACT(MINUTE FROM ts)                      AS minute,
    EXTRACT(SECOND FROM ts)                      AS second,
    EXTRACT(MILLISECOND FROM ts)                 AS millisecond,
    EXTRACT(EPOCH FROM ts)                       AS epoch_seconds,
    DATE_TRUNC('minute', ts)                     AS minute_start,
    DATE_TRUNC('week', ts)                       AS week_start,
    DATE_TRUNC('month', ts)                      AS month_start,
    ts + INTERVAL '90' SECOND                    AS settles_at,
    ts - INTERVAL '1' MONTH                      AS month_before,
    DATEDIFF('millisecond', DATE_TRUNC('hour', ts), ts) AS ms_into_hour,
    DATEDIFF('day', TO_TIMESTAMP('2023-12-25 00:00:00'), ts) AS days_since_christmas,
    DATE_FORMAT(ts, '%Y/%m/%d %H:%M')            AS label,
    UNIX_TIMESTAMP(ts)                           AS unix_seconds,
    FROM_UNIXTIME(UNIX_TIMESTAMP(ts))            AS whole_second
FROM trades;

-- Window functions over rows, per symbol, in arrival order: the standard OVER form and
-- Velostream's ROWS WINDOW BUFFER form (each OVER keeps its own frame).
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

-- The volume of the current minute after every trade (EMIT CHANGES).
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
    'bars_corrected.late.data.strategy' = 'update_previous_window',
    'bars_corrected.allowed.lateness' = '100s',

    'ohlc_1m.type' = 'file_sink',
    'ohlc_1m.path' = './output/ohlc_1m.csv',
    'bars_corrected.type' = 'file_sink',
    'bars_corrected.path' = './output/bars_corrected.csv',
    'price_ranks.type' = 'file_sink',
    'price_ranks.path' = './output/price_ranks.csv',
    'price_leaders.type' = 'file_sink',
    'price_leaders.path' = './output/price_leaders.csv',
    'next_trades.type' = 'file_sink',
    'next_trades.path' = './output/next_trades.csv',
    'trade_smooth.type' = 'file_sink',
    'trade_smooth.path' = './output/trade_smooth.csv',
    'trade_stats.type' = 'file_sink',
    'trade_stats.path' = './output/trade_stats.csv',
    'trade_calendar.type' = 'file_sink',
    'trade_calendar.path' = './output/trade_calendar.csv',
    'avg_5m.type' = 'file_sink',
    'avg_5m.path' = './output/avg_5m.csv',
    'running_volume.type' = 'file_sink',
    'running_volume.path' = './output/running_volume.csv'
);
