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
FROM trades
WITH (
    'trades.type' = 'file_source',
    'trades.path' = './trades.csv',
    'trades.format' = 'csv',
    'trades.schema' = 'trade_id BIGINT, symbol STRING, price DECIMAL(10,2), qty BIGINT, ts TIMESTAMP',
    'watermark.max_out_of_orderness' = '5s',
    'late.data.strategy' = 'dead_letter',
    'price_leaders.type' = 'file_sink',
    'price_leaders.path' = './output/price_leaders.csv',
    'trade_calendar.type' = 'file_sink',
    'trade_calendar.path' = './output/trade_calendar.csv'
);
