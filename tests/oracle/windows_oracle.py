#!/usr/bin/env python3
"""Expected output of the trading app (apps/trading), computed independently.

Python decides which (record, window) pairs count, by simulating the watermark of DIALECT.md §5
in the plainest way: watermark = largest event time of the accepted records so far − the allowed
out-of-orderness; a record goes into each of its windows whose end is after the watermark at its
arrival, and is late when none is. Records that do not decode (a bad price, a NULL event time)
are skipped. DuckDB then aggregates the accepted pairs (exact decimals; windows from time_bucket
arithmetic), in Velo's output order: by window start, then first appearance. AVG is turned into
Velo's DECIMAL(38, 6) HALF_UP with Python's decimal module.

For `over` (window functions over rows), DuckDB computes the same OVER clauses with ORDER BY the
arrival position, which is what Velo's streaming semantics promise (rows arrive in ORDER BY order),
and Python turns the frame's SUM/COUNT into AVG.

For `lead`, a row is emitted when the last row it reads arrives (the trade two later in its
symbol, and the next trade of any symbol), the rows still waiting at the end of the input last,
in arrival order.

`ranks` (PERCENT_RANK, CUME_DIST, NTILE) come out at the end of the input, in arrival order,
computed over each whole partition sorted by its ORDER BY (ts, NULLs last), as a batch engine does.

`amend` replays the same watermark with `update_previous_window` and 100 s of allowed lateness:
a record behind the watermark whose window ended less than 100 s before it goes into that window,
and if the window had already fired, its corrected row is emitted at once; DuckDB aggregates the
records each emitted row holds.

`leaders` ranks each whole partition by price and size (RANK, DENSE_RANK, ROW_NUMBER with DESC),
and all trades together by size (CUME_DIST without PARTITION BY); SUM and AVG over each whole
partition.

`smooth`: aggregates over frames with FOLLOWING rows, released when their last row arrives.

Usage: windows_oracle.py {ohlc|avg|running|late|amend|over|lead|smooth|ranks|leaders} TRADES.csv
"""
import csv
import datetime
import decimal
import os
import sys

import duckdb

sys.path.insert(0, os.path.dirname(__file__))
from duckdb_csv import write  # noqa: E402

OUT_OF_ORDERNESS = 5_000
MINUTE = 60_000
CTX = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_UP)
EPOCH = datetime.datetime(1970, 1, 1)


def millis(text):
    t = datetime.datetime.fromisoformat(text)
    return (t - EPOCH) // datetime.timedelta(milliseconds=1)


def records(path):
    """(arrival, symbol, price, qty, event ms) of every record that decodes."""
    with open(path, newline="") as f:
        for n, r in enumerate(csv.DictReader(f)):
            try:
                price = decimal.Decimal(r["price"])
            except decimal.InvalidOperation:
                continue
            if not r["ts"]:
                continue
            yield n, r["symbol"], price, int(r["qty"]), millis(r["ts"])


def accept(recs, size, advance):
    """(accepted (window start, record) pairs, late records) under the watermark."""
    pairs, late, newest = [], [], None
    for rec in recs:
        ts = rec[4]
        watermark = None if newest is None else newest - OUT_OF_ORDERNESS
        last = ts // advance * advance
        starts = [s for s in range(last - size + advance, last + 1, advance) if s <= ts < s + size]
        open_ = [s for s in starts if watermark is None or s + size > watermark]
        if not open_:
            late.append(rec)
            continue
        pairs += [(s, rec) for s in open_]
        newest = ts if newest is None else max(newest, ts)
    return pairs, late


def table(pairs):
    con = duckdb.connect()
    con.execute("CREATE TABLE t (ws BIGINT, rn BIGINT, symbol VARCHAR, price DECIMAL(10,2), qty BIGINT)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)", [(s, r[0], r[1], r[2], r[3]) for s, r in pairs])
    return con


def ts(ms):
    return EPOCH + datetime.timedelta(milliseconds=ms)


mode, path = sys.argv[1], sys.argv[2]
recs = list(records(path))
if mode == "ohlc":
    con = table(accept(recs, MINUTE, MINUTE)[0])
    rows = con.execute("""
        SELECT symbol, ws, arg_min(price, rn), max(price), min(price), arg_max(price, rn), sum(qty), count(*)
        FROM t GROUP BY ws, symbol ORDER BY ws, min(rn)""").fetchall()
    write(["symbol", "bar_start", "bar_end", "open", "high", "low", "close", "volume", "trades"],
          [(s, ts(w), ts(w + MINUTE), o, h, lo, c, v, n) for s, w, o, h, lo, c, v, n in rows])
