#!/usr/bin/env python3
"""Self-check of tests/lib/capacity_sim.py: sizing, buckets, ramp, and its answers.

The model tests drive the simulator's clock by hand (no sleeps, no timing).
The proxy tests run it in front of dynalite, with a clock that only moves when
the test says so, and check with boto3 (no retries) that throttled writes come
back as DynamoDB answers them (UnprocessedItems when part of a batch can be
written, ProvisionedThroughputExceededException when none can,
ThrottlingException for an on-demand table over its maximum) and that the
table holds exactly the admitted items.
Prints 'N passed, M failed'; exits non-zero on any failure.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

import boto3  # noqa: E402
import botocore.exceptions  # noqa: E402
from botocore.config import Config  # noqa: E402

import capacity_sim as cs  # noqa: E402
import servers  # noqa: E402

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


class Clock:
    def __init__(self, t=1000.0):
        self.t = t

    def __call__(self):
        return self.t

    def advance(self, dt):
        self.t += dt


def s_item(n_bytes, key="k1"):
    """An item of exactly n_bytes: name 'pk' (2) + key, name 'd' (1) + padding."""
    pad = n_bytes - (2 + len(key)) - 1
    assert pad >= 0
    return {"pk": {"S": key}, "d": {"S": "x" * pad}}


# ------------------------------------------------------------------ sizing
@test
def sizing_scalars():
    assert cs.item_size({"a": {"S": "héllo"}}) == 1 + 6          # UTF-8 bytes
    assert cs.item_size({"n": {"N": "123.450"}}) == 1 + 4          # 5 digits -> 3 + 1
    assert cs.item_size({"n": {"N": "-0.000120"}}) == 1 + 2        # '12' -> 1 + 1
    assert cs.item_size({"n": {"N": "1E+10"}}) == 1 + 2
    assert cs.item_size({"b": {"B": "AAECAw=="}}) == 1 + 4         # raw bytes, not base64
    assert cs.item_size({"t": {"BOOL": True}, "z": {"NULL": True}}) == 2 + 2
    assert cs.item_size({"ss": {"SS": ["ab", "c"]}}) == 2 + 3
    assert cs.item_size({"ns": {"NS": ["1", "22", "333"]}}) == 2 + 2 + 2 + 3


@test
def sizing_documents():
    # List: 3 + per element (1 + size); Map: 3 + per entry (1 + name + size)
    assert cs.item_size({"l": {"L": []}}) == 1 + 3
    assert cs.item_size({"l": {"L": [{"S": "ab"}, {"N": "7"}]}}) == 1 + 3 + (1 + 2) + (1 + 2)
    assert cs.item_size({"m": {"M": {"k": {"S": "v"}}}}) == 1 + 3 + (1 + 1 + 1)
    assert cs.item_size({"m": {"M": {"x": {"L": [{"BOOL": False}]}}}}) == \
        1 + 3 + (1 + 1 + (3 + 1 + 1))


@test
def sizing_kilobyte_edges():
    assert cs.item_size(s_item(1024)) == 1024
    assert cs.size_units(cs.item_size(s_item(1024))) == 1
    assert cs.size_units(cs.item_size(s_item(1025))) == 2
    assert cs.size_units(cs.item_size(s_item(2048))) == 2
    assert cs.size_units(cs.item_size(s_item(2049))) == 3
    assert cs.size_units(0) == 1


@test
def cost_counts_touched_gsis_and_replaced_items():
    sim = cs.CapacitySim("http://127.0.0.1:9", clock=Clock())
    sim.learn_schema("t", {
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [
            {"IndexName": "g1", "KeySchema": [{"AttributeName": "d", "KeyType": "HASH"}]},
            {"IndexName": "g2", "KeySchema": [{"AttributeName": "e", "KeyType": "HASH"}]}]})
    units, key, size = sim.cost("t", s_item(1025))
    assert (units, size) == (2 * 2, 1025), (units, size)   # table + g1 (has d), not g2
    sim.remember("t", key, 3000)                           # a 3 KB item already there
    assert sim.cost("t", s_item(100))[0] == 3 * 2          # larger of old and new
    assert sim.cost("t", None, {"pk": {"S": "k1"}})[0] == 3  # delete: the old item


# ------------------------------------------------------------------ model
def model(settings, clock):
    sim = cs.CapacitySim("http://127.0.0.1:9", settings, clock=clock)
    sim.learn_schema("t", {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
    return sim


def keys_in_partition(sim, p, n):
    t = sim._tables["t"]
    out, i = [], 0
    while len(out) < n:
        item = {"pk": {"S": "key%d" % i}}
        if t.partition_of(item["pk"]) == p:
            out.append(item)
        i += 1
    return out


@test
def provisioned_partition_bucket():
    clock = Clock()
    sim = model(cs.TableSettings("provisioned", table_wcu=1000, partitions=4), clock)
    t = sim._tables["t"]
    assert len(t.parts) == 4 and t.parts[0].rate == 250 and t.table_bucket.rate == 1000
    hot = keys_in_partition(sim, 2, 260)
    adm, thr, kind = sim.admit("t", [(it, 1) for it in hot])
    assert len(adm) == 250 and thr == list(range(250, 260)), (len(adm), thr)
    assert kind == "KeyRangeThroughputExceeded"
    # the other partitions are untouched
    cold = keys_in_partition(sim, 1, 10)
    assert len(sim.admit("t", [(it, 1) for it in cold])[0]) == 10
    clock.advance(0.1)                                     # 25 tokens back in partition 2
    adm, thr, _ = sim.admit("t", [(it, 1) for it in hot[:30]])
    assert (len(adm), len(thr)) == (25, 5)


@test
def provisioned_partitions_never_above_1000():
    sim = model(cs.TableSettings("provisioned", table_wcu=3000, partitions=1), Clock())
    t = sim._tables["t"]
    assert len(t.parts) == 3 and t.parts[0].rate == 1000


@test
def provisioned_table_ceiling():
    clock = Clock()
    # 2 partitions of 1000 (burst keeps 10 s) but a 100 WCU/s table bucket
    sim = model(cs.TableSettings("provisioned", table_wcu=100, partitions=2, burst_s=0), clock)
    t = sim._tables["t"]
    assert t.table_bucket.rate == 100 and t.parts[0].rate == 50
    a = keys_in_partition(sim, 0, 50) + keys_in_partition(sim, 1, 60)
    adm, thr, kind = sim.admit("t", [(it, 1) for it in a])
    assert len(adm) == 100 and kind == "KeyRangeThroughputExceeded"


@test
def adaptive_partition_uses_the_table_capacity():
    sim = model(cs.TableSettings("provisioned", table_wcu=400, partitions=4, adaptive=True),
                Clock())
    hot = keys_in_partition(sim, 0, 500)
    adm, thr, kind = sim.admit("t", [(it, 1) for it in hot])
    assert len(adm) == 400 and kind == "ProvisionedThroughputExceeded", (len(adm), kind)
    assert sim.throttle_doc("t", kind)["ThrottlingReasons"][0]["reason"] == \
        "TableWriteProvisionedThroughputExceeded"


@test
def write_window_spans_admissions_settled_out_of_order():
    sim = model(cs.TableSettings("provisioned", table_wcu=100, partitions=1), Clock(0.0))
    for at in (5.0, 2.0, 4.0):                             # answers come back in any order
        sim.settle("t", [(0, 1)], items=1, at=at)
    st = sim.stats()["tables"]["t"]
    assert st["write_window_s"] == 3.0 and st["items_written"] == 3, st


@test
def burst_keeps_unused_capacity():
    clock = Clock()
    sim = model(cs.TableSettings("provisioned", table_wcu=100, partitions=1, burst_s=5), clock)
    items = keys_in_partition(sim, 0, 700)
    adm, _, _ = sim.admit("t", [(it, 1) for it in items])
    assert len(adm) == 600                                 # 1 s + 5 s of 100 WCU/s
    clock.advance(100)                                     # refills to the depth only
    assert len(sim.admit("t", [(it, 1) for it in items])[0]) == 600


@test
def big_item_goes_through_a_full_bucket():
    clock = Clock()
    sim = model(cs.TableSettings("provisioned", table_wcu=100, partitions=1), clock)
    it = keys_in_partition(sim, 0, 1)[0]
    adm, _, _ = sim.admit("t", [(it, 300)])                # 300 WCU > 100 depth
    assert len(adm) == 1
    assert sim._tables["t"].parts[0].tokens == -200
    assert sim.admit("t", [(it, 1)])[0] == []              # in debt for 2 s
    clock.advance(2.01)
    assert len(sim.admit("t", [(it, 1)])[0]) == 1


@test
def on_demand_max_and_account_limits():
    clock = Clock()
    sim = model(cs.TableSettings("on-demand", partitions=4, warm_wcu=4000,
                                 max_on_demand_wcu=500), clock)
    t = sim._tables["t"]
    assert len(t.parts) == 4 and t.parts[0].rate == 1000 and t.table_bucket.rate == 500
    items = [{"pk": {"S": "k%d" % i}} for i in range(600)]
    adm, thr, kind = sim.admit("t", [(it, 1) for it in items])
    assert len(adm) == 500 and kind == "MaxOnDemandThroughputExceeded"
    assert sim.throttle_doc("t", kind)["__type"] == cs.THROTTLING
    sim2 = cs.CapacitySim("http://127.0.0.1:9", cs.TableSettings("on-demand", warm_wcu=4000),
                          clock=clock, table_max_wcu=2000)
    sim2.learn_schema("t", {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
    adm, thr, kind = sim2.admit("t", [(it, 1) for it in items * 4])
    assert len(adm) == 2000 and kind == "AccountLimitExceeded"
    doc = sim2.throttle_doc("t", kind)
    assert doc["ThrottlingReasons"][0]["reason"] == "TableWriteAccountLimitExceeded"


@test
def on_demand_ramp_doubles_previous_peak_after_the_window():
    clock = Clock()
    # time_scale 1/1800: the 30-minute window is 1 s of model time
    sim = model(cs.TableSettings("on-demand", partitions=1, warm_wcu=4000,
                                 time_scale=1 / 1800.0), clock)
    t = sim._tables["t"]
    assert len(t.parts) == 4 and t.table_bucket.rate == 4000
    items = [{"pk": {"S": "k%d" % i}} for i in range(20000)]
    adm, _, _ = sim.admit("t", [(it, 1) for it in items])
    assert len(adm) <= 4000
    sim.settle("t", [(p, 1) for _, p in adm])              # second 0: peak = len(adm)
    peak = sum(1 for _ in adm)
    assert peak > 3000, peak                               # 4 partitions, hashing spread
    clock.advance(1.5)                                     # second 0 ended 0.5 s ago
    sim.admit("t", [])
    assert t.table_bucket.rate == 4000
    clock.advance(0.6)                                     # ended 1.1 s ago: ramp applies
    sim.admit("t", [])
    assert t.table_bucket.rate == 2 * peak, (t.table_bucket.rate, peak)
    assert len(t.parts) == -(-2 * peak // 1000)
    d = t.describe(clock())
    assert d["WarmThroughput"]["WriteUnitsPerSecond"] == 2 * peak
    assert d["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


# ------------------------------------------------------------------ proxy
def client(endpoint):
    return boto3.client("dynamodb", endpoint_url=endpoint,
                        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
                        **servers.DUMMY_CREDENTIALS)


def create(c, name, sort=False):
    ks = [{"AttributeName": "pk", "KeyType": "HASH"}]
    ad = [{"AttributeName": "pk", "AttributeType": "S"}]
    if sort:
        ks.append({"AttributeName": "sk", "KeyType": "RANGE"})
        ad.append({"AttributeName": "sk", "AttributeType": "S"})
    c.create_table(TableName=name, KeySchema=ks, AttributeDefinitions=ad,
                   BillingMode="PAY_PER_REQUEST")


def count(c, name):
    n = 0
    for page in c.get_paginator("scan").paginate(TableName=name, Select="COUNT"):
        n += page["Count"]
    return n


def error_of(fn):
    try:
        fn()
    except botocore.exceptions.ClientError as e:
        return e.response
    raise AssertionError("no error")


@test
def proxy_unprocessed_then_exception_then_recovery():
    clock = Clock()
    with servers.Dynalite() as ddb, cs.CapacitySim(
            ddb.endpoint, cs.TableSettings("provisioned", table_wcu=10, partitions=1),
            clock=clock) as sim:
        c = client(sim.endpoint)
        create(c, "tbl")
        batch = [{"PutRequest": {"Item": {"pk": {"S": "k%02d" % i}, "v": {"N": str(i)}}}}
                 for i in range(25)]
        r = c.batch_write_item(RequestItems={"tbl": batch}, ReturnConsumedCapacity="TOTAL")
        left = r["UnprocessedItems"]["tbl"]
        assert len(left) == 15 and left == batch[10:], len(left)
        assert r["ConsumedCapacity"] == [{"TableName": "tbl", "CapacityUnits": 10.0,
                                          "WriteCapacityUnits": 10.0}], r["ConsumedCapacity"]
        resp = error_of(lambda: c.batch_write_item(RequestItems={"tbl": left}))
        assert resp["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert resp["Error"]["Code"] == "ProvisionedThroughputExceededException", resp
        assert resp["ThrottlingReasons"][0]["reason"] == "TableWriteKeyRangeThroughputExceeded"
        resp = error_of(lambda: c.put_item(TableName="tbl", Item={"pk": {"S": "single"}}))
        assert resp["Error"]["Code"] == "ProvisionedThroughputExceededException"
        assert count(c, "tbl") == 10
        clock.advance(1.5)                                 # 10 WCU/s, depth 10: 10 back
        r = c.batch_write_item(RequestItems={"tbl": left})
        assert len(r["UnprocessedItems"].get("tbl", [])) == 5
        st = sim.stats()
        assert st["throttled_requests"] == 4 and st["items_written"] == 20, st
        assert st["tables"]["tbl"]["timeline_wcu_per_s"][0] == 10.0
        assert count(c, "tbl") == 20
        # the stats endpoint answers the same counters
        with urllib.request.urlopen(sim.endpoint + "/__capsim/stats") as f:
            assert json.load(f)["items_written"] == 20


@test
def proxy_single_writes_and_conditions():
    clock = Clock()
    with servers.Dynalite() as ddb, cs.CapacitySim(
            ddb.endpoint, cs.TableSettings("provisioned", table_wcu=100, partitions=1),
            clock=clock) as sim:
        c = client(sim.endpoint)
        create(c, "tbl", sort=True)
        big = {"pk": {"S": "a"}, "sk": {"S": "1"}, "d": {"S": "x" * 3000}}
        r = c.put_item(TableName="tbl", Item=big, ReturnConsumedCapacity="TOTAL")
        assert r["ConsumedCapacity"]["CapacityUnits"] == 3.0, r
        # a failed condition still consumes the existing item's size
        before = sim.stats()["wcu_consumed"]
        resp = error_of(lambda: c.put_item(TableName="tbl", Item=big,
                                           ConditionExpression="attribute_not_exists(pk)"))
        assert resp["Error"]["Code"] == "ConditionalCheckFailedException"
        assert sim.stats()["wcu_consumed"] == before + 3
        # an update that shrinks the item costs the larger (before) size
        r = c.update_item(TableName="tbl", Key={"pk": {"S": "a"}, "sk": {"S": "1"}},
                          UpdateExpression="SET d = :v", ExpressionAttributeValues={
                              ":v": {"S": "small"}}, ReturnConsumedCapacity="TOTAL")
        assert r["ConsumedCapacity"]["CapacityUnits"] == 3.0, r
        r = c.delete_item(TableName="tbl", Key={"pk": {"S": "a"}, "sk": {"S": "1"}},
                          ReturnConsumedCapacity="TOTAL")
        assert r["ConsumedCapacity"]["CapacityUnits"] == 1.0, r
        assert count(c, "tbl") == 0


@test
def proxy_describe_limits_and_warm_throughput():
    clock = Clock()
    with servers.Dynalite() as ddb, cs.CapacitySim(
            ddb.endpoint, cs.TableSettings("on-demand", partitions=1, warm_wcu=4000,
                                           max_on_demand_wcu=5), clock=clock,
            table_max_wcu=40000, account_max_wcu=80000) as sim:
        c = client(sim.endpoint)
        create(c, "tbl")
        t = c.describe_table(TableName="tbl")["Table"]
        assert t["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert t["WarmThroughput"]["WriteUnitsPerSecond"] == 4000
        assert t["OnDemandThroughput"]["MaxWriteRequestUnits"] == 5
        lim = c.describe_limits()
        assert lim["TableMaxWriteCapacityUnits"] == 40000
        assert lim["AccountMaxWriteCapacityUnits"] == 80000
        c.update_table(TableName="tbl", WarmThroughput={"WriteUnitsPerSecond": 12000},
                       OnDemandThroughput={"MaxWriteRequestUnits": -1})
        t = c.describe_table(TableName="tbl")["Table"]
        assert t["WarmThroughput"]["WriteUnitsPerSecond"] == 12000, t["WarmThroughput"]
        assert sim.stats()["tables"]["tbl"]["partitions"] == 12
        # an on-demand table over its configured maximum: ThrottlingException
        c.update_table(TableName="tbl", OnDemandThroughput={"MaxWriteRequestUnits": 5})
        batch = [{"PutRequest": {"Item": {"pk": {"S": "k%d" % i}}}} for i in range(8)]
        r = c.batch_write_item(RequestItems={"tbl": batch})
        assert len(r["UnprocessedItems"]["tbl"]) == 3
        resp = error_of(lambda: c.put_item(TableName="tbl", Item={"pk": {"S": "z"}}))
        assert resp["Error"]["Code"] == "ThrottlingException", resp["Error"]
        # (botocore models ThrottlingReasons on ProvisionedThroughputExceededException only;
        # the reason of this one is checked in on_demand_max_and_account_limits)
        assert count(c, "tbl") == 5


@test
def proxy_concurrent_clients_share_the_buckets_exactly():
    clock = Clock()                                        # frozen: only the depth is there
    with servers.Dynalite() as ddb, cs.CapacitySim(
            ddb.endpoint, cs.TableSettings("provisioned", table_wcu=200, partitions=2),
            clock=clock) as sim:
        create(client(sim.endpoint), "tbl")
        written, refused, errors = [], [], []

        def writer(w):
            c = client(sim.endpoint)
            for b in range(6):
                batch = [{"PutRequest": {"Item": {"pk": {"S": "w%d-b%d-%d" % (w, b, i)}}}}
                         for i in range(25)]
                try:
                    r = c.batch_write_item(RequestItems={"tbl": batch})
                    left = r["UnprocessedItems"].get("tbl", [])
                    written.append(25 - len(left))
                    refused.append(len(left))
                except botocore.exceptions.ClientError as e:
                    errors.append(e.response["Error"]["Code"])
                    refused.append(25)

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(6)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        c = client(sim.endpoint)
        st = sim.stats()
        # two partitions of 100 WCU/s, 1 s deep: at most 200 items, all admitted ones written
        assert sum(written) == st["items_written"] == count(c, "tbl"), (sum(written), st)
        assert sum(written) == 200, sum(written)
        assert sum(written) + sum(refused) == 6 * 6 * 25
        assert set(errors) <= {"ProvisionedThroughputExceededException"}, errors
        assert st["throttled_requests"] == sum(1 for r in refused if r), st


@test
def command_line_prints_its_port_and_stats():
    with servers.Dynalite() as ddb:
        proc = subprocess.Popen(
            [sys.executable, cs.__file__, "--upstream", ddb.endpoint, "--mode", "provisioned",
             "--table-wcu", "5", "--partitions", "1"],
            stdout=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()
            assert line.startswith("listening on http://127.0.0.1:"), line
            endpoint = line.split()[-1]
            c = client(endpoint)
            create(c, "tbl")
            batch = [{"PutRequest": {"Item": {"pk": {"S": "k%d" % i}}}} for i in range(8)]
            r = c.batch_write_item(RequestItems={"tbl": batch})
            assert 0 < len(r["UnprocessedItems"].get("tbl", [])) < 8
        finally:
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=30)
        stats = json.loads(out.strip().splitlines()[-1])
        assert stats["items_written"] == 8 - len(r["UnprocessedItems"]["tbl"]), stats
        assert stats["tables"]["tbl"]["partitions"] == 1


def main():
    passed = failed = 0
    for fn in TESTS:
        t0 = time.monotonic()
        try:
            fn()
            passed += 1
            print("PASS %s (%.1f s)" % (fn.__name__, time.monotonic() - t0), flush=True)
        except Exception:  # noqa: BLE001 -- report every failure, then go on
            failed += 1
            print("FAIL %s (%.1f s)" % (fn.__name__, time.monotonic() - t0), flush=True)
            traceback.print_exc()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
