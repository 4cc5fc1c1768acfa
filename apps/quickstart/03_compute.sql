-- @app: lesson_3_compute
-- @description: Lesson 3 of the quickstart: choose, rename and compute columns.
--
-- A select list names the output columns in order. `AS` gives a computed column its
-- name; without it a plain column keeps its own.
--
-- * `celsius * 1.8 + 32` is DECIMAL arithmetic: 21.4 * 1.8 + 32 is exactly 70.52.
-- * `UPPER(room)` is one of the scalar string functions (docs/functions.md).
--
-- Try it:   velo -C apps/quickstart run 03_compute.sql
-- Result:   output/fahrenheit.csv: id, room, fahrenheit, room_label for all six readings.

CREATE STREAM fahrenheit AS
SELECT
    id,
    room,
    celsius * 1.8 + 32 AS fahrenheit,
    UPPER(room) AS room_label
FROM readings
EMIT CHANGES
WITH (
    'readings.type' = 'file_source',
    'readings.path' = './readings.csv',
    'readings.format' = 'csv',

    'fahrenheit.type' = 'file_sink',
    'fahrenheit.path' = './output/fahrenheit.csv',
    'fahrenheit.format' = 'csv'
);
