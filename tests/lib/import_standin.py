"""A loopback stand-in for DynamoDB's ImportTable and DescribeImport (no local
DynamoDB implements them). Every request is checked against botocore's service
model (the input shape, with botocore's own validator) and must be signed; then
the stand-in performs the import itself: it reads the objects under the
S3KeyPrefix from the S3 server (s3rver), parses them as DYNAMODB_JSON with the
independent loader (import_loader.py), creates the table in dynalite with the
TableCreationParameters and writes the items there. ClientToken is honoured as
DynamoDB does: the same token and parameters return the same import; other
parameters give IdempotentParameterMismatchException.

    with ImportStandIn(s3_endpoint, dynalite_endpoint, fail=False) as imp:
        ... csv2ddb run ... --endpoint-url imp.endpoint --start-import
        imp.calls   # [("ImportTable", params), ("DescribeImport", params), ...]

With fail=True the import ends FAILED (FailureCode, FailureMessage, ErrorCount)
and writes nothing. The first DescribeImport of an import answers IN_PROGRESS
(with its counts), the next ones its final status.
"""
import json
import threading

import boto3
import botocore.session
import botocore.validate

import import_loader
import servers
from standin import LoopbackStandIn, QuietHandler

_MODEL = botocore.session.get_session().get_service_model("dynamodb")
_PREFIX = "DynamoDB_20120810."


def _enum_errors(value, shape, path):
    """botocore's validator leaves enums alone; the service does not."""
    if shape.type_name == "structure" and isinstance(value, dict):
        return [e for k, v in value.items() if k in shape.members
                for e in _enum_errors(v, shape.members[k], path + "." + k)]
    if shape.type_name == "list" and isinstance(value, list):
        return [e for i, v in enumerate(value)
                for e in _enum_errors(v, shape.member, "%s[%d]" % (path, i))]
    if shape.type_name == "string" and shape.enum and value not in shape.enum:
        return ["%s: %r is not one of %s" % (path, value, shape.enum)]
    return []


def validate(operation, params):
    """botocore's validation errors for `params` of `operation` ("" if none),
    enum values included."""
    shape = _MODEL.operation_model(operation).input_shape
    report = botocore.validate.ParamValidator().validate(params, shape)
    problems = [report.generate_report()] if report.has_errors() else []
    problems += _enum_errors(params, shape, operation)
    return "\n".join(problems)


