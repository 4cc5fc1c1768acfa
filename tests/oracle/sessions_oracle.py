#!/usr/bin/env python3
"""Expected output of the clickstream app (apps/clickstream): SESSION windows with a 30 s gap.

Independent of Velo's incremental session merging: Python only decides which clicks are late, by
the plainest watermark simulation (largest accepted event time − 10 s; a click is late when even
its own one-click session, [ts, ts + 30 s), would already have ended). DuckDB then finds the
sessions in batch, the classic way — per user, ordered by time, a new session starts where the
previous click is 30 s or more before — and aggregates them, ordered as Velo fires them: by
session end, then by the user's first appearance.

Usage: sessions_oracle.py CLICKS.csv
"""
import csv
import datetime
import os
import sys

import duckdb

sys.path.insert(0, os.path.dirname(__file__))
from duckdb_csv import write  # noqa: E402

GAP, OUT_OF_ORDERNESS = 30_000, 10_000
EPOCH = datetime.datetime(1970, 1, 1)

accepted, newest = [], None
with open(sys.argv[1], newline="") as f:
    for rn, r in enumerate(csv.DictReader(f)):
        ms = (datetime.datetime.fromisoformat(r["ts"]) - EPOCH) // datetime.timedelta(milliseconds=1)
        if newest is not None and ms + GAP <= newest - OUT_OF_ORDERNESS:
            continue  # late
        accepted.append((rn, r["user_id"], r["page"], ms))
        newest = ms if newest is None else max(newest, ms)

con = duckdb.connect()
con.execute("CREATE TABLE c (rn BIGINT, user_id VARCHAR, page VARCHAR, ms BIGINT)")
con.executemany("INSERT INTO c VALUES (?, ?, ?, ?)", accepted)
rows = con.execute(f"""
    WITH marked AS (
        SELECT *, CASE WHEN ms - lag(ms) OVER (PARTITION BY user_id ORDER BY ms, rn) < {GAP} THEN 0 ELSE 1 END AS starts
        FROM c),
    numbered AS (
        SELECT *, sum(starts) OVER (PARTITION BY user_id ORDER BY ms, rn ROWS UNBOUNDED PRECEDING) AS session,
               min(rn) OVER (PARTITION BY user_id) AS user_first
        FROM marked)
    SELECT user_id, min(ms), max(ms) + {GAP}, count(*), count(DISTINCT page), arg_min(page, rn), arg_max(page, rn)
    FROM numbered GROUP BY user_id, session, user_first
    ORDER BY max(ms) + {GAP}, user_first""").fetchall()


def ts(ms):
    return EPOCH + datetime.timedelta(milliseconds=ms)


write(["user_id", "session_start", "session_end", "clicks", "pages", "landing_page", "exit_page"],
      [(u, ts(a), ts(b), n, p, first, last) for u, a, b, n, p, first, last in rows])
