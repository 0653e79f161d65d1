#!/usr/bin/env python3
"""One AWS context per process (issue 9.3): a run that reads s3:// input,
writes dynamodb://, lands its rejects in s3:// and notifies SNS resolves its
credentials once. The credentials come from a `credential_process` that
appends a line to a counter file each time it runs; afterwards the file has
exactly one line.

Servers: s3rver (S3) and dynalite (DynamoDB) on loopback, and a loopback SNS
stand-in that answers Publish like SNS and records what it was sent."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import servers  # noqa: E402
from project import BIN, SAMPLE, EV_MAPPING, TABLE, NO_FILE  # noqa: E402
from standin import SnsStandIn, env_without_aws  # noqa: E402

TOPIC = "arn:aws:sns:us-east-1:123456789012:csv2ddb-executions"
class AwsContextTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="csv2ddb_ctx_")
        self.counter = os.path.join(self.dir, "credential_process.count")
        script = os.path.join(self.dir, "creds.py")
        with open(script, "w") as f:
            f.write(
                "import json, sys\n"
                f"open({self.counter!r}, 'a').write('ran\\n')\n"
                # s3rver verifies signatures with its one key pair; dynalite and
                # the SNS stand-in accept any.
                "print(json.dumps({'Version': 1, 'AccessKeyId': 'S3RVER',"
                " 'SecretAccessKey': 'S3RVER'}))\n")
        config = os.path.join(self.dir, "config")
        with open(config, "w") as f:
            f.write(f"[default]\ncredential_process = {sys.executable} {script}\n")
        self.env = env_without_aws(AWS_CONFIG_FILE=config,
                                   AWS_SHARED_CREDENTIALS_FILE=NO_FILE,
                                   AWS_EC2_METADATA_DISABLED="true", AWS_REGION="us-east-1")
        # The sample with one bad row, so the run writes a reject to S3.
        with open(SAMPLE, encoding="utf-8", newline="") as f:
            lines = f.read().splitlines()
        lines.insert(10, "too,few,fields")
        self.input = os.path.join(self.dir, "dirty.csv")
        with open(self.input, "w", encoding="utf-8", newline="") as f:
            f.write("\n".join(lines) + "\n")
        self.rows = len(lines) - 1

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def aws(self, endpoint, *args):
        env = dict(self.env, AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="S3RVER",
                   AWS_CONFIG_FILE=NO_FILE)
        p = subprocess.run(["aws", "--endpoint-url", endpoint, *args], env=env,
                           capture_output=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        return p.stdout.decode()

    def count_lines(self):
        if not os.path.exists(self.counter):
            return 0
        with open(self.counter) as f:
            return len(f.read().splitlines())

    def test_credential_process_runs_once_for_s3_dynamodb_s3_rejects_and_sns(self):
        with servers.S3rver() as s3, servers.Dynalite() as ddb, SnsStandIn() as sns:
            self.aws(s3.endpoint, "s3", "mb", "s3://source")
            self.aws(s3.endpoint, "s3", "cp", self.input, "s3://source/in/dirty.csv")
            env = dict(self.env, AWS_ENDPOINT_URL_SNS=sns.endpoint)
            p = subprocess.run(
                [BIN, "run", "s3://source/in/dirty.csv", "-m", EV_MAPPING,
                 "-t", "dynamodb://" + TABLE, "--create-table", "--endpoint-url", ddb.endpoint,
                 "--s3-endpoint-url", s3.endpoint, "--errors", "s3://source/rejected",
                 "--notify", "sns:" + TOPIC, "--name", "ctx", "--state-dir",
                 os.path.join(self.dir, "state"), "-q"],
                env=env, capture_output=True, timeout=600, cwd=self.dir)
            err = p.stderr.decode()
            self.assertEqual(p.returncode, 0, err)
            summary = json.loads(p.stdout.decode())
            self.assertEqual(summary["TOTAL_NUMBER_OF_ITEMS_IN_ERROR"], 1, summary)
            self.assertEqual(summary["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], self.rows - 1, summary)

            # Every AWS end was used: the reject is in S3, SNS got the summary.
            listing = self.aws(s3.endpoint, "s3", "ls", "--recursive", "s3://source/rejected/")
            self.assertIn("execution_name=ctx/", listing)
            self.assertEqual(len(sns.requests), 1, err)
            headers, form = sns.requests[0]
            self.assertEqual(form["TopicArn"], [TOPIC])
            self.assertEqual(json.loads(form["Message"][0])["TOTAL_NUMBER_OF_ITEMS_IN_ERROR"], 1)
            self.assertIn("Credential=S3RVER/", headers.get("Authorization", ""))

            # ... and the credentials were resolved once for all of them.
            self.assertEqual(self.count_lines(), 1)


if __name__ == "__main__":
    unittest.main()
