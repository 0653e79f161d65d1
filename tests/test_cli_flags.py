#!/usr/bin/env python3
"""Numeric flags are parsed once, with ranges (issue 10, defect 7): a bad value
is a usage error (exit 2, one line naming the flag, nothing written, no
execution in the journal), never a wrapped number, a crash after the writes,
or an execution left RUNNING."""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from project import BIN, SAMPLE, EV_MAPPING  # noqa: E402


class Flags(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="csv2ddb_flags_")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def cli(self, *args):
        p = subprocess.run([BIN, *args], capture_output=True, cwd=self.dir, timeout=300)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def run_args(self, name, *extra):
        return ["run", SAMPLE, "-m", EV_MAPPING, "-t", "sqlite://x.sqlite", "-q", "--name", name,
                "--state-dir", "state", *extra]

    def executions(self):
        db = self.path("state/journal.sqlite")
        if not os.path.exists(db):
            return []
        code, out, err = self.cli("list", "--state-dir", "state")
        self.assertEqual(code, 0, err)
        return [(e["name"], e["status"]) for e in json.loads(out)["executions"]]

    def refused(self, args, *needles):
        code, out, err = self.cli(*args)
        self.assertEqual(code, 2, (args, out, err))
        self.assertEqual(out, "", args)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        for n in needles:
            self.assertIn(n, err, args)
        self.assertFalse(os.path.exists(self.path("x.sqlite")), (args, "nothing may be written"))
        self.assertEqual(self.executions(), [], args)

    def test_max_rejects_too_large_is_a_usage_error_not_a_crash_after_the_writes(self):
        # Used to write every row, then abort (exit 134) with the execution RUNNING.
        self.refused(self.run_args("big", "--max-rejects", "99999999999999999999999"),
                     "--max-rejects", "too large")
        for bad in ("lots", "-1", "1.5", "101%", "nan%", "1e3"):
            self.refused(self.run_args("bad", "--max-rejects", bad), "--max-rejects")

    def test_max_rejects_at_the_largest_count_runs(self):
        code, out, err = self.cli(*self.run_args("ok", "--max-rejects", "18446744073709551615"))
        self.assertEqual(code, 0, err)
        self.assertEqual(json.loads(out)["STATUS"], "SUCCEEDED")
        self.assertEqual(self.executions(), [("ok", "SUCCEEDED")])

    def test_chunk_size_that_overflows_is_refused_not_wrapped(self):
        # 17179869185 GiB = 2^64 + 2^30 bytes: used to wrap to 1 GiB and run.
        self.refused(self.run_args("wrap", "--chunk-size", "17179869185GiB"), "--chunk-size",
                     "too large")
        self.refused(self.run_args("wrap", "--chunk-size", "18446744073709551617"), "--chunk-size")
        self.refused(self.run_args("huge", "--chunk-size", "2GiB"), "--chunk-size", "too large")
        for bad in ("0", "lots", "-1", "4XB", "4.5MiB", ""):
            self.refused(self.run_args("bad", "--chunk-size", bad), "--chunk-size")
        code, out, err = self.cli("plan", SAMPLE, "--chunk-size", "17179869185GiB")
        self.assertEqual(code, 2, (out, err))
        self.assertIn("too large", err)

    def test_other_numeric_flags_have_ranges(self):
        cases = [
            ("--workers", "99999999999999999999"), ("--workers", "-1"), ("--workers", "100000"),
            ("--tolerated-failure-count", "99999999999999999999"),
            ("--tolerated-failure-count", "-1"),
            ("--tolerated-failure-percentage", "101"), ("--tolerated-failure-percentage", "nan"),
            ("--tolerated-failure-percentage", "-0.5"),
            ("--max-wcu", "-1"), ("--max-wcu", "inf"), ("--max-wcu", "nan"),
            ("--write-percent", "0"), ("--write-percent", "1001"), ("--write-percent", "nan"),
            ("--warm-throughput", "-5"), ("--warm-throughput", "x"),
            ("--max-inflight", "-1"), ("--max-inflight", "99999999999"),
            ("--shard", "0/2"), ("--shard", "3/2"), ("--shard", "1/99999999999999999999"),
            ("--shard", "x"),
        ]
        for flag, value in cases:
            self.refused(self.run_args("n", flag, value), flag)

    def test_validate_refuses_bad_numbers_too(self):
        code, out, err = self.cli("validate", SAMPLE, "-m", EV_MAPPING, "--chunk-size",
                                  "17179869185GiB")
        self.assertEqual(code, 2, (out, err))
        self.assertIn("--chunk-size", err)

    def test_a_failure_after_the_journal_exists_ends_failed_never_running(self):
        # The error folder passes the check, but the parts folder cannot be made
        # (a file is in its way): the first reject fails the run after the
        # execution was created.
        os.makedirs(self.path("errors/execution_name=late"))
        with open(self.path("errors/execution_name=late/parts"), "w") as f:
            f.write("in the way")
        src = self.path("in.csv")
        with open(SAMPLE, encoding="utf-8") as f:
            lines = f.read().splitlines()
        lines.insert(3, "too,few,fields")
        with open(src, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        code, out, err = self.cli("run", src, "-m", EV_MAPPING, "-t", "sqlite://late.sqlite", "-q",
                                  "--name", "late", "--state-dir", "state", "--errors", "errors")
        self.assertEqual(code, 1, (out, err))
        self.assertEqual(json.loads(out)["STATUS"], "FAILED")
        self.assertEqual(self.executions(), [("late", "FAILED")])
        con = sqlite3.connect(self.path("state/journal.sqlite"))
        try:
            (status, stop), = con.execute(
                "SELECT status, stop_date FROM executions WHERE name = 'late'")
        finally:
            con.close()
        self.assertEqual(status, "FAILED")
        self.assertTrue(stop)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed or not result.wasSuccessful() else 0)
