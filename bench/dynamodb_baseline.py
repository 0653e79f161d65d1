#!/usr/bin/env python3
"""The brief's DynamoDB baseline: boto3 Table.batch_writer() into a DynamoDB endpoint.

    python3 bench/dynamodb_baseline.py bench/data/ev_50k.csv \
        --endpoint-url http://127.0.0.1:PORT [--table tb_ev_vehicle_data] \
        [--processes P] [--rows N] [--region us-east-1]

Reads the CSV with csv.DictReader and applies the reference Lambda's transform
(brief, section 2): a row whose 'DOL Vehicle ID' is missing or blank is an error
record; attribute names lowercased with ' ' -> '_'; dol_vehicle_id = 'A_' + DOL
Vehicle ID; every value a string. The rows are read once, in the parent, and
then split into P contiguous slices, one per process (multiprocessing, fork: the
children inherit the rows without pickling); each child writes its slice with its
own boto3 resource and Table.batch_writer() (25-item BatchWriteItem calls, boto3
re-sending UnprocessedItems, botocore's default retries). The table must exist.

Prints one JSON object on stdout: rows, processes, wall_s (whole run, reading
included), rows_per_s, cpu_user_s / cpu_sys_s / cpu_s (this process plus all of
its children, from resource.getrusage RUSAGE_SELF + RUSAGE_CHILDREN),
cpu_s_per_row, and the seed's summary keys TOTAL_NUMBER_OF_ITEMS_WRITTEN /
TOTAL_NUMBER_OF_ITEMS_IN_ERROR. Credentials come from the usual AWS environment
(dynalite accepts any); defaults to dummy ones when none are set.
"""

import argparse
import csv
import json
import multiprocessing
import os
import resource
import sys
import time

from reference_logic import KEY_COLUMN, transform  # noqa: E402

ROWS = []  # set in the parent before fork; children inherit it


def read_rows(path, limit):
    items, rejected = [], 0
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if limit is not None and len(items) + rejected >= limit:
                break
            key = row.get(KEY_COLUMN)
            if key is None or not key.strip():
                rejected += 1
                continue
            items.append(transform(row))
    return items, rejected


def write_slice(args, start, stop, results):
    import boto3  # imported after fork: each process has its own session and pool
    session = boto3.session.Session(region_name=args.region)
    table = session.resource("dynamodb", endpoint_url=args.endpoint_url).Table(args.table)
    written = 0
    with table.batch_writer() as writer:
        for i in range(start, stop):
            writer.put_item(Item=ROWS[i])
            written += 1
    results.put(written)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv_file")
    ap.add_argument("--endpoint-url", required=True)
    ap.add_argument("--table", default="tb_ev_vehicle_data")
    ap.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    ap.add_argument("--processes", type=int, default=1)
    ap.add_argument("--rows", type=int, default=None, help="read at most N data rows")
    args = ap.parse_args()
    if args.processes < 1:
        ap.error("--processes must be >= 1")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

    t0 = time.monotonic()
    global ROWS
    ROWS, rejected = read_rows(args.csv_file, args.rows)
    n = len(ROWS)

    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    procs = []
    for k in range(args.processes):
        start, stop = n * k // args.processes, n * (k + 1) // args.processes
        p = ctx.Process(target=write_slice, args=(args, start, stop, results))
        p.start()
        procs.append(p)
    for p in procs:  # the results are tiny: a child's exit is never blocked on the queue
        p.join()
    written = 0
    for _ in range(sum(p.exitcode == 0 for p in procs)):
        written += results.get(timeout=10)
    wall = time.monotonic() - t0
    failed = [p.exitcode for p in procs if p.exitcode != 0]

    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    user = me.ru_utime + kids.ru_utime
    sys_ = me.ru_stime + kids.ru_stime
    total = n + rejected
    json.dump({
        "rows": total,
        "processes": args.processes,
        "wall_s": round(wall, 3),
        "rows_per_s": round(total / wall, 1) if wall else None,
        "cpu_user_s": round(user, 3),
        "cpu_sys_s": round(sys_, 3),
        "cpu_s": round(user + sys_, 3),
        "cpu_s_per_row": (user + sys_) / total if total else None,
        "TOTAL_NUMBER_OF_ITEMS_WRITTEN": written,
        "TOTAL_NUMBER_OF_ITEMS_IN_ERROR": rejected,
    }, sys.stdout)
    sys.stdout.write("\n")
    if failed:
        print("dynamodb_baseline: %d process(es) failed: exit codes %s" % (len(failed), failed),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
