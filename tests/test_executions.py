#!/usr/bin/env python3
"""Executions: names, the journal, status/list, kill -9 and resume to an exact
result, graceful stop, tolerated failures, max rejects, notifications."""
import http.server
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import servers  # noqa: E402

from project import BIN, SRC, SAMPLE, EV_MAPPING, TABLE  # noqa: E402
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="test-secret",
           AWS_EC2_METADATA_DISABLED="true")


def make_input(path, copies=6):
    """The real sample repeated with unique DOL Vehicle IDs, plus bad rows."""
    with open(SAMPLE, encoding="utf-8", newline="") as f:
        header, *rows = f.read().splitlines()
    id_col = header.split(",").index("DOL Vehicle ID")
    out, n = [header], 0
    for c in range(copies):
        for r in rows:
            fields = r.split(",")
            if len(fields) != 17:
                out.append(r)
                continue
            n += 1
            fields[id_col] = str(900000000 + n)
            if n % 997 == 0:
                fields[id_col] = " "          # blank key: a reject
            out.append(",".join(fields))
        out.append("bad,row,%d" % c)           # field count: a reject
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(out) + "\n")
    return len(out) - 1


def dump_table(db):
    con = sqlite3.connect(db)
    try:
        return sorted(con.execute(f"SELECT dol_vehicle_id, item FROM {TABLE}"))
    finally:
        con.close()


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