class ImportStandIn(LoopbackStandIn):
    def __init__(self, s3_endpoint, dynamodb_endpoint, fail=False):
        standin = self
        self.s3 = boto3.client("s3", endpoint_url=s3_endpoint, **servers.S3RVER_CREDENTIALS)
        self.ddb = boto3.client("dynamodb", endpoint_url=dynamodb_endpoint,
                                **servers.DUMMY_CREDENTIALS)
        self.fail = fail
        self.calls = []
        self.imports = {}   # arn -> description
        self.tokens = {}    # ClientToken -> (params, arn)
        self.lock = threading.Lock()
        # hold_describe: the first DescribeImport reaches the stand-in, which
        # sets `held` and answers only once released (a test kills the client
        # meanwhile).
        self.hold_describe = False
        self.held = threading.Event()
        self._release = threading.Event()

        class Handler(QuietHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                target = self.headers.get("X-Amz-Target", "")
                status, answer = standin.handle(target, body, self.headers)
                try:
                    self.reply(status, "application/x-amz-json-1.0", json.dumps(answer))
                except (BrokenPipeError, ConnectionResetError):
                    pass   # a held answer to a client the test killed

        super().__init__(Handler)

    @staticmethod
    def error(code, message):
        return 400, {"__type": "com.amazonaws.dynamodb.v20120810#" + code, "message": message}

    def handle(self, target, body, headers):
        if not headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 Credential="):
            return self.error("MissingAuthenticationTokenException", "request is not signed")
        if not target.startswith(_PREFIX):
            return self.error("UnknownOperationException", target)
        op = target[len(_PREFIX):]
        try:
            params = json.loads(body)
        except ValueError:
            return self.error("SerializationException", "body is not JSON")
        with self.lock:
            self.calls.append((op, params))
        if op not in ("ImportTable", "DescribeImport"):
            return self.error("UnknownOperationException", op)
        problems = validate(op, params)
        if problems:
            return self.error("ValidationException", problems)
        if op == "DescribeImport" and self.hold_describe and not self.held.is_set():
            self.held.set()
            self._release.wait(120)
        with self.lock:
            if op == "ImportTable":
                return self.import_table(params)
            return self.describe_import(params)

    def import_table(self, params):
        token = params.get("ClientToken")
        if token in self.tokens:
            before, arn = self.tokens[token]
            if before != params:
                return self.error("IdempotentParameterMismatchException",
                                  "same ClientToken, other parameters")
            return 200, {"ImportTableDescription": self.imports[arn]["public"]}
        table = params["TableCreationParameters"]["TableName"]
        if table in self.ddb.list_tables()["TableNames"]:
            return self.error("ResourceInUseException", "table exists: " + table)
        arn = "arn:aws:dynamodb:us-east-1:111122223333:table/%s/import/%016d" % (
            table, len(self.imports) + 1)
        public = {
            "ImportArn": arn, "ImportStatus": "IN_PROGRESS",
            "TableArn": "arn:aws:dynamodb:us-east-1:111122223333:table/" + table,
            "ClientToken": token, "S3BucketSource": params["S3BucketSource"],
            "InputFormat": params["InputFormat"],
            "InputCompressionType": params.get("InputCompressionType", "NONE"),
            "TableCreationParameters": params["TableCreationParameters"],
            "CloudWatchLogGroupArn": "arn:aws:logs:us-east-1:111122223333:log-group:"
                                     "/aws-dynamodb/imports:*",
            "ProcessedItemCount": 0, "ImportedItemCount": 0, "ErrorCount": 0,
        }
        self.imports[arn] = {"public": public, "params": params, "described": 0}
        self.tokens[token] = (params, arn)
        return 200, {"ImportTableDescription": public}

    def run_import(self, rec):
        """Reads the files and loads them into dynalite; the final counts."""
        params, public = rec["params"], rec["public"]
        src = params["S3BucketSource"]
        items = []
        kw = {"Bucket": src["S3Bucket"], "Prefix": src.get("S3KeyPrefix", "")}
        while True:
            page = self.s3.list_objects_v2(**kw)
            for obj in page.get("Contents", []):
                data = self.s3.get_object(Bucket=src["S3Bucket"], Key=obj["Key"])["Body"].read()
                items += import_loader.read_import_file(data, public["InputCompressionType"])
            if not page.get("IsTruncated"):
                break
            kw["ContinuationToken"] = page["NextContinuationToken"]
        public["ProcessedItemCount"] = len(items)
        public["ProcessedSizeBytes"] = sum(len(json.dumps(i)) for i in items)
        if self.fail:
            public.update(ImportStatus="FAILED", ErrorCount=len(items),
                          FailureCode="ItemValidationError",
                          FailureMessage="stand-in told to fail this import")
            return
        create = dict(params["TableCreationParameters"])
        create.pop("SSESpecification", None)
        self.ddb.create_table(**create)
        import_loader.load_items(self.ddb, create["TableName"], items)
        public.update(ImportStatus="COMPLETED", ImportedItemCount=len(items))

    def describe_import(self, params):
        rec = self.imports.get(params["ImportArn"])
        if rec is None:
            return self.error("ImportNotFoundException", params["ImportArn"])
        rec["described"] += 1
        if rec["described"] == 1:
            rec["public"]["ProcessedItemCount"] = 1   # some progress to report
        elif rec["public"]["ImportStatus"] == "IN_PROGRESS":
            self.run_import(rec)
        return 200, {"ImportTableDescription": rec["public"]}

    def release(self):
        self._release.set()

    def count(self, op):
        with self.lock:
            return sum(1 for o, _ in self.calls if o == op)
