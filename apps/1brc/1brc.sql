-- @app: one_billion_rows
-- @description: The One Billion Row Challenge: min, mean and max temperature per weather station.
--
-- Input: `station;temperature` lines with one decimal (measurements.txt, written by
-- gen_measurements.py; the challenge's files have the same shape). The file is mapped
-- into memory and split between threads; each thread folds its share into its own
-- groups, and the groups are merged when every share is read, so the output is the
-- same for any number of threads: one row per station, in order of first appearance.
--
-- temperature is an exact DECIMAL(3, 1): MIN and MAX keep its digits, AVG has six
-- decimal places rounded half up. A line that does not parse goes to the dead-letter
-- file with its line number; the others are still counted.
--
-- Run it:   velo -C apps/1brc run 1brc.sql
-- Measure:  bash benches/1brc.sh   (against DuckDB and a hand-written loop)

-- @num_partitions: 2
-- @partitioning_strategy: hash
-- @batch_size: 10000
-- @job_mode: adaptive

CREATE STREAM station_stats AS
SELECT
    station,
    MIN(temperature) AS min_temp,
    AVG(temperature) AS avg_temp,
    MAX(temperature) AS max_temp
FROM measurements
GROUP BY station
EMIT FINAL
WITH (
    'measurements.type' = 'file_source_mmap',
    'measurements.path' = './measurements.txt',
    'measurements.format' = 'csv',
    'measurements.delimiter' = ';',

    'station_stats.type' = 'file_sink',
    'station_stats.path' = './station_stats.csv',
    'station_stats.format' = 'csv'
);
