-- @app: lesson_2_filter
-- @description: Lesson 2 of the quickstart: keep only the records you want.
--
-- WHERE keeps a record when its condition is TRUE; FALSE and NULL drop it.
-- `celsius` is an exact DECIMAL, so `celsius > 21.5` compares digits, not floats:
-- the study's 21.5 at 07:20 is not above 21.5 and stays out.
--
-- Try it:   velo -C apps/quickstart run 02_filter.sql
-- Result:   output/warm_readings.csv with readings 3 and 4.

CREATE STREAM warm_readings AS
SELECT *
FROM readings
WHERE celsius > 21.5
EMIT CHANGES
WITH (
    'readings.type' = 'file_source',
    'readings.path' = './readings.csv',
    'readings.format' = 'csv',

    'warm_readings.type' = 'file_sink',
    'warm_readings.path' = './output/warm_readings.csv',
    'warm_readings.format' = 'csv'
);
