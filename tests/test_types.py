#!/usr/bin/env python3
"""Typed attributes end to end (issue 12): every DynamoDB type, the empty/null
policies, derived keys and TTL, written to the embedded table and to DynamoDB
(dynalite), read back with boto3's TypeDeserializer and compared with the
Python values expected; every new reject rule checked on both targets; the
typed single-table example in examples/ run on both."""
import base64
import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest
from decimal import Decimal

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import boto3  # noqa: E402
from boto3.dynamodb.types import Binary, TypeDeserializer  # noqa: E402
import servers  # noqa: E402
from project import BIN, SRC, NO_FILE  # noqa: E402

ENV = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="csv2ddb-test-secret",
           AWS_EC2_METADATA_DISABLED="true", AWS_SHARED_CREDENTIALS_FILE=NO_FILE,
           AWS_CONFIG_FILE=NO_FILE)
ENV.pop("AWS_PROFILE", None)

MAX_N = "9.9999999999999999999999999999999999999E+125"
DIGITS38 = "12345678901234567890123456789012345678"

MAPPING = r'''
[table]
name = "typed_items"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }

[attributes]
null_marker = "\\N"

[columns.id]
type = "N"
[columns.price]
type = "N"
[columns.in_stock]
type = "BOOL"
bool_true = ["yes"]
bool_false = ["no"]
[columns.nothing]
type = "NULL"
on_empty = "null"
[columns.blob]
type = "B"
[columns.specs]
type = "M"
[columns.history]
type = "L"
[columns.tags]
type = "SS"
set_separator = "|"
[columns.sizes]
type = "NS"
[columns.hashes]
type = "BS"
[columns.code]
on_empty = "reject"
[columns.sold]
drop = true

[derived.pk]
template = "ITEM#{id}"
[derived.sk]
template = "{state}#{city}"
[derived.entity]
value = "item"
[derived.expires]
ttl_from = "sold"
format = "%Y-%m-%d"
time_zone = "UTC"
add = "30d"
'''

HEADER = ["id", "name", "price", "in_stock", "nothing", "blob", "specs", "history", "tags",
          "sizes", "hashes", "code", "sold", "state", "city", "note"]

GOOD_SPECS = ('{"dims":{"w":1E-130,"h":' + DIGITS38 + ',"neg":-' + MAX_N + '},'
              '"ok":true,"none":null,"label":"x \\"q\\" \\u00e9","empty":{}}')

# (line, row, rule or None). Line 1 is the header.
ROWS = [
    (2, ["1", 'Widget "Pro"', MAX_N, "YES", "", "aGk=", GOOD_SPECS, '[1,"two",[3],{"k":false}]',
         "a|b|a| ", '["1","1.0",2,' + DIGITS38 + ']', '["aGk=","AA==","aGk="]', "c", "2024-03-01",
         "WA", "Seattle", "n"], None),
    (3, ["2", "", "", "", "\\N", "", "", "", "", "[]", "", "c", "", "WA", "Tacoma", "\\N"], None),
    (4, ["3", "", "12abc", "", "", "", "", "", "", "", "", "c", "", "WA", "X", ""], "number"),
    (5, ["4", "", "", "maybe", "", "", "", "", "", "", "", "c", "", "WA", "X", ""], "bool"),
    (6, ["5", "", "", "", "", "!!", "", "", "", "", "", "c", "", "WA", "X", ""], "base64"),
    (7, ["6", "", "", "", "", "", "{bad", "", "", "", "", "c", "", "WA", "X", ""], "json"),
    (8, ["7", "", "", "", "", "", '{"a":[1,{"b":1e999}]}', "", "", "", "", "c", "", "WA", "X", ""],
     "number"),
    (9, ["8", "", "", "", "", "", "", "", "", "", "[1]", "c", "", "WA", "X", ""], "set"),
    (10, ["9", "", "", "", "x", "", "", "", "", "", "", "c", "", "WA", "X", ""], "null"),
    (11, ["", "", "", "", "", "", "", "", "", "", "", "c", "", "WA", "X", ""], "template"),
    (12, ["11", "", "", "", "", "", "", "", "", "", "", "c", "2024-13-01", "WA", "X", ""], "ttl"),
    (13, ["12", "", "", "", "", "", "", "", "", "", "", "", "", "WA", "X", ""], "empty"),
    (14, ["13", "", "", "", "", "", "", "", "", "", "", "c", "1704067200000", "WA", "X", ""], "ttl"),
]

