#!/usr/bin/env python3
"""Writes trades.csv for the trading app: `trade_id,symbol,price,qty,ts`, 12 minutes of trades for
three symbols from 2024-01-02 09:30:00 UTC, in arrival order. Most trades arrive in event-time
order; some arrive up to 4 s late (within the app's 5 s out-of-orderness), a few arrive minutes
late (late records: dead-lettered by the app), and two rows are malformed (a NULL event time and a
bad price). Deterministic (seed 7).

Usage: gen_trades.py [OUT]   (default: trades.csv next to this script)"""
import datetime
import os
import random
import sys

rng = random.Random(7)
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "trades.csv")
start = datetime.datetime(2024, 1, 2, 9, 30, tzinfo=datetime.timezone.utc)
prices = {"AAPL": 18542, "MSFT": 37400, "GOOG": 13950}  # cents
rows = []
t = 0.0
for i in range(1, 361):
    t += rng.expovariate(1 / 2.0)  # a trade every ~2 s
    sym = rng.choice(sorted(prices))
    prices[sym] += rng.randint(-25, 25)
    qty = rng.choice([1, 5, 10, 25, 50, 100, 200])
    event = t
    if rng.random() < 0.15:
        event -= rng.uniform(0.1, 4.0)  # out of order, within the 5 s tolerance
    rows.append([i, sym, f"{prices[sym] / 100:.2f}", qty, event])
# Very late arrivals: event times minutes behind the stream.
for i, at in [(361, 60), (362, 200), (363, 330)]:
    sym = rng.choice(sorted(prices))
    rows.insert(at, [i, sym, f"{prices[sym] / 100:.2f}", 10, rows[at][4] - 150.0])


def stamp(seconds):
    ts = start + datetime.timedelta(seconds=seconds)
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}"


with open(out, "w") as f:
    f.write("trade_id,symbol,price,qty,ts\n")
    for n, (i, sym, price, qty, event) in enumerate(rows):
        ts = stamp(event)
        if n == 100:
            ts = ""  # NULL event time: a record error
        if n == 250:
            price = "12.3x"  # not a DECIMAL: a decode error
        f.write(f"{i},{sym},{price},{qty},{ts}\n")
