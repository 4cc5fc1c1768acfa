#!/usr/bin/env python3
"""Writes apps/orders/orders.csv: deterministic order records with exact decimals, NULLs,
quoted fields, unicode names and edge values. Usage: gen_orders.py OUT [ROWS]"""
import csv
import random
import sys

out = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 300
rng = random.Random(20261129)
names = ["alice", " bob ", "Chloé", "dmitri", "Émile", "frank, jr.", "Günther", "hana", "Ian \"the\" best", "józef"]
regions = ["EU", "US", "APAC", None]
statuses = ["open", "shipped", "cancelled", None]
notes = ["gift", "rush, please", "", None, "fragile"]
with open(out, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["order_id", "customer", "region", "price", "qty", "discount", "status", "note", "created_at"])
    for i in range(1, rows + 1):
        price = f"{rng.randint(1, 99999) / 100:.2f}" if i % 37 else ""
        if i == 5:
            price = "0.01"
        if i == 6:
            price = "9999999999.99"
        qty = str(rng.choice([0, 1, 2, 3, 7, 10, 250, 1000])) if i % 41 else ""
        discount = rng.choice(["", "0.125", "0.05", "0.333", "0.5", "0.75", "0"])
        note = rng.choice(notes)
        ts = f"2024-0{rng.randint(1, 9)}-{rng.randint(10, 28)}T{rng.randint(10, 23)}:{rng.randint(10, 59)}:{rng.randint(10, 59)}"
        w.writerow([i, rng.choice(names), rng.choice(regions) or "", price, qty, discount,
                    rng.choice(statuses) or "", "" if note is None else note, ts])
