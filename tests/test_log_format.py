#!/usr/bin/env python3
"""`--log-format json`: every stderr line of a run is one JSON object (for
CloudWatch, Kubernetes and other log pipelines) with a timestamp, a level,
an event name and fields, in the order things happened, and no secret; the
default text format stays as it was."""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from dynalite_case import DynaliteCase  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402
from project import BIN, SAMPLE, EV_MAPPING, NO_FILE  # noqa: E402

SECRET = "csv2ddb-test-secret"
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY=SECRET,
           AWS_SESSION_TOKEN="csv2ddb-test-session-token", AWS_EC2_METADATA_DISABLED="true",
           AWS_SHARED_CREDENTIALS_FILE=NO_FILE, AWS_CONFIG_FILE=NO_FILE)
ENV.pop("AWS_PROFILE", None)


class LogFormat(DynaliteCase):
    scratch_prefix = "csv2ddb_logs_"

    def cli(self, *args):
        p = subprocess.run([BIN, *args], capture_output=True, env=ENV, cwd=self.dir, timeout=300)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def events(self, stderr):
        lines = stderr.splitlines()
        self.assertTrue(lines, "something was logged")
        out = []
        for line in lines:
            try:
                e = json.loads(line)
            except ValueError:
                self.fail("not a JSON line: %r" % line)
            self.assertIsInstance(e, dict, line)
            for key in ("timestamp", "level", "event", "message"):
                self.assertIn(key, e, line)
            self.assertRegex(e["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertIn(e["level"], ("debug", "info", "warn", "error"))
            out.append(e)
        return out

    def test_a_throttled_run_logs_json_events_in_order(self):
        with open(SAMPLE, encoding="utf-8") as f:
            header, *rows = f.read().splitlines()
        with open(self.path("in.csv"), "w", encoding="utf-8") as f:
            f.write("\n".join([header] + rows[:1500] + ["short,row"]) + "\n")
        with FaultProxy(self.ddb.endpoint, probability=0.4, max_faults=30, seed=5,
                        kinds=("throttling", "throughput_exceeded", "http_500")) as proxy:
            code, out, err = self.cli(
                "run", self.path("in.csv"), "-m", EV_MAPPING, "-t", "dynamodb://tb_logs",
                "--endpoint-url", proxy.endpoint, "--region", "us-east-1", "--create-table",
                "--name", "logs", "--errors", self.path("errors"), "--state-dir",
                self.path("state"), "--chunk-size", "32k", "--workers", "2",
                "--sample-interval", "0.05", "--rate", "3000", "--log-format", "json",
                "--verbose")
            faults = proxy.counts()["faults"]
        self.assertEqual(code, 0, err)
        self.assertEqual(json.loads(out)["TOTAL_NUMBER_OF_ITEMS_IN_ERROR"], 1)
        self.assertGreater(faults, 0)
        self.assertNotIn(SECRET, err)
        self.assertNotIn("csv2ddb-test-session-token", err)
        events = self.events(err)
        names = [e["event"] for e in events]
        # Order: the table check, the write rate chosen, the start, then the
        # work, then the end (last).
        self.assertEqual(names[0], "table_check", names)
        self.assertEqual(names[1], "write_capacity", names)
        self.assertIn("3000 WCU/s", events[1]["decision"])
        self.assertEqual(names[2], "start", names)
        self.assertEqual(names[-1], "end", names)
        self.assertEqual(names.count("start"), 1)
        self.assertEqual(names.count("end"), 1)
        self.assertEqual(events[0]["table"], "tb_logs")
        self.assertEqual(events[2]["execution"], "logs")
        self.assertEqual(events[2]["workers"], 2)
        end = events[-1]
        self.assertEqual((end["status"], end["exit_code"], end["records"], end["written"],
                          end["rejected"]), ("SUCCEEDED", 0, 1501, 1500, 1))
        # Retries carry their reasons (the injected faults' codes).
        retries = [e for e in events if e["event"] == "retry"]
        self.assertTrue(retries, names)
        for r in retries:
            self.assertEqual(r["level"], "info")
            self.assertEqual(r["operation"], "BatchWriteItem")
            self.assertGreaterEqual(r["attempt"], 2)
            self.assertTrue(any(code in r["reason"] for code in (
                "ThrottlingException", "ProvisionedThroughputExceededException",
                "InternalServerError", "500")), r)
        # Chunk commits (--verbose), in input order, adding up to the totals.
        commits = [e for e in events if e["event"] == "chunk_commit"]
        self.assertEqual([c["chunk"] for c in commits], list(range(len(commits))))
        self.assertEqual(sum(c["records"] for c in commits), 1501)
        self.assertEqual(sum(c["rejected"] for c in commits), 1)
        self.assertTrue(all(c["level"] == "debug" for c in commits))
        # The write governor halved its limit after throttling.
        governor = [e for e in events if e["event"] == "governor"]
        self.assertTrue(any(g["reason"] == "throttled" and g["inflight_limit"] <
                            g["inflight_limit_before"] for g in governor), governor)
        # All of the work sits between start and end.
        for name in ("retry", "chunk_commit", "governor"):
            idx = [i for i, n in enumerate(names) if n == name]
            self.assertTrue(all(2 < i < len(names) - 1 for i in idx), name)

    def test_without_verbose_no_chunk_commits(self):
        code, _, err = self.cli("run", SAMPLE, "-m", EV_MAPPING, "-t",
                                "sqlite://" + self.path("t.sqlite"), "--name", "quiet",
                                "--state-dir", self.path("state"), "--log-format", "json")
        self.assertEqual(code, 0, err)
        names = [e["event"] for e in self.events(err)]
        self.assertEqual(names, ["table_check", "start", "end"])

    def test_errors_are_json_lines_too(self):
        # A missing input: an error event, exit code 2.
        code, _, err = self.cli("run", self.path("missing.csv"), "-m", EV_MAPPING,
                                "--state-dir", self.path("state"), "--log-format", "json")
        self.assertEqual(code, 2)
        events = self.events(err)
        self.assertEqual(events[0]["event"], "error")
        self.assertEqual(events[0]["level"], "error")
        self.assertIn("missing.csv", events[0]["message"])
        # A usage error (unknown flag) under --log-format json.
        code, _, err = self.cli("run", SAMPLE, "-m", EV_MAPPING, "--no-such-flag",
                                "--log-format", "json")
        self.assertEqual(code, 2)
        self.assertEqual([e["event"] for e in self.events(err)], ["usage_error"])
        # A bad format name is refused.
        code, _, err = self.cli("run", SAMPLE, "-m", EV_MAPPING, "--log-format", "yaml")
        self.assertEqual(code, 2)

    def test_every_command_that_fails_says_so_in_json(self):
        with open(self.path("not-json.txt"), "w") as f:
            f.write("not a summary\n")
        cases = [
            (["status", "nosuch", "--state-dir", self.path("state")], "no execution 'nosuch'"),
            (["list", "--state-dir", os.path.join(SAMPLE, "under-a-file")], "under-a-file"),
            (["merge-reports", self.path("not-json.txt")], "not a JSON object"),
            (["plan", self.path("missing.csv")], "missing.csv"),
            (["infer", self.path("missing.csv")], "missing.csv"),
        ]
        for args, says in cases:
            with self.subTest(command=args[0]):
                code, _, err = self.cli(*args, "--log-format", "json")
                self.assertNotEqual(code, 0, err)
                events = self.events(err)
                self.assertEqual([(e["level"], e["event"]) for e in events],
                                 [("error", "error")], err)
                self.assertIn(says, events[0]["message"])
                # The same command in text: one "csv2ddb: " line.
                code, _, err = self.cli(*args)
                self.assertNotEqual(code, 0, err)
                self.assertEqual(err.count("\n"), 1, err)
                self.assertTrue(err.startswith("csv2ddb: ") and says in err, err)

    def test_text_stays_the_default_and_quiet(self):
        code, _, err = self.cli("run", SAMPLE, "-m", EV_MAPPING, "-t",
                                "sqlite://" + self.path("t.sqlite"), "--name", "text",
                                "--state-dir", self.path("state"), "-q")
        self.assertEqual(code, 0, err)
        self.assertEqual(err, "")
        code, _, err = self.cli("run", self.path("missing.csv"), "-m", EV_MAPPING,
                                "--state-dir", self.path("state"))
        self.assertEqual(code, 2)
        self.assertTrue(err.startswith("csv2ddb: "), err)
        self.assertEqual(len(err.splitlines()), 1)


if __name__ == "__main__":
    unittest.main()
