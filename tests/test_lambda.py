#!/usr/bin/env python3
"""csv2ddb as an AWS Lambda custom runtime (the Step Functions Distributed Map
worker), end to end: a loopback server plays the Lambda Runtime API (queued
events on /next with the documented headers; /response, /error and /init/error
recorded), `csv2ddb lambda` serves them, writing into dynalite and putting
error records into s3rver; boto3 checks what landed."""
import csv
import http.server
import io
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import servers  # noqa: E402

from project import BIN, SRC, SAMPLE, EV_MAPPING, NO_FILE  # noqa: E402
from standin import SnsStandIn  # noqa: E402
ERRORS_BUCKET = "lambda-errors"
SOURCE_BUCKET = "lambda-source"
KEY = "DOL Vehicle ID"
TOPIC = "arn:aws:sns:us-east-1:123456789012:csv2ddb-results"


class FakeRuntimeApi:
    """The Lambda Runtime API (2018-06-01) on 127.0.0.1: serves queued events.
    An event given as (event, ms) is served with a deadline `ms` after the
    moment it is handed out (default: 15 minutes)."""

    def __init__(self, events):
        self.events = queue.Queue()
        for e in events:
            e, left_ms = e if isinstance(e, tuple) else (e, 900_000)
            self.events.put((json.dumps(e) if not isinstance(e, str) else e, left_ms))
        self.results = []      # (kind, request id, body dict, error-type header), in order
        self.init_errors = []  # (body dict, error-type header)
        self.next_calls = 0
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def reply(self, code, body=b"", headers=()):
                self.send_response(code)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path != "/2018-06-01/runtime/invocation/next":
                    return self.reply(404)
                api.next_calls += 1
                try:
                    event, left_ms = api.events.get(timeout=30)
                except queue.Empty:
                    return self.reply(500, b'{"errorMessage":"no more events"}')
                self.reply(200, event.encode(), [
                    ("Lambda-Runtime-Aws-Request-Id", str(uuid.uuid4())),
                    ("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + left_ms)),
                    ("Lambda-Runtime-Invoked-Function-Arn",
                     "arn:aws:lambda:us-east-1:123456789012:function:csv2ddb"),
                    ("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793")])

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                doc = json.loads(body) if body else None
                err_type = self.headers.get("Lambda-Runtime-Function-Error-Type")
                parts = self.path.split("/")
                if self.path == "/2018-06-01/runtime/init/error":
                    api.init_errors.append((doc, err_type))
                elif len(parts) == 6 and parts[3] == "invocation" and \
                        parts[5] in ("response", "error"):
                    api.results.append((parts[5], parts[4], doc, err_type))
                else:
                    return self.reply(404)
                self.reply(202, b'{"status":"OK"}')

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def address(self):
        return "127.0.0.1:%d" % self.server.server_address[1]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def sample_text():
    with open(SAMPLE, encoding="utf-8", newline="") as f:
        return f.read()


def sample_rows(n):
    with open(SAMPLE, encoding="utf-8", newline="") as f:
        return [row for _, row in zip(range(n), csv.DictReader(f))]


class LambdaTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import boto3
        from botocore.config import Config
        cls.ddb_server = servers.Dynalite().start()
        cls.s3_server = servers.S3rver().start()
        cls.ddb = boto3.client("dynamodb", endpoint_url=cls.ddb_server.endpoint,
                               **servers.DUMMY_CREDENTIALS)
        cls.s3 = boto3.client("s3", endpoint_url=cls.s3_server.endpoint,
                              config=Config(s3={"addressing_style": "path"}),
                              **servers.S3RVER_CREDENTIALS)
        for bucket in (ERRORS_BUCKET, SOURCE_BUCKET):
            cls.s3.create_bucket(Bucket=bucket)
        cls.create_table("tb_ev_vehicle_data")  # the mapping's table

    @classmethod
    def tearDownClass(cls):
        cls.s3_server.stop()
        cls.ddb_server.stop()

    @classmethod
    def create_table(cls, name):
        cls.ddb.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "dol_vehicle_id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "dol_vehicle_id", "KeyType": "HASH"}])

    def scan_keys(self, table):
        keys = []
        for page in self.ddb.get_paginator("scan").paginate(TableName=table):
            keys += [item["dol_vehicle_id"]["S"] for item in page["Items"]]
        return keys

    def error_objects(self, execution):
        prefix = "migration_errors/execution_name=%s/" % execution
        r = self.s3.list_objects_v2(Bucket=ERRORS_BUCKET, Prefix=prefix)
        return {o["Key"][len(prefix):]: self.s3.get_object(Bucket=ERRORS_BUCKET, Key=o["Key"])
                ["Body"].read().decode() for o in r.get("Contents", [])}

    def env(self, api, table, invocations, **extra):
        env = dict(os.environ, AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="S3RVER",
                   AWS_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true",
                   AWS_SHARED_CREDENTIALS_FILE=NO_FILE, AWS_CONFIG_FILE=NO_FILE,
                   AWS_LAMBDA_RUNTIME_API=api.address, CSV2DDB_MAPPING=EV_MAPPING,
                   CSV2DDB_TABLE=table, CSV2DDB_ERRORS_BUCKET=ERRORS_BUCKET,
                   CSV2DDB_DYNAMODB_ENDPOINT=self.ddb_server.endpoint,
                   CSV2DDB_S3_ENDPOINT=self.s3_server.endpoint,
                   CSV2DDB_LAMBDA_MAX_INVOCATIONS=str(invocations))
        for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION",
                  "CSV2DDB_MAPPING_TOML", "CSV2DDB_ERRORS_PREFIX"):
            env.pop(k, None)
        env.update(extra)
        return env

    def serve(self, events, table="tb_ev_vehicle_data", argv=None, **extra_env):
        """Runs the worker over `events`; returns (exit code, stderr, api)."""
        api = FakeRuntimeApi(events)
        try:
            args = argv or [BIN, "lambda"]
            p = subprocess.run(args, executable=BIN, env=self.env(api, table, len(events),
                                                                  **extra_env),
                               capture_output=True, timeout=90)
        finally:
            api.close()
        return p.returncode, p.stderr.decode(), api

    def ok_results(self, api, n, err):
        self.assertEqual(len(api.results), n, err)
        for kind, _, doc, _ in api.results:
            self.assertEqual(kind, "response", (doc, err))
        return [doc for _, _, doc, _ in api.results]

    def test_csv_items_batch_writes_good_rows_and_puts_rejects_in_s3(self):
        self.create_table("tb_lambda_items")
        rows = sample_rows(300)
        rows[9][KEY] = "  "           # item 10: blank key -> not_blank
        del rows[19]["Model"]         # item 20: a missing column -> field_count
        event = {"Items": rows, "BatchInput": {"execution_name": "exec-items"}}
        # The same batch twice: a retry replaces its error records.
        code, err, api = self.serve([event, event], table="tb_lambda_items")
        self.assertEqual(code, 0, err)
        for doc in self.ok_results(api, 2, err):
            self.assertEqual(doc, {"NUMBER_OF_ITEMS_WRITTEN": 298, "NUMBER_OF_ITEMS_IN_ERROR": 2})
        good = sorted("A_" + r[KEY] for i, r in enumerate(rows) if i not in (9, 19))
        self.assertEqual(sorted(self.scan_keys("tb_lambda_items")), good)
        objects = self.error_objects("exec-items")
        self.assertEqual(len(objects), 2, objects.keys())
        ndjson = [v for k, v in objects.items() if k.endswith(".ndjson")][0]
        recs = [json.loads(line) for line in ndjson.splitlines()]
        # Step Functions does not say which file line a row came from: the
        # record names its row in the batch, never a "line".
        self.assertEqual([(r["batch_row"], r["rule"]) for r in recs],
                         [(10, "not_blank"), (20, "field_count")])
        self.assertNotIn("line", recs[0])
        self.assertTrue(recs[0]["reason"].startswith("batch row 10, column 'DOL Vehicle ID'"),
                        recs[0]["reason"])
        self.assertTrue(recs[1]["reason"].startswith("batch row 20"), recs[1]["reason"])
        self.assertNotIn("line", recs[0]["reason"] + recs[1]["reason"])
        self.assertIn("'Model'", recs[1]["reason"])
        self.assertEqual(recs[0]["execution_name"], "exec-items")
        rejects_csv = [v for k, v in objects.items() if k.endswith(".csv")][0]
        parsed = list(csv.reader(io.StringIO(rejects_csv)))
        self.assertEqual(parsed[0], list(rows[0].keys()))
        self.assertEqual(len(parsed), 3)
        self.assertEqual(parsed[1][list(rows[0].keys()).index(KEY)], "  ")
        # The worker logs JSON lines by default (CloudWatch parses them): every
        # stderr line is one event; ready first, then one batch event each.
        events = [json.loads(line) for line in err.splitlines() if line.strip()]
        self.assertEqual([e["event"] for e in events], ["ready", "batch", "batch"], err)
        for e in events:
            self.assertEqual(e["level"], "info")
            self.assertIn("timestamp", e)
        self.assertEqual(events[1]["execution"], "exec-items")
        self.assertEqual((events[1]["written"], events[1]["in_error"]), (298, 2))

    def test_log_format_text_on_request(self):
        self.create_table("tb_lambda_text_log")
        event = {"Items": sample_rows(3), "BatchInput": {"execution_name": "exec-text"}}
        code, err, api = self.serve([event], table="tb_lambda_text_log",
                                    CSV2DDB_LOG_FORMAT="text")
        self.assertEqual(code, 0, err)
        self.ok_results(api, 1, err)
        lines = [line for line in err.splitlines() if line.strip()]
        self.assertEqual(len(lines), 2, err)
        self.assertTrue(all(line.startswith("csv2ddb: lambda: ") for line in lines), err)
        self.assertIn("3 written, 0 in error", lines[1])

    def test_byte_range_batch_writes_every_row(self):
        self.create_table("tb_lambda_ranges")
        data = sample_text().encode()
        self.s3.put_object(Bucket=SOURCE_BUCKET, Key="ev/sample.csv", Body=data)
        header_end = data.index(b"\n") + 1
        cuts, in_quotes = [], False  # record ends: newlines outside quotes
        for i, b in enumerate(data):
            if b == 0x22:
                in_quotes = not in_quotes
            elif b == 0x0A and not in_quotes:
                cuts.append(i + 1)
        body = len(data) - header_end
        b1 = next(c for c in cuts if c >= header_end + body // 3)
        b2 = next(c for c in cuts if c >= header_end + 2 * body // 3)
        line2 = 1 + data[:b1].count(b"\n") + 1
        rng = lambda s, e, **kw: dict(bucket=SOURCE_BUCKET, key="ev/sample.csv", start=s, end=e,
                                      **kw)
        items = [rng(0, b1),                      # from the object's start: skips the header
                 rng(b1, b2, first_line=line2),   # as `csv2ddb plan` writes them
                 rng(b2, len(data))]              # no first_line: relative lines
        event = {"Items": items, "BatchInput": {"execution_name": "exec-ranges"}}
        code, err, api = self.serve([event], table="tb_lambda_ranges")
        self.assertEqual(code, 0, err)
        [doc] = self.ok_results(api, 1, err)
        self.assertEqual(doc, {"NUMBER_OF_ITEMS_WRITTEN": 5305, "NUMBER_OF_ITEMS_IN_ERROR": 0})
        keys = self.scan_keys("tb_lambda_ranges")
        self.assertEqual(len(keys), 5305)
        self.assertEqual(len(set(keys)), 5305)
        self.assertEqual(self.error_objects("exec-ranges"), {})

    def test_consolidation_unknown_event_and_bootstrap_name(self):
        report = [{"NUMBER_OF_ITEMS_WRITTEN": 298, "NUMBER_OF_ITEMS_IN_ERROR": 2},
                  {"Payload": {"NUMBER_OF_ITEMS_WRITTEN": 100, "NUMBER_OF_ITEMS_IN_ERROR": 1}},
                  [{"NUMBER_OF_ITEMS_WRITTEN": 2, "NUMBER_OF_ITEMS_IN_ERROR": 0}]]
        clean = [{"NUMBER_OF_ITEMS_WRITTEN": 7, "NUMBER_OF_ITEMS_IN_ERROR": 0}]
        events = [{"hello": "world"},
                  {"execution_name": "exec-c", "report": report},
                  "not json at all",
                  {"execution_name": "exec-d", "report": clean}]
        # Named "bootstrap" (as in a Lambda package), without a subcommand.
        code, err, api = self.serve(events, argv=["bootstrap"])
        self.assertEqual(code, 0, err)
        self.assertEqual([r[0] for r in api.results], ["error", "response", "error", "response"])
        _, _, doc, err_type = api.results[0]
        self.assertEqual(err_type, "csv2ddb.InvalidEvent")
        self.assertEqual(doc["errorType"], "csv2ddb.InvalidEvent")
        self.assertIn("unknown event", doc["errorMessage"])
        self.assertEqual(api.results[1][2], {
            "TOTAL_NUMBER_OF_ITEMS_WRITTEN": 400, "TOTAL_NUMBER_OF_ITEMS_IN_ERROR": 3,
            "DESTINATION_TABLE_NAME": "tb_ev_vehicle_data",
            "ERROR_DATA_LOCATION":
                "s3://%s/migration_errors/execution_name=exec-c" % ERRORS_BUCKET})
        self.assertEqual(api.results[2][3], "csv2ddb.InvalidEvent")
        self.assertEqual(api.results[3][2], {
            "TOTAL_NUMBER_OF_ITEMS_WRITTEN": 7, "TOTAL_NUMBER_OF_ITEMS_IN_ERROR": 0,
            "DESTINATION_TABLE_NAME": "tb_ev_vehicle_data"})
        # With AWS_LAMBDA_RUNTIME_API set, no subcommand also means "lambda".
        code, err, api = self.serve([{"execution_name": "x", "report": []}], argv=[BIN])
        self.assertEqual(code, 0, err)
        self.assertEqual(self.ok_results(api, 1, err)[0]["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], 0)

    def test_consolidation_reads_the_result_writer_output_from_s3(self):
        # What a Distributed Map's ResultWriter stores: a manifest listing result
        # files, each an array of child executions with the batch result in Output.
        results = [{"ExecutionArn": "arn:1", "Status": "SUCCEEDED",
                    "Output": json.dumps({"NUMBER_OF_ITEMS_WRITTEN": 370, "NUMBER_OF_ITEMS_IN_ERROR": 1})},
                   {"ExecutionArn": "arn:2", "Status": "SUCCEEDED",
                    "Output": json.dumps({"NUMBER_OF_ITEMS_WRITTEN": 12, "NUMBER_OF_ITEMS_IN_ERROR": 0})}]
        failed = [{"ExecutionArn": "arn:3", "Status": "FAILED", "Error": "csv2ddb.WriteFailed",
                   "Cause": "throttled"}]
        base = "migration_results/run-1/"
        self.s3.put_object(Bucket=SOURCE_BUCKET, Key=base + "SUCCEEDED_0.json", Body=json.dumps(results))
        self.s3.put_object(Bucket=SOURCE_BUCKET, Key=base + "FAILED_0.json", Body=json.dumps(failed))
        manifest = {"DestinationBucket": SOURCE_BUCKET, "MapRunArn": "arn:maprun",
                    "ResultFiles": {"SUCCEEDED": [{"Key": base + "SUCCEEDED_0.json", "Size": 1}],
                                    "FAILED": [{"Key": base + "FAILED_0.json", "Size": 1}],
                                    "PENDING": []}}
        self.s3.put_object(Bucket=SOURCE_BUCKET, Key=base + "manifest.json", Body=json.dumps(manifest))
        event = {"execution_name": "exec-rw", "report": {
            "MapRunArn": "arn:maprun",
            "ResultWriterDetails": {"Bucket": SOURCE_BUCKET, "Key": base + "manifest.json"}}}
        code, err, api = self.serve([event])
        self.assertEqual(code, 0, err)
        self.assertEqual(self.ok_results(api, 1, err)[0], {
            "TOTAL_NUMBER_OF_ITEMS_WRITTEN": 382, "TOTAL_NUMBER_OF_ITEMS_IN_ERROR": 1,
            "DESTINATION_TABLE_NAME": "tb_ev_vehicle_data",
            "ERROR_DATA_LOCATION": "s3://%s/migration_errors/execution_name=exec-rw" % ERRORS_BUCKET,
            "NUMBER_OF_FAILED_BATCHES": 1,
            "FAILED_BATCHES": [{"ExecutionArn": "arn:3", "Error": "csv2ddb.WriteFailed",
                                "Cause": "throttled"}]})

    def test_failed_map_is_consolidated_from_what_the_result_writer_wrote(self):
        # The Map failed (past the tolerated failures): its Catch loses the
        # Map's output, and "Collect Failed Map Run" hands the consolidation
        # the error and the execution's ResultWriter prefix
        # (migration_results/<execution name>; the map run id under it is not
        # known). The summary still has the counts, the failed batches and
        # STATUS FAILED; the state machine publishes it as it is ($ to SNS).
        exec_name = "exec-map-failed"
        base = "migration_results/%s/4f1c9a0e-map-run/" % exec_name
        ok = [{"NUMBER_OF_ITEMS_WRITTEN": 370, "NUMBER_OF_ITEMS_IN_ERROR": 0},
              {"NUMBER_OF_ITEMS_WRITTEN": 368, "NUMBER_OF_ITEMS_IN_ERROR": 2}]
        failed = [{"ExecutionArn": "arn:child:%d" % i, "Status": "FAILED",
                   "Error": "Csv2ddb.BatchFailed", "Cause": "csv2ddb.WriteFailed: throttled"}
                  for i in range(3)]
        for name, entries in (("SUCCEEDED_0.json", ok), ("FAILED_0.json", failed)):
            self.s3.put_object(Bucket=SOURCE_BUCKET, Key=base + name,
                               Body="".join(json.dumps(e) + "\n" for e in entries).encode())
        manifest = {"DestinationBucket": SOURCE_BUCKET, "MapRunArn": "arn:maprun",
                    "ResultFiles": {"SUCCEEDED": [{"Key": base + "SUCCEEDED_0.json", "Size": 1}],
                                    "FAILED": [{"Key": base + "FAILED_0.json", "Size": 1}],
                                    "PENDING": []}}
        self.s3.put_object(Bucket=SOURCE_BUCKET, Key=base + "manifest.json",
                           Body=json.dumps(manifest))
        # Another execution's results under the same parent prefix: not read.
        self.s3.put_object(Bucket=SOURCE_BUCKET,
                           Key="migration_results/%s-2/x/manifest.json" % exec_name, Body=b"{}")
        map_error = {"Error": "States.ExceedToleratedFailureThreshold",
                     "Cause": "The specified tolerated failure threshold was exceeded"}

        def failed_map_event(name):
            return {"execution_name": name, "tolerated_failure_percentage": 5, "report": {
                "MapError": map_error,
                "ResultWriterPrefix": {"Bucket": SOURCE_BUCKET,
                                       "Prefix": "migration_results/" + name}}}
        # The second: a Map that failed before writing any result.
        events = [failed_map_event(exec_name), failed_map_event("exec-map-failed-early")]
        code, err, api = self.serve(events)
        self.assertEqual(code, 0, err)
        summary, early = self.ok_results(api, 2, err)
        self.assertEqual(summary["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], 738)
        self.assertEqual(summary["TOTAL_NUMBER_OF_ITEMS_IN_ERROR"], 2)
        self.assertEqual(summary["NUMBER_OF_BATCHES"], 5)
        self.assertEqual(summary["NUMBER_OF_FAILED_BATCHES"], 3)
        self.assertEqual([b["ExecutionArn"] for b in summary["FAILED_BATCHES"]],
                         ["arn:child:0", "arn:child:1", "arn:child:2"])
        self.assertEqual(summary["STATUS"], "FAILED")
        self.assertEqual(summary["MAP_ERROR"], map_error)
        self.assertIn("States.ExceedToleratedFailureThreshold", summary["ERROR"])
        self.assertTrue(summary["RESULTS_FOUND"])
        self.assertEqual(summary["RESULTS_LOCATION"],
                         "s3://%s/%smanifest.json" % (SOURCE_BUCKET, base))
        self.assertEqual(summary["ERROR_DATA_LOCATION"],
                         "s3://%s/migration_errors/execution_name=%s" % (ERRORS_BUCKET, exec_name))
        self.assertEqual(early["STATUS"], "FAILED")
        self.assertEqual((early["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], early["NUMBER_OF_BATCHES"]),
                         (0, 0))
        self.assertFalse(early["RESULTS_FOUND"])
        self.assertIn("no batch results were written", early["ERROR"])
        consolidated = [json.loads(line) for line in err.splitlines() if '"consolidated"' in line]
        self.assertEqual([e["map_failed"] for e in consolidated], [True, True], err)

        # "Publish Results": the summary ($) as the SNS message, to a stand-in.
        import boto3
        with SnsStandIn() as sns_server:
            sns = boto3.client("sns", endpoint_url=sns_server.endpoint,
                               **servers.DUMMY_CREDENTIALS)
            sns.publish(TopicArn=TOPIC, Message=json.dumps(summary))
        [(_, form)] = sns_server.requests
        self.assertEqual(form["Action"], ["Publish"])
        self.assertEqual(form["TopicArn"], [TOPIC])
        published = json.loads(form["Message"][0])
        self.assertEqual((published["STATUS"], published["TOTAL_NUMBER_OF_ITEMS_WRITTEN"],
                          published["NUMBER_OF_FAILED_BATCHES"]), ("FAILED", 738, 3))

    def test_consolidation_of_ten_million_rows_in_bounded_memory(self):
        # What the state machine's ResultWriter (COMPACT, JSONL) stores for a
        # 10,000,000-row file in batches of ~370 rows: 27,028 batch results,
        # plus 250 failed batches, whose entries keep their whole input
        # (~240 KB of rows each, 60 MB): the consolidation must stay < 128 MB.
        base = "migration_results/run-10m/"
        ok = [{"NUMBER_OF_ITEMS_WRITTEN": 369, "NUMBER_OF_ITEMS_IN_ERROR": 1}] * 27_027
        ok.append({"NUMBER_OF_ITEMS_WRITTEN": 10, "NUMBER_OF_ITEMS_IN_ERROR": 0})
        keys = []
        for i in range(3):
            part = ok[i * 9_010:(i + 1) * 9_010]
            keys.append(base + "SUCCEEDED_%d.json" % i)
            self.s3.put_object(Bucket=SOURCE_BUCKET, Key=keys[-1],
                               Body="".join(json.dumps(r) + "\n" for r in part).encode())
        self.assertEqual(sum(r["NUMBER_OF_ITEMS_WRITTEN"] + r["NUMBER_OF_ITEMS_IN_ERROR"]
                             for r in ok), 10_000_000)
        rows = json.dumps({"Items": sample_rows(430), "BatchInput": {"execution_name": "x"}})
        failed_lines = []
        for i in range(250):
            failed_lines.append(json.dumps({
                "ExecutionArn": "arn:aws:states:us-east-1:123456789012:execution:sm/MigrateRows:%d" % i,
                "Status": "FAILED", "Error": "Csv2ddb.BatchFailed",
                "Cause": "csv2ddb.WriteFailed: throttled", "Input": rows,
                "InputDetails": {"Included": True}}))
        failed_body = ("\n".join(failed_lines) + "\n").encode()
        self.assertGreater(len(failed_body), 50_000_000)
        self.s3.put_object(Bucket=SOURCE_BUCKET, Key=base + "FAILED_0.json", Body=failed_body)
        manifest = {"DestinationBucket": SOURCE_BUCKET, "MapRunArn": "arn:maprun",
                    "ResultFiles": {"SUCCEEDED": [{"Key": k, "Size": 1} for k in keys],
                                    "FAILED": [{"Key": base + "FAILED_0.json",
                                                "Size": len(failed_body)}],
                                    "PENDING": []}}
        self.s3.put_object(Bucket=SOURCE_BUCKET, Key=base + "manifest.json",
                           Body=json.dumps(manifest))
        event = {"execution_name": "exec-10m", "tolerated_failure_percentage": 5, "report": {
            "MapRunArn": "arn:maprun",
            "ResultWriterDetails": {"Bucket": SOURCE_BUCKET, "Key": base + "manifest.json"}}}
        # Peak RSS of the worker alone: a fresh, small launcher forks and execs it
        # and reads its rusage (a child forked from this test process would
        # inherit the test's own high-water mark across exec).
        launcher = ("import os, sys\n"
                    "pid = os.fork()\n"
                    "if pid == 0:\n"
                    "    os.execv(sys.argv[1], sys.argv[1:])\n"
                    "_, status, usage = os.wait4(pid, 0)\n"
                    "print(usage.ru_maxrss, os.waitstatus_to_exitcode(status))\n")
        api = FakeRuntimeApi([event])
        try:
            p = subprocess.run([sys.executable, "-c", launcher, BIN, "lambda"],
                               env=self.env(api, "tb_ev_vehicle_data", 1), capture_output=True,
                               timeout=120)
        finally:
            api.close()
        err = p.stderr.decode()
        maxrss_kb, code = (int(x) for x in p.stdout.split())
        self.assertEqual(code, 0, err)
        [doc] = self.ok_results(api, 1, err)
        self.assertEqual(doc["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], 27_027 * 369 + 10)
        self.assertEqual(doc["TOTAL_NUMBER_OF_ITEMS_IN_ERROR"], 27_027)
        self.assertEqual(doc["NUMBER_OF_FAILED_BATCHES"], 250)
        self.assertEqual(len(doc["FAILED_BATCHES"]), 20)
        self.assertEqual(doc["FAILED_BATCHES"][0]["Error"], "Csv2ddb.BatchFailed")
        self.assertEqual(doc["NUMBER_OF_BATCHES"], 27_028 + 250)
        self.assertEqual(doc["STATUS"], "SUCCEEDED")  # 250 of 27,278 < 5 %
        peak_mb = maxrss_kb / 1024
        print("consolidation of 10,000,000 rows: peak RSS %.1f MB" % peak_mb, file=sys.stderr)
        # The bound is the Release binary's: ASan's redzones and quarantine
        # multiply heap use, so the sanitized build checks the result only.
        if os.environ.get("CSV2DDB_SANITIZED", "0") in ("0", ""):
            self.assertLess(peak_mb, 128, err)

    def test_deadline_near_stops_and_the_retry_finishes_without_duplicate_error_records(self):
        self.create_table("tb_lambda_deadline")
        rows = sample_rows(250)
        rows[4][KEY] = ""      # batch row 5: not_blank
        rows[199][KEY] = " "   # batch row 200: not_blank
        event = {"Items": rows, "BatchInput": {"execution_name": "exec-deadline"}}
        # First delivery: the deadline is nearer than the worker's minimum margin.
        # Second (the state machine's Retry): plenty of time.
        code, err, api = self.serve([(event, 200), event], table="tb_lambda_deadline")
        self.assertEqual(code, 0, err)
        self.assertEqual([r[0] for r in api.results], ["error", "response"], err)
        _, _, doc, err_type = api.results[0]
        self.assertEqual(err_type, "csv2ddb.Incomplete")
        self.assertEqual(doc["errorType"], "csv2ddb.Incomplete")
        partial = json.loads(doc["errorMessage"])
        self.assertEqual(partial, {"NUMBER_OF_ITEMS_WRITTEN": 0, "NUMBER_OF_ITEMS_IN_ERROR": 0,
                                   "BATCH_ITEMS": 250, "BATCH_ITEMS_NOT_DONE": 250})
        self.assertEqual(api.results[1][2],
                         {"NUMBER_OF_ITEMS_WRITTEN": 248, "NUMBER_OF_ITEMS_IN_ERROR": 2})
        self.assertEqual(len(self.scan_keys("tb_lambda_deadline")), 248)
        objects = self.error_objects("exec-deadline")
        self.assertEqual(len(objects), 2, objects.keys())
        ndjson = [v for k, v in objects.items() if k.endswith(".ndjson")][0]
        self.assertEqual([json.loads(l)["batch_row"] for l in ndjson.splitlines()], [5, 200])

    def test_broken_mapping_is_an_init_error(self):
        code, err, api = self.serve([{"execution_name": "x", "report": []}],
                                    CSV2DDB_MAPPING_TOML="[table\nname = ")
        self.assertNotEqual(code, 0, err)
        self.assertEqual(len(api.init_errors), 1, err)
        doc, err_type = api.init_errors[0]
        self.assertEqual(err_type, "csv2ddb.InitError")
        self.assertEqual(doc["errorType"], "csv2ddb.InitError")
        self.assertIn("CSV2DDB_MAPPING_TOML", doc["errorMessage"])
        self.assertEqual(api.next_calls, 0)
        self.assertEqual(api.results, [])


if __name__ == "__main__":
    servers.ensure_installed()
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed or not result.wasSuccessful() else 0)
