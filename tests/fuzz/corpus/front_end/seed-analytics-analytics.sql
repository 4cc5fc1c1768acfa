-- @app: analytics
-- @version: 1.0.0
-- @description: Window functions over rows on a stream of sensor readings: smoothing with frames
--               that reach into later rows, rankings by value, and totals of whole partitions.
--
-- Run it from this folder:   velo run analytics.sql
-- Readings arrive in time order (`ts`). A row whose frame reaches into later rows waits for them;
-- a ranking by value, or an aggregate of a whole partition, waits for the end of the input.

-- Smoothing: each reading with the readings around it.
CREATE STREAM smoothed AS
SELECT
    id,
    sensor,
    reading,
    AVG(reading) OVER (PARTITION BY sensor ORDER BY ts ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING)   AS centred_avg,
    SUM(reading) OVER (PARTITION BY sensor ORDER BY ts ROWS BETWEEN CURRENT ROW AND 3 FOLLOWING)   AS next_4_sum,
    MAX(reading) OVER (PARTITION BY sensor ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND 1 FOLLOWING) AS peak_by_next,
    COUNT(reading) OVER (ORDER BY ts ROWS BETWEEN 5 PRECEDING AND 5 FOLLOWING)                    AS readings_around,
    LAG(reading, 2) OVER (PARTITION BY sensor ORDER BY ts)                                         AS two_back,
    LEAD(reading, 1, -1) OVER (PARTITION BY sensor ORDER BY ts)                                    AS next_reading
FROM readings;

-- Rankings by value, per sensor and overall, and totals of whole partitions.
CREATE STREAM rankings AS
SELECT
    id,
    sensor,
    level,
    reading,
    RANK() OVER (PARTITION BY sensor ORDER BY reading DESC)             AS hottest,
    DENSE_RANK() OVER (PARTITION BY sensor ORDER BY level NULLS FIRST)  AS level_rank,
    ROW_NUMBER() OVER (ORDER BY reading, id)                            AS overall,
    PERCENT_RANK() OVER (PARTITION BY sensor ORDER BY reading)          AS pct,
    CUME_DIST() OVER (PARTITION BY level ORDER BY reading DESC NULLS FIRST) AS cume,
    NTILE(5) OVER (PARTITION BY sensor ORDER BY reading, id)            AS quintile,
    SUM(reading) OVER whole_sensor                                      AS sensor_total,
    COUNT(*) OVER (PARTITION BY level ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS level_count
FROM readings
WINDOW whole_sensor AS (PARTITION BY sensor ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
WITH (
    'readings.type' = 'file_source',
    'readings.path' = './readings.csv',
    'readings.schema' = 'id BIGINT, sensor STRING, level STRING, reading DECIMAL(6,1), ts TIMESTAMP',

    'smoothed.type' = 'file_sink',
    'smoothed.path' = './output/smoothed.csv',
    'rankings.type' = 'file_sink',
    'rankings.path' = './output/rankings.csv'
);
