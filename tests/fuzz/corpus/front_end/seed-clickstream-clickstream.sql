-- @app: clickstream
-- @version: 1.0.0
-- @description: User sessions from a click log: a session lasts while clicks come less than
--               30 seconds apart (SESSION window over event time).
--
-- Run it from this folder:   velo run clickstream.sql
-- Clicks up to 10 s out of order still count; later ones go to the dead-letter file.

CREATE STREAM sessions AS
SELECT
    user_id,
    _window_start       AS session_start,
    _window_end         AS session_end,
    COUNT(*)            AS clicks,
    COUNT(DISTINCT page) AS pages,
    FIRST_VALUE(page)   AS landing_page,
    LAST_VALUE(page)    AS exit_page
FROM clicks
GROUP BY user_id
WINDOW SESSION(ts, 30s)
WITH (
    'clicks.type' = 'file_source',
    'clicks.path' = './clicks.csv',
    'clicks.schema' = 'user_id STRING, page STRING, ts TIMESTAMP',

    'watermark.max_out_of_orderness' = '10s',
    'late.data.strategy' = 'dead_letter',

    'sessions.type' = 'file_sink',
    'sessions.path' = './output/sessions.csv'
);
