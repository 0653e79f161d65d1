#!/usr/bin/env python3
"""The Lambda package: unpacked into an empty directory, its `bootstrap` (the
bundled loader and libraries, as Amazon Linux 2023 needs) serves a full
invocation from a loopback server that follows the Lambda Runtime API."""
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
import boto3  # noqa: E402
import servers  # noqa: E402

BIN = os.path.abspath(os.environ.get("CSV2DDB_BIN", "build/csv2ddb"))
SRC = os.environ.get("CSV2DDB_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PACKAGER = os.path.join(SRC, "scripts", "package_lambda.py")
MAPPING = os.path.join(SRC, "examples", "ev_population.toml")


class RuntimeApi(http.server.BaseHTTPRequestHandler):
    """GET /2018-06-01/runtime/invocation/next hands out queued events; the
    response and error posts are recorded."""
    protocol_version = "HTTP/1.1"
    events = []
    posts = []

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        if self.path != "/2018-06-01/runtime/invocation/next" or not RuntimeApi.events:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        request_id, event = RuntimeApi.events.pop(0)
        body = json.dumps(event).encode()
        self.send_response(200)
        self.send_header("Lambda-Runtime-Aws-Request-Id", request_id)
        self.send_header("Lambda-Runtime-Deadline-Ms", "9999999999999")
        self.send_header("Lambda-Runtime-Invoked-Function-Arn",
                         "arn:aws:lambda:us-east-1:123456789012:function:csv2ddb")
        self.send_header("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        RuntimeApi.posts.append((self.path, body))
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Package(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="csv2ddb_lambda_pkg_")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def unpacked(self, mapping, name):
        """Packages BIN with `mapping` and unzips it; returns the directory."""
        zip_path = os.path.join(self.dir, name + ".zip")
        subprocess.run([sys.executable, PACKAGER, BIN, mapping, zip_path], check=True,
                       capture_output=True)
        task = os.path.join(self.dir, name)
        os.mkdir(task)
        subprocess.run(["unzip", "-q", zip_path, "-d", task], check=True)
        return task

    def serve_one(self, task, request_id, event, wrap=()):
        """Runs the unpacked package's bootstrap (under `wrap`, a command prefix)
        for one invocation of `event` against a loopback Runtime API and
        dynalite; returns the finished process."""
        RuntimeApi.events = [(request_id, event)]
        RuntimeApi.posts = []
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RuntimeApi)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        ddb = servers.Dynalite()
        ddb.start()
        try:
            boto3.client("dynamodb", endpoint_url=ddb.endpoint, **servers.DUMMY_CREDENTIALS).create_table(
                TableName="tb_ev_vehicle_data", BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": "dol_vehicle_id", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "dol_vehicle_id", "KeyType": "HASH"}])
            env = {"CSV2DDB_DYNAMODB_ENDPOINT": ddb.endpoint, "PATH": "/usr/bin:/bin",
                   "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:%d" % srv.server_address[1],
                   "CSV2DDB_LAMBDA_MAX_INVOCATIONS": "1", "AWS_REGION": "us-east-1",
                   "CSV2DDB_ERRORS_BUCKET": "source-bucket", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
                   "AWS_SECRET_ACCESS_KEY": "secret", "AWS_EC2_METADATA_DISABLED": "true"}
            return subprocess.run([*wrap, os.path.join(task, "bootstrap")], env=env, cwd="/",
                                  capture_output=True, timeout=60)
        finally:
            ddb.stop()
            srv.shutdown()

    def test_unpacked_bootstrap_serves_a_full_invocation(self):
        task = self.unpacked(MAPPING, "task")
        self.assertTrue(os.path.getsize(os.path.join(task, "ca-bundle.crt")) > 0,
                        "the package ships a CA bundle")
        libs = os.listdir(os.path.join(task, "lib"))
        self.assertIn("libc.so.6", libs)
        self.assertTrue(any(l.startswith("ld-linux") for l in libs), libs)
        self.assertTrue(os.access(os.path.join(task, "bootstrap"), os.X_OK))

        p = self.serve_one(task, "req-1", {"execution_name": "pkg-test", "report": [
            {"NUMBER_OF_ITEMS_WRITTEN": 7, "NUMBER_OF_ITEMS_IN_ERROR": 2},
            {"NUMBER_OF_ITEMS_WRITTEN": 5, "NUMBER_OF_ITEMS_IN_ERROR": 0}]})
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(len(RuntimeApi.posts), 1, RuntimeApi.posts)
        path, body = RuntimeApi.posts[0]
        self.assertEqual(path, "/2018-06-01/runtime/invocation/req-1/response")
        out = json.loads(body)
        self.assertEqual(out["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], 12)
        self.assertEqual(out["TOTAL_NUMBER_OF_ITEMS_IN_ERROR"], 2)
        self.assertEqual(out["DESTINATION_TABLE_NAME"], "tb_ev_vehicle_data")
        self.assertEqual(out["ERROR_DATA_LOCATION"],
                         "s3://source-bucket/migration_errors/execution_name=pkg-test")

    def test_named_time_zone_loads_from_the_package_without_system_tzdata(self):
        # A mapping with a TTL in a named zone; the runtime (a private mount
        # namespace with an empty /usr/share/zoneinfo) has no tz database:
        # the worker loads the zone from the package's zoneinfo/ (bootstrap
        # sets TZDIR) or fails at init.
        with open(MAPPING) as f:
            mapping_text = f.read()
        mapping = os.path.join(self.dir, "ttl.toml")
        with open(mapping, "w") as f:
            f.write(mapping_text + '\n[derived.expires_at]\nttl_from = "Model Year"\n'
                    'format = "%Y-%m-%d"\ntime_zone = "America/New_York"\n')
        task = self.unpacked(mapping, "tz")
        with open(os.path.join(task, "zoneinfo", "America", "New_York"), "rb") as f:
            self.assertEqual(f.read(4), b"TZif")
        self.assertFalse(os.path.exists(os.path.join(task, "zoneinfo", "posix")))
        if os.geteuid() != 0 or subprocess.run(["unshare", "-m", "true"],
                                               capture_output=True).returncode != 0:
            raise RuntimeError("this test needs root and unshare -m (CI runs as root)")
        script = ('mount --make-rprivate / && mount -t tmpfs none /usr/share/zoneinfo && '
                  'test ! -e /usr/share/zoneinfo/America/New_York && exec "$0"')
        p = self.serve_one(task, "req-tz", {"execution_name": "tz-test", "report": [
            {"NUMBER_OF_ITEMS_WRITTEN": 3, "NUMBER_OF_ITEMS_IN_ERROR": 0}]},
            wrap=("unshare", "-m", "sh", "-c", script))
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual([path for path, _ in RuntimeApi.posts],
                         ["/2018-06-01/runtime/invocation/req-tz/response"], p.stderr.decode())
        self.assertEqual(json.loads(RuntimeApi.posts[0][1])["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], 3)

    def test_binary_of_another_architecture_is_refused(self):
        zip_path = os.path.join(self.dir, "arm.zip")
        p = subprocess.run([sys.executable, PACKAGER, "--arch", "arm64", BIN, MAPPING, zip_path],
                           capture_output=True, text=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("built for x86_64", p.stderr)
        self.assertIn("architecture is arm64", p.stderr)
        self.assertFalse(os.path.exists(zip_path))
        not_elf = os.path.join(self.dir, "bootstrap.sh")
        with open(not_elf, "w") as f:
            f.write("#!/bin/sh\necho placeholder\n")
        p = subprocess.run([sys.executable, PACKAGER, not_elf, MAPPING, zip_path],
                           capture_output=True, text=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("is not an ELF executable", p.stderr)


if __name__ == "__main__":
    servers.ensure_installed()
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed or not result.wasSuccessful() else 0)
