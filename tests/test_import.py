#!/usr/bin/env python3
"""The import:// target (issue 14, points 2-4): typed items as ImportTable's
DYNAMODB_JSON files, locally and in S3 (s3rver), checked without csv2ddb's code:
every line parses with boto3's TypeDeserializer, and loading the files into
dynalite with an independent loader gives exactly the embedded target's table
for the same input (duplicate keys included: the later row of the file wins).
Also: the manifest's counts, rejects and accounting, gzip/zstd/none, kill -9
while the files are written and resume (no file is written twice: a request
log in front of s3rver), and --start-import against a stand-in ImportTable
that validates every request with botocore's service model and performs the
import into dynalite itself (success, failure, kill -9 while polling)."""
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import boto3  # noqa: E402
import import_loader  # noqa: E402
import servers  # noqa: E402
from import_standin import ImportStandIn, validate  # noqa: E402
from project import BIN, SRC, SAMPLE, EV_MAPPING, TABLE, NO_FILE  # noqa: E402
from s3_recorder import S3Recorder  # noqa: E402

ENV = dict(os.environ, AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="S3RVER",
           AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true",
           AWS_SHARED_CREDENTIALS_FILE=NO_FILE, AWS_CONFIG_FILE=NO_FILE,
           CSV2DDB_IMPORT_POLL_MS="20")
ENV.pop("AWS_PROFILE", None)
for k in [k for k in ENV if k.startswith("AWS_ENDPOINT_URL")]:
    ENV.pop(k)
SINGLE_CSV = os.path.join(SRC, "examples", "single_table.csv")
SINGLE_MAPPING = os.path.join(SRC, "examples", "single_table.toml")
SINGLE_KEYS = ["pk", "sk"]
EV_KEYS = ["dol_vehicle_id"]


