#!/usr/bin/env python3
"""End-to-end tests of the DynamoDB target against a real DynamoDB-API server
(dynalite on loopback), checked with boto3; faults injected by a loopback proxy."""
import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import boto3  # noqa: E402
from boto3.dynamodb.types import TypeDeserializer  # noqa: E402
import servers  # noqa: E402
from dynalite_case import DynaliteCase  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402
from standin import LoopbackStandIn, QuietHandler  # noqa: E402

from project import BIN, SRC, SAMPLE, EV_MAPPING, TABLE, NO_FILE  # noqa: E402
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="csv2ddb-test-secret",
           AWS_EC2_METADATA_DISABLED="true", AWS_SHARED_CREDENTIALS_FILE=NO_FILE,
           AWS_CONFIG_FILE=NO_FILE)
ENV.pop("AWS_PROFILE", None)


def scan(endpoint, table=TABLE):
    c = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                     aws_access_key_id="x", aws_secret_access_key="y")
    items, kwargs = {}, {"TableName": table}
    while True:
        page = c.scan(**kwargs)
        for it in page["Items"]:
            items[it["dol_vehicle_id"]["S"]] = it
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class Base(DynaliteCase):
    scratch_prefix = "csv2ddb_ddb_"

    def write(self, name, text):
        with open(self.path(name), "w", newline="") as f:
            f.write(text)
        return self.path(name)

    def run_cli(self, *args, env=ENV):
        p = subprocess.run([BIN, *args], capture_output=True, env=env, cwd=self.dir, timeout=300)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def migrate(self, src, table, endpoint=None, name="t", extra=(), expect=0):
        code, out, err = self.run_cli(
            "run", src, "-m", EV_MAPPING, "-t", "dynamodb://" + table,
            "--endpoint-url", endpoint or self.ddb.endpoint, "--region", "us-east-1",
            "--create-table", "--quiet", "--name", name, "--errors", self.path("errors"),
            "--state-dir", self.path("state"), *extra)
        self.assertEqual(code, expect, err)
        return (json.loads(out) if out.strip() else None), err


