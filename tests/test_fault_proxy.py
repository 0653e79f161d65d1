#!/usr/bin/env python3
"""Self-check of tests/lib/fault_proxy.py against dynalite, driven by boto3.

The main test writes 500 items through the proxy with batch_write_item (botocore
standard retries, 20 attempts, and manual UnprocessedItems handling) while the
proxy injects every fault kind, then checks the table holds exactly the 500
items. The others pin down each fault's semantics (reset before vs after the
write, withheld items not written, only BatchWriteItem faulted, max_faults bound).
Prints 'N passed, M failed'; exits non-zero on any failure.
"""

import os
import socket
import sys
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

import boto3  # noqa: E402
import botocore.exceptions  # noqa: E402
from botocore.config import Config  # noqa: E402

import fault_proxy  # noqa: E402
import servers  # noqa: E402

TABLE = "tb_ev_vehicle_data"
TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def client(endpoint, total_attempts=None):
    """botocore standard retries: 20 retries by default (retries={'max_attempts': 20}),
    or total_attempts attempts in all (1 = no retry)."""
    retries = {"mode": "standard"}
    if total_attempts is None:
        retries["max_attempts"] = 20  # retries after the first attempt
    else:
        retries["total_max_attempts"] = total_attempts
    return boto3.client(
        "dynamodb", endpoint_url=endpoint,
        config=Config(retries=retries,
                      connect_timeout=5, read_timeout=30),
        **servers.DUMMY_CREDENTIALS)


def create_table(c):
    c.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "dol_vehicle_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "dol_vehicle_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST")
    c.describe_table(TableName=TABLE)


def item(i):
    return {"dol_vehicle_id": {"S": "A_%09d" % (100000000 + i)},
            "make": {"S": ("TESLA", "NISSAN", "KIA")[i % 3]},
            "model_year": {"S": str(2010 + i % 14)},
            "electric_range": {"S": str(i % 330)}}


def put(i):
    return {"PutRequest": {"Item": item(i)}}