elif mode == "avg":
    size = 5 * MINUTE
    con = table(accept(recs, size, MINUTE)[0])
    rows = con.execute("""
        SELECT symbol, ws, sum(price), count(*) FROM t GROUP BY ws, symbol ORDER BY ws, min(rn)""").fetchall()
    scale = decimal.Decimal("0.000001")
    write(["symbol", "window_start", "window_end", "avg_price", "trades"],
          [(s, ts(w), ts(w + size), CTX.divide(total, decimal.Decimal(n)).quantize(scale, context=CTX), n)
           for s, w, total, n in rows])
elif mode == "running":
    con = table(accept(recs, MINUTE, MINUTE)[0])
    rows = con.execute("""
        SELECT symbol, ws, sum(qty) OVER (PARTITION BY symbol, ws ORDER BY rn ROWS UNBOUNDED PRECEDING)
        FROM t ORDER BY rn""").fetchall()
    write(["symbol", "minute", "volume"], [(s, ts(w), v) for s, w, v in rows])
elif mode in ("over", "lead", "smooth", "ranks", "leaders"):
    con = duckdb.connect()
    con.execute("CREATE TABLE t (rn BIGINT, trade_id BIGINT, symbol VARCHAR, price DECIMAL(10,2), qty BIGINT, "
                "ts TIMESTAMP)")
    with open(path, newline="") as f:
        rows = []
        for n, r in enumerate(csv.DictReader(f)):
            try:
                price = decimal.Decimal(r["price"])
            except decimal.InvalidOperation:
                continue  # Velo dead-letters the record whose price does not decode
            rows.append((n, int(r["trade_id"]), r["symbol"], price, int(r["qty"]), r["ts"] or None))
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", rows)
    p = "PARTITION BY symbol ORDER BY rn"
    if mode == "lead":
        # A row comes out when the last row it reads arrives: the later of the trade two later
        # in its symbol and the next trade of any symbol (never, if either is missing: then at
        # the end, in arrival order).
        out = con.execute(f"""
            SELECT trade_id, symbol, price, lead(price) OVER ({p}), lead(price, 2, 0) OVER ({p}),
                lead(price) OVER ({p}) - price, row_number() OVER ({p}), lead(trade_id) OVER (ORDER BY rn)
            FROM t WHERE qty >= 5
            ORDER BY CASE WHEN lead(rn, 2) OVER ({p}) IS NULL OR lead(rn) OVER (ORDER BY rn) IS NULL
                          THEN 9223372036854775807
                          ELSE greatest(lead(rn, 2) OVER ({p}), lead(rn) OVER (ORDER BY rn)) END, rn""").fetchall()
        write(["trade_id", "symbol", "price", "next_price", "price_in_2", "next_change", "nth_trade", "next_trade"],
              out)
        sys.exit(0)
    if mode == "smooth":
        # Frames with FOLLOWING rows; a row comes out when the last row of its frames arrives
        # (the third later trade of its symbol, the second later trade of any symbol).
        out = con.execute(f"""
            SELECT trade_id, symbol,
                sum(qty) OVER ({p} ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING),
                min(price) OVER ({p} ROWS BETWEEN CURRENT ROW AND 3 FOLLOWING),
                count(*) OVER (ORDER BY rn ROWS BETWEEN UNBOUNDED PRECEDING AND 2 FOLLOWING)
            FROM t WHERE qty >= 5
            ORDER BY CASE WHEN lead(rn, 3) OVER ({p}) IS NULL OR lead(rn, 2) OVER (ORDER BY rn) IS NULL
                          THEN 9223372036854775807
                          ELSE greatest(lead(rn, 3) OVER ({p}), lead(rn, 2) OVER (ORDER BY rn)) END, rn""").fetchall()
        write(["trade_id", "symbol", "qty_around", "low_ahead", "seen_by_then"], out)
        sys.exit(0)
    if mode == "ranks":
        # A batch computation over the whole of each partition in ORDER BY ts (NULL last); NTILE
        # cuts ties of ts in arrival order, like Velo's stable sort.
        by_ts = "PARTITION BY symbol ORDER BY ts"
        out = con.execute(f"""
            SELECT trade_id, symbol, percent_rank() OVER ({by_ts}), cume_dist() OVER ({by_ts}),
                ntile(4) OVER ({by_ts}, rn)
            FROM t WHERE qty >= 5 ORDER BY rn""").fetchall()
        write(["trade_id", "symbol", "pct_rank", "cume_dist", "quartile"], out)
        sys.exit(0)
    if mode == "leaders":
        out = con.execute("""
            SELECT trade_id, symbol, price,
                rank() OVER (PARTITION BY symbol ORDER BY price DESC),
                dense_rank() OVER (PARTITION BY symbol ORDER BY qty DESC),
                row_number() OVER (PARTITION BY symbol ORDER BY price DESC, trade_id),
                cume_dist() OVER (ORDER BY qty),
                sum(qty) OVER (PARTITION BY symbol), sum(price) OVER (PARTITION BY symbol),
                count(price) OVER (PARTITION BY symbol)
            FROM t ORDER BY rn""").fetchall()
        scale = decimal.Decimal("0.000001")
        write(["trade_id", "symbol", "price", "price_rank", "size_rank", "nth_priciest", "size_cume_dist",
               "symbol_qty", "symbol_avg_price"],
              [r[:8] + (CTX.divide(r[8], decimal.Decimal(r[9])).quantize(scale, context=CTX),) for r in out])
        sys.exit(0)
    out = con.execute(f"""
        SELECT trade_id, symbol, price,
            row_number() OVER ({p}),
            lag(price, 2, 0) OVER ({p}),
            price - lag(price) OVER ({p}),
            sum(qty) OVER ({p} ROWS BETWEEN 4 PRECEDING AND CURRENT ROW),
            sum(price) OVER ({p} ROWS BETWEEN 9 PRECEDING AND CURRENT ROW),
            count(price) OVER ({p} ROWS BETWEEN 9 PRECEDING AND CURRENT ROW),
            max(price) OVER ({p} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
            first_value(price) OVER ({p}),
            nth_value(price, 2) OVER ({p} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
            count(*) OVER (ORDER BY rn ROWS 2 PRECEDING)
        FROM t WHERE qty >= 5 ORDER BY rn""").fetchall()
    scale = decimal.Decimal("0.000001")
    write(["trade_id", "symbol", "price", "nth_trade", "price_2_back", "change", "qty_last_5", "avg_last_10",
           "high_so_far", "first_price", "second_price", "last_3_trades"],
          [(i, s, pr, n, l2, ch, q5, CTX.divide(s10, decimal.Decimal(c10)).quantize(scale, context=CTX), hi, fv, nv, c3)
           for i, s, pr, n, l2, ch, q5, s10, c10, hi, fv, nv, c3 in out])