EXPECTED = {
    ("ITEM#1", "WA#Seattle"): {
        "pk": "ITEM#1", "sk": "WA#Seattle", "entity": "item", "id": Decimal(1),
        "name": 'Widget "Pro"', "price": Decimal(MAX_N), "in_stock": True, "nothing": None,
        "blob": Binary(b"hi"),
        "specs": {"dims": {"w": Decimal("1E-130"), "h": Decimal(DIGITS38), "neg": Decimal("-" + MAX_N)},
                  "ok": True, "none": None, "label": 'x "q" \u00e9', "empty": {}},
        "history": [Decimal(1), "two", [Decimal(3)], {"k": False}],
        "tags": {"a", "b"}, "sizes": {Decimal(1), Decimal(2), Decimal(DIGITS38)},
        "hashes": {Binary(b"hi"), Binary(b"\x00")}, "code": "c",
        "expires": Decimal(1709251200 + 30 * 86400), "state": "WA", "city": "Seattle", "note": "n",
    },
    ("ITEM#2", "WA#Tacoma"): {
        "pk": "ITEM#2", "sk": "WA#Tacoma", "entity": "item", "id": Decimal(2), "name": "",
        "nothing": None, "code": "c", "state": "WA", "city": "Tacoma", "note": None,
    },
}
REJECTS = [(line, rule) for line, _, rule in ROWS if rule]


def csv_text(rows):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    for _, row, _ in rows:
        w.writerow(row)
    return out.getvalue()


def decode_binary(value):
    """DynamoDB JSON as the wire carries it -> as botocore hands it over (B, BS as bytes)."""
    (t, v), = value.items()
    if t == "B":
        return {"B": base64.b64decode(v, validate=True)}
    if t == "BS":
        return {"BS": [base64.b64decode(x, validate=True) for x in v]}
    if t == "M":
        return {"M": {k: decode_binary(x) for k, x in v.items()}}
    if t == "L":
        return {"L": [decode_binary(x) for x in v]}
    return value


class Deserializer(TypeDeserializer):
    """boto3's TypeDeserializer, except for numbers with more than 38 digits of
    text: DynamoDB answers 1E+100 as a 101-digit plain number, which boto3's
    38-digit context refuses with decimal.Rounded (boto/boto3 issues 2500 and
    4693; the fix proposed there reads the text with Decimal(), as here)."""

    def _deserialize_n(self, value):
        return Decimal(value)


def python_item(item):
    d = Deserializer()
    return {k: d.deserialize(v) for k, v in item.items()}


class TypedBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ddb = servers.Dynalite()
        cls.ddb.start()
        cls.client = boto3.client("dynamodb", endpoint_url=cls.ddb.endpoint, region_name="us-east-1",
                                  aws_access_key_id="x", aws_secret_access_key="y")

    @classmethod
    def tearDownClass(cls):
        cls.ddb.stop()

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="csv2ddb_types_")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text):
        with open(self.path(name), "w", newline="", encoding="utf-8") as f:
            f.write(text)
        return self.path(name)

    def run_to(self, src, mapping, target, name):
        args = ["run", src, "-m", mapping, "-t", target, "-q", "--name", name,
                "--errors", self.path("errors-" + name), "--state-dir", self.path("state")]
        if target.startswith("dynamodb://"):
            args += ["--endpoint-url", self.ddb.endpoint, "--region", "us-east-1", "--create-table"]
        p = subprocess.run([BIN, *args], capture_output=True, env=ENV, cwd=self.dir, timeout=120)
        self.assertIn(p.returncode, (0, 3), p.stderr.decode())
        summary = json.loads(p.stdout.decode())
        rejects = []
        location = summary.get("ERROR_DATA_LOCATION")
        if location and os.path.exists(os.path.join(location, "rejects.ndjson")):
            with open(os.path.join(location, "rejects.ndjson"), encoding="utf-8") as f:
                rejects = [json.loads(line) for line in f]
        return summary, rejects

    def sqlite_items(self, db, table, keys):
        con = sqlite3.connect(db)
        rows = con.execute(f'SELECT item FROM "{table}"').fetchall()
        con.close()
        out = {}
        for (text,) in rows:
            item = python_item({k: decode_binary(v) for k, v in json.loads(text).items()})
            out[tuple(item[k] for k in keys)] = item
        return out

    def dynamo_items(self, table, keys):
        out, kwargs = {}, {"TableName": table}
        while True:
            page = self.client.scan(**kwargs)
            for raw in page["Items"]:
                item = python_item(raw)
                out[tuple(item[k] for k in keys)] = item
            if "LastEvaluatedKey" not in page:
                return out
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class EveryType(TypedBase):
    maxDiff = None
    def test_every_type_round_trips_through_both_targets(self):
        src = self.write("typed.csv", csv_text(ROWS))
        mapping = self.write("typed.toml", MAPPING)
        _, lite_rejects = self.run_to(src, mapping, "sqlite://" + self.path("t.sqlite"), "lite")
        _, ddb_rejects = self.run_to(src, mapping, "dynamodb://typed_items", "ddb")
        lite = self.sqlite_items(self.path("t.sqlite"), "typed_items", ("pk", "sk"))
        ddb = self.dynamo_items("typed_items", ("pk", "sk"))
        self.assertEqual(lite, EXPECTED)
        self.assertEqual(ddb, EXPECTED)
        for rejects in (lite_rejects, ddb_rejects):
            self.assertEqual([(r["line"], r["rule"]) for r in rejects], REJECTS)
        # The reasons name the column and, inside JSON, the path.
        by_line = {r["line"]: r for r in ddb_rejects}
        self.assertIn("column 'specs'", by_line[8]["reason"])
        self.assertIn("$.a[1].b", by_line[8]["reason"])
        self.assertIn("milliseconds", by_line[14]["reason"])

    def test_the_embedded_table_holds_what_dynamodb_answers(self):
        # Typed DynamoDB JSON, the same text DynamoDB answers (numbers written as
        # it stores them: plain, no exponent, no padding zeros), so both targets
        # hold equal items before any deserializer is involved.
        src = self.write("typed.csv", csv_text(ROWS[:2]))
        mapping = self.write("typed.toml", MAPPING.replace("typed_items", "typed_raw"))
        self.run_to(src, mapping, "sqlite://" + self.path("r.sqlite"), "lite")
        self.run_to(src, mapping, "dynamodb://typed_raw", "ddb")
        con = sqlite3.connect(self.path("r.sqlite"))
        lite = {}
        for (text,) in con.execute("SELECT item FROM typed_raw"):
            item = {k: sorted_sets(decode_binary(v)) for k, v in json.loads(text).items()}
            lite[item["pk"]["S"]] = item
        con.close()
        ddb = {it["pk"]["S"]: {k: sorted_sets(v) for k, v in it.items()}
               for it in self.client.scan(TableName="typed_raw")["Items"]}
        self.assertEqual(len(lite), 2)
        self.assertEqual(lite, ddb)
        self.assertEqual(lite["ITEM#1"]["price"]["N"], "99999999999999999999999999999999999999" + "0" * 88)
        self.assertEqual(lite["ITEM#1"]["specs"]["M"]["dims"]["M"]["w"]["N"], "0." + "0" * 129 + "1")


