#!/usr/bin/env python3
"""Independent oracle for Velo's end-to-end tests: runs a DuckDB query and prints its result
as CSV in Velo's output encoding (DIALECT.md §10): header in select-list order, RFC 4180
quoting, NULL as empty, DECIMAL with its full scale and never in exponent form, booleans as
true/false, TIMESTAMP as YYYY-MM-DDTHH:MM:SS[.fff], DOUBLE as the shortest round-trip text.

Usage: duckdb_csv.py 'SQL'      (or the SQL on standard input)
Needs: pip install duckdb
"""
import csv
import datetime
import decimal
import sys

try:
    import duckdb
except ImportError:  # pragma: no cover - reported to the test as a clear failure
    sys.exit("the DuckDB oracle needs the duckdb package: pip install duckdb")


def text(v):
    """One value in Velo's CSV encoding."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, decimal.Decimal):
        return format(v, "f")
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e16 else repr(v)
    if isinstance(v, datetime.datetime):
        base = v.strftime("%Y-%m-%dT%H:%M:%S")
        return base + (f".{v.microsecond // 1000:03d}" if v.microsecond else "")
    if isinstance(v, datetime.date):
        return v.isoformat()
    return str(v)


def write(columns, rows, out=sys.stdout):
    """Writes a header and rows as CSV."""
    w = csv.writer(out, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([text(v) for v in r])


def query(sql):
    """Runs SQL in DuckDB; returns (column names, rows)."""
    rel = duckdb.sql(sql)
    return rel.columns, rel.fetchall()


if __name__ == "__main__":
    sql = sys.argv[1] if len(sys.argv) > 1 else sys.stdin.read()
    write(*query(sql))
