#!/usr/bin/env python3
"""`csv2ddb estimate` and `run --max-cost` (issue 14 points 1 and 5).

The estimate of the 500k-row EV file (bench/gen_ev.py) is compared, exactly,
with a hand calculation done here in Python over the same rows: each item's
size by the rules of "DynamoDB item sizes and formats" as the mapping types
the row, 1 KB rounding per item, GSI amplification, then the prices. Also:
items at the 1 KB boundaries, rejects by rule, the JSON shape and the table
output, the price flags, a provisioned table with GSIs described in DynamoDB
(dynalite), and `--max-cost` refusing (exit 5, nothing written) or letting
the run start."""
import csv
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import boto3  # noqa: E402
from dynalite_case import DynaliteCase  # noqa: E402
from project import BIN, SRC, EV_MAPPING, NO_FILE  # noqa: E402

ENV = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="csv2ddb-test-secret",
           AWS_EC2_METADATA_DISABLED="true", AWS_SHARED_CREDENTIALS_FILE=NO_FILE,
           AWS_CONFIG_FILE=NO_FILE, AWS_REGION="us-east-1")
ENV.pop("AWS_PROFILE", None)
ENV.pop("AWS_DEFAULT_REGION", None)

ROWS = 500000
PRICES = json.load(open(os.path.join(SRC, "data", "dynamodb_prices.json")))
US = PRICES["regions"]["us-east-1"]

# The EV columns typed as the typed mapping below types them.
TYPED_MAPPING = """
[table]
name = "tb_ev_typed"
partition_key = { name = "dol_vehicle_id", type = "S" }
billing_mode = "PROVISIONED"
read_capacity = 5
write_capacity = 800

[[table.gsi]]
name = "by_make"
partition_key = { name = "make", type = "S" }

[[table.gsi]]
name = "by_city_year"
partition_key = { name = "city", type = "S" }
sort_key = { name = "model_year", type = "N" }
projection = "KEYS_ONLY"

[columns."DOL Vehicle ID"]
not_blank = true
transforms = [{ prefix = "A_" }]
[columns."Model Year"]
type = "N"
[columns."Electric Range"]
type = "N"
[columns."Base MSRP"]
type = "N"
[columns."Legislative District"]
type = "N"
[columns."2020 Census Tract"]
type = "N"
"""
TYPED_N = {"model_year", "electric_range", "base_msrp", "legislative_district",
           "2020_census_tract"}


def run(*args, **kw):
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=kw.pop("env", ENV),
                          timeout=kw.pop("timeout", 600), **kw)


def estimate(*args, **kw):
    r = run("estimate", *args, "--output", "json", "--no-progress", **kw)
    if r.returncode != 0:
        raise AssertionError(f"estimate failed ({r.returncode}): {r.stderr}")
    return json.loads(r.stdout)


# ---------------------------------------------------------------- the hand calculation

def number_size(text):
    """ceil(significant digits / 2) + 1; sign, point and exponent not counted; zero: 1 digit."""
    mantissa = text.lstrip("+-").lower().split("e")[0].replace(".", "")
    digits = len(mantissa.strip("0")) or 1
    return (digits + 1) // 2 + 1


def is_dynamo_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and text.lower() not in ("inf", "-inf", "+inf", "nan", "infinity")


def hand_estimate(path, typed, gsis):
    """Items, rejects, bytes and write units of `path`, per AWS's rules, as the mapping types it."""
    out = dict(records=0, items=0, rejected=0, item_bytes=0, max_item_bytes=0,
               items_over_1kb=0, table_wu=0, gsi_wu=0, rules={})
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = [h.lower().replace(" ", "_") for h in next(reader)]
        for row in reader:
            out["records"] += 1
            item = dict(zip(header, row))
            if not item["dol_vehicle_id"].strip():
                out["rejected"] += 1
                out["rules"]["not_blank"] = out["rules"].get("not_blank", 0) + 1
                continue
            item["dol_vehicle_id"] = "A_" + item["dol_vehicle_id"]
            size = 0
            present = set()
            bad = False
            for name, value in item.items():
                if typed and name in TYPED_N:
                    if value == "":
                        continue  # on_empty "omit", the default of N
                    if not is_dynamo_number(value):
                        bad = True
                        break
                    size += len(name.encode()) + number_size(value)
                else:
                    size += len(name.encode()) + len(value.encode())  # "" kept for S
                present.add(name)
            if bad:
                out["rejected"] += 1
                out["rules"]["number"] = out["rules"].get("number", 0) + 1
                continue
            units = max(1, math.ceil(size / 1024))
            touched = sum(1 for pk, sk in gsis if pk in present and (not sk or sk in present))
            out["items"] += 1
            out["item_bytes"] += size
            out["max_item_bytes"] = max(out["max_item_bytes"], size)
            out["items_over_1kb"] += units > 1
            out["table_wu"] += units
            out["gsi_wu"] += units * touched
    return out


