-- @app: lesson_4_running_totals
-- @description: Lesson 4 of the quickstart: aggregate per key, continuously.
--
-- GROUP BY shop keeps one running group per shop. A stream never "ends", so with
-- EMIT CHANGES every purchase produces the new row of its shop's group: seven
-- purchases, seven output rows, each the total so far.
--
-- * CREATE TABLE says the result is a table keyed by `shop` (PRIMARY KEY): a reader of
--   the output keeps the last row per shop.
-- * COUNT(*) counts purchases; SUM and AVG of a DECIMAL are exact (AVG keeps six
--   decimal places, rounded half up).
-- * Put EMIT FINAL instead of EMIT CHANGES to get only the last row of each shop,
--   once the file has been read.
--
-- Try it:   velo -C apps/quickstart run 04_running_totals.sql
-- Result:   output/shop_totals.csv; its last bakery row is 3,13.15,4.383333.

CREATE TABLE shop_totals AS
SELECT
    shop PRIMARY KEY,
    COUNT(*) AS purchases,
    SUM(amount) AS revenue,
    AVG(amount) AS average_basket
FROM purchases
GROUP BY shop
EMIT CHANGES
WITH (
    'purchases.type' = 'file_source',
    'purchases.path' = './purchases.csv',
    'purchases.format' = 'csv',

    'shop_totals.type' = 'file_sink',
    'shop_totals.path' = './output/shop_totals.csv',
    'shop_totals.format' = 'csv'
);