class ImportTarget(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s3srv = servers.S3rver()
        cls.s3srv.start()
        cls.ddbsrv = servers.Dynalite()
        cls.ddbsrv.start()
        cls.s3 = boto3.client("s3", endpoint_url=cls.s3srv.endpoint, **servers.S3RVER_CREDENTIALS)
        cls.ddb = boto3.client("dynamodb", endpoint_url=cls.ddbsrv.endpoint,
                               **servers.DUMMY_CREDENTIALS)
        cls.s3.create_bucket(Bucket="imports")
        cls.tmp = tempfile.mkdtemp(prefix="csv2ddb_import_")
        # The EV sample with two bad rows.
        with open(SAMPLE, encoding="utf-8", newline="") as f:
            lines = f.read().splitlines()
        lines.insert(10, ",".join(["x"] * 13 + [" "] + ["x"] * 3))   # blank DOL Vehicle ID
        lines.insert(20, "too,few,fields")
        cls.ev = os.path.join(cls.tmp, "ev_dirty.csv")
        with open(cls.ev, "w", encoding="utf-8", newline="") as f:
            f.write("\n".join(lines) + "\n")
        # The typed example with its rows again, changed, further on: every
        # key twice, the later row (another model, another range) must win.
        with open(SINGLE_CSV, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        again = []
        for r in body:
            r = list(r)
            r[header.index("Model")] += " (later)"
            r[header.index("Electric Range")] = "7"
            again.append(r)
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([header] + body + again)
        cls.dup = os.path.join(cls.tmp, "single_dup.csv")
        with open(cls.dup, "w", encoding="utf-8", newline="") as f:
            f.write(out.getvalue())

    @classmethod
    def tearDownClass(cls):
        cls.s3srv.stop()
        cls.ddbsrv.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # -- helpers --

    def cli(self, *args, env=ENV):
        p = subprocess.run([BIN, *args], capture_output=True, env=env, cwd=self.tmp, timeout=600)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def run_to(self, input_path, mapping, target, name, *extra, env=ENV):
        return self.cli("run", input_path, "-m", mapping, "-t", target, "--name", name, "-q",
                        "--state-dir", "state", "--errors", "errors",
                        "--s3-endpoint-url", self.s3srv.endpoint, *extra, env=env)

    def reference(self, input_path, mapping, table, keys, name, *extra):
        """The embedded target's table and summary for the same input."""
        code, out, err = self.run_to(input_path, mapping, f"sqlite://{name}.sqlite", name, *extra)
        self.assertEqual(code, 0, err)
        return (import_loader.sqlite_typed(os.path.join(self.tmp, f"{name}.sqlite"), table, keys),
                json.loads(out))

    def local_files(self, folder):
        with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
            manifest = json.load(f)
        files = {}
        for entry in manifest["files"]:
            with open(os.path.join(folder, entry["name"]), "rb") as f:
                files[entry["name"]] = f.read()
        return manifest, files

    def s3_files(self, bucket, prefix):
        manifest = json.loads(self.s3.get_object(Bucket=bucket,
                                                 Key=prefix + "/manifest.json")["Body"].read())
        listed = self.s3.list_objects_v2(Bucket=bucket, Prefix=prefix + "/data/")
        files = {o["Key"][len(prefix) + 1:]: self.s3.get_object(Bucket=bucket,
                                                                 Key=o["Key"])["Body"].read()
                 for o in listed.get("Contents", [])}
        return manifest, files

    def check_files(self, manifest, files, compression, summary, keys, reference):
        """Every line typed; the manifest exact; the items are the reference's."""
        self.assertEqual(manifest["compression"], compression)
        self.assertEqual(manifest["input_format"], "DYNAMODB_JSON")
        self.assertEqual(sorted(files), sorted(f["name"] for f in manifest["files"]))
        items = []
        for entry in manifest["files"]:
            data = files[entry["name"]]
            self.assertEqual(entry["bytes"], len(data))
            got = import_loader.read_import_file(data, compression)
            self.assertEqual(entry["items"], len(got))
            items += got
        typed = [import_loader.deserialize(i) for i in items]
        by_key = {import_loader.key_of(t, keys): t for t in typed}
        self.assertEqual(len(by_key), len(typed), "a key is in the files twice")
        self.assertEqual(by_key, reference)
        self.assertEqual(manifest["items"], len(items))
        acc = manifest["accounting"]
        self.assertEqual(acc["records"], summary["TOTAL_NUMBER_OF_RECORDS_READ"])
        self.assertEqual(acc["written"], summary["TOTAL_NUMBER_OF_ITEMS_WRITTEN"])
        self.assertEqual(acc["rejected"], summary["TOTAL_NUMBER_OF_ITEMS_IN_ERROR"])
        self.assertEqual(acc["written"] + acc["rejected"], acc["records"])
        self.assertEqual(acc["duplicates_replaced"], acc["written"] - len(items))
        return items

    def reload(self, table, create_keys, items, keys):
        """The files' items into dynalite with the independent loader."""
        attrs = [{"AttributeName": k, "AttributeType": "S"} for k in create_keys]
        schema = [{"AttributeName": k, "KeyType": t}
                  for k, t in zip(create_keys, ["HASH", "RANGE"])]
        self.ddb.create_table(TableName=table, AttributeDefinitions=attrs, KeySchema=schema,
                              BillingMode="PAY_PER_REQUEST")
        # CreateTable answers while the table is CREATING: writes are refused
        # until DescribeTable says ACTIVE (as on DynamoDB).
        while self.ddb.describe_table(TableName=table)["Table"]["TableStatus"] != "ACTIVE":
            time.sleep(0.02)
        import_loader.load_items(self.ddb, table, items)
        return import_loader.scan_typed(self.ddb, table, keys)

    # -- files --

    def test_local_folder_gzip_typed_example_equals_embedded_with_duplicates(self):
        ref, ref_summary = self.reference(self.dup, SINGLE_MAPPING, "vehicles_app", SINGLE_KEYS,
                                          "dupref", "--chunk-size", "1KiB", "-w", "3")
        folder = os.path.join(self.tmp, "out_local")
        code, out, err = self.run_to(self.dup, SINGLE_MAPPING, "import://" + folder, "duplocal",
                                     "--chunk-size", "1KiB", "-w", "3")
        self.assertEqual(code, 0, err)
        s = json.loads(out)
        self.assertEqual(s["STATUS"], "SUCCEEDED")
        for k in ("TOTAL_NUMBER_OF_RECORDS_READ", "TOTAL_NUMBER_OF_ITEMS_WRITTEN",
                  "TOTAL_NUMBER_OF_ITEMS_IN_ERROR"):
            self.assertEqual(s[k], ref_summary[k], k)
        manifest, files = self.local_files(folder)
        self.assertTrue(all(n.startswith("data/part-") and n.endswith(".json.gz") for n in files))
        items = self.check_files(manifest, files, "GZIP", s, SINGLE_KEYS, ref)
        self.assertGreater(manifest["accounting"]["duplicates_replaced"], 0)
        later = [t for t in ref.values() if t["model"].endswith("(later)")]
        self.assertEqual(len(later), len(ref))   # the later rows won, in the reference too
        self.assertEqual(s["TARGET_STATS"]["import_items"], len(items))
        self.assertEqual(self.reload("single_local", SINGLE_KEYS, items, SINGLE_KEYS), ref)
        # Nothing but the files and the manifest in the folder.
        self.assertEqual(sorted(os.listdir(folder)), ["data", "manifest.json"])

    def test_s3_zstd_ev_sample_many_files_rejects_and_accounting(self):
        ref, ref_summary = self.reference(self.ev, EV_MAPPING, TABLE, EV_KEYS, "evref")
        code, out, err = self.run_to(
            self.ev, EV_MAPPING, "import://s3://imports/ev?compression=zstd&file_size=200000",
            "evs3", "--chunk-size", "64KiB")
        self.assertEqual(code, 0, err)
        s = json.loads(out)
        self.assertEqual(s["TOTAL_NUMBER_OF_ITEMS_IN_ERROR"], 2)
        self.assertEqual(s["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], ref_summary["TOTAL_NUMBER_OF_ITEMS_WRITTEN"])
        with open(os.path.join(self.tmp, "errors", "execution_name=evs3", "rejects.ndjson")) as f:
            rules = sorted(json.loads(line)["rule"] for line in f)
        self.assertEqual(rules, ["field_count", "not_blank"])
        manifest, files = self.s3_files("imports", "ev")
        self.assertGreater(len(files), 5)
        self.assertTrue(all(n.endswith(".json.zst") for n in files))
        sizes = [len(d) for d in files.values()]
        self.assertLess(max(sizes), 200000)
        self.assertEqual(manifest["data_prefix"], "s3://imports/ev/data/")
        items = self.check_files(manifest, files, "ZSTD", s, EV_KEYS, ref)
        self.assertEqual(self.reload("ev_s3", EV_KEYS, items, EV_KEYS), ref)
        # The probe object is gone; only data/ and the manifest under the prefix.
        keys = [o["Key"] for o in self.s3.list_objects_v2(Bucket="imports",
                                                          Prefix="ev/")["Contents"]]
        self.assertEqual([k for k in keys if not k.startswith("ev/data/")], ["ev/manifest.json"])

    def test_uncompressed_files(self):
        ref, _ = self.reference(SINGLE_CSV, SINGLE_MAPPING, "vehicles_app", SINGLE_KEYS, "noneref")
        folder = os.path.join(self.tmp, "out_none")
        code, out, err = self.run_to(SINGLE_CSV, SINGLE_MAPPING,
                                     "import://" + folder + "?compression=none&file_size=1000",
                                     "nonelocal")
        self.assertEqual(code, 0, err)
        manifest, files = self.local_files(folder)
        self.assertGreater(len(files), 1)
        self.assertTrue(all(n.endswith(".json") for n in files))
        self.check_files(manifest, files, "NONE", json.loads(out), SINGLE_KEYS, ref)

    def test_bad_import_targets_are_usage_errors(self):
        for target, words in (("import://", "give a folder"),
                              ("import://x?compression=lz4", "compression 'lz4'"),
                              ("import://x?file_size=0", "file_size"),
                              ("import://x?colour=red", "unknown option")):
            code, out, err = self.run_to(SINGLE_CSV, SINGLE_MAPPING, target, "bad")
            self.assertEqual(code, 2, target)
            self.assertIn(words, err, target)
            self.assertEqual(out, "")
        code, _, err = self.run_to(SINGLE_CSV, SINGLE_MAPPING, "import://local_dir", "bad2",
                                   "--start-import")
        self.assertEqual(code, 2)
        self.assertIn("--start-import needs files in S3", err)
        code, _, err = self.run_to(SINGLE_CSV, SINGLE_MAPPING, "import://local_dir", "bad4",
                                   "--shard", "1/2")
        self.assertEqual(code, 2)
        self.assertIn("--shard cannot write to an import:// target", err)
        code, _, err = self.run_to(SINGLE_CSV, SINGLE_MAPPING, "import://s3://no-such-bucket/p",
                                   "bad3")
        self.assertEqual(code, 2)
        self.assertIn("cannot write there", err)

    def test_kill_while_writing_files_then_resume_writes_no_file_twice(self):
        ref, _ = self.reference(self.ev, EV_MAPPING, TABLE, EV_KEYS, "killref")
        with S3Recorder(self.s3srv.endpoint) as rec:
            # Hold the answer to the third file's PUT: it is stored, unanswered.
            rec.hold_when = lambda m, p: m == "PUT" and p.endswith("/data/part-00002.json.gz")
            args = [BIN, "run", self.ev, "-m", EV_MAPPING, "-t",
                    "import://s3://imports/killed?file_size=100000", "--name", "killed", "-q",
                    "--state-dir", "state", "--errors", "errors", "--s3-endpoint-url",
                    rec.endpoint]
            proc = subprocess.Popen(args, cwd=self.tmp, env=ENV, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
            try:
                self.assertTrue(rec.held.wait(300), "the third file was never put")
                proc.kill()
                proc.wait()
            finally:
                rec.release()
                if proc.poll() is None:
                    proc.kill()
                proc.communicate()
            self.assertEqual(proc.returncode, -9)
            before = rec.puts("/killed/data/")
            self.assertEqual(len(before), 3)
            rec.hold_when = None
            code, out, err = self.cli("resume", "killed", "--state-dir", "state", "-q")
            self.assertEqual(code, 0, err)
            puts = rec.puts("/killed/data/")
        # Every data file was PUT exactly once over both processes.
        self.assertEqual(len(puts), len(set(puts)), puts)
        s = json.loads(out)
        self.assertEqual(s["TARGET_STATS"]["import_files_written"], s["TARGET_STATS"]["import_files"] - 3)
        manifest, files = self.s3_files("imports", "killed")
        self.assertEqual(sorted("/imports/killed/" + n for n in files), sorted(puts))
        self.check_files(manifest, files, "GZIP", s, EV_KEYS, ref)

    def test_kill_while_running_then_resume_equals_embedded(self):
        ref, ref_summary = self.reference(self.ev, EV_MAPPING, TABLE, EV_KEYS, "midref")
        with S3Recorder(self.s3srv.endpoint) as rec:
            # Rejects go to S3 through the recorder, one object pair per chunk
            # with rejects: hold the second chunk's (the first bad row's chunk
            # is committed by then), and kill.
            seen = []

            def second_rejects(method, path):
                if method == "PUT" and "/errs/" in path and path.endswith(".ndjson"):
                    seen.append(path)
                return len(seen) == 2

            rec.hold_when = second_rejects
            args = [BIN, "run", self.ev, "-m", EV_MAPPING, "-t",
                    "import://s3://imports/midrun?file_size=100000", "--name", "midrun", "-q",
                    "--state-dir", "state", "--errors", "s3://imports/errs",
                    "--s3-endpoint-url", rec.endpoint, "--chunk-size", "1KiB", "-w", "1"]
            proc = subprocess.Popen(args, cwd=self.tmp, env=ENV, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
            try:
                self.assertTrue(rec.held.wait(300), "the second chunk's rejects were never put")
                proc.kill()
                proc.wait()
            finally:
                rec.release()
                if proc.poll() is None:
                    proc.kill()
                proc.communicate()
            self.assertEqual(rec.puts("/midrun/data/"), [])   # no file before the end
            rec.hold_when = None
            code, out, err = self.cli("resume", "midrun", "--state-dir", "state", "-q")
            self.assertEqual(code, 0, err)
            puts = rec.puts("/midrun/data/")
        self.assertEqual(len(puts), len(set(puts)), puts)
        s = json.loads(out)
        for k in ("TOTAL_NUMBER_OF_RECORDS_READ", "TOTAL_NUMBER_OF_ITEMS_WRITTEN",
                  "TOTAL_NUMBER_OF_ITEMS_IN_ERROR"):
            self.assertEqual(s[k], ref_summary[k], k)
        manifest, files = self.s3_files("imports", "midrun")
        self.assertEqual(len(files), len(puts))
        self.check_files(manifest, files, "GZIP", s, EV_KEYS, ref)

    # -- --start-import --

    def test_start_import_imports_the_files_into_a_new_table(self):
        ref, _ = self.reference(SINGLE_CSV, SINGLE_MAPPING, "vehicles_app", SINGLE_KEYS, "impref")
        # The mapping's table definition: provisioned, with a GSI.
        mapping = os.path.join(self.tmp, "single_gsi.toml")
        with open(SINGLE_MAPPING, encoding="utf-8") as f:
            text = f.read()
        definition = ('sort_key = { name = "sk", type = "S" }\n'
                      'billing_mode = "PROVISIONED"\nread_capacity = 5\nwrite_capacity = 7\n\n'
                      '[[table.gsi]]\nname = "by_make"\n'
                      'partition_key = { name = "gsi1pk", type = "S" }\n'
                      'sort_key = { name = "gsi1sk", type = "S" }\n'
                      'projection = "INCLUDE"\nnon_key_attributes = ["model"]\n')
        text = text.replace('sort_key = { name = "sk", type = "S" }\n', definition, 1)
        with open(mapping, "w", encoding="utf-8") as f:
            f.write(text)
        with ImportStandIn(self.s3srv.endpoint, self.ddbsrv.endpoint) as imp:
            code, out, err = self.run_to(SINGLE_CSV, mapping,
                                         "import://s3://imports/started/", "started",
                                         "--start-import", "--endpoint-url", imp.endpoint,
                                         "--log-format", "json")
            self.assertEqual(code, 0, err)
            self.assertEqual(imp.count("ImportTable"), 1)
            self.assertGreaterEqual(imp.count("DescribeImport"), 2)
            params = [p for op, p in imp.calls if op == "ImportTable"][0]
        self.assertEqual(validate("ImportTable", params), "")
        self.assertEqual(params["InputFormat"], "DYNAMODB_JSON")
        self.assertEqual(params["InputCompressionType"], "GZIP")
        self.assertEqual(params["S3BucketSource"], {"S3Bucket": "imports",
                                                    "S3KeyPrefix": "started/data/"})
        tcp = params["TableCreationParameters"]
        self.assertEqual(tcp["TableName"], "vehicles_app")
        self.assertEqual(tcp["KeySchema"], [{"AttributeName": "pk", "KeyType": "HASH"},
                                            {"AttributeName": "sk", "KeyType": "RANGE"}])
        self.assertEqual(tcp["BillingMode"], "PROVISIONED")
        self.assertEqual(tcp["ProvisionedThroughput"],
                         {"ReadCapacityUnits": 5, "WriteCapacityUnits": 7})
        self.assertEqual(sorted(a["AttributeName"] for a in tcp["AttributeDefinitions"]),
                         ["gsi1pk", "gsi1sk", "pk", "sk"])
        self.assertEqual(tcp["GlobalSecondaryIndexes"], [{
            "IndexName": "by_make",
            "KeySchema": [{"AttributeName": "gsi1pk", "KeyType": "HASH"},
                          {"AttributeName": "gsi1sk", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["model"]},
            "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 7}}])
        desc = self.ddb.describe_table(TableName="vehicles_app")["Table"]
        self.assertEqual([g["IndexName"] for g in desc["GlobalSecondaryIndexes"]], ["by_make"])
        self.assertLessEqual(len(params["ClientToken"]), 36)
        s = json.loads(out)
        stats = s["TARGET_STATS"]
        self.assertEqual(stats["import_imported_items"], len(ref))
        self.assertEqual(stats["import_processed_items"], len(ref))
        self.assertEqual(stats["import_errors"], 0)
        events = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
        names = [e["event"] for e in events]
        self.assertIn("import_started", names)
        self.assertIn("import_progress", names)
        end = [e for e in events if e["event"] == "import_end"][0]
        self.assertEqual(end["status"], "COMPLETED")
        self.assertIn("log-group", end["log_group_arn"])
        self.assertEqual(import_loader.scan_typed(self.ddb, "vehicles_app", SINGLE_KEYS), ref)

    def renamed_mapping(self, table):
        path = os.path.join(self.tmp, table + ".toml")
        with open(SINGLE_MAPPING, encoding="utf-8") as f:
            text = f.read().replace('name = "vehicles_app"', 'name = "%s"' % table)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_failed_import_fails_the_execution_and_resume_starts_a_new_one(self):
        ref, _ = self.reference(SINGLE_CSV, SINGLE_MAPPING, "vehicles_app", SINGLE_KEYS, "failref")
        mapping = self.renamed_mapping("vehicles_failing")
        with ImportStandIn(self.s3srv.endpoint, self.ddbsrv.endpoint, fail=True) as imp:
            code, out, err = self.run_to(SINGLE_CSV, mapping,
                                         "import://s3://imports/failing", "failing",
                                         "--start-import", "--endpoint-url", imp.endpoint)
            self.assertEqual(code, 1, err)
            s = json.loads(out)
            self.assertEqual(s["STATUS"], "FAILED")
            self.assertIn("ItemValidationError", err)
            self.assertIn("log-group:/aws-dynamodb/imports", err)
            self.assertEqual(s["TARGET_STATS"]["import_imported_items"], 0)
            self.assertEqual(s["TARGET_STATS"]["import_errors"], len(ref))
            code, out, err = self.cli("status", "failing", "--state-dir", "state", "--output",
                                      "json")
            self.assertEqual(code, 0, err)
            self.assertIn("FAILED", out)
            # Resumed once the import can work: a new ClientToken, a new import,
            # and no file written again.
            imp.fail = False
            code, out, err = self.cli("resume", "failing", "--state-dir", "state", "-q")
            self.assertEqual(code, 0, err)
            tokens = [p["ClientToken"] for op, p in imp.calls if op == "ImportTable"]
            self.assertEqual(len(tokens), 2)
            self.assertNotEqual(tokens[0], tokens[1])
            self.assertEqual(len(imp.imports), 2)
        self.assertEqual(json.loads(out)["TARGET_STATS"]["import_files_written"], 0)
        self.assertEqual(import_loader.scan_typed(self.ddb, "vehicles_failing", SINGLE_KEYS), ref)

    def test_kill_while_polling_then_resume_starts_no_second_import(self):
        ref, _ = self.reference(SINGLE_CSV, SINGLE_MAPPING, "vehicles_app", SINGLE_KEYS, "pollref")
        # Another table name: the mapping's table is taken by another test.
        mapping = self.renamed_mapping("vehicles_polled")
        with ImportStandIn(self.s3srv.endpoint, self.ddbsrv.endpoint) as imp:
            imp.hold_describe = True
            args = [BIN, "run", SINGLE_CSV, "-m", mapping, "-t", "import://s3://imports/polled",
                    "--name", "polled", "-q", "--state-dir", "state", "--errors", "errors",
                    "--s3-endpoint-url", self.s3srv.endpoint, "--start-import",
                    "--endpoint-url", imp.endpoint]
            proc = subprocess.Popen(args, cwd=self.tmp, env=ENV, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
            try:
                self.assertTrue(imp.held.wait(300), "DescribeImport never came")
                proc.kill()
                proc.wait()
            finally:
                imp.release()
                if proc.poll() is None:
                    proc.kill()
                proc.communicate()
            code, out, err = self.cli("resume", "polled", "--state-dir", "state", "-q")
            self.assertEqual(code, 0, err)
            tokens = [p["ClientToken"] for op, p in imp.calls if op == "ImportTable"]
            self.assertEqual(len(tokens), 2)
            self.assertEqual(len(set(tokens)), 1)
            self.assertEqual(len(imp.imports), 1)   # one import, found again by its token
        self.assertEqual(import_loader.scan_typed(self.ddb, "vehicles_polled", SINGLE_KEYS), ref)


if __name__ == "__main__":
    unittest.main()
