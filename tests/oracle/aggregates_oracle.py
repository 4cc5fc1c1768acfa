#!/usr/bin/env python3
"""Expected output of GROUP BY apps, computed independently. DuckDB computes exact decimal
COUNT/SUM/MIN/MAX (and the row order); Python's decimal module turns SUM/COUNT into Velo's AVG:
DECIMAL(38, max(s, 6)) rounded HALF_UP (DIALECT.md §4), which DuckDB would give as a DOUBLE.

Usage:
  aggregates_oracle.py running FILE      quickstart lesson 4: a running row per purchase (EMIT CHANGES)
  aggregates_oracle.py final FILE        1BRC: one row per station (EMIT FINAL), first-seen order
  aggregates_oracle.py stats FILE        apps/statistics: every aggregate per region (EMIT FINAL)
"""
import decimal
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from duckdb_csv import query, write  # noqa: E402

SCALE = decimal.Decimal("0.000001")
CTX = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_UP)


def avg(total, count):
    return None if not count else CTX.divide(total, decimal.Decimal(count)).quantize(SCALE, context=CTX)


mode, path = sys.argv[1], sys.argv[2]
if mode == "running":
    cols, rows = query(f"""
        WITH t AS (SELECT *, row_number() OVER () AS rn FROM read_csv('{path}',
            columns = {{'id': 'BIGINT', 'shop': 'VARCHAR', 'amount': 'DECIMAL(18,2)', 'bought_at': 'TIMESTAMP'}}))
        SELECT shop,
               COUNT(*) OVER w AS purchases,
               SUM(amount) OVER w AS revenue,
               COUNT(amount) OVER w AS n
        FROM t WINDOW w AS (PARTITION BY shop ORDER BY rn ROWS UNBOUNDED PRECEDING)
        ORDER BY rn""")
    write(["shop", "purchases", "revenue", "average_basket"],
          [(c, k, s, avg(s, n)) for c, k, s, n in rows])
elif mode == "final":
    cols, rows = query(f"""
        WITH t AS (SELECT *, row_number() OVER () AS rn FROM read_csv('{path}', delim = ';', header = true,
            columns = {{'station': 'VARCHAR', 'temperature': 'DECIMAL(18,1)'}}))
        SELECT station, MIN(temperature), SUM(temperature), COUNT(temperature), MAX(temperature)
        FROM t GROUP BY station ORDER BY MIN(rn)""")
    write(["station", "min_temp", "avg_temp", "max_temp"],
          [(st, lo, avg(s, n), hi) for st, lo, s, n, hi in rows])
elif mode == "stats":
    # PERCENTILE_DISC by its SQL definition (smallest value with cume_dist >= p), independent of
    # DuckDB's quantile_disc; APPROX_COUNT_DISTINCT is exact in Velo.
    cols, rows = query(f"""
        WITH t AS (SELECT *, row_number() OVER () AS rn FROM read_csv('{path}', header = true,
            columns = {{'order_id': 'BIGINT', 'customer': 'VARCHAR', 'region': 'VARCHAR', 'price': 'DECIMAL(18,2)',
                       'qty': 'BIGINT', 'discount': 'DECIMAL(18,3)', 'status': 'VARCHAR', 'note': 'VARCHAR',
                       'created_at': 'TIMESTAMP'}})),
        disc AS (SELECT region, MIN(price) AS p90_disc FROM (
            SELECT region, price, cume_dist() OVER (PARTITION BY region ORDER BY price) AS cd FROM t WHERE price IS NOT NULL)
            WHERE cd >= 0.9 GROUP BY region)
        SELECT t.region, COUNT(*), COUNT(price), COUNT(DISTINCT customer), COUNT(DISTINCT status),
               SUM(price), COUNT(price),
               MIN(price), MAX(price),
               arg_min(customer, rn) FILTER (WHERE customer IS NOT NULL),
               arg_max(customer, rn) FILTER (WHERE customer IS NOT NULL),
               string_agg(status, '|' ORDER BY rn),
               stddev_samp(price::DOUBLE), stddev_pop(price::DOUBLE), var_samp(price::DOUBLE), var_pop(price::DOUBLE),
               quantile_cont(price::DOUBLE, 0.5), quantile_cont(price::DOUBLE, 0.9), any_value(disc.p90_disc),
               corr(price::DOUBLE, qty::DOUBLE), covar_pop(price::DOUBLE, qty::DOUBLE), covar_samp(price::DOUBLE, qty::DOUBLE),
               regr_slope(price::DOUBLE, qty::DOUBLE), regr_intercept(price::DOUBLE, qty::DOUBLE), regr_r2(price::DOUBLE, qty::DOUBLE),
               SUM(price * qty)
        FROM t LEFT JOIN disc ON t.region IS NOT DISTINCT FROM disc.region
        GROUP BY t.region HAVING COUNT(*) > 10 ORDER BY MIN(rn)""")
    out = []
    for r in rows:
        r = list(r)
        n, total, priced, revenue = r[1], r[5], r[6], r[-1]
        rev = None if revenue is None else CTX.divide(revenue, decimal.Decimal(n)).quantize(SCALE, context=CTX)
        out.append(r[:5] + [total, avg(total, priced)] + r[7:-1] + [rev])
    write(["region", "n", "priced", "customers", "statuses", "total", "mean_price", "lowest", "highest",
           "first_customer", "last_customer", "status_trail", "sd", "sd_pop", "var_samp", "var_pop", "median_price",
           "p90", "p90_disc", "corr_price_qty", "covar_pop", "covar_samp", "slope", "intercept", "r2",
           "revenue_per_order"], out)
else:
    sys.exit(f"unknown mode {mode}")
