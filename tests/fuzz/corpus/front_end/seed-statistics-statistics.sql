-- @app: order_statistics
-- @description: Every aggregate Velo computes, per region, once the input has ended.
--
-- Run it from this folder:   velo run statistics.sql
-- Output:                    output/region_stats.csv

CREATE TABLE region_stats AS
SELECT
    region PRIMARY KEY,
    COUNT(*)                      AS n,
    COUNT(price)                  AS priced,
    COUNT(DISTINCT customer)      AS customers,
    APPROX_COUNT_DISTINCT(status) AS statuses,
    SUM(price)                    AS total,
    AVG(price)                    AS mean_price,
    MIN(price)                    AS lowest,
    MAX(price)                    AS highest,
    FIRST_VALUE(customer)         AS first_customer,
    LAST_VALUE(customer)          AS last_customer,
    STRING_AGG(status, '|')       AS status_trail,
    STDDEV(price)                 AS sd,
    STDDEV_POP(price)             AS sd_pop,
    VARIANCE(price)               AS var_samp,
    VAR_POP(price)                AS var_pop,
    MEDIAN(price)                 AS median_price,
    PERCENTILE_CONT(price, 0.9)   AS p90,
    PERCENTILE_DISC(price, 0.9)   AS p90_disc,
    CORR(price, qty)              AS corr_price_qty,
    COVAR_POP(price, qty)         AS covar_pop,
    COVAR_SAMP(price, qty)        AS covar_samp,
    REGR_SLOPE(price, qty)        AS slope,
    REGR_INTERCEPT(price, qty)    AS intercept,
    REGR_R2(price, qty)           AS r2,
    SUM(price * qty) / COUNT(*)   AS revenue_per_order
FROM orders
GROUP BY region
HAVING COUNT(*) > 10
EMIT FINAL
WITH (
    'orders.type' = 'file_source',
    'orders.path' = '../orders/orders.csv',

    'region_stats.type' = 'file_sink',
    'region_stats.path' = './output/region_stats.csv'
);
