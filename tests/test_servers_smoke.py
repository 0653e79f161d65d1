#!/usr/bin/env python3
"""Self-check of the loopback test servers: dynalite and s3rver answer boto3 correctly.

Starts both servers (tests/lib/servers.py), round-trips a DynamoDB item and an S3
object through boto3, and prints 'N passed, M failed'. Exits non-zero on any failure.
"""

import os
import sys
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

import servers  # noqa: E402

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


@test
def dynalite_table_put_get():
    with servers.Dynalite() as ddb:
        client = boto3.client("dynamodb", endpoint_url=ddb.endpoint, **servers.DUMMY_CREDENTIALS)
        client.create_table(
            TableName="tb_ev_vehicle_data",
            KeySchema=[{"AttributeName": "dol_vehicle_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "dol_vehicle_id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")
        desc = client.describe_table(TableName="tb_ev_vehicle_data")["Table"]
        assert desc["TableStatus"] == "ACTIVE", desc["TableStatus"]
        item = {"dol_vehicle_id": {"S": "A_138583672"}, "make": {"S": "TESLA"},
                "electric_range": {"S": "0"}}
        client.put_item(TableName="tb_ev_vehicle_data", Item=item)
        got = client.get_item(TableName="tb_ev_vehicle_data",
                              Key={"dol_vehicle_id": {"S": "A_138583672"}}, ConsistentRead=True)
        assert got.get("Item") == item, got


@test
def s3rver_bucket_put_get():
    with servers.S3rver() as s3:
        client = boto3.client("s3", endpoint_url=s3.endpoint,
                              config=Config(s3={"addressing_style": "path"}),
                              **servers.S3RVER_CREDENTIALS)
        client.create_bucket(Bucket="csv2ddb-test")
        body = b"VIN (1-10),County\n5YJ3E1EA1K,King\n"
        client.put_object(Bucket="csv2ddb-test", Key="in/ev.csv", Body=body)
        got = client.get_object(Bucket="csv2ddb-test", Key="in/ev.csv")["Body"].read()
        assert got == body, got
        ranged = client.get_object(Bucket="csv2ddb-test", Key="in/ev.csv", Range="bytes=0-9")
        assert ranged["Body"].read() == body[:10]
        directory = s3.directory
    assert not os.path.exists(directory), "s3rver data directory left behind"


@test
def servers_stop_their_process_group():
    server = servers.Dynalite().start()
    pid = server.proc.pid
    server.stop()
    server.stop()  # idempotent
    try:
        os.killpg(pid, 0)
        raise AssertionError("dynalite process group %d still alive" % pid)
    except ProcessLookupError:
        pass


def main():
    passed = failed = 0
    for fn in TESTS:
        try:
            fn()
            passed += 1
            print("ok   %s" % fn.__name__)
        except Exception:  # noqa: BLE001 - report every failure, keep going
            failed += 1
            print("FAIL %s" % fn.__name__)
            traceback.print_exc()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
