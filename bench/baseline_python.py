#!/usr/bin/env python3
"""The reference Lambda's per-row logic in plain Python, without any network.

    python3 bench/baseline_python.py bench/data/ev_500k.csv

This is the yardstick csv2ddb is measured against (brief, sections 2 and 7):
for each CSV row (csv.DictReader, header = first row)
  - validate: a row whose 'DOL Vehicle ID' is missing or blank is an error record;
  - transform: attribute names lowercased, ' ' -> '_'; the key value gets the
    prefix 'A_'; every value kept as a string;
  - "write": serialize the item to DynamoDB JSON ({'attr': {'S': ...}}) with
    boto3's TypeSerializer, i.e. the work boto3 does before it sends a request.
It prints the seed's summary keys as JSON on stdout.
"""

import argparse
import csv
import json
import sys

from boto3.dynamodb.types import TypeSerializer

from reference_logic import KEY_COLUMN, transform  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv_file")
    args = ap.parse_args()

    serializer = TypeSerializer()
    written = 0
    rejected = 0
    with open(args.csv_file, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            key = row.get(KEY_COLUMN)
            if key is None or not key.strip():
                rejected += 1
                continue
            item = transform(row)
            ddb_item = {k: serializer.serialize(v) for k, v in item.items()}
            if ddb_item:
                written += 1
    json.dump({"TOTAL_NUMBER_OF_ITEMS_WRITTEN": written,
               "TOTAL_NUMBER_OF_ITEMS_IN_ERROR": rejected}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
