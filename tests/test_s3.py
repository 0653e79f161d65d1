#!/usr/bin/env python3
"""S3 in and out against a real S3-API server (s3rver on loopback), checked with
the AWS CLI: source objects streamed with ranged GETs, error records under
migration_errors/execution_name=<name>/ in the bucket, as in the reference."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import servers  # noqa: E402

from project import BIN, SRC, SAMPLE, EV_MAPPING, TABLE, NO_FILE  # noqa: E402
GEN = os.path.join(SRC, "bench", "gen_ev.py")
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="S3RVER",
           AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true",
           AWS_SHARED_CREDENTIALS_FILE=NO_FILE, AWS_CONFIG_FILE=NO_FILE)
ENV.pop("AWS_PROFILE", None)


class S3Tests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s3 = servers.S3rver()
        cls.s3.start()
        cls.tmp = tempfile.mkdtemp(prefix="csv2ddb_s3_")
        cls.aws("s3", "mb", "s3://source")
        # The sample with two bad rows, as the reference's error records need.
        with open(SAMPLE, encoding="utf-8", newline="") as f:
            text = f.read()
        cls.dirty = os.path.join(cls.tmp, "dirty.csv")
        lines = text.splitlines()
        lines.insert(10, ",".join(["x"] * 13 + [" "] + ["x"] * 3))   # blank DOL Vehicle ID
        lines.insert(20, "too,few,fields")
        with open(cls.dirty, "w", encoding="utf-8", newline="") as f:
            f.write("\n".join(lines) + "\n")
        cls.aws("s3", "cp", cls.dirty, "s3://source/ev/dirty.csv")
        subprocess.run(["gzip", "-k", "-f", cls.dirty], check=True)
        cls.aws("s3", "cp", cls.dirty + ".gz", "s3://source/ev/dirty.csv.gz")

    @classmethod
    def tearDownClass(cls):
        cls.s3.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def aws(cls, *args):
        p = subprocess.run(["aws", "--endpoint-url", cls.s3.endpoint, *args], env=ENV,
                           capture_output=True, timeout=300)
        if p.returncode != 0:
            raise AssertionError(p.stderr.decode())
        return p.stdout.decode()

    def cli(self, *args, env=ENV):
        p = subprocess.run([BIN, *args], capture_output=True, env=env, cwd=self.tmp, timeout=600)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def run_s3(self, uri, name, target, *extra):
        return self.cli("run", uri, "-m", EV_MAPPING, "-t", target, "--name", name, "-q",
                        "--s3-endpoint-url", self.s3.endpoint, "--state-dir", "state", *extra)

    def local_reference(self, name):
        code, out, err = self.cli("run", self.dirty, "-m", EV_MAPPING, "-t",
                                  f"sqlite://{name}.sqlite", "--name", name, "-q",
                                  "--state-dir", "state", "--errors", "local_errors")
        self.assertEqual(code, 0, err)
        return json.loads(out)

    def table(self, db):
        import sqlite3
        con = sqlite3.connect(os.path.join(self.tmp, db))
        try:
            return sorted(con.execute(f"SELECT dol_vehicle_id, item FROM {TABLE}"))
        finally:
            con.close()

    def test_s3_to_embedded_equals_local_and_errors_land_in_the_bucket(self):
        ref = self.local_reference("local1")
        for key in ("dirty.csv", "dirty.csv.gz"):
            name = "s3run-" + key.replace(".", "-")
            code, out, err = self.run_s3(f"s3://source/ev/{key}", name, f"sqlite://{name}.sqlite")
            self.assertEqual(code, 0, err)
            s = json.loads(out)
            for k in ("TOTAL_NUMBER_OF_ITEMS_WRITTEN", "TOTAL_NUMBER_OF_ITEMS_IN_ERROR",
                      "TOTAL_NUMBER_OF_RECORDS_READ"):
                self.assertEqual(s[k], ref[k], k)
            self.assertEqual(s["TOTAL_NUMBER_OF_ITEMS_IN_ERROR"], 2)
            loc = f"s3://source/migration_errors/execution_name={name}"
            self.assertEqual(s["ERROR_DATA_LOCATION"], loc)
            self.assertEqual(self.table(f"{name}.sqlite"), self.table("local1.sqlite"))
            listing = self.aws("s3", "ls", "--recursive", "s3://source/migration_errors/")
            objects = [l.split()[-1] for l in listing.splitlines() if f"execution_name={name}/" in l]
            self.assertTrue(any(o.endswith(".ndjson") for o in objects), objects)
            ndjson = "".join(self.aws("s3", "cp", f"s3://source/{o}", "-")
                             for o in sorted(objects) if o.endswith(".ndjson"))
            recs = [json.loads(l) for l in ndjson.splitlines()]
            self.assertEqual(sorted(r["rule"] for r in recs), ["field_count", "not_blank"])
            self.assertTrue(all(r["execution_name"] == name for r in recs))
            csvs = [self.aws("s3", "cp", f"s3://source/{o}", "-") for o in objects if o.endswith(".csv")]
            self.assertTrue(all(c.startswith("VIN (1-10),County") for c in csvs))

    def test_errors_to_another_bucket(self):
        self.aws("s3", "mb", "s3://errors-elsewhere")
        code, out, err = self.run_s3("s3://source/ev/dirty.csv", "elsewhere", "sqlite://e.sqlite",
                                     "--errors", "s3://errors-elsewhere/rejected/")
        self.assertEqual(code, 0, err)
        loc = json.loads(out)["ERROR_DATA_LOCATION"]
        self.assertEqual(loc, "s3://errors-elsewhere/rejected/execution_name=elsewhere")
        self.assertIn("execution_name=elsewhere/", self.aws("s3", "ls", "--recursive", "s3://errors-elsewhere/"))
        # The report names the S3 error location and links to it (it does not download records).
        page = os.path.join(self.tmp, "elsewhere.html")
        code, _, err = self.cli("report", "elsewhere", "--html", page, "--state-dir", "state")
        self.assertEqual(code, 0, err)
        with open(page, encoding="utf-8") as f:
            html = f.read()
        self.assertIn("<code>" + loc + "</code>", html)
        self.assertIn('class="error-link" href="https://s3.console.aws.amazon.com/s3/buckets/'
                      'errors-elsewhere?prefix=rejected/execution_name=elsewhere/"', html)
        self.assertNotIn('class="first-rejects"', html)
        self.assertIn('<tr data-rule="field_count">', html)

    def test_s3_to_dynalite_equals_local(self):
        ref = self.local_reference("local2")
        with servers.Dynalite() as ddb:
            code, out, err = self.run_s3("s3://source/ev/dirty.csv", "toddb", "dynamodb://" + TABLE,
                                         "--endpoint-url", ddb.endpoint, "--create-table")
            self.assertEqual(code, 0, err)
            s = json.loads(out)
            self.assertEqual(s["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], ref["TOTAL_NUMBER_OF_ITEMS_WRITTEN"])
            import boto3
            c = boto3.client("dynamodb", endpoint_url=ddb.endpoint, **servers.DUMMY_CREDENTIALS)
            got, kw = {}, {"TableName": TABLE}
            while True:
                page = c.scan(**kw)
                got.update({it["dol_vehicle_id"]["S"]: it for it in page["Items"]})
                if "LastEvaluatedKey" not in page:
                    break
                kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        want = {k: json.loads(v) for k, v in self.table("local2.sqlite")}
        self.assertEqual(got, want)

    def test_plan_writes_a_record_aligned_manifest_to_s3(self):
        code, out, err = self.cli("plan", "s3://source/ev/dirty.csv", "--out",
                                  "s3://source/plans/manifest.json", "--chunk-size", "200k",
                                  "--s3-endpoint-url", self.s3.endpoint)
        self.assertEqual(code, 0, err)
        ranges = json.loads(self.aws("s3", "cp", "s3://source/plans/manifest.json", "-"))
        with open(self.dirty, "rb") as f:
            data = f.read()
        self.assertGreater(len(ranges), 3)
        self.assertEqual(ranges[0]["start"], data.index(b"\n") + 1)
        self.assertEqual(ranges[-1]["end"], len(data))
        for r in ranges:
            self.assertEqual((r["bucket"], r["key"]), ("source", "ev/dirty.csv"))
            self.assertTrue(data[r["start"]:r["end"]].endswith(b"\n"))
        code, _, err = self.cli("plan", "s3://source/ev/dirty.csv.gz", "--s3-endpoint-url",
                                self.s3.endpoint)
        self.assertEqual(code, 2)
        self.assertIn("compressed", err)

    def test_clear_errors_before_any_write(self):
        for uri, needle in (("s3://nobucket/x.csv", "does not exist"),
                            ("s3://source/ev/missing.csv", "no such object")):
            code, out, err = self.run_s3(uri, "bad-" + str(len(needle)), "sqlite://never.sqlite")
            self.assertEqual(code, 2, (out, err))
            self.assertIn(needle, err)
            self.assertEqual(len(err.strip().splitlines()), 1, err)
            self.assertFalse(os.path.exists(os.path.join(self.tmp, "never.sqlite")))
        env = dict(ENV, AWS_ACCESS_KEY_ID="UNKNOWNKEY", AWS_SECRET_ACCESS_KEY="wrong-secret")
        code, out, err = self.cli("run", "s3://source/ev/dirty.csv", "-m", EV_MAPPING, "-t",
                                  "sqlite://never.sqlite", "-q", "--s3-endpoint-url",
                                  self.s3.endpoint, "--state-dir", "state", env=env)
        self.assertEqual(code, 2, (out, err))
        self.assertNotIn("wrong-secret", err)
        self.assertIn("s3://source/ev/dirty.csv", err)
        self.assertIn("access denied", err)

    def test_large_object_with_bounded_memory_and_overwrite_detected(self):
        big = os.path.join(self.tmp, "big.csv")
        subprocess.run([sys.executable, GEN, "--rows", "450000", "--out", big], check=True)
        self.assertGreaterEqual(os.path.getsize(big), 100 << 20)
        self.aws("s3", "cp", big, "s3://source/big.csv")
        # wait4 gives this child's own peak RSS.
        p = subprocess.Popen([BIN, "run", "s3://source/big.csv", "-m", EV_MAPPING, "-t", "null://",
                              "--name", "big", "-q", "--workers", "2", "--s3-endpoint-url",
                              self.s3.endpoint, "--state-dir", "state"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, cwd=self.tmp)
        out = p.stdout.read()
        err = p.stderr.read()
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        self.assertEqual(p.returncode, 0, err)
        self.assertEqual(json.loads(out)["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], 450000)
        # The bound holds for the plain build; AddressSanitizer's shadow memory
        # and quarantine inflate RSS, so the sanitized run checks correctness only.
        if os.environ.get("CSV2DDB_SANITIZED", "0") in ("0", ""):
            self.assertLess(usage.ru_maxrss, 256 * 1024, "peak RSS %d KiB" % usage.ru_maxrss)

        # Replace the object while a slow run reads it: the run must stop, not mix versions.
        import boto3
        s3 = boto3.client("s3", endpoint_url=self.s3.endpoint, **servers.S3RVER_CREDENTIALS)
        with open(SAMPLE, "rb") as f:
            replacement = f.read()
        p = subprocess.Popen([BIN, "run", "s3://source/big.csv", "-m", EV_MAPPING, "-t",
                              "sqlite://slow.sqlite", "--name", "overwritten", "-v", "--workers", "1",
                              "--chunk-size", "16k", "--s3-endpoint-url", self.s3.endpoint,
                              "--state-dir", "state"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, cwd=self.tmp)
        # Replace it once the run is under way (-v says so when the checks are
        # done and the pipeline starts), not after a guessed delay.
        # (-v also reports the table check before that line.)
        first = b""
        while True:
            line = p.stderr.readline()
            first += line
            if not line or b"execution overwritten:" in line:
                break
        self.assertIn(b"execution overwritten:", first)
        s3.put_object(Bucket="source", Key="big.csv", Body=replacement)
        out, err = p.communicate(timeout=300)
        err = first + err
        self.assertEqual(p.returncode, 1, (out[-500:], err))
        self.assertIn("changed during the run", err.decode())


if __name__ == "__main__":
    servers.ensure_installed()
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed or not result.wasSuccessful() else 0)
