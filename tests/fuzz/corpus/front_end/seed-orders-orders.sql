-- @app: order_pricing
-- @version: 1.0.0
-- @description: Prices orders exactly: decimal arithmetic, NULL logic, CASE and string functions.
--
-- Run it from this folder:   velo run orders.sql
-- Output:                    output/priced_orders.csv (failed records: output/priced_orders.csv.dlq.jsonl)

CREATE STREAM priced_orders AS
SELECT
    order_id,
    UPPER(TRIM(customer))                              AS customer,
    region,
    price * qty                                        AS gross,
    price * qty * (1 - COALESCE(discount, 0))          AS net,
    ROUND(price * qty / 3, 2)                          AS third,
    -price                                             AS credit,
    qty % 7                                            AS qty_mod_7,
    CASE WHEN qty >= 10 THEN 'bulk'
         WHEN qty >= 3 THEN 'multi'
         ELSE 'single' END                             AS size_class,
    CASE region WHEN 'EU' THEN 'Europe'
                WHEN 'US' THEN 'Americas' END          AS continent,
    note IS NULL                                       AS no_note,
    COALESCE(note, '(none)')                           AS note_text,
    LENGTH(TRIM(customer))                             AS name_len,
    SUBSTRING(TRIM(customer), 1, 3)                    AS prefix,
    LOWER(TRIM(customer)) || '#' || CAST(order_id AS VARCHAR) AS tag,
    price BETWEEN 10 AND 100                           AS mid_price,
    discount IN (0.5, 0.75)                            AS deep_discount,
    CAST(price AS DECIMAL(12, 1))                      AS price_1dp
FROM orders
WHERE status <> 'cancelled'
  AND (discount IS NULL OR discount < 0.7)
  AND customer NOT LIKE '%jr.%'
EMIT CHANGES
WITH (
    'orders.type' = 'file_source',
    'orders.path' = './orders.csv',
    'orders.format' = 'csv',

    'priced_orders.type' = 'file_sink',
    'priced_orders.path' = './output/priced_orders.csv',
    'priced_orders.format' = 'csv'
);
