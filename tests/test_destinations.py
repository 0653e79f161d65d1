#!/usr/bin/env python3
"""Every destination is checked before the first write (issue 10, defect 12):
an error location in a missing S3 bucket, a missing Firehose stream, a local
folder that cannot be made, or a notification file that cannot be written
fails the run with exit 2 before any item reaches the table, and prints no
summary. Also: validate takes --s3-endpoint-url, --region and --profile."""
import http.server
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

from project import BIN, SAMPLE, EV_MAPPING, TABLE, NO_FILE  # noqa: E402
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="S3RVER",
           AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true",
           AWS_SHARED_CREDENTIALS_FILE=NO_FILE, AWS_CONFIG_FILE=NO_FILE)
ENV.pop("AWS_PROFILE", None)


class FakeFirehose(http.server.BaseHTTPRequestHandler):
    """Knows one delivery stream, "known"; accepts every record sent to it."""
    protocol_version = "HTTP/1.1"
    calls = []

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        op = self.headers["X-Amz-Target"].rsplit(".", 1)[-1]
        FakeFirehose.calls.append((op, body.get("DeliveryStreamName")))
        if body.get("DeliveryStreamName") != "known":
            self.answer(400, {"__type": "ResourceNotFoundException",
                              "message": "Firehose %s not found." % body.get("DeliveryStreamName")})
        elif op == "DescribeDeliveryStream":
            self.answer(200, {"DeliveryStreamDescription": {"DeliveryStreamName": "known",
                                                            "DeliveryStreamStatus": "ACTIVE"}})
        else:
            n = len(body["Records"])
            self.answer(200, {"FailedPutCount": 0, "Encrypted": False,
                              "RequestResponses": [{"RecordId": str(i)} for i in range(n)]})

    def answer(self, status, doc):
        data = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class Destinations(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s3 = servers.S3rver()
        cls.s3.start()
        cls.ddb = servers.Dynalite()
        cls.ddb.start()
        cls.tmp = tempfile.mkdtemp(prefix="csv2ddb_dest_")
        import boto3
        cls.s3c = boto3.client("s3", endpoint_url=cls.s3.endpoint, **servers.S3RVER_CREDENTIALS)
        cls.s3c.create_bucket(Bucket="errors")
        cls.s3c.create_bucket(Bucket="source")
        cls.ddbc = boto3.client("dynamodb", endpoint_url=cls.ddb.endpoint,
                                **servers.DUMMY_CREDENTIALS)
        cls.ddbc.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "dol_vehicle_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "dol_vehicle_id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")
        # The sample plus a row without a key: there is a reject to store.
        with open(SAMPLE, encoding="utf-8", newline="") as f:
            lines = f.read().splitlines()
        lines.insert(5, "too,few,fields")
        cls.input = os.path.join(cls.tmp, "in.csv")
        with open(cls.input, "w", encoding="utf-8", newline="") as f:
            f.write("\n".join(lines) + "\n")
        with open(cls.input, "rb") as f:
            cls.s3c.put_object(Bucket="source", Key="in.csv", Body=f.read())
        cls.firehose = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeFirehose)
        threading.Thread(target=cls.firehose.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.firehose.shutdown()
        cls.firehose.server_close()
        cls.ddb.stop()
        cls.s3.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def cli(self, *args, env=ENV):
        p = subprocess.run([BIN, *args], capture_output=True, env=env, cwd=self.tmp, timeout=600)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def run_to_dynalite(self, name, errors, *extra, env=ENV, table=TABLE):
        return self.cli("run", self.input, "-m", EV_MAPPING, "-t", "dynamodb://" + table,
                        "--endpoint-url", self.ddb.endpoint, "--region", "us-east-1",
                        "--s3-endpoint-url", self.s3.endpoint, "--name", name, "-q",
                        "--errors", errors, "--state-dir", "state", *extra, env=env)

    def item_count(self, table=TABLE):
        n, kw = 0, {"TableName": table, "Select": "COUNT", "ConsistentRead": True}
        while True:
            page = self.ddbc.scan(**kw)
            n += page["Count"]
            if "LastEvaluatedKey" not in page:
                return n
            kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def assert_refused_before_any_write(self, name, code, out, err, needle):
        self.assertEqual(code, 2, (out, err))
        self.assertEqual(out, "", "no summary may contradict the table")
        self.assertIn(needle, err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertEqual(self.item_count(), 0, "an item was written")
        code, _, _ = self.cli("status", name, "--state-dir", "state")
        self.assertEqual(code, 2, "the execution must not exist")

    def test_errors_in_a_missing_s3_bucket_fail_before_any_write(self):
        code, out, err = self.run_to_dynalite("nobucket", "s3://no-such-bucket/x")
        self.assert_refused_before_any_write("nobucket", code, out, err, "no-such-bucket")

    def test_errors_to_a_missing_firehose_stream_fail_before_any_write(self):
        env = dict(ENV, AWS_ENDPOINT_URL_FIREHOSE="http://127.0.0.1:%d"
                   % self.firehose.server_address[1])
        code, out, err = self.run_to_dynalite("nostream", "firehose://no-such-stream", env=env)
        self.assert_refused_before_any_write("nostream", code, out, err, "no-such-stream")
        self.assertIn(("DescribeDeliveryStream", "no-such-stream"), FakeFirehose.calls)
        self.assertNotIn("PutRecordBatch", [op for op, _ in FakeFirehose.calls])

    def test_errors_in_a_folder_under_a_file_fail_before_any_write(self):
        blocker = os.path.join(self.tmp, "a-file")
        with open(blocker, "w") as f:
            f.write("x")
        code, out, err = self.run_to_dynalite("nofolder", blocker + "/errors")
        self.assert_refused_before_any_write("nofolder", code, out, err, "not a directory")

    def test_notify_file_under_a_file_fails_before_any_write(self):
        blocker = os.path.join(self.tmp, "another-file")
        with open(blocker, "w") as f:
            f.write("x")
        code, out, err = self.run_to_dynalite("nonotify", "errors", "--notify",
                                              "file:" + blocker + "/summary.json")
        self.assert_refused_before_any_write("nonotify", code, out, err, "--notify")

    def test_good_destinations_pass_the_checks_and_leave_no_probe(self):
        env = dict(ENV, AWS_ENDPOINT_URL_FIREHOSE="http://127.0.0.1:%d"
                   % self.firehose.server_address[1])
        for name, errors in (("tos3", "s3://errors/runs"), ("tofirehose", "firehose://known"),
                             ("tolocal", "errors")):
            table = "good_" + name  # the refusal tests need TABLE empty
            code, out, err = self.run_to_dynalite(name, errors, "--create-table", env=env,
                                                  table=table)
            self.assertEqual(code, 0, (name, err))
            s = json.loads(out)
            self.assertEqual(s["STATUS"], "SUCCEEDED")
            self.assertEqual(s["TOTAL_NUMBER_OF_ITEMS_IN_ERROR"], 1)
            self.assertEqual(s["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], self.item_count(table))
        keys = [o["Key"] for o in self.s3c.list_objects_v2(Bucket="errors").get("Contents", [])]
        self.assertEqual(sorted(keys), ["runs/execution_name=tos3/rejects-00000000.csv",
                                        "runs/execution_name=tos3/rejects-00000000.ndjson"])
        self.assertIn("PutRecordBatch", [op for op, _ in FakeFirehose.calls])

    def test_validate_takes_s3_endpoint_region_and_profile(self):
        # Defect 13 (first part): validate had none of the three.
        code, out, err = self.cli("validate", "s3://source/in.csv", "-m", EV_MAPPING, "-q",
                                  "--s3-endpoint-url", self.s3.endpoint, "--region", "us-east-1")
        self.assertEqual(code, 0, err)
        s = json.loads(out)
        self.assertEqual(s["TOTAL_NUMBER_OF_ITEMS_IN_ERROR"], 1)
        with open(self.input, encoding="utf-8") as f:
            self.assertEqual(s["TOTAL_NUMBER_OF_RECORDS_READ"], len(f.read().splitlines()) - 1)
        # --profile picks the credentials: only profile "other" has them.
        creds = os.path.join(self.tmp, "aws_credentials")
        with open(creds, "w") as f:
            f.write("[other]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n")
        env = dict(ENV, AWS_SHARED_CREDENTIALS_FILE=creds)
        env.pop("AWS_ACCESS_KEY_ID")
        env.pop("AWS_SECRET_ACCESS_KEY")
        args = ["validate", "s3://source/in.csv", "-m", EV_MAPPING, "-q",
                "--s3-endpoint-url", self.s3.endpoint]
        code, out, err = self.cli(*args, "--profile", "other", env=env)
        self.assertEqual(code, 0, err)
        code, out, err = self.cli(*args, env=env)
        self.assertEqual(code, 2, (out, err))

if __name__ == "__main__":
    servers.ensure_installed()
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed or not result.wasSuccessful() else 0)
