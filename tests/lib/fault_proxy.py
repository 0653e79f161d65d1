"""A loopback HTTP/1.1 reverse proxy that injects DynamoDB faults (stdlib only).

Placed between a client (csv2ddb, boto3) and dynalite, it forwards every request
to the upstream over pooled keep-alive connections and relays the response. For
requests whose X-Amz-Target is BatchWriteItem, and only those, it injects a fault
with probability `probability`, drawn from a seeded RNG, until `max_faults`
faults have been injected in total; every other request (CreateTable,
DescribeTable, PutItem, Scan...) passes through untouched.

Fault kinds (FAULT_KINDS):
  reset_before        the client connection is reset (TCP RST) before the request
                      is forwarded: nothing is written, the client sees a reset.
  reset_after         the request is forwarded and answered by the upstream, then
                      the client connection is reset: the write happened, the
                      client sees a reset.
  http_500            HTTP 500 InternalServerError, nothing forwarded.
  throughput_exceeded HTTP 400 ProvisionedThroughputExceededException, nothing forwarded.
  throttling          HTTP 400 ThrottlingException, nothing forwarded.
  unprocessed         a random non-empty proper subset of the request's write
                      requests is withheld: only the rest is forwarded, and the
                      withheld ones come back in UnprocessedItems of the
                      upstream's (successful) answer. Only for requests with at
                      least 2 write requests.

`unprocessed` forwards a reduced request, which could hide a ValidationException
the full request would have drawn (e.g. two requests with the same key). The
proxy learns each table's key attributes from the CreateTable requests and
DescribeTable answers it relays (or from `key_schemas`), and injects
`unprocessed` only into requests of at most 25 write requests without duplicate
keys. When a table's keys are unknown it forwards the whole request and still
reports the chosen items as unprocessed (they were written; re-writing a put is
idempotent); `unprocessed_written` counts those.

Usage (tests):

    with servers.Dynalite() as ddb, FaultProxy(ddb.endpoint, probability=0.3,
                                               max_faults=40, seed=7) as proxy:
        client = boto3.client("dynamodb", endpoint_url=proxy.endpoint, ...)
        ...
        proxy.counts()   # {'reset_before': 3, ..., 'requests': 120, ...}

The proxy stops on stop()/__exit__, at interpreter exit, and by itself after
`lifetime_s` seconds if given. Command line (for manual runs against csv2ddb):

    python3 tests/lib/fault_proxy.py --upstream http://127.0.0.1:8000 \
        --probability 0.2 --max-faults 100 --seed 1 [--port 0] [--kinds a,b]

prints `listening on http://127.0.0.1:PORT` and, on Ctrl-C/SIGTERM, the counters
as JSON.

Limits: requests must carry Content-Length (chunked request bodies get 411);
one request at a time per client connection (no pipelining across the upstream).
"""

import argparse
import atexit
import http.client
import http.server
import json
import queue
import random
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse
import zlib

FAULT_KINDS = ("reset_before", "reset_after", "http_500", "throughput_exceeded",
               "throttling", "unprocessed")

_ERROR_BODIES = {
    "http_500": (500, {"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
                       "message": "injected"}),
    "throughput_exceeded": (400, {
        "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
        "message": "injected"}),
    "throttling": (400, {"__type": "com.amazon.coral.availability#ThrottlingException",
                         "message": "injected"}),
}

# Hop-by-hop headers (RFC 9110 7.6.1): not forwarded in either direction.
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authenticate",
               "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"}

_live = set()