elif mode == "amend":
    # update_previous_window with 100 s of allowed lateness: which records each emitted bar holds.
    lateness = 100_000
    windows, emissions, newest = {}, [], None  # start -> [fired, {symbol: [record...]}]

    def fire(watermark):
        for start in sorted(windows):
            if start + MINUTE > watermark:
                break
            if not windows[start][0]:
                windows[start][0] = True
                emissions.extend((start, sym, list(group)) for sym, group in windows[start][1].items())
        for start in sorted(windows):
            if not windows[start][0] or start + MINUTE + lateness > watermark:
                break
            del windows[start]

    for rec in recs:
        watermark = None if newest is None else newest - OUT_OF_ORDERNESS
        start = rec[4] // MINUTE * MINUTE
        if watermark is not None and start + MINUTE + lateness <= watermark:
            continue  # too late even for a correction: counted and dropped
        window = windows.setdefault(start, [False, {}])
        window[1].setdefault(rec[1], []).append(rec)
        if window[0]:
            emissions.append((start, rec[1], list(window[1][rec[1]])))  # the corrected bar, at once
        newest = rec[4] if newest is None else max(newest, rec[4])
        fire(newest - OUT_OF_ORDERNESS)
    fire(float("inf"))
    con = duckdb.connect()
    con.execute("CREATE TABLE e (emission BIGINT, ws BIGINT, symbol VARCHAR, price DECIMAL(10,2), qty BIGINT)")
    con.executemany("INSERT INTO e VALUES (?, ?, ?, ?, ?)",
                    [(i, w, sym, r[2], r[3]) for i, (w, sym, group) in enumerate(emissions) for r in group])
    rows = con.execute("""
        SELECT symbol, ws, min(price), max(price), sum(qty), count(*)
        FROM e GROUP BY emission, ws, symbol ORDER BY emission""").fetchall()
    write(["symbol", "bar_start", "low", "high", "volume", "trades"],
          [(s, ts(w), lo, hi, v, n) for s, w, lo, hi, v, n in rows])
elif mode == "late":
    # Trade ids of the late records of the tumbling statements, in arrival order.
    late = accept(recs, MINUTE, MINUTE)[1]
    with open(path, newline="") as f:
        ids = [r["trade_id"] for r in csv.DictReader(f)]
    print("\n".join(ids[rec[0]] for rec in late))
else:
    sys.exit(f"unknown mode {mode}")
