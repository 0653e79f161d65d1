#!/usr/bin/env python3
"""Generate large EV-population CSV files from the real sample.

    python3 bench/gen_ev.py --rows 500000 --out bench/data/ev_500k.csv
    python3 bench/gen_ev.py --bytes 2G    --out bench/data/ev_2g.csv

Rows cycle through the real rows of examples/ev_population_sample.csv (same
header, 17 columns, same quoting, same line terminator as the sample). Only the
`DOL Vehicle ID` changes: row i (0-based) gets --id-base + i, so every ID in a
generated file is distinct. Nothing else is made easier than the real data.

Speed: each sample row is serialized once with the csv module, with a sentinel
in place of the ID, and split into (prefix, suffix). A generated row is then
prefix + str(id) + suffix, joined into ~8 MB blocks and written as bytes.
"""

import argparse
import csv
import io
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SAMPLE = os.path.join(HERE, "..", "examples", "ev_population_sample.csv")
ID_COLUMN = "DOL Vehicle ID"
EXPECTED_COLUMNS = 17
SENTINEL = "\x00ID\x00"
BLOCK_BYTES = 8 << 20


def parse_size(text):
    """'2G' -> 2*1024**3; accepts K, M, G, T suffixes (binary) or plain bytes."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", text, re.IGNORECASE)
    if not m:
        raise argparse.ArgumentTypeError(f"bad size: {text!r} (examples: 120M, 2G)")
    scale = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    return int(float(m.group(1)) * scale[m.group(2).upper()])


def detect_terminator(path):
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    return "\r\n" if b"\r\n" in head else "\n"


def load_templates(path):
    """Return (header_line, [(prefix, suffix), ...]) from the real sample."""
    terminator = detect_terminator(path)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows:
        sys.exit(f"gen_ev: {path} is empty")
    header, body = rows[0], rows[1:]
    if len(header) != EXPECTED_COLUMNS or ID_COLUMN not in header:
        sys.exit(f"gen_ev: {path}: expected {EXPECTED_COLUMNS} columns incl. {ID_COLUMN!r}")
    id_idx = header.index(ID_COLUMN)

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=terminator)
    writer.writerow(header)
    header_line = buf.getvalue()

    templates = []
    for lineno, row in enumerate(body, start=2):
        if len(row) != EXPECTED_COLUMNS:
            sys.exit(f"gen_ev: {path}:{lineno}: {len(row)} fields, expected {EXPECTED_COLUMNS}")
        row = list(row)
        row[id_idx] = SENTINEL
        buf.seek(0)
        buf.truncate()
        writer.writerow(row)
        prefix, suffix = buf.getvalue().split(SENTINEL)
        templates.append((prefix, suffix))
    if not templates:
        sys.exit(f"gen_ev: {path} has no data rows")
    return header_line, templates


def generate(out, templates, header_line, rows, max_bytes, id_base):
    """Write rows; stop after `rows` rows or once `max_bytes` bytes are written."""
    n_tpl = len(templates)
    written_bytes = 0
    data = header_line.encode("utf-8")
    out.write(data)
    written_bytes += len(data)

    avg_row = sum(len(p) + len(s) for p, s in templates) / n_tpl + 9
    rows_per_block = max(1, int(BLOCK_BYTES / avg_row))
    i = 0
    while True:
        if rows is not None:
            count = min(rows_per_block, rows - i)
        else:
            remaining = max_bytes - written_bytes
            if remaining <= 0:
                break
            count = max(1, min(rows_per_block, int(remaining / avg_row) + 1))
        if count <= 0:
            break
        parts = []
        append = parts.append
        j = i % n_tpl
        for rid in range(id_base + i, id_base + i + count):
            p, s = templates[j]
            append(p)
            append(str(rid))
            append(s)
            j += 1
            if j == n_tpl:
                j = 0
        data = "".join(parts).encode("utf-8")
        out.write(data)
        written_bytes += len(data)
        i += count
    return i, written_bytes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = ap.add_mutually_exclusive_group(required=True)
    size.add_argument("--rows", type=int, help="number of data rows")
    size.add_argument("--bytes", type=parse_size, dest="max_bytes",
                      help="minimum file size, e.g. 120M or 2G (whole rows)")
    ap.add_argument("--out", required=True, help="output CSV path ('-' for stdout)")
    ap.add_argument("--sample", default=DEFAULT_SAMPLE, help="real sample CSV")
    ap.add_argument("--id-base", type=int, default=100_000_000,
                    help="DOL Vehicle ID of the first row (default 100000000)")
    args = ap.parse_args()
    if args.rows is not None and args.rows < 0:
        ap.error("--rows must be >= 0")

    header_line, templates = load_templates(args.sample)
    t0 = time.monotonic()
    if args.out == "-":
        n, nbytes = generate(sys.stdout.buffer, templates, header_line,
                             args.rows, args.max_bytes, args.id_base)
    else:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        tmp = args.out + ".tmp"
        with open(tmp, "wb", buffering=0) as f:
            n, nbytes = generate(f, templates, header_line,
                                 args.rows, args.max_bytes, args.id_base)
        os.replace(tmp, args.out)  # never leave a half-written file under the final name
    dt = time.monotonic() - t0
    print(f"gen_ev: {n} rows, {nbytes} bytes ({nbytes / 1e6:.1f} MB) in {dt:.1f} s "
          f"-> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
