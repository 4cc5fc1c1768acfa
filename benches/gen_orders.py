#!/usr/bin/env python3
"""Deterministic generator of the benchmark input: `gen_orders.py ROWS OUT.csv [--seed N]`.

Columns: order_id,customer,region,price,qty,discount,status
  order_id  1..ROWS
  customer  one of ~50 short ASCII names
  region    EU / US / APAC
  price     0.01..999.99, always exactly 2 decimals
  qty       integer 1..100
  discount  0.000 / 0.050 / 0.125 / 0.500 (exactly 3 decimals)
  status    open / shipped / cancelled

Speed: every column of a chunk is drawn with `random.choices` from a list of pre-formatted
strings, and rows are assembled with `map(",".join, zip(...))`, so no per-row Python formatting
runs. 10 M rows take roughly 10-20 s on one core. Plain Python on purpose (no numpy): the output
is byte-identical on any machine with Python >= 3.6 for the same seed and row count.
"""

import os
import random
import sys

CUSTOMERS = [
    "alice", "bob", "carol", "dave", "eve", "frank", "grace", "heidi", "ivan", "judy",
    "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "wendy",
    "xavier", "yvonne", "zoe", "aaron", "bella", "chen", "diego", "elena", "farah", "gus",
    "hana", "igor", "jin", "kofi", "lena", "marco", "nadia", "omar", "priya", "quinn",
    "rosa", "sven", "tariq", "uma", "vera", "wei", "ximena", "yusuf", "zara", "acme_co",
]
REGIONS = ["EU", "US", "APAC"]
REGION_W = [40, 35, 25]
STATUSES = ["open", "shipped", "cancelled"]
STATUS_W = [45, 40, 15]
DISCOUNTS = ["0.000", "0.050", "0.125", "0.500"]
DISCOUNT_W = [55, 25, 15, 5]
PRICES = ["%d.%02d" % divmod(c, 100) for c in range(1, 100000)]  # 0.01 .. 999.99
QTYS = [str(q) for q in range(1, 101)]
HEADER = "order_id,customer,region,price,qty,discount,status\n"
CHUNK = 500_000


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--seed")]
    seed = 42
    for a in argv[1:]:
        if a.startswith("--seed="):
            seed = int(a.split("=", 1)[1])
    if len(args) != 2:
        sys.exit("usage: gen_orders.py ROWS OUT.csv [--seed=N]")
    rows = int(float(args[0]))  # accepts 1e7
    out = args[1]
    rng = random.Random(seed)
    choices = rng.choices
    tmp = out + ".tmp"
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(tmp, "w", encoding="ascii", newline="\n", buffering=1 << 22) as f:
        f.write(HEADER)
        start = 1
        while start <= rows:
            n = min(CHUNK, rows - start + 1)
            ids = map(str, range(start, start + n))
            cust = choices(CUSTOMERS, k=n)
            reg = choices(REGIONS, cum_weights=_cum(REGION_W), k=n)
            price = choices(PRICES, k=n)
            qty = choices(QTYS, k=n)
            disc = choices(DISCOUNTS, cum_weights=_cum(DISCOUNT_W), k=n)
            stat = choices(STATUSES, cum_weights=_cum(STATUS_W), k=n)
            f.write("\n".join(map(",".join, zip(ids, cust, reg, price, qty, disc, stat))))
            f.write("\n")
            start += n
    os.replace(tmp, out)


def _cum(weights):
    total, acc = 0, []
    for w in weights:
        total += w
        acc.append(total)
    return acc


if __name__ == "__main__":
    main(sys.argv)