def ev_file():
    """The 500k-row EV file, generated once into the build folder (or a temp folder)."""
    cache = os.path.join(os.environ.get("CSV2DDB_BUILD_DIR") or tempfile.gettempdir(),
                         "test-cache")
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, "ev_500k.csv")
    fresh = os.path.exists(path) and os.path.getmtime(path) >= os.path.getmtime(
        os.path.join(SRC, "bench", "gen_ev.py"))
    if fresh:
        with open(path, "rb") as f:
            fresh = sum(1 for _ in f) == ROWS + 1
    if not fresh:
        subprocess.run([sys.executable, os.path.join(SRC, "bench", "gen_ev.py"), "--rows",
                        str(ROWS), "--out", path + ".tmp"], check=True)
        os.replace(path + ".tmp", path)
    return path


class EstimateEvFile(unittest.TestCase):
    """The 500k-row EV file: the binary's figures equal the hand calculation."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="csv2ddb_estimate_")
        cls.csv = ev_file()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def check_against_hand(self, got, want, gsis):
        self.assertEqual(got["records"], ROWS)
        self.assertEqual(got["records"], want["records"])
        self.assertEqual(got["items"], want["items"])
        self.assertEqual(got["rejected"], want["rejected"])
        self.assertEqual(got["items"] + got["rejected"], got["records"])
        self.assertEqual(got["rejects_by_rule"], want["rules"])
        self.assertEqual(got["item_bytes"], want["item_bytes"])
        self.assertEqual(got["max_item_bytes"], want["max_item_bytes"])
        self.assertEqual(got["items_over_1kb"], want["items_over_1kb"])
        self.assertEqual(got["write_units"]["table"], want["table_wu"])
        self.assertEqual(got["write_units"]["gsi"], want["gsi_wu"])
        total = want["table_wu"] + want["gsi_wu"]
        self.assertEqual(got["write_units"]["total"], total)
        self.assertEqual(got["source_bytes"], os.path.getsize(self.csv))
        self.assertEqual(got["gsis"], [g for g, _, _ in gsis])
        self.assertEqual(got["cost"]["on_demand_writes"],
                         round(total / 1e6 * US["on_demand_write_per_million"], 6))
        self.assertEqual(got["cost"]["import_table"],
                         round(os.path.getsize(self.csv) / 2**30 * US["import_per_gb"], 6))
        self.assertEqual(got["prices"]["date"], PRICES["date"])
        self.assertEqual(got["prices"]["region"], "us-east-1")

    def test_ev_mapping_all_strings(self):
        got = estimate(self.csv, "--mapping", EV_MAPPING)
        want = hand_estimate(self.csv, typed=False, gsis=[])
        self.check_against_hand(got, want, [])
        self.assertEqual(got["write_units"]["gsi"], 0)
        # No rate: no time, no provisioned cost, and the output says why.
        self.assertIsNone(got["rate"])
        self.assertIsNone(got["seconds"])
        self.assertIsNone(got["cost"]["provisioned_writes"])
        self.assertTrue(any("--wcu" in n for n in got["notes"]), got["notes"])

    def test_typed_mapping_with_gsis_and_provisioned_rate(self):
        mapping = os.path.join(self.dir, "typed.toml")
        with open(mapping, "w") as f:
            f.write(TYPED_MAPPING)
        got = estimate(self.csv, "--mapping", mapping)
        gsis = [("by_make", "make", ""), ("by_city_year", "city", "model_year")]
        want = hand_estimate(self.csv, typed=True, gsis=[(pk, sk) for _, pk, sk in gsis])
        self.check_against_hand(got, want, gsis)
        self.assertGreater(got["write_units"]["gsi"], got["write_units"]["table"])
        self.assertEqual(got["gsi_source"], "mapping")
        # The mapping's provisioned write capacity is the rate.
        total = got["write_units"]["total"]
        self.assertEqual(got["rate"]["wcu_per_second"], 800)
        self.assertEqual(got["seconds"], round(total / 800, 6))
        hours = math.ceil(total / 800 / 3600)
        self.assertEqual(got["cost"]["provisioned_hours"], hours)
        self.assertEqual(got["cost"]["provisioned_writes"],
                         round(800 * hours * US["provisioned_wcu_hour"], 6))


class EstimateSmallFiles(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="csv2ddb_estimate_")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w", newline="") as f:
            f.write(text)
        return path

    def boundary_files(self):
        mapping = self.write("m.toml", """[table]