def scan_all(c):
    items, kwargs = [], {"TableName": TABLE, "ConsistentRead": True}
    while True:
        page = c.scan(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def write_all(c, requests, batch=25, max_rounds=50):
    """batch_write_item with manual UnprocessedItems handling; returns rounds used."""
    rounds = 0
    for start in range(0, len(requests), batch):
        pending = {TABLE: requests[start:start + batch]}
        for attempt in range(max_rounds):
            rounds += 1
            resp = c.batch_write_item(RequestItems=pending)
            pending = {t: r for t, r in resp.get("UnprocessedItems", {}).items() if r}
            if not pending:
                break
            time.sleep(min(0.01 * 2 ** attempt, 0.2))
        else:
            raise AssertionError("UnprocessedItems still pending after %d rounds" % max_rounds)
    return rounds


@test
def every_fault_kind_and_exact_table():
    n = 500
    with servers.Dynalite() as ddb, fault_proxy.FaultProxy(
            ddb.endpoint, probability=0.35, max_faults=48, seed=20240611,
            lifetime_s=600) as proxy:
        c = client(proxy.endpoint)
        create_table(c)
        write_all(c, [put(i) for i in range(n)], batch=10)
        counts = proxy.counts()
        print("  counters:", counts)
        for kind in fault_proxy.FAULT_KINDS:
            assert counts[kind] > 0, "no %s fault injected: %s" % (kind, counts)
        assert counts["faults"] == proxy.faults_total <= 48, counts
        assert counts["upstream_errors"] == 0, counts
        assert counts["unprocessed_written"] == 0, counts  # keys were learned from CreateTable
        # Read back directly from dynalite (not through the proxy).
        got = scan_all(client(ddb.endpoint))
        assert len(got) == n, "table holds %d items, expected %d" % (len(got), n)
        expected = {item(i)["dol_vehicle_id"]["S"]: item(i) for i in range(n)}
        for it in got:
            assert expected.get(it["dol_vehicle_id"]["S"]) == it, it


@test
def only_batch_write_item_is_faulted():
    with servers.Dynalite() as ddb, fault_proxy.FaultProxy(
            ddb.endpoint, probability=1.0, max_faults=1000, seed=1) as proxy:
        c = client(proxy.endpoint, total_attempts=1)
        create_table(c)
        c.put_item(TableName=TABLE, Item=item(1))
        assert c.get_item(TableName=TABLE, Key={"dol_vehicle_id": item(1)["dol_vehicle_id"]},
                          ConsistentRead=True)["Item"] == item(1)
        assert len(scan_all(c)) == 1
        c.list_tables()
        counts = proxy.counts()
        assert counts["faults"] == 0 and counts["batch_write_requests"] == 0, counts
        assert counts["requests"] == counts["forwarded"] >= 6, counts


@test
def reset_before_does_not_write_reset_after_does():
    for kind, expect in (("reset_before", 0), ("reset_after", 5)):
        with servers.Dynalite() as ddb, fault_proxy.FaultProxy(
                ddb.endpoint, probability=1.0, max_faults=1, seed=2, kinds=[kind]) as proxy:
            c = client(proxy.endpoint, total_attempts=1)
            create_table(c)
            try:
                c.batch_write_item(RequestItems={TABLE: [put(i) for i in range(5)]})
                raise AssertionError("%s: the call succeeded" % kind)
            except (botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError):
                pass
            got = len(scan_all(client(ddb.endpoint)))
            assert got == expect, "%s: %d items written, expected %d" % (kind, got, expect)
            assert proxy.counts()[kind] == 1, proxy.counts()
            # The fault budget is spent: the same call now goes through.
            c.batch_write_item(RequestItems={TABLE: [put(i) for i in range(5)]})
            assert len(scan_all(c)) == 5


@test
def error_answers_are_dynamodb_errors():
    for kind, status, code in (("http_500", 500, "InternalServerError"),
                               ("throughput_exceeded", 400,
                                "ProvisionedThroughputExceededException"),
                               ("throttling", 400, "ThrottlingException")):
        with servers.Dynalite() as ddb, fault_proxy.FaultProxy(
                ddb.endpoint, probability=1.0, max_faults=1, seed=3, kinds=[kind]) as proxy:
            c = client(proxy.endpoint, total_attempts=1)
            create_table(c)
            try:
                c.batch_write_item(RequestItems={TABLE: [put(0)]})
                raise AssertionError("%s: the call succeeded" % kind)
            except botocore.exceptions.ClientError as e:
                assert e.response["Error"]["Code"] == code, e.response
                assert e.response["ResponseMetadata"]["HTTPStatusCode"] == status, e.response
            assert len(scan_all(c)) == 0
            # With retries, botocore treats the fault as retryable and succeeds.
            proxy.max_faults = 2
            client(proxy.endpoint, total_attempts=3).batch_write_item(
                RequestItems={TABLE: [put(0)]})
            assert len(scan_all(c)) == 1
            assert proxy.counts()[kind] == 2, proxy.counts()


@test
def unprocessed_items_are_withheld_from_upstream():
    with servers.Dynalite() as ddb, fault_proxy.FaultProxy(
            ddb.endpoint, probability=1.0, max_faults=1, seed=4, kinds=["unprocessed"]) as proxy:
        c = client(proxy.endpoint, total_attempts=1)
        create_table(c)
        requests = [put(i) for i in range(10)]
        resp = c.batch_write_item(RequestItems={TABLE: requests})
        withheld = resp["UnprocessedItems"].get(TABLE, [])
        assert 1 <= len(withheld) <= 9, resp
        keys = {r["PutRequest"]["Item"]["dol_vehicle_id"]["S"] for r in withheld}
        got = {it["dol_vehicle_id"]["S"] for it in scan_all(client(ddb.endpoint))}
        assert len(got) == 10 - len(withheld) and not (got & keys), (sorted(got), sorted(keys))
        assert proxy.counts()["unprocessed_items"] == len(withheld)
        # A batch with duplicate keys is never split: dynalite's ValidationException stays.
        proxy.max_faults = 2
        try:
            c.batch_write_item(RequestItems={TABLE: [put(20), put(20)]})
            raise AssertionError("duplicate keys accepted")
        except botocore.exceptions.ClientError as e:
            assert e.response["Error"]["Code"] == "ValidationException", e.response
        assert proxy.counts()["unprocessed"] == 1, proxy.counts()


@test
def max_faults_bounds_the_total_and_seed_repeats():
    sequences = []
    for _ in range(2):
        with servers.Dynalite() as ddb, fault_proxy.FaultProxy(
                ddb.endpoint, probability=0.5, max_faults=6, seed=99,
                kinds=["http_500", "throttling", "throughput_exceeded"]) as proxy:
            c = client(proxy.endpoint, total_attempts=1)
            create_table(c)
            outcome = []
            for i in range(40):
                try:
                    c.batch_write_item(RequestItems={TABLE: [put(i)]})
                    outcome.append("ok")
                except botocore.exceptions.ClientError as e:
                    outcome.append(e.response["Error"]["Code"])
            counts = proxy.counts()
            assert counts["faults"] == 6 == sum(o != "ok" for o in outcome), (counts, outcome)
            assert len(scan_all(c)) == 40 - 6
            sequences.append(outcome)
    assert sequences[0] == sequences[1], sequences


@test
def stops_cleanly_with_open_keep_alive_connections():
    with servers.Dynalite() as ddb:
        proxy = fault_proxy.FaultProxy(ddb.endpoint, probability=0.0).start()
        c = client(proxy.endpoint, total_attempts=1)
        c.list_tables()  # leaves a keep-alive connection open in botocore's pool
        port = proxy.port
        t0 = time.monotonic()
        proxy.stop()
        proxy.stop()
        assert time.monotonic() - t0 < 3, "stop() took %.1f s" % (time.monotonic() - t0)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            raise AssertionError("still listening after stop()")
        except OSError:
            pass
        # lifetime_s: stops by itself.
        proxy = fault_proxy.FaultProxy(ddb.endpoint, lifetime_s=0.3).start()
        time.sleep(1.0)
        assert proxy._server is None, "lifetime_s did not stop the proxy"


def _read_until_eof(sock):
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


@test
def answers_frame_and_close_as_documented():
    """HEAD answers carry the upstream's Content-Length and no body (a stray body
    would corrupt the next answer on the connection); answers after which the
    proxy closes the connection say Connection: close; client sockets have
    TCP_NODELAY (without it every answer waited ~40 ms for the client's delayed
    ACK, as answers are written after the upstream's)."""
    import http.client

    with servers.Dynalite() as ddb, fault_proxy.FaultProxy(ddb.endpoint,
                                                           probability=0.0) as proxy:
        direct = http.client.HTTPConnection("127.0.0.1", ddb.port, timeout=10)
        direct.request("HEAD", "/")
        expected_length = direct.getresponse().getheader("Content-Length")
        direct.close()
        assert expected_length not in (None, "0"), expected_length

        conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
        conn.request("HEAD", "/")
        resp = conn.getresponse()
        assert resp.read() == b"" and resp.getheader("Content-Length") == expected_length, \
            resp.getheaders()
        conn.request("POST", "/", body=b"{}", headers={
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/"
                             "dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
            "X-Amz-Date": "20240101T000000Z"})
        resp = conn.getresponse()
        assert resp.status == 200 and b"TableNames" in resp.read(), resp.status
        assert resp.getheader("Connection") is None, resp.getheaders()
        with proxy._lock:
            clients = list(proxy._clients)
        assert clients, "no client connection tracked"
        for sock in clients:
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), sock
        conn.close()

        with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            answer = _read_until_eof(s)  # the proxy closes: returns
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 411 ") and b"\r\nConnection: close" in head, answer
        assert b"chunked" in body, answer

    # Upstream gone: 502, Connection: close, then the proxy closes the connection.
    proxy = fault_proxy.FaultProxy("http://127.0.0.1:%d" % servers.free_port()).start()
    try:
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
            answer = _read_until_eof(s)
        assert answer.startswith(b"HTTP/1.1 502 ") and b"\r\nConnection: close" in answer, \
            answer
        assert proxy.counts()["upstream_errors"] == 1, proxy.counts()
    finally:
        proxy.stop()


@test
def stale_pooled_connections_are_replaced_by_a_new_one():
    """The cause of a flaky tolerated-failure test: node (dynalite) closes idle
    keep-alive connections after 5 s. The pool retried a stale connection once,
    with the next idle one, often stale too, and answered 502 (which the client
    took for a permanent failure). Here the upstream closes every connection
    right after answering, so each pooled connection is stale."""
    import http.client
    import http.server
    import threading

    class OneShot(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")
            self.close_connection = True  # no "Connection: close": the client keeps it

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), OneShot)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        pool = fault_proxy._UpstreamPool("127.0.0.1", srv.server_address[1], 10)
        for _ in range(3):  # three idle connections, each closed by the upstream
            conn = http.client.HTTPConnection("127.0.0.1", srv.server_address[1], timeout=10)
            conn.request("POST", "/", body=b"x", headers={"Content-Length": "1"})
            resp = conn.getresponse()
            resp.read()
            assert not resp.will_close
            pool._put(conn)
        for _ in range(3):
            status, _, _, body = pool.request("POST", "/", [("Host", "x"), ("Content-Length", "1")],
                                              b"x")
            assert (status, body) == (200, b"{}"), (status, body)
        pool.close()
    finally:
        srv.shutdown()
        srv.server_close()


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
