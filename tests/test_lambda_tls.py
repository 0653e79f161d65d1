#!/usr/bin/env python3
"""TLS where the CA bundle is not where the build machine keeps it (issue 11,
point 1): Amazon Linux 2023, Lambda's runtime, has its bundle at
/etc/pki/tls/certs/ca-bundle.crt and no /etc/ssl/certs/ca-certificates.crt.

Each case runs the program in a private mount namespace (unshare -m, as root)
whose /etc is a copy without /etc/ssl and /etc/pki, plus, per case, the test
CA at the Amazon Linux path. DynamoDB (dynalite) is reached only through a
loopback HTTPS proxy whose certificate that CA signed, so an invocation (or a
run) completes only if the program found the CA. Cases: the unpacked Lambda
package and the CLI with the CA at the Amazon Linux path; with SSL_CERT_FILE;
the package with no system CA at all (its own bundle); and, to show that
verification stays on, the CLI with no CA anywhere (it must fail).

Needs root and unshare (CI runs as root): without them the suite FAILS."""
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boto3  # noqa: E402
import servers  # noqa: E402
from project import BIN, SRC, SAMPLE, EV_MAPPING, NO_FILE  # noqa: E402
from test_lambda import FakeRuntimeApi  # noqa: E402
from tls_proxy import TestPki, TlsProxy  # noqa: E402

PACKAGER = os.path.join(SRC, "scripts", "package_lambda.py")
AL2023_BUNDLE = "/etc/pki/tls/certs/ca-bundle.crt"
HIDDEN = ["/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/certs", "/etc/ssl/cert.pem",
          "/etc/ssl/ca-bundle.pem", "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"]

# Runs "$@" with /etc replaced by a copy: no /etc/ssl, no /etc/pki, and the
# CA file $CA (if set) at the Amazon Linux 2023 path. Checks the result first.
NAMESPACE_SCRIPT = r"""
set -eu
mount --make-rprivate /
cp -a /etc "$ROOT/etc"
rm -rf "$ROOT/etc/ssl" "$ROOT/etc/pki"
if [ -n "${CA:-}" ]; then
  mkdir -p "$ROOT/etc/pki/tls/certs"
  cp "$CA" "$ROOT/etc/pki/tls/certs/ca-bundle.crt"
fi
mount --bind "$ROOT/etc" /etc
for p in %s; do
  if [ -e "$p" ]; then echo "namespace setup: $p is still visible" >&2; exit 97; fi
done
if [ -n "${CA:-}" ] && ! cmp -s "$CA" %s; then echo "namespace setup: no CA at AL path" >&2; exit 98; fi
exec "$@"
""" % (" ".join(HIDDEN), AL2023_BUNDLE)


def sample_rows(n):
    with open(SAMPLE, encoding="utf-8", newline="") as f:
        return [row for _, row in zip(range(n), csv.DictReader(f))]


