#!/usr/bin/env python3
"""Shards (run --shard K/N, merge-reports) equal one run row for row; plan's
manifest is record-aligned and covers the input."""
import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

BIN = os.path.abspath(os.environ.get("CSV2DDB_BIN", "build/csv2ddb"))
SRC = os.environ.get("CSV2DDB_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLE = os.path.join(SRC, "examples", "ev_population_sample.csv")
EV_MAPPING = os.path.join(SRC, "examples", "ev_population.toml")


class Shards(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="csv2ddb_shards_")
        # The sample with a quoted multi-line field and two bad rows.
        with open(SAMPLE, encoding="utf-8", newline="") as f:
            lines = f.read().splitlines()
        lines[50] = lines[50].replace("Seattle", '"Sea\nttle, WA"', 1)
        lines.insert(100, "bad,row")
        lines.insert(3000, ",".join(["x"] * 13 + [""] + ["x"] * 3))
        self.input = os.path.join(self.dir, "in.csv")
        with open(self.input, "w", encoding="utf-8", newline="") as f:
            f.write("\n".join(lines) + "\n")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def cli(self, *args):
        return subprocess.Popen([BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                cwd=self.dir)

    def table(self, db):
        con = sqlite3.connect(os.path.join(self.dir, db))
        try:
            return sorted(con.execute("SELECT dol_vehicle_id, item, source_line FROM tb_ev_vehicle_data"))
        finally:
            con.close()

    def test_n_shards_equal_one_run(self):
        common = [self.input, "-m", EV_MAPPING, "-q", "--chunk-size", "32k", "--state-dir", "state"]
        one = self.cli("run", *common, "-t", "sqlite://one.sqlite", "--name", "one")
        out, err = one.communicate(timeout=300)
        self.assertEqual(one.returncode, 0, err)
        whole = json.loads(out)
        n = 3
        procs = [self.cli("run", *common, "-t", "sqlite://shards.sqlite", "--name", f"s{k}",
                          "--shard", f"{k}/{n}") for k in range(1, n + 1)]
        reports = []
        for k, p in enumerate(procs, 1):
            out, err = p.communicate(timeout=300)
            self.assertEqual(p.returncode, 0, err)
            path = os.path.join(self.dir, f"r{k}.json")
            with open(path, "wb") as f:
                f.write(out)
            reports.append(path)
            self.assertLess(json.loads(out)["TOTAL_NUMBER_OF_RECORDS_READ"],
                            whole["TOTAL_NUMBER_OF_RECORDS_READ"])
        merged = subprocess.run([BIN, "merge-reports", *reports], capture_output=True, check=True)
        m = json.loads(merged.stdout)
        for key in ("TOTAL_NUMBER_OF_ITEMS_WRITTEN", "TOTAL_NUMBER_OF_ITEMS_IN_ERROR",
                    "TOTAL_NUMBER_OF_RECORDS_READ", "DESTINATION_TABLE_NAME"):
            self.assertEqual(m[key], whole[key], key)
        self.assertEqual(m["TOTAL_NUMBER_OF_ITEMS_IN_ERROR"], 2)
        self.assertEqual(m["REPORTS_MERGED"], n)
        self.assertEqual(self.table("shards.sqlite"), self.table("one.sqlite"))

    def test_plan_manifest_is_record_aligned_and_covers_the_input(self):
        p = self.cli("plan", self.input, "--chunk-size", "100k")
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0, err)
        ranges = json.loads(out)
        self.assertGreater(len(ranges), 5)
        with open(self.input, "rb") as f:
            data = f.read()
        header_end = data.index(b"\n") + 1
        self.assertEqual(ranges[0]["start"], header_end)
        self.assertEqual(ranges[-1]["end"], len(data))
        rows = 0
        for a, b in zip(ranges, ranges[1:]):
            self.assertEqual(a["end"], b["start"])
        for r in ranges:
            piece = data[r["start"]:r["end"]]
            self.assertTrue(piece.endswith(b"\n"))
            self.assertEqual(r["first_line"], data[:r["start"]].count(b"\n") + 1)
            rows += sum(1 for _ in csv.reader(io.StringIO(piece.decode("utf-8"), newline="")))
        with open(self.input, encoding="utf-8", newline="") as f:
            self.assertEqual(rows, sum(1 for _ in csv.reader(f)) - 1)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed or not result.wasSuccessful() else 0)