class Migration(Base):
    def test_sample_matches_the_embedded_target_item_for_item(self):
        summary, _ = self.migrate(SAMPLE, "tb_ev_sample")
        self.assertEqual(summary["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], 5305)
        self.assertEqual(summary["TOTAL_NUMBER_OF_ITEMS_IN_ERROR"], 0)
        self.assertEqual(summary["DESTINATION_TABLE_NAME"], "tb_ev_sample")
        code, _, err = self.run_cli("run", SAMPLE, "-m", EV_MAPPING, "-t",
                                    "sqlite://" + self.path("ref.sqlite"), "-q", "--name", "ref",
                                    "--state-dir", self.path("state"))
        self.assertEqual(code, 0, err)
        con = sqlite3.connect(self.path("ref.sqlite"))
        want = {k: json.loads(v) for k, v in con.execute(f"SELECT dol_vehicle_id, item FROM {TABLE}")}
        con.close()
        got = scan(self.ddb.endpoint, "tb_ev_sample")
        self.assertEqual(len(got), 5305)
        self.assertEqual(got, want)

    def test_duplicates_later_row_wins_and_rejects_are_exact(self):
        with open(SAMPLE, encoding="utf-8") as f:
            header, *rows = f.read().splitlines()
        rows = rows[:40]
        bad = [",".join([""] * 17), "short,row"]  # a blank key and a short row: rejects
        # Each row three times in a row, with a changed State: the last copy must win.
        near = [header] + [r.replace(",WA,", f",W{c},", 1) for r in rows for c in range(3)] + bad
        # The same, but the copies far apart (different chunks).
        far = [header] + [r.replace(",WA,", f",W{c},", 1) for c in range(3) for r in rows] + bad
        for name, lines, chunk in (("near", near, "1m"), ("far", far, "2k")):
            src = self.write(name + ".csv", "\n".join(lines) + "\n")
            summary, _ = self.migrate(src, "tb_" + name, name=name,
                                      extra=["--workers", "2", "--chunk-size", chunk])
            self.assertEqual(summary["TOTAL_NUMBER_OF_RECORDS_READ"], 122)
            self.assertEqual(summary["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], 120)
            self.assertEqual(summary["TOTAL_NUMBER_OF_ITEMS_IN_ERROR"], 2)
            # No count that depends on how the file was cut (issue 10, defect 3).
            self.assertNotIn("DUPLICATE_KEYS_REPLACED", summary)
            got = scan(self.ddb.endpoint, "tb_" + name)
            self.assertEqual(len(got), 40)
            for item in got.values():
                self.assertEqual(item["state"]["S"], "W2", (name, item["dol_vehicle_id"]))
            with open(os.path.join(summary["ERROR_DATA_LOCATION"], "rejects.ndjson")) as f:
                recs = [json.loads(line) for line in f]
            self.assertEqual(sorted(r["rule"] for r in recs), ["field_count", "not_blank"])


class FailsClearly(Base):
    """Each of these ends with a clear error and a non-zero exit, never a success summary."""

    def check(self, args, needle, env=ENV, code_range=(1, 2)):
        code, out, err = self.run_cli(*args, env=env)
        self.assertIn(code, code_range, (out, err))
        self.assertNotIn('"STATUS": "SUCCEEDED"', out)
        self.assertIn(needle, err)
        self.assertNotIn("csv2ddb-test-secret", out + err)
        return err

    def args(self, table, endpoint, *extra):
        return ["run", SAMPLE, "-m", EV_MAPPING, "-t", "dynamodb://" + table, "--endpoint-url",
                endpoint, "--region", "us-east-1", "-q", "--state-dir", self.path("state"), *extra]

    def test_endpoint_down(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.check(self.args(TABLE, f"http://127.0.0.1:{port}"), f"127.0.0.1")

    def test_endpoint_down_leaves_a_failed_execution_to_resume(self):
        """Issue 10, defect 13: an unreachable target is retried, then the run
        fails with an execution that `status` shows and `resume` continues."""
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        args = self.args(TABLE, f"http://127.0.0.1:{port}", "--name", "down")
        self.check(args, "127.0.0.1", code_range=(1, 1))
        code, out, err = self.run_cli("status", "down", "--state-dir", self.path("state"))
        self.assertEqual(code, 0, err)
        status = json.loads(out)
        self.assertEqual(status["status"], "FAILED", out)
        self.assertIn("127.0.0.1", out)
        code, out, err = self.run_cli("resume", "down", "--state-dir", self.path("state"), "-q")
        self.assertEqual(code, 1, (out, err))  # still down: the same failure, not "no such execution"
        self.assertIn("127.0.0.1", err)

    def test_missing_table(self):
        self.check(self.args("tb_missing", self.ddb.endpoint), "does not exist")

    def test_key_type_mismatch(self):
        c = boto3.client("dynamodb", endpoint_url=self.ddb.endpoint, region_name="us-east-1",
                         aws_access_key_id="x", aws_secret_access_key="y")
        c.create_table(TableName="tb_numkey", BillingMode="PAY_PER_REQUEST",
                       AttributeDefinitions=[{"AttributeName": "dol_vehicle_id", "AttributeType": "N"}],
                       KeySchema=[{"AttributeName": "dol_vehicle_id", "KeyType": "HASH"}])
        err = self.check(self.args("tb_numkey", self.ddb.endpoint), "dol_vehicle_id (N)")
        self.assertIn("dol_vehicle_id (S)", err)

    def test_no_credentials(self):
        env = {k: v for k, v in ENV.items() if not k.startswith("AWS_ACCESS") and k != "AWS_SECRET_ACCESS_KEY"}
        env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = ""
        self.check(self.args(TABLE, self.ddb.endpoint), "credentials", env=env)

    def test_credentials_refused(self):
        # A loopback endpoint that answers as DynamoDB does for unknown keys.
        body = json.dumps({"__type": "com.amazon.coral.service#UnrecognizedClientException",
                           "message": "The security token included in the request is invalid."})
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(8)
        port = srv.getsockname()[1]

        def serve():
            while True:
                try:
                    conn, _ = srv.accept()
                except OSError:
                    return
                with conn:
                    conn.recv(65536)
                    conn.sendall(("HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.0\r\n"
                                  f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}").encode())

        t = threading.Thread(target=serve, daemon=True)
        t.start()
        try:
            self.check(self.args(TABLE, f"http://127.0.0.1:{port}"), "UnrecognizedClientException")
        finally:
            srv.close()


def marked_sample(path, marker, lines_to_mark):
    """The sample with `marker` put into the City of the given data lines."""
    with open(SAMPLE, encoding="utf-8", newline="") as f:
        rows = f.read().splitlines()
    for n in lines_to_mark:
        fields = rows[n - 1].split(",")
        fields[2] = marker
        rows[n - 1] = ",".join(fields)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(rows) + "\n")


class ServerRejects(Base):
    def test_validation_exception_is_narrowed_to_exactly_the_offending_rows(self):
        src = self.path("marked.csv")
        marked = [10, 11, 2000, 5306]
        marked_sample(src, "BAD-ROW", marked)
        with FaultProxy(self.ddb.endpoint, probability=0.0,
                        markers={b"BAD-ROW": "ValidationException"}) as proxy:
            summary, _ = self.migrate(src, "tb_validation", endpoint=proxy.endpoint)
        self.assertEqual(summary["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], 5305 - len(marked))
        self.assertEqual(summary["TOTAL_NUMBER_OF_ITEMS_IN_ERROR"], len(marked))
        self.assertGreater(summary["TARGET_STATS"]["split_requests"], 0)
        with open(os.path.join(summary["ERROR_DATA_LOCATION"], "rejects.ndjson")) as f:
            recs = [json.loads(line) for line in f]
        self.assertEqual([r["line"] for r in recs], marked)
        for r in recs:
            self.assertEqual(r["rule"], "target")
            self.assertIn("ValidationException", r["reason"])
            self.assertEqual(r["record"]["City"], "BAD-ROW")
        self.assertEqual(len(scan(self.ddb.endpoint, "tb_validation")), 5305 - len(marked))


class FaultInjection(Base):
    def test_exact_table_through_resets_500s_throttling_and_unprocessed_items(self):
        with FaultProxy(self.ddb.endpoint, probability=0.3, max_faults=60, seed=11) as proxy:
            summary, _ = self.migrate(SAMPLE, "tb_faults", endpoint=proxy.endpoint,
                                      extra=["--workers", "2", "--chunk-size", "64k"])
            counts = proxy.counts()
        self.assertEqual(summary["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], 5305)
        self.assertGreater(counts["faults"], 20, counts)
        for kind in ("reset_before", "reset_after", "http_500", "throughput_exceeded",
                     "throttling", "unprocessed"):
            self.assertGreater(counts[kind], 0, (kind, counts))
        stats = summary["TARGET_STATS"]
        self.assertGreater(stats["retries"], 0, stats)
        got = scan(self.ddb.endpoint, "tb_faults")
        self.assertEqual(len(got), 5305)


class TtlStandIn(LoopbackStandIn):
    """dynalite has no UpdateTimeToLive (and answers DescribeTimeToLive with
    DISABLED always): this stand-in in front of it answers both the way
    DynamoDB does, after checking each UpdateTimeToLive request against
    botocore's model of the operation (target, content type, signature,
    parameters); every other request goes to dynalite unchanged."""

    def __init__(self, upstream):
        import botocore.session
        from botocore.validate import ParamValidator
        model = botocore.session.get_session().get_service_model("dynamodb")
        shape = model.operation_model("UpdateTimeToLive").input_shape
        self.updates, self.problems, self.enabled = [], [], {}
        outer, host = self, upstream.split("//", 1)[1]

        class Handler(QuietHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                target = self.headers.get("X-Amz-Target", "")
                if target == "DynamoDB_20120810.UpdateTimeToLive":
                    params = json.loads(body)
                    report = ParamValidator().validate(params, shape)
                    if report.has_errors():
                        outer.problems.append(report.generate_report())
                    if self.headers.get("Content-Type") != "application/x-amz-json-1.0":
                        outer.problems.append("content type " + str(self.headers.get("Content-Type")))
                    if "AWS4-HMAC-SHA256" not in self.headers.get("Authorization", ""):
                        outer.problems.append("unsigned")
                    outer.updates.append(params)
                    spec = params.get("TimeToLiveSpecification", {})
                    outer.enabled[params.get("TableName")] = spec.get("AttributeName")
                    return self.reply(200, "application/x-amz-json-1.0",
                                      json.dumps({"TimeToLiveSpecification": spec}))
                if target == "DynamoDB_20120810.DescribeTimeToLive":
                    name = json.loads(body).get("TableName")
                    desc = ({"TimeToLiveStatus": "ENABLED", "AttributeName": outer.enabled[name]}
                            if name in outer.enabled else {"TimeToLiveStatus": "DISABLED"})
                    return self.reply(200, "application/x-amz-json-1.0",
                                      json.dumps({"TimeToLiveDescription": desc}))
                conn = http.client.HTTPConnection(host, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                conn.request("POST", self.path, body=body, headers=headers)
                r = conn.getresponse()
                data = r.read()
                self.send_response(r.status)
                for k, v in r.getheaders():
                    if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

        super().__init__(Handler)


class CreateTableTtl(Base):
    """--create-table with a mapping that has a TTL attribute ([derived.X]
    ttl_from) enables TTL on the table it creates."""

    def run_single_table(self, table, endpoint, name=None):
        return self.run_cli(
            "run", os.path.join(SRC, "examples", "single_table.csv"),
            "-m", os.path.join(SRC, "examples", "single_table.toml"),
            "-t", "dynamodb://" + table, "--endpoint-url", endpoint, "--region", "us-east-1",
            "--create-table", "--quiet", "--name", name or table, "--errors", self.path("errors"),
            "--state-dir", self.path("state"))

    def test_created_table_gets_ttl_on_the_mapping_attribute(self):
        with TtlStandIn(self.ddb.endpoint) as standin:
            code, out, err = self.run_single_table("tb_ttl_created", standin.endpoint)
            self.assertEqual(code, 0, err)
            c = boto3.client("dynamodb", endpoint_url=standin.endpoint, region_name="us-east-1",
                             aws_access_key_id="x", aws_secret_access_key="y")
            desc = c.describe_time_to_live(TableName="tb_ttl_created")["TimeToLiveDescription"]
        self.assertEqual(standin.problems, [])
        self.assertEqual(standin.updates, [{
            "TableName": "tb_ttl_created",
            "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True}}])
        self.assertEqual(desc, {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"})
        summary = json.loads(out)
        self.assertGreater(summary["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], 0)
        # The items carry the attribute as epoch seconds (N).
        items = boto3.client("dynamodb", endpoint_url=self.ddb.endpoint, region_name="us-east-1",
                             aws_access_key_id="x", aws_secret_access_key="y").scan(
                                 TableName="tb_ttl_created")["Items"]
        self.assertTrue(any("expires_at" in it for it in items))
        for it in items:
            if "expires_at" in it:
                self.assertLess(int(it["expires_at"]["N"]), 4102444800)
        # A second run finds the table: no second UpdateTimeToLive.
        with TtlStandIn(self.ddb.endpoint) as again:
            code, _, err = self.run_single_table("tb_ttl_created", again.endpoint, name="again")
            self.assertEqual(code, 0, err)
        self.assertEqual(again.updates, [])

    def test_endpoint_without_update_time_to_live_warns_and_loads(self):
        # dynalite itself answers UnknownOperationException.
        code, out, err = self.run_single_table("tb_ttl_dynalite", self.ddb.endpoint)
        self.assertEqual(code, 0, err)
        self.assertIn("does not support UpdateTimeToLive", err)
        self.assertIn("expires_at", err)
        self.assertGreater(json.loads(out)["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], 0)


if __name__ == "__main__":
    servers.ensure_installed()
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed or not result.wasSuccessful() else 0)
