#!/usr/bin/env python3
"""Expected output of apps/orders/orders.sql, computed independently: DuckDB evaluates the
query (same column types as Velo's inferred schema), and Python's decimal module computes the
one column DuckDB cannot: DECIMAL division, which DuckDB turns into DOUBLE. Velo's rule
(DIALECT.md §4): the quotient has scale max(6, s1 + p2 + 1) capped at 38 digits, rounded
HALF_UP; here DECIMAL(38,2) / BIGINT gives scale 6, then ROUND(…, 2) rounds HALF_UP again.

Usage: orders_oracle.py path/to/orders.csv
"""
import decimal
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from duckdb_csv import query, write  # noqa: E402

path = sys.argv[1]
sql = f"""
SELECT
    order_id,
    UPPER(TRIM(customer)) AS customer,
    region,
    price * qty AS gross,
    price * qty * (1 - COALESCE(discount, 0)) AS net,
    price * qty AS third,
    -price AS credit,
    qty % 7 AS qty_mod_7,
    CASE WHEN qty >= 10 THEN 'bulk' WHEN qty >= 3 THEN 'multi' ELSE 'single' END AS size_class,
    CASE region WHEN 'EU' THEN 'Europe' WHEN 'US' THEN 'Americas' END AS continent,
    note IS NULL AS no_note,
    COALESCE(note, '(none)') AS note_text,
    LENGTH(TRIM(customer)) AS name_len,
    SUBSTRING(TRIM(customer), 1, 3) AS prefix,
    LOWER(TRIM(customer)) || '#' || CAST(order_id AS VARCHAR) AS tag,
    price BETWEEN 10 AND 100 AS mid_price,
    discount IN (0.5, 0.75) AS deep_discount,
    CAST(price AS DECIMAL(12, 1)) AS price_1dp
FROM read_csv('{path}', header = true, quote = '"', escape = '"',
    columns = {{'order_id': 'BIGINT', 'customer': 'VARCHAR', 'region': 'VARCHAR',
               'price': 'DECIMAL(18,2)', 'qty': 'BIGINT', 'discount': 'DECIMAL(18,3)',
               'status': 'VARCHAR', 'note': 'VARCHAR', 'created_at': 'TIMESTAMP'}})
WHERE status <> 'cancelled'
  AND (discount IS NULL OR discount < 0.7)
  AND customer NOT LIKE '%jr.%'
"""
columns, rows = query(sql)
third = columns.index("third")
ctx = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_UP)
out = []
for r in rows:
    r = list(r)
    if r[third] is not None:
        q = ctx.divide(r[third], decimal.Decimal(3)).quantize(decimal.Decimal("0.000001"), context=ctx)
        r[third] = q.quantize(decimal.Decimal("0.01"), context=ctx)
    out.append(r)
write(columns, out)
