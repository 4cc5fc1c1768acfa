#!/usr/bin/env python3
"""Writes readings.csv for the analytics app: `id,sensor,level,reading,ts`, 2000 readings of 4
sensors one second apart from 2024-05-01 08:00:00 UTC, in time order. Readings have one decimal
and repeat often (ties for the rankings); about 5 % are missing (NULL), and so are about 10 % of
the levels. Deterministic (seed 5).

Usage: gen_readings.py [OUT]   (default: readings.csv next to this script)"""
import datetime
import os
import random
import sys

rng = random.Random(5)
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "readings.csv")
start = datetime.datetime(2024, 5, 1, 8, 0)
base = {"s1": 20.0, "s2": 35.0, "s3": 50.0, "s4": 65.0}
with open(out, "w", newline="") as f:
    f.write("id,sensor,level,reading,ts\n")
    for i in range(2000):
        sensor = rng.choice(list(base))
        base[sensor] += rng.choice([-0.5, -0.2, 0.0, 0.0, 0.2, 0.5])
        reading = "" if rng.random() < 0.05 else f"{base[sensor] + rng.choice([-1, 0, 0, 1]):.1f}"
        level = "" if rng.random() < 0.1 else rng.choice(["low", "mid", "high"])
        ts = (start + datetime.timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S")
        f.write(f"{i + 1},{sensor},{level},{reading},{ts}\n")
