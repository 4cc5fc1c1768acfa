#!/usr/bin/env python3
"""Writes clicks.csv for the clickstream app: `user_id,page,ts`, 40 minutes of clicks by 12 users
from 2024-03-01 12:00:00 UTC, in arrival order. Users click in bursts (a few seconds apart) with
pauses of one to five minutes between bursts; some clicks arrive up to 8 s out of order (within
the app's 10 s tolerance) and a few arrive minutes late. Deterministic (seed 11).

Usage: gen_clicks.py [OUT]   (default: clicks.csv next to this script)"""
import datetime
import os
import random
import sys

rng = random.Random(11)
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "clicks.csv")
start = datetime.datetime(2024, 3, 1, 12, 0)
pages = ["/", "/search", "/product/1", "/product/2", "/product/3", "/cart", "/checkout", "/help"]
events = []
for u in range(1, 13):
    t = rng.uniform(0, 120)
    while t < 2400:
        for _ in range(rng.randint(1, 8)):  # a burst
            events.append((t, f"user{u:02d}", rng.choice(pages)))
            t += rng.uniform(1, 20)
        t += rng.uniform(60, 300)  # a pause longer than the session gap
events.sort()
arrivals = []
for t, user, page in events:
    arrival = t + (rng.uniform(0, 8) if rng.random() < 0.2 else 0)
    arrivals.append((arrival, t, user, page))
for i in range(3):  # very late clicks
    t, user, page = events[rng.randrange(len(events) // 2)]
    arrivals.append((t + 600 + 300 * i, t - 1, user, "/late"))
arrivals.sort()
with open(out, "w") as f:
    f.write("user_id,page,ts\n")
    for _, t, user, page in arrivals:
        ts = start + datetime.timedelta(seconds=t)
        f.write(f"{user},{page},{ts.strftime('%Y-%m-%dT%H:%M:%S.')}{ts.microsecond // 1000:03d}\n")
