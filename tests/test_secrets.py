#!/usr/bin/env python3
"""Secrets never leave through error messages (issue 10.8).

AWS answers signature errors with a message that quotes the canonical request,
X-Amz-Security-Token included. A loopback DynamoDB stand-in answers
DescribeTable normally and every BatchWriteItem with such an error, echoing the
session token (and the Authorization header) it was sent. The run fails; its
error reaches stderr, the summary on stdout, a `file:` notification and the
journal: none of the four may hold the token, the secret key or the signature,
and each must still name the error."""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from project import BIN, SAMPLE, EV_MAPPING, TABLE, NO_FILE  # noqa: E402
from standin import LoopbackStandIn, QuietHandler, env_without_aws  # noqa: E402

# A session token as STS issues them: long base64.
TOKEN = ("IQoJb3JpZ2luX2VjEHsaCXVzLWVhc3QtMSJHMEUCIQD6Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2Rl"
         "ZmdoaWprbG1ub3BxcnN0dXZ3eHl6QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkwKyt/LS0tPT0"
         "csv2ddbSecretsTestToken0123456789")
SECRET = "csv2ddbTestSecretKey/0123456789abcdefABCDEF"

DESCRIBE = json.dumps({"Table": {
    "TableName": TABLE, "TableStatus": "ACTIVE",
    "KeySchema": [{"AttributeName": "dol_vehicle_id", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "dol_vehicle_id", "AttributeType": "S"}]}})


class LeakyDynamoDb(LoopbackStandIn):
    """DescribeTable: the table. Anything else: InvalidSignatureException whose
    message echoes the canonical request with the token it received."""

    def __init__(self):
        self.tokens_seen = []
        outer = self

        class Handler(QuietHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                target = self.headers.get("X-Amz-Target", "")
                token = self.headers.get("X-Amz-Security-Token", "")
                outer.tokens_seen.append(token)
                if target.endswith(".DescribeTable"):
                    status, body = 200, DESCRIBE
                else:
                    auth = self.headers.get("Authorization", "")
                    message = (
                        "The request signature we calculated does not match the signature you "
                        "provided. Check your AWS Secret Access Key and signing method.\n\n"
                        "The Canonical String for this request should have been\n'POST\n/\n\n"
                        "content-type:application/x-amz-json-1.0\nhost:" +
                        self.headers.get("Host", "") + "\nx-amz-date:" +
                        self.headers.get("X-Amz-Date", "") + "\nx-amz-security-token:" + token +
                        "\nx-amz-target:" + target + "\n\n"
                        "content-type;host;x-amz-date;x-amz-security-token;x-amz-target\n'\n\n"
                        "Authorization: " + auth + "\nX-Amz-Security-Token=" + token)
                    status = 400
                    body = json.dumps({"__type": "com.amazon.coral.service#"
                                                 "InvalidSignatureException",
                                       "message": message})
                self.reply(status, "application/x-amz-json-1.0", body)

        super().__init__(Handler)


class SecretsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="csv2ddb_secrets_")
        self.env = env_without_aws(AWS_ACCESS_KEY_ID="ASIACSV2DDBTEST",
                                   AWS_SECRET_ACCESS_KEY=SECRET, AWS_SESSION_TOKEN=TOKEN,
                                   AWS_EC2_METADATA_DISABLED="true",
                                   AWS_SHARED_CREDENTIALS_FILE=NO_FILE,
                                   AWS_CONFIG_FILE=NO_FILE)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def assertClean(self, where, text):
        self.assertNotIn(TOKEN, text, where)
        self.assertNotIn(TOKEN[:24], text, where)
        self.assertNotIn(SECRET, text, where)
        self.assertNotIn("Signature=", text, where)
        # Not vacuous: the error itself did reach this output.
        self.assertIn("InvalidSignatureException", text, where)

    def test_signature_error_echoing_the_token_reaches_no_output(self):
        state = os.path.join(self.dir, "state")
        notified = os.path.join(self.dir, "notified.json")
        with LeakyDynamoDb() as ddb:
            p = subprocess.run(
                [BIN, "run", SAMPLE, "-m", EV_MAPPING, "-t", "dynamodb://" + TABLE,
                 "--endpoint-url", ddb.endpoint, "--region", "us-east-1", "--name", "leaky",
                 "--state-dir", state, "--errors", os.path.join(self.dir, "errors"),
                 "--notify", "file:" + notified, "-q"],
                env=self.env, capture_output=True, timeout=300, cwd=self.dir)
            # The stand-in really was sent the token (else the test proves nothing).
            self.assertIn(TOKEN, ddb.tokens_seen)
        stdout, stderr = p.stdout.decode(), p.stderr.decode()
        self.assertNotEqual(p.returncode, 0, stderr)
        self.assertClean("stderr", stderr)
        self.assertClean("summary on stdout", stdout)
        self.assertEqual(json.loads(stdout)["STATUS"], "FAILED")
        with open(notified) as f:
            self.assertClean("file notification", f.read())
        journal = b""
        for path in glob.glob(os.path.join(state, "journal.sqlite*")):
            with open(path, "rb") as f:
                journal += f.read()
        self.assertTrue(journal, "no journal in " + state)
        self.assertClean("journal", journal.decode("latin-1"))


if __name__ == "__main__":
    unittest.main()