class Base(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="csv2ddb_exec_")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def cli(self, *args, env=ENV):
        p = subprocess.run([BIN, *args], capture_output=True, env=env, cwd=self.dir, timeout=600)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def start(self, *args):
        return subprocess.Popen([BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=ENV, cwd=self.dir)

    def run_args(self, src, name, target, *extra, chunk="16k", workers="2"):
        return ["run", src, "-m", EV_MAPPING, "-t", target, "--name", name, "-q",
                "--errors", "errors", "--state-dir", "state", "--chunk-size", chunk,
                "--workers", workers, *extra]

    def status(self, name):
        code, out, err = self.cli("status", name, "--state-dir", "state")
        self.assertEqual(code, 0, err)
        return json.loads(out)


class Names(Base):
    def test_name_reuse_is_refused_and_status_list_describe_the_execution(self):
        code, out, err = self.cli(*self.run_args(SAMPLE, "once", "sqlite://a.sqlite"))
        self.assertEqual(code, 0, err)
        summary = json.loads(out)
        self.assertEqual(summary["STATUS"], "SUCCEEDED")
        code, out, err = self.cli(*self.run_args(SAMPLE, "once", "sqlite://b.sqlite"))
        self.assertEqual(code, 2)
        self.assertIn("'once' already exists", err)
        self.assertFalse(os.path.exists(self.path("b.sqlite")))
        st = self.status("once")
        self.assertEqual(st["name"], "once")
        self.assertEqual(st["status"], "SUCCEEDED")
        self.assertTrue(st["startDate"] <= st["stopDate"])
        self.assertEqual(st["input"]["input"], SAMPLE)
        self.assertEqual(st["output"]["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], 5305)
        self.assertEqual(st["progress"]["itemsWritten"], 5305)
        self.assertEqual(st["progress"]["chunksDone"], st["progress"]["chunksTotal"])
        code, out, _ = self.cli("list", "--state-dir", "state")
        self.assertEqual([e["name"] for e in json.loads(out)["executions"]], ["once"])
        code, _, err = self.cli("status", "nope", "--state-dir", "state")
        self.assertEqual(code, 2)
        self.assertIn("no execution 'nope'", err)


class KillAndResume(Base):
    def reference(self, src):
        code, out, err = self.cli(*self.run_args(src, "ref", "sqlite://ref.sqlite"))
        self.assertEqual(code, 0, err)
        return json.loads(out)

    def kill_and_resume(self, src, name, target, rng, kills, extra=()):
        """Starts, kills with SIGKILL at random moments, resumes, until done."""
        run_args = self.run_args(src, name, target, *extra)
        p = self.start(*run_args)
        killed, deadline = 0, time.time() + 150
        while True:
            time.sleep(rng.uniform(0.02, 0.4))
            if p.poll() is None and killed < kills:
                p.kill()
                p.wait()
                killed += 1
            else:
                out, err = p.communicate(timeout=300)
                if p.returncode == 0:
                    return killed, json.loads(out)
                self.assertEqual(p.returncode, -9, err)
            self.assertLess(time.time(), deadline, "kill/resume loop took too long")
            code, out, _ = self.cli("status", name, "--state-dir", "state")
            if code != 0:  # killed before the execution was recorded: start again
                p = self.start(*run_args)
                continue
            status = json.loads(out)
            self.assertIn(status["status"], ("RUNNING", "SUCCEEDED"))
            if status["status"] == "SUCCEEDED":  # killed after the journal recorded the end
                return killed, status["output"]
            p = self.start("resume", name, "--state-dir", "state", "-q")

    def test_kill_9_at_random_points_then_resume_equals_an_uninterrupted_run(self):
        src = self.path("in.csv")
        rows = make_input(src, copies=30)
        ref = self.reference(src)
        self.assertEqual(ref["TOTAL_NUMBER_OF_RECORDS_READ"], rows)
        self.assertGreater(ref["TOTAL_NUMBER_OF_ITEMS_IN_ERROR"], 0)
        rng = random.Random(1234)
        killed, summary = self.kill_and_resume(src, "crashy", "sqlite://out.sqlite", rng, kills=8)
        self.assertGreater(killed, 0)
        for key in ("TOTAL_NUMBER_OF_ITEMS_WRITTEN", "TOTAL_NUMBER_OF_ITEMS_IN_ERROR",
                    "TOTAL_NUMBER_OF_RECORDS_READ", "BLANK_LINES_SKIPPED"):
            self.assertEqual(summary[key], ref[key], key)
        self.assertEqual(dump_table(self.path("out.sqlite")), dump_table(self.path("ref.sqlite")))
        for f in ("rejects.ndjson", "rejects.csv"):
            got = read(self.path(f"errors/execution_name=crashy/{f}"))
            want = read(self.path(f"errors/execution_name=ref/{f}")).replace('"ref"', '"crashy"')
            self.assertEqual(got, want, f)
        self.assertFalse(os.path.exists(self.path("errors/execution_name=crashy/parts")))

    def test_kill_9_against_dynalite(self):
        src = self.path("in.csv")
        make_input(src, copies=2)
        ref = self.reference(src)
        with servers.Dynalite() as ddb:
            extra = ["--endpoint-url", ddb.endpoint, "--region", "us-east-1", "--create-table"]
            rng = random.Random(99)
            killed, summary = self.kill_and_resume(src, "crashy-ddb", "dynamodb://" + TABLE, rng,
                                                   kills=5, extra=extra)
            self.assertGreater(killed, 0)
            for key in ("TOTAL_NUMBER_OF_ITEMS_WRITTEN", "TOTAL_NUMBER_OF_ITEMS_IN_ERROR",
                        "TOTAL_NUMBER_OF_RECORDS_READ"):
                self.assertEqual(summary[key], ref[key], key)
            import boto3
            c = boto3.client("dynamodb", endpoint_url=ddb.endpoint, region_name="us-east-1",
                             aws_access_key_id="x", aws_secret_access_key="y")
            got, kw = {}, {"TableName": TABLE}
            while True:
                page = c.scan(**kw)
                for it in page["Items"]:
                    got[it["dol_vehicle_id"]["S"]] = it
                if "LastEvaluatedKey" not in page:
                    break
                kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        want = {k: json.loads(v) for k, v in dump_table(self.path("ref.sqlite"))}
        self.assertEqual(got, want)

    def test_resume_refuses_when_input_or_mapping_changed(self):
        src = self.path("in.csv")
        make_input(src, copies=1)
        mapping = self.path("m.toml")
        shutil.copy(EV_MAPPING, mapping)
        args = self.run_args(src, "changing", "sqlite://c.sqlite", "--max-rejects", "0")
        args[args.index(EV_MAPPING)] = mapping
        code, out, err = self.cli(*args)  # FAILED (too many rejects): resumable
        self.assertEqual(code, 1, err)
        with open(src, "a") as f:
            f.write("extra,row\n")
        with open(mapping, "a") as f:
            f.write("# changed\n")
        code, out, err = self.cli("resume", "changing", "--state-dir", "state")
        self.assertEqual(code, 2, (out, err))
        self.assertIn("changed since it started", err)
        self.assertIn("in.csv", err)
        self.assertIn("m.toml", err)


class GracefulStop(Base):
    def test_sigterm_aborts_resumably_and_resume_finishes_exactly(self):
        """The signal is sent while a write is held in flight (a latch in the
        proxy, no sleep): the run cannot have ended, the held chunk commits
        once released, and no new chunk starts."""
        from fault_proxy import FaultProxy
        src = self.path("in.csv")
        make_input(src, copies=2)
        code, out, _ = self.cli(*self.run_args(src, "ref", "sqlite://ref.sqlite"))
        ref = json.loads(out)
        gate = threading.Event()
        with servers.Dynalite() as ddb, FaultProxy(ddb.endpoint, probability=0.0,
                                                   gate=gate) as proxy:
            base = ["--endpoint-url", proxy.endpoint, "--region", "us-east-1", "--create-table"]
            p = self.start(*self.run_args(src, "stopme", "dynamodb://" + TABLE, *base,
                                          chunk="4k", workers="1"))
            try:
                if not proxy.held.wait(timeout=120):
                    self.fail("no write reached the target: %r" % (p.communicate(),))
                p.send_signal(signal.SIGTERM)
            finally:
                gate.set()
            out, err = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 3, err)
            summary = json.loads(out)
            self.assertEqual(summary["STATUS"], "ABORTED")
            self.assertGreater(summary["TOTAL_NUMBER_OF_RECORDS_READ"], 0)
            self.assertLess(summary["TOTAL_NUMBER_OF_RECORDS_READ"],
                            ref["TOTAL_NUMBER_OF_RECORDS_READ"])
            self.assertEqual(self.status("stopme")["status"], "ABORTED")
            code, out, err = self.cli("resume", "stopme", "--state-dir", "state", "-q")
            self.assertEqual(code, 0, err)
            summary = json.loads(out)
            self.assertEqual(summary["STATUS"], "SUCCEEDED")
            for key in ("TOTAL_NUMBER_OF_ITEMS_WRITTEN", "TOTAL_NUMBER_OF_ITEMS_IN_ERROR",
                        "TOTAL_NUMBER_OF_RECORDS_READ"):
                self.assertEqual(summary[key], ref[key], key)
            import boto3
            c = boto3.client("dynamodb", endpoint_url=ddb.endpoint, **servers.DUMMY_CREDENTIALS)
            got, kw = {}, {"TableName": TABLE, "ConsistentRead": True}
            while True:
                page = c.scan(**kw)
                got.update({it["dol_vehicle_id"]["S"]: it for it in page["Items"]})
                if "LastEvaluatedKey" not in page:
                    break
                kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        want = {k: json.loads(v) for k, v in dump_table(self.path("ref.sqlite"))}
        self.assertEqual(got, want)


class Limits(Base):
    def test_max_rejects_fails_the_execution(self):
        src = self.path("in.csv")
        make_input(src, copies=1)
        code, out, err = self.cli(*self.run_args(src, "strict", "sqlite://s.sqlite", "--max-rejects", "2"))
        self.assertEqual(code, 1, err)
        s = json.loads(out)
        self.assertEqual(s["STATUS"], "FAILED")
        self.assertIn("--max-rejects", s["ERROR"])
        code, out, err = self.cli(*self.run_args(src, "lenient", "sqlite://l.sqlite", "--max-rejects", "5%"))
        self.assertEqual(code, 0, err)
        code, _, err = self.cli(*self.run_args(src, "bad", "sqlite://x.sqlite", "--max-rejects", "lots"))
        self.assertEqual(code, 2)


class ToleratedFailures(Base):
    """Chunks whose writes fail for good (AccessDenied from the target)."""

    def test_tolerated_failures_decide_the_outcome_and_resume_redrives_failed_chunks(self):
        from fault_proxy import FaultProxy
        src = self.path("in.csv")
        make_input(src, copies=1)
        with open(src, encoding="utf-8") as f:
            lines = f.read().splitlines()
        for n in (100, 4000):  # two chunks get a row the target refuses
            fields = lines[n].split(",")
            fields[2] = "DENY-ROW"
            lines[n] = ",".join(fields)
        with open(src, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        code, out, _ = self.cli(*self.run_args(src, "ref", "sqlite://ref.sqlite"))
        ref = json.loads(out)
        with servers.Dynalite() as ddb, FaultProxy(
                ddb.endpoint, probability=0.0,
                markers={b"DENY-ROW": "AccessDeniedException"}) as proxy:
            base = ["--endpoint-url", proxy.endpoint, "--region", "us-east-1", "--create-table"]
            target = "dynamodb://" + TABLE
            code, out, err = self.cli(*self.run_args(src, "strict", target, *base, chunk="64k"))
            self.assertEqual(code, 1, err)
            self.assertEqual(json.loads(out)["STATUS"], "FAILED")
            self.assertIn("AccessDeniedException", err)

            code, out, err = self.cli(*self.run_args(src, "pct", target, *base, chunk="64k",
                                                     workers="1") + [
                "--tolerated-failure-percentage", "5"])
            s = json.loads(out)
            self.assertEqual((code, s["STATUS"]), (1, "FAILED"), err)
            self.assertIn("States.ExceedToleratedFailureThreshold", s["ERROR"])
            self.assertEqual(s["FAILED_CHUNKS"], 2)

            code, out, err = self.cli(*self.run_args(src, "lenient", target, *base, chunk="64k") + [
                "--tolerated-failure-count", "2"])
            self.assertEqual(code, 0, err)
            s = json.loads(out)
            self.assertEqual(s["STATUS"], "SUCCEEDED")
            self.assertEqual(s["FAILED_CHUNKS"], 2)
            self.assertEqual(s["TOTAL_NUMBER_OF_ITEMS_WRITTEN"] + s["TOTAL_NUMBER_OF_ITEMS_IN_ERROR"],
                             s["TOTAL_NUMBER_OF_RECORDS_READ"])
            self.assertEqual(s["TOTAL_NUMBER_OF_RECORDS_READ"] + s["RECORDS_IN_FAILED_CHUNKS"],
                             ref["TOTAL_NUMBER_OF_RECORDS_READ"])
            st = self.status("lenient")["progress"]
            self.assertEqual(st["chunksFailed"], 2)

            # The target accepts everything now: resume redrives the failed chunks only.
            proxy.markers.clear()
            code, out, err = self.cli("resume", "lenient", "--state-dir", "state", "-q")
            self.assertEqual(code, 0, err)
            s = json.loads(out)
            self.assertEqual(s["STATUS"], "SUCCEEDED")
            self.assertNotIn("FAILED_CHUNKS", s)
            for key in ("TOTAL_NUMBER_OF_ITEMS_WRITTEN", "TOTAL_NUMBER_OF_ITEMS_IN_ERROR",
                        "TOTAL_NUMBER_OF_RECORDS_READ"):
                self.assertEqual(s[key], ref[key], key)


class Receiver(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


class Notifications(Base):
    def test_webhook_and_file_get_the_summary_and_a_failed_one_does_not_change_the_outcome(self):
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        try:
            url = f"http://127.0.0.1:{srv.server_address[1]}/hook"
            code, out, err = self.cli(*self.run_args(
                SAMPLE, "told", "sqlite://n.sqlite", "--notify", "webhook:" + url,
                "--notify", "file:" + self.path("out/summary.json"),
                "--notify", "webhook:http://127.0.0.1:9/unreachable"))
        finally:
            srv.shutdown()
        self.assertEqual(code, 0, err)
        self.assertIn("notification failed", err)
        summary = json.loads(out)
        self.assertEqual(len(Receiver.received), 1)
        path, ctype, body = Receiver.received[0]
        self.assertEqual(path, "/hook")
        self.assertIn("application/json", ctype)
        self.assertEqual(json.loads(body), summary)
        self.assertEqual(json.loads(read(self.path("out/summary.json"))), summary)
        code, _, err = self.cli(*self.run_args(SAMPLE, "badnotify", "sqlite://z.sqlite",
                                               "--notify", "pager:123"))
        self.assertEqual(code, 2)
        self.assertIn("pager", err)


if __name__ == "__main__":
    servers.ensure_installed()
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed or not result.wasSuccessful() else 0)
