-- SQL Application: sensors
-- Version: 1.0.0
-- Description: Schema files (.avsc, .schema.yaml), a glob of header-less ';'-separated CSV files,
--              and a JSON array source written back as a JSON array.
--
-- Run it from this folder:   velo run sensors.sql
-- Output:                    output/hot_readings.csv, output/active_devices.json

CREATE STREAM hot_readings AS
SELECT
    sensor_id,
    reading,
    reading * 9 / 5 + 32 AS fahrenheit,
    taken_at
FROM readings
WHERE unit = 'C' AND reading >= 30
EMIT CHANGES
WITH (
    'readings.type' = 'file_source_mmap',
    'readings.path' = './data/readings-*.csv',
    'readings.format' = 'csv_no_header',
    'readings.delimiter' = ';',
    'readings.schema.file' = 'schemas/readings.avsc',

    'hot_readings.type' = 'file_sink',
    'hot_readings.path' = './output/hot_readings.csv'
);

CREATE STREAM active_devices AS
SELECT id, UPPER(name) AS name, installed, calibration, ROUND(calibration, 2) AS calibration_2dp
FROM devices
WHERE active
WITH (
    'devices.type' = 'file_source',
    'devices.path' = './devices.json',
    'devices.format' = 'json',
    'devices.schema.file' = 'schemas/devices.schema.yaml',

    'active_devices.type' = 'file_sink',
    'active_devices.path' = './output/active_devices.json',
    'active_devices.format' = 'json',
    'active_devices.decimal.format' = 'number'
);