def sorted_sets(value):
    (t, v), = value.items()
    if t in ("SS", "NS", "BS"):
        return {t: sorted(v)}
    if t == "M":
        return {"M": {k: sorted_sets(x) for k, x in v.items()}}
    if t == "L":
        return {"L": [sorted_sets(x) for x in v]}
    return value


class KeyTypes(TypedBase):
    def test_binary_partition_key_and_numeric_sort_key_from_a_template(self):
        mapping = self.write("keys.toml", """
[table]
name = "typed_keys"
partition_key = { name = "k", type = "B" }
sort_key = { name = "n", type = "N" }
[derived.n]
template = "{major}.{minor}"
type = "N"
""")
        src = self.write("keys.csv", "k,major,minor\naGk=,1,50\nAA==,002,0\naGk=,1,5\nnot-b64,1,1\n")
        for target, name in (("sqlite://" + self.path("k.sqlite"), "lite"), ("dynamodb://typed_keys", "ddb")):
            summary, rejects = self.run_to(src, mapping, target, name)
            self.assertEqual([(r["line"], r["rule"]) for r in rejects], [(5, "base64")])
            # 1.50 and 1.5 are one key: the later row (line 4) wins.
            self.assertEqual(summary["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], 3)
        lite = self.sqlite_items(self.path("k.sqlite"), "typed_keys", ("k", "n"))
        ddb = self.dynamo_items("typed_keys", ("k", "n"))
        self.assertEqual(lite, ddb)
        self.assertEqual(sorted((bytes(k.value), n, it["minor"]) for (k, n), it in ddb.items()),
                         [(b"\x00", Decimal(2), "0"), (b"hi", Decimal("1.5"), "5")])


class Example(TypedBase):
    def test_single_table_example_runs_on_both_targets(self):
        src = os.path.join(SRC, "examples", "single_table.csv")
        mapping = os.path.join(SRC, "examples", "single_table.toml")
        lite_summary, lite_rejects = self.run_to(src, mapping, "sqlite://" + self.path("e.sqlite"), "lite")
        ddb_summary, ddb_rejects = self.run_to(src, mapping, "dynamodb://vehicles_app", "ddb")
        for s in (lite_summary, ddb_summary):
            self.assertEqual(s["TOTAL_NUMBER_OF_ITEMS_IN_ERROR"], 1)
        self.assertEqual([r["rule"] for r in lite_rejects], ["ttl"])
        self.assertEqual([r["rule"] for r in ddb_rejects], ["ttl"])
        lite = self.sqlite_items(self.path("e.sqlite"), "vehicles_app", ("pk", "sk"))
        ddb = self.dynamo_items("vehicles_app", ("pk", "sk"))
        self.assertEqual(lite, ddb)
        with open(src, newline="", encoding="utf-8") as f:
            rows = [r for r in csv.DictReader(f) if not r["Sale Date"].startswith("17")]
        self.assertEqual(len(lite), len(rows))
        for r in rows:
            item = lite[(f"VEHICLE#{r['DOL Vehicle ID']}", f"{r['State']}#{r['City'].upper()}")]
            self.assertEqual(item["entity"], "vehicle")
            self.assertEqual(item["gsi1pk"], "MAKE#" + r["Make"].upper())
            self.assertEqual(item["model_year"], Decimal(r["Model Year"]))
            self.assertIsInstance(item["expires_at"], Decimal)
            self.assertGreater(item["expires_at"], Decimal(946684800))


if __name__ == "__main__":
    unittest.main()
