#!/usr/bin/env python3
"""End-to-end tests of the write governor (issue 13): the rate chosen from the
table's capacity (DescribeTable on dynalite), printed as an event and in the
summary JSON with the write capacity consumed; retries through injected
throttling neither starve nor collapse the rate. Checked with boto3."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import boto3  # noqa: E402
import capacity_sim as cs  # noqa: E402
import servers  # noqa: E402
from dynalite_case import DynaliteCase  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402

from project import BIN, SAMPLE, EV_MAPPING, NO_FILE  # noqa: E402
import subprocess  # noqa: E402

ENV = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="csv2ddb-test-secret",
           AWS_EC2_METADATA_DISABLED="true", AWS_SHARED_CREDENTIALS_FILE=NO_FILE,
           AWS_CONFIG_FILE=NO_FILE)
ENV.pop("AWS_PROFILE", None)
ROWS = 5305  # the sample's data rows (distinct keys)


class Governor(DynaliteCase):
    scratch_prefix = "csv2ddb_governor_"

    def client(self):
        return boto3.client("dynamodb", endpoint_url=self.ddb.endpoint, region_name="us-east-1",
                            aws_access_key_id="x", aws_secret_access_key="y")

    def create_provisioned(self, table, wcu, gsi_wcu=None):
        kwargs = dict(
            TableName=table,
            KeySchema=[{"AttributeName": "dol_vehicle_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "dol_vehicle_id", "AttributeType": "S"}],
            ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": wcu})
        if gsi_wcu:
            kwargs["AttributeDefinitions"].append({"AttributeName": "make", "AttributeType": "S"})
            kwargs["GlobalSecondaryIndexes"] = [{
                "IndexName": "by_make",
                "KeySchema": [{"AttributeName": "make", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": gsi_wcu}}]
        c = self.client()
        c.create_table(**kwargs)
        c.get_waiter("table_exists").wait(TableName=table)

    def count(self, table):
        c, n, kwargs = self.client(), 0, {"TableName": table, "Select": "COUNT"}
        while True:
            page = c.scan(**kwargs)
            n += page["Count"]
            if "LastEvaluatedKey" not in page:
                return n
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def run_cli(self, table, *extra, endpoint=None):
        p = subprocess.run(
            [BIN, "run", SAMPLE, "-m", EV_MAPPING, "-t", "dynamodb://" + table,
             "--endpoint-url", endpoint or self.ddb.endpoint, "--region", "us-east-1",
             "--name", table, "--errors", self.path("errors"), "--state-dir", self.path("state"),
             "--log-format", "json", *extra],
            capture_output=True, env=ENV, cwd=self.dir, timeout=300)
        err = p.stderr.decode()
        self.assertEqual(p.returncode, 0, err)
        events = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
        decisions = [e for e in events if e["event"] == "write_capacity"]
        self.assertEqual(len(decisions), 1, err)
        return json.loads(p.stdout), decisions[0]

    def test_provisioned_table_gets_half_its_capacity_and_wcu_are_counted(self):
        self.create_provisioned("tb_prov", 2000)
        summary, decision = self.run_cli("tb_prov")
        self.assertIn("1000 WCU/s", decision["decision"])
        self.assertIn("50% (--write-percent) of the provisioned 2000 WCU", decision["decision"])
        cap = summary["WRITE_CAPACITY"]
        self.assertEqual(cap["mode"], "provisioned")
        self.assertEqual(cap["start_wcu_per_second"], 1000)
        self.assertEqual(cap["table_provisioned_wcu"], 2000)
        self.assertEqual(cap["decision"], decision["decision"])
        # Every EV item is under 1 KB: one WCU each, as dynalite reports
        # (ReturnConsumedCapacity) and as estimated.
        self.assertEqual(summary["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], ROWS)
        self.assertEqual(cap["write_units_source"], "server")
        self.assertEqual(cap["write_units"], ROWS)
        self.assertEqual(cap["write_units_estimated"], ROWS)
        self.assertEqual(summary["TARGET_STATS"]["write_units"], ROWS)
        self.assertGreater(cap["wcu_per_second"], 0)
        # No faster than the cap allows (plus one second of burst).
        self.assertGreater(summary["DURATION_SECONDS"], (ROWS - 1000) / 1000 * 0.9)
        self.assertEqual(self.count("tb_prov"), ROWS)

    def test_write_percent_and_gsi_amplification(self):
        self.create_provisioned("tb_gsi", 1000, gsi_wcu=600)
        summary, decision = self.run_cli("tb_gsi", "--write-percent", "100")
        # min(1000, 600) x (table + 1 GSI)
        self.assertIn("1200 WCU/s", decision["decision"])
        self.assertIn("1 GSI", decision["decision"])
        cap = summary["WRITE_CAPACITY"]
        self.assertEqual(cap["gsis"], 1)
        # Every item has "make": it costs its unit twice (table + index).
        self.assertEqual(cap["write_units_estimated"], 2 * ROWS)
        self.assertEqual(self.count("tb_gsi"), ROWS)

    def test_on_demand_table_starts_at_four_thousand(self):
        summary, decision = self.run_cli("tb_od", "--create-table")
        self.assertIn("4000 WCU/s", decision["decision"])
        self.assertIn("on-demand", decision["decision"])
        cap = summary["WRITE_CAPACITY"]
        self.assertEqual(cap["mode"], "on-demand")
        self.assertEqual(cap["ceiling_wcu_per_second"], 40000)
        self.assertLessEqual(cap["rate_wcu_per_second"], 4000)  # no ramp within 30 minutes
        self.assertEqual(cap["write_units"], ROWS)

    def test_explicit_cap_with_injected_throttling_retries_once_per_fault(self):
        with FaultProxy(self.ddb.endpoint, probability=0.3, max_faults=40, seed=13,
                        kinds=("throttling", "throughput_exceeded", "unprocessed")) as proxy:
            summary, decision = self.run_cli("tb_cap", "--create-table", "--max-wcu", "1500",
                                             "--workers", "2", "--chunk-size", "64k",
                                             endpoint=proxy.endpoint)
            counts = proxy.counts()
        self.assertIn("1500 WCU/s", decision["decision"])
        self.assertIn("--max-wcu", decision["decision"])
        stats, cap = summary["TARGET_STATS"], summary["WRITE_CAPACITY"]
        self.assertEqual(summary["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], ROWS)
        self.assertGreater(counts["faults"], 10, counts)
        # Each fault costs one re-send of the request (or of its unprocessed
        # items), never a storm; the rate is cut at most once per fault and
        # stays at or above its floor (half of a cap given).
        self.assertGreater(stats["retries"], 0, stats)
        self.assertLessEqual(stats["retries"], counts["faults"], (stats, counts))
        self.assertLessEqual(cap["rate_decreases"], counts["faults"])
        self.assertGreaterEqual(cap["rate_wcu_per_second"], 1500 / 2)
        # Refunds: a throttled request wrote nothing and paid nothing, so the
        # WCU counted are those of the items, once each.
        self.assertEqual(cap["write_units"], ROWS)
        self.assertEqual(self.count("tb_cap"), ROWS)

    def test_warm_throughput_sets_the_table_first_and_the_governor_starts_there(self):
        # An on-demand table that reports 4000 WCU/s warm (the simulator in
        # front of dynalite models DescribeTable's WarmThroughput and
        # UpdateTable's): --warm-throughput 6000 raises it before the load
        # and the governor starts at 6000, not at 4000.
        with cs.CapacitySim(self.ddb.endpoint,
                            cs.TableSettings("on-demand", partitions=4, warm_wcu=4000)) as sim:
            summary, decision = self.run_cli("tb_warm", "--create-table", "--warm-throughput",
                                             "6000", endpoint=sim.endpoint)
            table = sim.stats()["tables"]["tb_warm"]
            c = boto3.client("dynamodb", endpoint_url=sim.endpoint, region_name="us-east-1",
                             aws_access_key_id="x", aws_secret_access_key="y")
            warm = c.describe_table(TableName="tb_warm")["Table"]["WarmThroughput"]
        # The simulator took the UpdateTable: warm 6000, 6 partitions of 1000.
        self.assertEqual(warm["WriteUnitsPerSecond"], 6000, warm)
        self.assertEqual(table["partitions"], 6, table)
        self.assertEqual(table["items_written"], ROWS, table)
        self.assertIn("6000 WCU/s", decision["decision"])
        self.assertIn("warm throughput", decision["decision"])
        cap = summary["WRITE_CAPACITY"]
        self.assertEqual(cap["mode"], "on-demand")
        self.assertEqual(cap["start_wcu_per_second"], 6000)
        self.assertEqual(cap["table_warm_wcu"], 6000)
        self.assertEqual(self.count("tb_warm"), ROWS)


if __name__ == "__main__":
    servers.ensure_installed()
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed or not result.wasSuccessful() else 0)
