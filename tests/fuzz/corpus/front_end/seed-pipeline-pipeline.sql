-- @app: click_pipeline
-- @description: Several statements in one app: a later statement reads an earlier one by name
--               (in-process), JSON Lines in and out, DISTINCT and LIMIT.
--
-- Run it from this folder:   velo run pipeline.sql
-- Output:                    output/checkout_clicks.jsonl, big_spenders.csv, pages.csv, user_totals.csv

-- 1. Checkout and cart clicks with a known amount, as JSON Lines.
CREATE STREAM checkout_clicks AS
SELECT event_id, user AS user_id, page, amount, amount * 1.2 AS amount_with_tax, ts
FROM clicks
WHERE page IN ('/checkout', '/cart') AND amount IS NOT NULL
EMIT CHANGES
WITH (
    'clicks.type' = 'file_source',
    'clicks.path' = './clicks.jsonl',
    'clicks.format' = 'jsonl',
    'clicks.schema' = 'event_id BIGINT, user STRING, page STRING, amount DECIMAL(10,2), ts TIMESTAMP',

    'checkout_clicks.type' = 'file_sink',
    'checkout_clicks.path' = './output/checkout_clicks.jsonl',
    'checkout_clicks.format' = 'jsonl'
);

-- 2. Reads statement 1: the first five big checkout amounts.
CREATE STREAM big_spenders AS
SELECT user_id, amount_with_tax
FROM checkout_clicks
WHERE amount_with_tax > 300
LIMIT 5
INTO big_spenders_file
WITH (
    'big_spenders_file.type' = 'file_sink',
    'big_spenders_file.path' = './output/big_spenders.csv'
);

-- 3. The distinct pages anybody visited, in order of first visit.
CREATE STREAM pages AS
SELECT DISTINCT page FROM clicks
WITH (
    'pages.type' = 'file_sink',
    'pages.path' = './output/pages.csv'
);

-- 4. Reads statement 1 and aggregates it: users with at least two checkout clicks, at the end.
CREATE TABLE user_totals AS
SELECT user_id PRIMARY KEY, COUNT(*) AS clicks, SUM(amount) AS total, MAX(amount) AS biggest
FROM checkout_clicks
GROUP BY user_id
HAVING COUNT(*) >= 2
EMIT FINAL
WITH (
    'user_totals.type' = 'file_sink',
    'user_totals.path' = './output/user_totals.csv'
);
