#!/usr/bin/env python3
"""Expected output of the analytics app (apps/analytics), computed by DuckDB's window functions.

Readings arrive in `ts` order, so DuckDB orders by `ts` exactly where the app does.
- `smoothed`: frames reaching into later rows, LAG and LEAD. A row comes out when the last row its
  values need arrives — the third later reading of its sensor (its longest FOLLOWING frame) and
  the fifth later reading of any sensor — and the rows still waiting at the end in arrival order.
  AVG is turned into Velo's DECIMAL(38, 6) HALF_UP with Python's decimal module.
- `rankings`: rankings by value and whole-partition totals, all at the end of the input, in
  arrival order (DuckDB puts NULLs last in both directions unless NULLS FIRST, like Velo).

Usage: over_oracle.py {smoothed|rankings} READINGS.csv
"""
import csv
import decimal
import os
import sys

import duckdb

sys.path.insert(0, os.path.dirname(__file__))
from duckdb_csv import write  # noqa: E402

CTX = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_UP)
mode, path = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute("CREATE TABLE t (rn BIGINT, id BIGINT, sensor VARCHAR, level VARCHAR, reading DECIMAL(6,1), ts TIMESTAMP)")
with open(path, newline="") as f:
    rows = [(n, int(r["id"]), r["sensor"], r["level"] or None, decimal.Decimal(r["reading"]) if r["reading"] else None,
             r["ts"]) for n, r in enumerate(csv.DictReader(f))]
con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", rows)
by_sensor = "PARTITION BY sensor ORDER BY ts"
if mode == "smoothed":
    out = con.execute(f"""
        SELECT id, sensor, reading,
            sum(reading) OVER ({by_sensor} ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING),
            count(reading) OVER ({by_sensor} ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING),
            sum(reading) OVER ({by_sensor} ROWS BETWEEN CURRENT ROW AND 3 FOLLOWING),
            max(reading) OVER ({by_sensor} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 FOLLOWING),
            count(reading) OVER (ORDER BY ts ROWS BETWEEN 5 PRECEDING AND 5 FOLLOWING),
            lag(reading, 2) OVER ({by_sensor}),
            lead(reading, 1, -1) OVER ({by_sensor})
        FROM t
        ORDER BY CASE WHEN lead(rn, 3) OVER ({by_sensor}) IS NULL OR lead(rn, 5) OVER (ORDER BY ts) IS NULL
                      THEN 9223372036854775807
                      ELSE greatest(lead(rn, 3) OVER ({by_sensor}), lead(rn, 5) OVER (ORDER BY ts)) END, rn""").fetchall()
    scale = decimal.Decimal("0.000001")
    write(["id", "sensor", "reading", "centred_avg", "next_4_sum", "peak_by_next", "readings_around", "two_back",
           "next_reading"],
          [(i, s, r, None if n == 0 else CTX.divide(total, decimal.Decimal(n)).quantize(scale, context=CTX), *rest)
           for i, s, r, total, n, *rest in out])
elif mode == "rankings":
    out = con.execute("""
        SELECT id, sensor, level, reading,
            rank() OVER (PARTITION BY sensor ORDER BY reading DESC),
            dense_rank() OVER (PARTITION BY sensor ORDER BY level NULLS FIRST),
            row_number() OVER (ORDER BY reading, id),
            percent_rank() OVER (PARTITION BY sensor ORDER BY reading),
            cume_dist() OVER (PARTITION BY level ORDER BY reading DESC NULLS FIRST),
            ntile(5) OVER (PARTITION BY sensor ORDER BY reading, id),
            sum(reading) OVER (PARTITION BY sensor),
            count(*) OVER (PARTITION BY level)
        FROM t ORDER BY rn""").fetchall()
    write(["id", "sensor", "level", "reading", "hottest", "level_rank", "overall", "pct", "cume", "quintile",
           "sensor_total", "level_count"], out)
else:
    sys.exit(f"unknown mode {mode}")
