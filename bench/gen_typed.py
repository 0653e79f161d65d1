#!/usr/bin/env python3
"""Generate a CSV of typed data for the typed-attribute benchmark.

    python3 bench/gen_typed.py --rows 200000 --out bench/data/typed_200k.csv

Columns (bench/typed.toml maps them): an integer id, a decimal price, a
quantity, a yes/no flag, a '|'-separated tag set, a JSON array of numbers (NS),
a nested JSON object (M), a JSON array (L), a base64 blob (B), a date (TTL), a
state and a city (a composite sort key). Deterministic (seeded), so runs on
different days read the same bytes.
"""

import argparse
import base64
import csv
import json
import os
import random

STATES = ["WA", "OR", "CA", "NY", "TX", "FL", "IL", "MA"]
CITIES = ["Seattle", "Portland", "San Jose", "Albany", "Austin", "Miami", "Chicago", "Boston"]
TAGS = ["red", "blue", "green", "fast", "new", "used", "sale", "eco", "4wd", "hybrid"]


def rows(n, seed):
    rnd = random.Random(seed)
    for i in range(n):
        tags = "|".join(rnd.sample(TAGS, rnd.randint(1, 4)))
        scores = json.dumps([round(rnd.uniform(0, 100), 2) for _ in range(rnd.randint(1, 5))])
        attrs = json.dumps({
            "dims": {"w": rnd.randint(100, 300), "h": round(rnd.uniform(1, 3), 3), "unit": "cm"},
            "color": rnd.choice(TAGS), "recalled": rnd.random() < 0.1, "note": None,
            "parts": [rnd.randint(1, 10 ** 12) for _ in range(3)],
        }, separators=(",", ":"))
        history = json.dumps([{"y": 2015 + k, "km": rnd.randint(0, 40000)} for k in range(rnd.randint(0, 3))],
                             separators=(",", ":"))
        blob = base64.b64encode(rnd.randbytes(rnd.randint(4, 24))).decode()
        date = f"{rnd.randint(2020, 2026)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        yield [str(100000000 + i), f"{rnd.randint(1000, 99999)}.{rnd.randint(0, 99):02d}",
               str(rnd.randint(0, 500)), rnd.choice(["yes", "no"]), tags, scores, attrs, history,
               blob, date, rnd.choice(STATES), rnd.choice(CITIES)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=200000)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    tmp = a.out + ".tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "price", "qty", "active", "tags", "scores", "attrs", "history", "blob",
                    "sold", "state", "city"])
        w.writerows(rows(a.rows, a.seed))
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