class TlsCaBundle(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise RuntimeError("test_lambda_tls needs root (a private mount namespace); "
                               "CI runs as root: run this suite as root")
        probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
        if probe.returncode != 0:
            raise RuntimeError("unshare -m failed (%s): this suite needs mount namespaces"
                               % probe.stderr.decode().strip())
        cls.dir = tempfile.mkdtemp(prefix="csv2ddb_tls_")
        cls.pki = TestPki(cls.dir)
        cls.ddb_server = servers.Dynalite().start()
        cls.proxy = TlsProxy(cls.ddb_server.endpoint, cls.pki)
        cls.ddb = boto3.client("dynamodb", endpoint_url=cls.ddb_server.endpoint,
                               **servers.DUMMY_CREDENTIALS)
        cls.tables = 0
        # The package, unpacked; a second one that ships the test CA as its bundle.
        cls.task = cls.unpack("task", [])
        cls.task_own_ca = cls.unpack("task-own-ca", ["--ca-bundle", cls.pki.ca_cert])

    @classmethod
    def tearDownClass(cls):
        cls.proxy.close()
        cls.ddb_server.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def unpack(cls, name, extra):
        zip_path = os.path.join(cls.dir, name + ".zip")
        subprocess.run([sys.executable, PACKAGER, *extra, BIN, EV_MAPPING, zip_path],
                       check=True, capture_output=True)
        task = os.path.join(cls.dir, name)
        os.mkdir(task)
        subprocess.run(["unzip", "-q", zip_path, "-d", task], check=True)
        return task

    def new_table(self):
        TlsCaBundle.tables += 1
        name = "tb_tls_%d" % TlsCaBundle.tables
        self.ddb.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "dol_vehicle_id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "dol_vehicle_id", "KeyType": "HASH"}])
        return name

    def count(self, table):
        return self.ddb.scan(TableName=table, Select="COUNT")["Count"]

    def in_namespace(self, argv, env, ca, timeout=90):
        root = tempfile.mkdtemp(dir=self.dir)
        env = dict(env, ROOT=root, CA=ca or "", PATH="/usr/sbin:/usr/bin:/sbin:/bin")
        try:
            return subprocess.run(["unshare", "-m", "sh", "-c", NAMESPACE_SCRIPT, "ns", *argv],
                                  env=env, capture_output=True, timeout=timeout, cwd="/")
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def base_env(self):
        return {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
                "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_CONFIG_FILE": NO_FILE, "AWS_SHARED_CREDENTIALS_FILE": NO_FILE,
                "HOME": self.dir}

    def invoke_package(self, task, ca, **extra):
        table = self.new_table()
        rows = sample_rows(40)
        api = FakeRuntimeApi([{"Items": rows, "BatchInput": {"execution_name": "tls"}}])
        env = dict(self.base_env(), AWS_LAMBDA_RUNTIME_API=api.address,
                   CSV2DDB_LAMBDA_MAX_INVOCATIONS="1", CSV2DDB_TABLE=table,
                   CSV2DDB_ERRORS_BUCKET="errors", CSV2DDB_DYNAMODB_ENDPOINT=self.proxy.endpoint,
                   CSV2DDB_S3_ENDPOINT=self.proxy.endpoint, **extra)
        try:
            p = self.in_namespace([os.path.join(task, "bootstrap")], env, ca)
        finally:
            api.close()
        return p, api, table

    def run_cli(self, ca, **extra):
        table = self.new_table()
        src = os.path.join(self.dir, "rows.csv")
        with open(SAMPLE, encoding="utf-8", newline="") as f:
            head = "".join(line for _, line in zip(range(31), f))
        with open(src, "w", encoding="utf-8", newline="") as f:
            f.write(head)
        state = tempfile.mkdtemp(dir=self.dir)
        argv = [BIN, "run", src, "-m", EV_MAPPING, "-t", "dynamodb://" + table,
                "--endpoint-url", self.proxy.endpoint, "--region", "us-east-1", "-q",
                "--state-dir", state, "--name", "tls"]
        p = self.in_namespace(argv, dict(self.base_env(), **extra), ca)
        return p, table

    def assert_invocation_ok(self, p, api, table):
        err = p.stderr.decode()
        self.assertEqual(p.returncode, 0, err)
        self.assertEqual(len(api.results), 1, err)
        kind, _, doc, _ = api.results[0]
        self.assertEqual(kind, "response", (doc, err))
        self.assertEqual(doc, {"NUMBER_OF_ITEMS_WRITTEN": 40, "NUMBER_OF_ITEMS_IN_ERROR": 0})
        self.assertEqual(self.count(table), 40)

    def test_package_finds_the_amazon_linux_bundle(self):
        before = self.proxy.requests
        p, api, table = self.invoke_package(self.task, self.pki.ca_cert)
        self.assert_invocation_ok(p, api, table)
        self.assertGreater(self.proxy.requests, before, "DynamoDB was reached over HTTPS")

    def test_package_honours_ssl_cert_file(self):
        p, api, table = self.invoke_package(self.task, None, SSL_CERT_FILE=self.pki.ca_cert)
        self.assert_invocation_ok(p, api, table)

    def test_package_falls_back_to_its_own_bundle(self):
        p, api, table = self.invoke_package(self.task_own_ca, None)
        self.assert_invocation_ok(p, api, table)

    def test_package_without_any_ca_fails_verification(self):
        p, api, _ = self.invoke_package(self.task, None)
        err = p.stderr.decode()
        self.assertNotEqual(p.returncode, 0, err)
        self.assertEqual(len(api.init_errors), 1, err)  # DescribeTable at init fails
        self.assertRegex(api.init_errors[0][0]["errorMessage"], r"(?i)certificate|SSL|TLS")

    def test_cli_finds_the_amazon_linux_bundle(self):
        p, table = self.run_cli(self.pki.ca_cert)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(self.count(table), 30)

    def test_cli_honours_ssl_cert_file(self):
        p, table = self.run_cli(None, SSL_CERT_FILE=self.pki.ca_cert)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(self.count(table), 30)

    def test_cli_without_any_ca_fails_verification(self):
        p, table = self.run_cli(None)
        err = p.stderr.decode()
        self.assertNotEqual(p.returncode, 0, err)
        self.assertRegex(err, r"(?i)certificate|SSL|TLS")
        self.assertEqual(self.count(table), 0)


if __name__ == "__main__":
    servers.ensure_installed()
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed or not result.wasSuccessful() else 0)