name = "sizes"
partition_key = { name = "id", type = "S" }
[columns.id]
not_blank = true
[columns.n]
type = "N"
""")
        rows = ["id,v,n"]
        # Item size: "id" + id (2 + 2) + "v" + value (1 + len) + "n" + number (1 + 2).
        for i, size in enumerate([1023, 1024, 1025, 2048, 2049]):
            rows.append(f"r{i},{'x' * (size - 4 - 1 - 3)},7")
        rows.append(",blank id,1")           # rule not_blank
        rows.append("r8,bad number,1e")      # rule number
        rows.append("r9,no number,")         # N empty: omitted, 2 + 2 + 1 + 9
        return self.write("sizes.csv", "\n".join(rows) + "\n"), mapping

    def test_items_at_1kb_boundaries_and_rejects_by_rule(self):
        data, mapping = self.boundary_files()
        got = estimate(data, "--mapping", mapping, "--wcu", "2")
        self.assertEqual(got["records"], 8)
        self.assertEqual(got["items"], 6)
        self.assertEqual(got["rejected"], 2)
        self.assertEqual(got["rejects_by_rule"], {"not_blank": 1, "number": 1})
        self.assertEqual(got["item_bytes"], 1023 + 1024 + 1025 + 2048 + 2049 + 14)
        self.assertEqual(got["max_item_bytes"], 2049)
        self.assertEqual(got["items_over_1kb"], 3)
        self.assertEqual(got["write_units"]["table"], 1 + 1 + 2 + 2 + 3 + 1)
        self.assertEqual(got["seconds"], 5.0)  # 10 units at 2 WCU/s
        self.assertEqual(got["rate"], {"wcu_per_second": 2, "source": "--wcu"})

    def test_json_shape_and_table_output(self):
        data, mapping = self.boundary_files()
        got = estimate(data, "--mapping", mapping)
        self.assertEqual(set(got), {
            "input", "mapping", "table", "records", "items", "rejected", "rejects_by_rule",
            "blank_lines", "source_bytes", "item_bytes", "average_item_bytes", "max_item_bytes",
            "items_over_1kb", "write_units", "gsis", "gsi_source", "rate", "seconds", "cost",
            "prices", "read_seconds", "notes"})
        self.assertEqual(set(got["cost"]), {"on_demand_writes", "provisioned_writes",
                                            "provisioned_hours", "import_table"})
        self.assertEqual(set(got["prices"]), {
            "region", "date", "currency", "source_url", "on_demand_write_per_million",
            "provisioned_wcu_hour", "import_per_gb", "verified", "overridden"})
        self.assertEqual(got["table"], "sizes")
        self.assertEqual(got["prices"]["currency"], "USD")
        self.assertTrue(got["prices"]["source_url"].startswith("https://"))
        table = run("estimate", data, "--mapping", mapping, "--output", "table", "--no-progress")
        self.assertEqual(table.returncode, 0, table.stderr)
        self.assertIn("Estimate", table.stdout)
        self.assertRegex(table.stdout, r"\| write_units\.total\s+\| 10\s+\|")
        self.assertRegex(table.stdout, r"\| prices\.date\s+\| " + PRICES["date"])

    def test_price_flags_and_regions(self):
        data, mapping = self.boundary_files()
        got = estimate(data, "--mapping", mapping, "--wcu", "1", "--price-wru", "2",
                       "--price-wcu-hour", "0.5", "--price-import-gb", "1024")
        self.assertEqual(got["cost"]["on_demand_writes"], round(10 / 1e6 * 2, 6))
        self.assertEqual(got["cost"]["provisioned_writes"], 0.5)  # 1 WCU for one (started) hour
        self.assertEqual(got["cost"]["import_table"],
                         round(os.path.getsize(data) / 2**30 * 1024, 6))
        self.assertEqual(got["prices"]["overridden"],
                         ["--price-wru", "--price-wcu-hour", "--price-import-gb"])
        # A region of the table without an import price; one missing from it.
        eu = estimate(data, "--mapping", mapping, "--region", "eu-west-1")
        self.assertEqual(eu["prices"]["region"], "eu-west-1")
        self.assertIsNone(eu["cost"]["import_table"])
        self.assertFalse(eu["prices"]["verified"])
        self.assertTrue(any("not verified" in n for n in eu["notes"]), eu["notes"])
        nowhere = estimate(data, "--mapping", mapping, "--region", "xx-nowhere-1")
        self.assertIsNone(nowhere["cost"]["on_demand_writes"])
        self.assertTrue(any("no prices for region xx-nowhere-1" in n for n in nowhere["notes"]))
        # A price file of one's own.
        own = self.write("prices.json", json.dumps({
            "date": "2030-01-01", "source_url": "https://example.invalid/",
            "regions": {"us-east-1": {"on_demand_write_per_million": 10}}}))
        mine = estimate(data, "--mapping", mapping, "--prices", own)
        self.assertEqual(mine["prices"]["date"], "2030-01-01")
        self.assertEqual(mine["cost"]["on_demand_writes"], round(10 / 1e6 * 10, 6))
        bad = run("estimate", data, "--mapping", mapping, "--prices", self.write("b.json", "{"))
        self.assertEqual(bad.returncode, 2)
        self.assertIn("price table", bad.stderr)
        neg = run("estimate", data, "--mapping", mapping, "--price-wru", "-1")
        self.assertEqual(neg.returncode, 2)

    def test_max_cost_refuses_above_the_limit_and_writes_nothing(self):
        data, mapping = self.boundary_files()
        target = os.path.join(self.dir, "out.sqlite")
        state = os.path.join(self.dir, "state")
        args = ["run", data, "--mapping", mapping, "--target", "sqlite://" + target,
                "--state-dir", state, "--errors", os.path.join(self.dir, "errors"),
                "--no-progress", "--output", "json"]
        # 10 write units on demand at $0.625 per million: $0.00000625.
        r = run(*args, "--max-cost", "0.000001", "--name", "over")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("above --max-cost", r.stderr)
        self.assertIn("nothing was written", r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertFalse(os.path.exists(target))
        listed = run("list", "--state-dir", state, "--output", "json")
        self.assertNotIn("over", listed.stdout)
        # ... and lets the run go on within it.
        ok = run(*args, "--max-cost", "1", "--name", "within")
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertEqual(json.loads(ok.stdout)["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], 6)
        with sqlite3.connect(target) as db:
            self.assertEqual(db.execute("select count(*) from sizes").fetchone()[0], 6)
        # stdin cannot be read twice.
        with open(data) as f:
            piped = run(*args[:1], "-", *args[2:], "--max-cost", "1", stdin=f)
        self.assertEqual(piped.returncode, 2)
        self.assertIn("stdin", piped.stderr)

    def test_max_cost_json_log(self):
        data, mapping = self.boundary_files()
        r = run("run", data, "--mapping", mapping, "--target", "null://", "--state-dir",
                os.path.join(self.dir, "s"), "--max-cost", "0", "--log-format", "json")
        self.assertEqual(r.returncode, 5, r.stderr)
        events = [json.loads(line) for line in r.stderr.splitlines()]
        refusal = [e for e in events if e.get("event") == "max_cost"]
        self.assertEqual(len(refusal), 1, events)
        self.assertGreater(refusal[0]["estimated_cost"], 0)
        self.assertEqual(refusal[0]["write_units"], 10)


class EstimateDynamoDbTable(DynaliteCase):
    """--target dynamodb://T: the rate and the GSIs come from the table."""

    def test_provisioned_table_with_a_gsi(self):
        c = boto3.client("dynamodb", endpoint_url=self.ddb.endpoint, region_name="us-east-1",
                         aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x")
        c.create_table(
            TableName="cars", BillingMode="PROVISIONED",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                                  {"AttributeName": "v", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 3},
            GlobalSecondaryIndexes=[{
                "IndexName": "by_v", "KeySchema": [{"AttributeName": "v", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 2}}])
        c.get_waiter("table_exists").wait(TableName="cars")
        data = self.path("d.csv")
        with open(data, "w") as f:
            f.write("id,v\na,x\nb,\nc,y\n")  # every item has v ("" is kept for S)
        mapping = self.path("m.toml")
        with open(mapping, "w") as f:
            f.write('[table]\nname = "cars"\npartition_key = { name = "id" }\n')
        got = estimate(data, "--mapping", mapping, "--target", "dynamodb://cars",
                       "--endpoint-url", self.ddb.endpoint)
        self.assertEqual(got["gsis"], ["by_v"])
        self.assertEqual(got["gsi_source"], "table cars")
        self.assertEqual(got["write_units"], {"table": 3, "gsi": 3, "total": 6})
        self.assertEqual(got["rate"]["wcu_per_second"], 5)  # table 3 + GSI 2
        self.assertEqual(got["seconds"], 1.2)
        missing = estimate(data, "--mapping", mapping, "--target", "dynamodb://nope",
                           "--endpoint-url", self.ddb.endpoint)
        self.assertIsNone(missing["rate"])
        self.assertTrue(any("does not exist" in n for n in missing["notes"]))


if __name__ == "__main__":
    unittest.main()