class _UpstreamPool:
    """Idle keep-alive connections to the upstream, reused across client connections."""

    def __init__(self, host, port, timeout_s, max_idle=32):
        self.host, self.port, self.timeout_s = host, port, timeout_s
        self._idle = queue.LifoQueue(maxsize=max_idle)

    def _get(self, fresh=False):
        if not fresh:
            try:
                return self._idle.get_nowait(), True
            except queue.Empty:
                pass
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout_s), False

    def _put(self, conn):
        try:
            self._idle.put_nowait(conn)
        except queue.Full:
            conn.close()

    def request(self, method, path, headers, body):
        """Returns (status, reason, [(name, value)], body). A pooled connection that
        turns out stale (the upstream closed it while idle, as node does after 5 s)
        is replaced once, by a new connection: the next idle one may be stale too."""
        for attempt in range(2):
            conn, reused = self._get(fresh=attempt > 0)
            try:
                conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
                for name, value in headers:
                    conn.putheader(name, value)
                conn.endheaders(body)
                resp = conn.getresponse()
                data = resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.BadStatusLine) as e:
                conn.close()
                if reused and attempt == 0:
                    continue
                raise e
            except BaseException:
                conn.close()
                raise
            if resp.will_close:
                conn.close()
            else:
                self._put(conn)
            return resp.status, resp.reason, resp.getheaders(), data
        raise AssertionError("unreachable")

    def close(self):
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fault-proxy"
    # TCP_NODELAY on the client connection. Without it, an answer written in two
    # pieces waits for the client's delayed ACK (~40 ms per request on loopback);
    # _send() also writes each answer in one piece.
    disable_nagle_algorithm = True

    def log_message(self, *args):  # quiet
        pass

    def setup(self):
        super().setup()
        self.server.proxy._track(self.connection, True)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.proxy._track(self.connection, False)

    def do_GET(self):
        self._proxy()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

    def _proxy(self):
        proxy = self.server.proxy
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True  # the body is left unread
            self._reply(411, "application/json",
                        b'{"message":"fault_proxy: chunked request bodies are not supported"}')
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            self._reply(400, "application/json", b'{"message":"fault_proxy: bad Content-Length"}')
            return
        body = self.rfile.read(length) if length else b""
        if len(body) != length:  # client went away mid-body
            self.close_connection = True
            return
        if self.headers.get("Connection", "").lower() == "close":
            self.close_connection = True
        target = self.headers.get("X-Amz-Target", "")
        operation = target.rsplit(".", 1)[-1]
        proxy._count("requests")
        # Expect: 100-continue was answered here (the body is already read).
        headers = [(k, v) for k, v in self.headers.items()
                   if k.lower() not in _HOP_BY_HOP and k.lower() != "expect"]

        if operation == "BatchWriteItem" and proxy.gate is not None:
            proxy.held.set()
            proxy.gate.wait()

        for marker, (status, doc) in proxy.markers.items():
            if operation == "BatchWriteItem" and marker in body:
                proxy._count("marker_answers")
                self._reply(status, "application/x-amz-json-1.0", json.dumps(doc).encode())
                return

        kind = proxy._draw(operation, body)
        if kind == "reset_before":
            self._reset()
            return
        if kind in _ERROR_BODIES:
            status, doc = _ERROR_BODIES[kind]
            self._reply(status, "application/x-amz-json-1.0", json.dumps(doc).encode())
            return

        withheld = None
        forward_body = body
        if kind == "unprocessed":
            withheld, forward_body = proxy._split_unprocessed(body)
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(forward_body))))
        try:
            status, reason, rheaders, rbody = proxy._pool.request(
                self.command, self.path, headers, forward_body)
        except (OSError, http.client.HTTPException) as e:
            proxy._count("upstream_errors")
            self.close_connection = True
            self._reply(502, "application/json",
                        json.dumps({"message": "fault_proxy: upstream error: %s" % e}).encode())
            return
        proxy._count("forwarded")
        if withheld is not None and status == 200:
            rbody = _add_unprocessed(rbody, withheld)
            rheaders = [(k, v) for k, v in rheaders if k.lower() != "x-amz-crc32"]
            rheaders.append(("x-amz-crc32", str(zlib.crc32(rbody) & 0xFFFFFFFF)))
        if status == 200 and operation in ("CreateTable", "DescribeTable"):
            proxy._learn_keys(operation, body, rbody)
        if kind == "reset_after":
            self._reset()
            return
        length = None
        if self.command == "HEAD":  # no body: keep the length the upstream announced
            length = next((v for k, v in rheaders if k.lower() == "content-length"), None)
        self._send(status, reason,
                   [(k, v) for k, v in rheaders
                    if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length"],
                   rbody, length)

    def _reply(self, status, content_type, body):
        self._send(status, None, [
            ("Content-Type", content_type),
            ("x-amzn-RequestId", "FAULTPROXY%042d" % random.randrange(10 ** 12)),
            ("x-amz-crc32", str(zlib.crc32(body) & 0xFFFFFFFF))], body)

    def _send(self, status, reason, headers, body, length=None):
        """Writes the answer (status line, headers, body) in one piece, with
        Content-Length (`length`, else len(body)) and, when the connection is
        closed after it, Connection: close. A HEAD answer carries no body."""
        self.send_response_only(status, reason)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)) if length is None else length)
        if self.close_connection:
            self.send_header("Connection", "close")
        self._headers_buffer.append(b"\r\n")  # what end_headers() adds before flushing
        if self.command != "HEAD":
            self._headers_buffer.append(body)
        self.flush_headers()

    def _reset(self):
        """Closes the client connection with a TCP RST (SO_LINGER 0) and no answer."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        except OSError:
            pass
        # The fd is really closed (sending the RST) when finish() closes rfile/wfile.
        self.connection.close()


def _add_unprocessed(rbody, withheld):
    try:
        doc = json.loads(rbody)
    except ValueError:
        return rbody
    unprocessed = doc.setdefault("UnprocessedItems", {})
    for table, requests in withheld.items():
        unprocessed.setdefault(table, []).extend(requests)
    return json.dumps(doc, separators=(",", ":")).encode()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128


class FaultProxy:
    """The proxy. Thread-safe counters; start()/stop() or use as a context manager."""

    def __init__(self, upstream, probability=0.2, max_faults=100, seed=0, kinds=FAULT_KINDS,
                 weights=None, port=0, key_schemas=None, lifetime_s=None,
                 upstream_timeout_s=60.0, markers=None, gate=None):
        """upstream: 'http://127.0.0.1:PORT'. kinds: the fault kinds to draw from
        (uniformly, or by `weights`, a dict kind -> weight). key_schemas: optional
        {table: [key attribute names]}. lifetime_s: stop by itself after that long.
        markers: {bytes: aws error code}: every BatchWriteItem request whose body
        contains the marker is answered HTTP 400 with that error code, e.g.
        {b"BAD-ROW": "ValidationException"} (outside the random fault budget).
        gate: a threading.Event; when given, every BatchWriteItem request waits
        until it is set, and `held` (an Event) is set as the first one waits: a
        latch for tests that must act while a write is in flight."""
        u = urllib.parse.urlsplit(upstream)
        if u.scheme != "http" or not u.hostname:
            raise ValueError("upstream must be http://host:port, got %r" % upstream)
        unknown = set(kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError("unknown fault kinds: %s" % sorted(unknown))
        if not 0.0 <= probability <= 1.0:
            raise ValueError("probability must be in [0, 1]")
        self.upstream = upstream
        self.probability = probability
        self.max_faults = max_faults
        self.kinds = tuple(kinds)
        self.weights = [float((weights or {}).get(k, 1.0)) for k in self.kinds]
        self.port = port
        self.lifetime_s = lifetime_s
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._counters = dict.fromkeys(FAULT_KINDS + (
            "requests", "batch_write_requests", "forwarded", "upstream_errors",
            "unprocessed_items", "unprocessed_written", "marker_answers"), 0)
        self.markers = {
            m: (400, {"__type": "com.amazonaws.dynamodb.v20120810#" + code,
                      "message": "fault_proxy: %s for a request containing %s"
                                 % (code, m.decode(errors="replace"))})
            for m, code in (markers or {}).items()}
        self._faults = 0
        self.gate = gate
        self.held = threading.Event()
        self._keys = {t: list(k) for t, k in (key_schemas or {}).items()}
        self._pool = _UpstreamPool(u.hostname, u.port or 80, upstream_timeout_s)
        self._server = None
        self._thread = None
        self._timer = None
        self._clients = set()

    # ------------------------------------------------------------ lifecycle
    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self):
        self._server = _Server(("127.0.0.1", self.port), _Handler)
        self._server.proxy = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        name="fault-proxy", daemon=True)
        self._thread.start()
        _live.add(self)
        if self.lifetime_s is not None:
            self._timer = threading.Timer(self.lifetime_s, self.stop)
            self._timer.daemon = True
            self._timer.start()
        return self

    def stop(self):
        """Stops listening, closes client and upstream connections; safe to call twice."""
        _live.discard(self)
        server, self._server = self._server, None
        if self._timer is not None and self._timer is not threading.current_thread():
            self._timer.cancel()
        if server is not None:
            server.shutdown()
            server.server_close()
        with self._lock:
            clients = list(self._clients)
        for sock in clients:  # wake handler threads blocked on keep-alive reads
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._pool.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    # ------------------------------------------------------------- counters
    def counts(self):
        """A snapshot: one counter per fault kind, plus requests (all),
        batch_write_requests, forwarded (answered by the upstream),
        upstream_errors, unprocessed_items (write requests returned as
        unprocessed) and unprocessed_written (of those, how many were written anyway)."""
        with self._lock:
            c = dict(self._counters)
        c["faults"] = sum(c[k] for k in FAULT_KINDS)
        return c

    @property
    def faults_total(self):
        with self._lock:
            return self._faults

    def _count(self, name, n=1):
        with self._lock:
            self._counters[name] += n

    def _track(self, sock, add):
        with self._lock:
            (self._clients.add if add else self._clients.discard)(sock)

    # --------------------------------------------------------------- faults
    def _draw(self, operation, body):
        """The fault kind for this request, or None. Counted here (under the lock)
        so that max_faults holds exactly across threads."""
        if operation != "BatchWriteItem":
            return None
        with self._lock:
            self._counters["batch_write_requests"] += 1
            if self._faults >= self.max_faults or self._rng.random() >= self.probability:
                return None
            kinds, weights = self.kinds, self.weights
            if "unprocessed" in kinds and not self._can_withhold(body):
                pairs = [(k, w) for k, w in zip(kinds, weights) if k != "unprocessed"]
                if not pairs:
                    return None
                kinds, weights = zip(*pairs)
            kind = self._rng.choices(kinds, weights)[0]
            self._faults += 1
            self._counters[kind] += 1
            return kind

    @staticmethod
    def _requests(body):
        try:
            doc = json.loads(body)
            items = doc["RequestItems"]
            return doc, [(t, r) for t, reqs in items.items() for r in reqs]
        except (ValueError, KeyError, TypeError, AttributeError):
            return None, []

    def _can_withhold(self, body):
        """(Under the lock.) At least 2 and at most 25 write requests, and no
        duplicate keys in tables whose keys are known."""
        doc, reqs = self._requests(body)
        if doc is None or not 2 <= len(reqs) <= 25:
            return False
        seen = set()
        for table, req in reqs:
            keys = self._keys.get(table)
            if keys is None:
                continue
            if not isinstance(req, dict):
                return False
            op = req.get("PutRequest", {}).get("Item") if "PutRequest" in req \
                else req.get("DeleteRequest", {}).get("Key")
            if not isinstance(op, dict):
                return False
            key = (table,) + tuple(json.dumps(op.get(k), sort_keys=True) for k in keys)
            if key in seen:
                return False
            seen.add(key)
        return True

    def _split_unprocessed(self, body):
        """Returns ({table: [withheld requests]}, body to forward). The withheld set is
        a random non-empty proper subset; if a table's keys are unknown the whole
        request is forwarded anyway."""
        doc, reqs = self._requests(body)
        with self._lock:
            n = self._rng.randint(1, len(reqs) - 1)
            chosen = set(self._rng.sample(range(len(reqs)), n))
            known = all(t in self._keys for t in doc["RequestItems"])
            self._counters["unprocessed_items"] += n
            if not known:
                self._counters["unprocessed_written"] += n
        withheld, kept = {}, {}
        for i, (table, req) in enumerate(reqs):
            (withheld if i in chosen else kept).setdefault(table, []).append(req)
        if not known:
            return withheld, body
        doc["RequestItems"] = kept
        return withheld, json.dumps(doc, separators=(",", ":")).encode()

    def _learn_keys(self, operation, request_body, response_body):
        try:
            if operation == "CreateTable":
                doc = json.loads(request_body)
            else:
                doc = json.loads(response_body)["Table"]
            table = doc["TableName"]
            keys = [k["AttributeName"] for k in doc["KeySchema"]]
        except (ValueError, KeyError, TypeError):
            return
        with self._lock:
            self._keys[table] = keys


def _stop_all():
    for p in list(_live):
        p.stop()


atexit.register(_stop_all)


def main(argv=None):
    ap = argparse.ArgumentParser(description="DynamoDB fault-injecting reverse proxy.")
    ap.add_argument("--upstream", required=True, help="http://127.0.0.1:PORT (dynalite)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--probability", type=float, default=0.2)
    ap.add_argument("--max-faults", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--kinds", default=",".join(FAULT_KINDS))
    ap.add_argument("--lifetime", type=float, default=None, help="stop after this many seconds")
    args = ap.parse_args(argv)
    proxy = FaultProxy(args.upstream, probability=args.probability, max_faults=args.max_faults,
                       seed=args.seed, kinds=[k for k in args.kinds.split(",") if k],
                       port=args.port, lifetime_s=args.lifetime)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    with proxy:
        print("listening on %s" % proxy.endpoint, flush=True)
        while not done.is_set() and proxy._server is not None:
            done.wait(0.2)
    print(json.dumps(proxy.counts(), sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
