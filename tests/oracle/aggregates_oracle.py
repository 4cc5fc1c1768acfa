#!/usr/bin/env python3
"""Expected output of GROUP BY apps, computed independently. DuckDB computes exact decimal
COUNT/SUM/MIN/MAX (and the row order); Python's decimal module turns SUM/COUNT into Velo's AVG:
DECIMAL(38, max(s, 6)) rounded HALF_UP (DIALECT.md §4), which DuckDB would give as a DOUBLE.

Usage:
  aggregates_oracle.py running FILE      quickstart 03: a running row per input record (EMIT CHANGES)
  aggregates_oracle.py final FILE        1BRC: one row per station (EMIT FINAL), first-seen order
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
            columns = {{'id': 'BIGINT', 'category': 'VARCHAR', 'amount': 'DECIMAL(18,2)', 'timestamp': 'TIMESTAMP'}}))
        SELECT category,
               COUNT(*) OVER w AS transaction_count,
               SUM(amount) OVER w AS total_amount,
               COUNT(amount) OVER w AS n
        FROM t WINDOW w AS (PARTITION BY category ORDER BY rn ROWS UNBOUNDED PRECEDING)
        ORDER BY rn""")
    write(["category", "transaction_count", "total_amount", "avg_amount"],
          [(c, k, s, avg(s, n)) for c, k, s, n in rows])
elif mode == "final":
    cols, rows = query(f"""
        WITH t AS (SELECT *, row_number() OVER () AS rn FROM read_csv('{path}', delim = ';', header = true,
            columns = {{'station': 'VARCHAR', 'temperature': 'DECIMAL(18,1)'}}))
        SELECT station, MIN(temperature), SUM(temperature), COUNT(temperature), MAX(temperature)
        FROM t GROUP BY station ORDER BY MIN(rn)""")
    write(["station", "min_temp", "avg_temp", "max_temp"],
          [(st, lo, avg(s, n), hi) for st, lo, s, n, hi in rows])
else:
    sys.exit(f"unknown mode {mode}")
