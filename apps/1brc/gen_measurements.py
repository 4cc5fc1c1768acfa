#!/usr/bin/env python3
"""Writes a 1BRC-style measurements file: header `station;temperature`, then `name;t` rows with
one decimal, t ~ Normal(station mean, 10) clamped to [-99.9, 99.9]. Station names are generated
(UTF-8, 413 by default or 10,000 with --stations 10000), each with a fixed mean temperature.

Usage: gen_measurements.py ROWS OUT [--stations N] [--seed S]
(For benchmark-sized files use the Rust generator benches/raw/src/bin/gen_measurements.rs, run by
benches/1brc.sh; this one made the small sample next to it.)"""
import argparse
import random

p = argparse.ArgumentParser()
p.add_argument("rows", type=int)
p.add_argument("out")
p.add_argument("--stations", type=int, default=413)
p.add_argument("--seed", type=int, default=1)
a = p.parse_args()
rng = random.Random(a.seed)
onsets = ["B", "C", "D", "F", "G", "K", "L", "M", "N", "P", "R", "S", "T", "V", "Z", "Br", "Tr", "Ch", "Š", "Ž"]
vowels = ["a", "e", "i", "o", "u", "é", "ö", "å", "ü", "y"]
codas = ["", "n", "r", "s", "l", "m", "k", "th", "ng", "x"]
names = set()
while len(names) < a.stations:
    syll = [rng.choice(onsets).lower() + rng.choice(vowels) + rng.choice(codas) for _ in range(rng.randint(2, 3))]
    name = "".join(syll).capitalize()
    if rng.random() < 0.15:
        name += " " + rng.choice(["Bay", "City", "Falls", "Springs", "Point"])
    names.add(name)
stations = [(n, round(rng.uniform(-15, 30), 1)) for n in sorted(names)]
with open(a.out, "w", encoding="utf-8") as f:
    f.write("station;temperature\n")
    for _ in range(a.rows):
        name, mean = rng.choice(stations)
        t = max(-99.9, min(99.9, rng.gauss(mean, 10)))
        f.write(f"{name};{t:.1f}\n")
