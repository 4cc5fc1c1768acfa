-- @app: lesson_1_copy
-- @description: Lesson 1 of the quickstart: copy a file, record by record.
--
-- The smallest app there is. One statement reads the source `readings` and writes
-- every record, unchanged, to the sink named after the statement.
--
-- * `CREATE STREAM copied_readings AS SELECT * FROM readings` says what to compute.
-- * `WITH (...)` says where the data lives: `<object>.type`, `.path` and `.format`
--   for the source and for the sink (the statement's own name).
-- * No schema is written down: Velo samples readings.csv when it builds the app and
--   infers id BIGINT, room STRING, celsius DECIMAL(3, 1), taken_at TIMESTAMP.
--   `velo explain 01_copy.sql` shows what it found.
--
-- Try it:   velo -C apps/quickstart run 01_copy.sql
-- Result:   output/copied_readings.csv, byte for byte the same six records.

CREATE STREAM copied_readings AS
SELECT * FROM readings
EMIT CHANGES
WITH (
    'readings.type' = 'file_source',
    'readings.path' = './readings.csv',
    'readings.format' = 'csv',

    'copied_readings.type' = 'file_sink',
    'copied_readings.path' = './output/copied_readings.csv',
    'copied_readings.format' = 'csv'
);
