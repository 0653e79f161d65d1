"""A DynamoDB write-capacity simulator: a loopback proxy in front of dynalite (stdlib only).

dynalite stores items but enforces no throughput. This proxy forwards every
DynamoDB JSON-protocol request to it and, for writes (PutItem, UpdateItem,
DeleteItem, BatchWriteItem), first charges write capacity against a model of
the table and throttles the way DynamoDB does:

  * Write cost: computed here from the documented sizing rules
    (item_size(): names and string values as UTF-8 bytes, numbers
    ceil(significant digits / 2) + 1, binary raw bytes, BOOL/NULL 1, List/Map
    3 bytes + 1 per element, sets the sum of their elements);
    WCU = ceil(size / 1024) (at least 1) x (1 + the GSIs the item touches,
    i.e. whose key attributes it carries). A put or delete that replaces an
    item known to the sim is charged for the larger of the old and new item; an
    update is charged for the larger of the item before and after (the sim
    reads the item back after the update). A write whose condition fails
    still consumes capacity (the item's size, at least 1 WCU).
  * Partitions: the partition key value (type and value) hashed with MD5,
    modulo the number of partitions. One token bucket per partition and one
    for the table; a request only consumes tokens it finds (no debt).
    - provisioned: the table bucket fills at table_wcu/s; each partition at
      table_wcu / partitions, never above 1,000 WCU/s (partitions are raised to
      ceil(table_wcu / 1000) if fewer were given). With `adaptive`, each
      partition fills at 1,000 WCU/s and only the table bucket binds (a model
      of adaptive capacity's "a hot partition may use the table's unused
      capacity"; off by default, as in the issue's 4 x 250 example).
    - on-demand: each partition fills at 1,000 WCU/s; the table's allowance
      is max(warm throughput, 2 x the peak per-second rate reached at least
      ramp_s ago) ("double the previous peak within 30 minutes": ramp_s =
      1800 x time_scale), capped by OnDemandThroughput MaxWriteRequestUnits and
      by the account's per-table limit; partitions = max(given,
      ceil(allowance / 1000)) and grow with the allowance.
    - bucket depth: one second of rate, plus `burst_s` seconds of unused
      capacity (DynamoDB keeps up to 300 s). burst_s defaults to 0 so that a
      bench measures the sustained rate, not a 5-minute reserve it would spend
      in its first seconds; every bucket starts full.
  * Answers, as DynamoDB's (the reasons follow the ThrottlingReason format):
    - BatchWriteItem: the write requests are admitted in order while tokens
      last; if some are admitted, only those are forwarded and the others come
      back in UnprocessedItems of a 200 answer; if none, HTTP 400
      ProvisionedThroughputExceededException (or ThrottlingException when the
      limit hit is a table-level on-demand one).
    - single-item writes: HTTP 400 ProvisionedThroughputExceededException
      with reason TableWriteKeyRangeThroughputExceeded (a partition, both
      modes) or TableWriteProvisionedThroughputExceeded (the provisioned table
      bucket); ThrottlingException with TableWriteMaxOnDemandThroughputExceeded
      or TableWriteAccountLimitExceeded for an on-demand table over its
      configured maximum or the account's per-table quota.
    - ReturnConsumedCapacity (TOTAL / INDEXES): the simulated figures replace
      the upstream's.
    - DescribeTable: BillingModeSummary, ProvisionedThroughput,
      OnDemandThroughput and WarmThroughput reflect the model; DescribeLimits
      is answered by the sim; UpdateTable's WarmThroughput,
      ProvisionedThroughput, OnDemandThroughput and BillingMode are applied to
      the model (and the request forwarded without WarmThroughput /
      OnDemandThroughput, which dynalite does not know).

The model's settings apply to every table (TableSettings; set_table() for one
table). Keys and GSIs are learned from CreateTable requests and DescribeTable
answers, or asked of the upstream on first use.

Counters: stats() (in process) or GET /__capsim/stats: requests, write
requests, throttled requests (a request with at least one write refused),
throttled items, items written, WCU consumed, and per table a per-second
timeline of consumed WCU and per-partition per-second peaks.

The clock is injectable (`clock`: a function returning seconds), so the unit
tests drive buckets and the ramp without sleeping.

Command line:

    python3 tests/lib/capacity_sim.py --upstream http://127.0.0.1:8000 \\
        --mode provisioned --table-wcu 1000 --partitions 4 [--port 0]

prints `listening on http://127.0.0.1:PORT`, and the stats as JSON on
SIGINT/SIGTERM (or to --stats-out).

Limits: TransactWriteItems and reads pass through uncharged; request bodies
must carry Content-Length; one sim-wide lock serialises the admission
decisions (never held during I/O).
"""

import argparse
import atexit
import base64
import decimal
import hashlib
import http.client
import http.server
import json
import math
import os
import signal
import sys
import threading
import time
import urllib.parse
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_proxy import _HOP_BY_HOP, _UpstreamPool  # noqa: E402

PREFIX = "com.amazonaws.dynamodb.v20120810#"
PTEE = PREFIX + "ProvisionedThroughputExceededException"
THROTTLING = "com.amazon.coral.availability#ThrottlingException"
PARTITION_MAX_WCU = 1000.0
KB = 1024

# ------------------------------------------------------------------ sizing


def _number_size(text):
    """ceil(significant digits / 2) + 1; leading and trailing zeros trimmed."""
    try:
        d = decimal.Decimal(text)
    except decimal.InvalidOperation:
        return len(text.encode("utf-8"))
    digits = "".join(str(x) for x in d.as_tuple().digits).strip("0")
    return (max(len(digits), 1) + 1) // 2 + 1


def value_size(v):
    """Size in bytes of one AttributeValue (without its name)."""
    (t, x), = v.items()
    if t == "S":
        return len(x.encode("utf-8"))
    if t == "N":
        return _number_size(x)
    if t == "B":
        return len(base64.b64decode(x))
    if t in ("BOOL", "NULL"):
        return 1
    if t == "SS":
        return sum(len(s.encode("utf-8")) for s in x)
    if t == "NS":
        return sum(_number_size(n) for n in x)
    if t == "BS":
        return sum(len(base64.b64decode(b)) for b in x)
    if t == "L":
        return 3 + sum(1 + value_size(e) for e in x)
    if t == "M":
        return 3 + sum(1 + len(k.encode("utf-8")) + value_size(e) for k, e in x.items())
    raise ValueError("unknown attribute type %r" % t)


def item_size(item):
    """Documented item size: sum over attributes of UTF-8 name bytes + value size."""
    return sum(len(k.encode("utf-8")) + value_size(v) for k, v in item.items())


def size_units(size):
    """WCU of one write of an item of `size` bytes: ceil(size / 1 KB), at least 1."""
    return max(1, -(-size // KB))


# ------------------------------------------------------------------ model


class TableSettings:
    """Capacity settings of a table (or the default for all tables)."""

    def __init__(self, mode="provisioned", table_wcu=1000, partitions=4,
                 warm_wcu=4000, max_on_demand_wcu=None, burst_s=0.0, time_scale=1.0,
                 adaptive=False):
        if mode not in ("provisioned", "on-demand"):
            raise ValueError("mode must be provisioned or on-demand")
        self.mode = mode
        self.table_wcu = float(table_wcu)
        self.partitions = int(partitions)
        self.warm_wcu = float(warm_wcu)
        self.max_on_demand_wcu = None if max_on_demand_wcu in (None, -1) else float(
            max_on_demand_wcu)
        self.burst_s = float(burst_s)
        self.time_scale = float(time_scale)
        self.adaptive = bool(adaptive)

    def copy(self):
        c = TableSettings.__new__(TableSettings)
        c.__dict__.update(self.__dict__)
        return c


class Bucket:
    """A token bucket: `rate` tokens/s, depth rate x depth_s, starts full."""

    def __init__(self, rate, depth_s, now):
        self.rate, self.depth_s = float(rate), float(depth_s)
        self.tokens = self.depth
        self.t = now

    @property
    def depth(self):
        return self.rate * self.depth_s

    def refill(self, now):
        if now > self.t:
            self.tokens = min(self.depth, self.tokens + (now - self.t) * self.rate)
            self.t = now

    def set_rate(self, rate, now):
        self.refill(now)
        self.rate = float(rate)
        self.tokens = min(self.tokens, self.depth)


class _Timeline:
    """WCU consumed per whole second (model time, from the table's creation)."""

    def __init__(self, t0):
        self.t0 = t0
        self.per_s = {}

    def add(self, now, units):
        s = int(now - self.t0)
        self.per_s[s] = self.per_s.get(s, 0.0) + units


class TableModel:
    """One table's buckets, ramp and counters. Not thread-safe: CapacitySim locks."""

    def __init__(self, name, settings, limits, now):
        self.name = name
        self.s = settings
        self.limits = limits
        self.keys = None           # [hash attr] or [hash attr, range attr]
        self.gsis = {}             # name -> [key attrs]
        self.created = now
        self.timeline = _Timeline(now)
        self.partition_peaks = {}  # partition -> {second: units}
        self.peak_history = []     # [(time the second ended, its WCU)], on-demand ramp
        self.sizes = {}            # key json -> last known item size
        self._closed = 0           # seconds before this one are in peak_history
        self.first_write = self.last_write = None  # model times of the first/last write
        self.written = 0
        self.wcu = 0.0
        self._build(now)

    # --------------------------------------------------------- configuration
    def allowance(self, now):
        """Table-level WCU/s now."""
        if self.s.mode == "provisioned":
            return self.s.table_wcu
        ramp_s = 1800.0 * self.s.time_scale
        settled = 0.0
        for ended, units in self.peak_history:
            if ended + ramp_s <= now:
                settled = max(settled, units)
        return max(self.s.warm_wcu, 2.0 * settled)

    def table_cap(self, now):
        """(rate, reason kind) of the table bucket: the smallest table-level limit."""
        if self.s.mode == "provisioned":
            return self.s.table_wcu, "ProvisionedThroughputExceeded"
        rate, kind = self.allowance(now), "KeyRangeThroughputExceeded"
        if self.s.max_on_demand_wcu is not None and self.s.max_on_demand_wcu < rate:
            rate, kind = self.s.max_on_demand_wcu, "MaxOnDemandThroughputExceeded"
        if self.limits["TableMaxWriteCapacityUnits"] < rate:
            rate, kind = float(self.limits["TableMaxWriteCapacityUnits"]), "AccountLimitExceeded"
        return rate, kind

    def n_partitions(self, now):
        if self.s.mode == "provisioned":
            return max(self.s.partitions, math.ceil(self.s.table_wcu / PARTITION_MAX_WCU))
        return max(self.s.partitions, math.ceil(self.allowance(now) / PARTITION_MAX_WCU))

    def partition_rate(self, now):
        if self.s.mode == "provisioned" and not self.s.adaptive:
            return min(PARTITION_MAX_WCU, self.s.table_wcu / self.n_partitions(now))
        return PARTITION_MAX_WCU

    def _build(self, now):
        depth = 1.0 + self.s.burst_s
        rate, self.table_kind = self.table_cap(now)
        self.table_bucket = Bucket(rate, depth, now)
        self.parts = [Bucket(self.partition_rate(now), depth, now)
                      for _ in range(self.n_partitions(now))]

    def reconfigure(self, now):
        """Applies changed settings or a grown on-demand allowance (buckets keep their
        fill ratio; new partitions start full)."""
        rate, self.table_kind = self.table_cap(now)
        self.table_bucket.set_rate(rate, now)
        n, prate = self.n_partitions(now), self.partition_rate(now)
        for b in self.parts:
            b.set_rate(prate, now)
        while len(self.parts) < n:
            self.parts.append(Bucket(prate, 1.0 + self.s.burst_s, now))
        del self.parts[n:]

    def _tick(self, now):
        """Closes finished seconds into the ramp history; grows the on-demand allowance."""
        if self.s.mode != "on-demand":
            return
        cur = int(now - self.created)
        while self._closed < cur:  # seconds [_closed, cur) are over
            units = self.timeline.per_s.get(self._closed, 0.0)
            if units > 0:
                self.peak_history.append((self.created + self._closed + 1, units))
            self._closed += 1
        rate, _ = self.table_cap(now)
        if rate != self.table_bucket.rate or self.n_partitions(now) != len(self.parts):
            self.reconfigure(now)

    # ---------------------------------------------------------------- keys
    def partition_of(self, key_value):
        h = hashlib.md5(json.dumps(key_value, sort_keys=True).encode()).digest()
        return int.from_bytes(h[:8], "big") % len(self.parts)

    def key_of(self, item):
        if not self.keys:
            return None
        return json.dumps([item.get(k) for k in self.keys], sort_keys=True)

    def gsis_touched(self, item):
        return sum(1 for ks in self.gsis.values() if all(k in item for k in ks))

    # --------------------------------------------------------------- admit
    def try_consume(self, units, item, now):
        """Takes `units` from the item's partition and the table, or returns the throttle
        kind ('KeyRange...' / table kind) without taking anything."""
        pk = item.get(self.keys[0]) if self.keys else None
        p = self.partition_of(pk)
        part = self.parts[p]
        part.refill(now)
        self.table_bucket.refill(now)
        # an item costing more than a bucket holds goes through when the bucket is full
        # (and leaves it in debt), as a 400 KB write does on a small table
        if part.tokens + 1e-9 < min(units, part.depth):
            return None, "KeyRangeThroughputExceeded"
        if self.table_bucket.tokens + 1e-9 < min(units, self.table_bucket.depth):
            return None, self.table_kind
        part.tokens -= units
        self.table_bucket.tokens -= units
        return p, None

    def refund(self, p, units):
        self.parts[p].tokens = min(self.parts[p].depth, self.parts[p].tokens + units)
        self.table_bucket.tokens = min(self.table_bucket.depth, self.table_bucket.tokens + units)

    def record(self, p, units, now, items=0):
        # answers come back out of admission order: keep the earliest and the latest
        if self.first_write is None or now < self.first_write:
            self.first_write = now
        if self.last_write is None or now > self.last_write:
            self.last_write = now
        self.timeline.add(now, units)
        peaks = self.partition_peaks.setdefault(p, {})
        s = int(now - self.created)
        peaks[s] = peaks.get(s, 0.0) + units
        self.wcu += units
        self.written += items

    def describe(self, now):
        od = self.s.mode == "on-demand"
        warm = self.allowance(now) if od else self.s.table_wcu
        return {
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST" if od else "PROVISIONED"},
            "ProvisionedThroughput": {
                "ReadCapacityUnits": 0 if od else int(self.s.table_wcu),
                "WriteCapacityUnits": 0 if od else int(self.s.table_wcu),
                "NumberOfDecreasesToday": 0},
            "OnDemandThroughput": {
                "MaxReadRequestUnits": -1,
                "MaxWriteRequestUnits": -1 if self.s.max_on_demand_wcu is None
                else int(self.s.max_on_demand_wcu)},
            "WarmThroughput": {"ReadUnitsPerSecond": int(3 * warm),
                               "WriteUnitsPerSecond": int(warm), "Status": "ACTIVE"},
        }

    def stats(self):
        tl = self.timeline.per_s
        last = max(tl) if tl else -1
        return {
            "mode": self.s.mode,
            "partitions": len(self.parts),
            "table_rate_wcu": self.table_bucket.rate,
            "partition_rate_wcu": self.parts[0].rate if self.parts else 0,
            "items_written": self.written,
            "write_window_s": (self.last_write - self.first_write)
            if self.first_write is not None else 0.0,
            "bucket_depth_s": 1.0 + self.s.burst_s,
            "wcu_consumed": self.wcu,
            "timeline_wcu_per_s": [round(tl.get(s, 0.0), 3) for s in range(last + 1)],
            "partition_peak_wcu_per_s": {str(p): max(v.values()) for p, v in
                                         sorted(self.partition_peaks.items())},
            "partition_wcu": {str(p): sum(v.values()) for p, v in
                              sorted(self.partition_peaks.items())},
        }


def _reason_type(kind, mode):
    """The exception type for a throttle kind."""
    if kind in ("MaxOnDemandThroughputExceeded", "AccountLimitExceeded"):
        return THROTTLING
    return PTEE


# -------------------------------------------------------------------- sim


class CapacitySim:
    """The proxy. start()/stop() or a context manager; stats() for counters."""

    def __init__(self, upstream, settings=None, port=0, clock=time.monotonic,
                 account_max_wcu=80000, table_max_wcu=40000, upstream_timeout_s=60.0,
                 region="us-east-1"):
        u = urllib.parse.urlsplit(upstream)
        if u.scheme != "http" or not u.hostname:
            raise ValueError("upstream must be http://host:port, got %r" % upstream)
        self.upstream = upstream
        self.settings = settings or TableSettings()
        self.port = port
        self.clock = clock
        self.region = region
        self.limits = {"AccountMaxReadCapacityUnits": account_max_wcu,
                       "AccountMaxWriteCapacityUnits": account_max_wcu,
                       "TableMaxReadCapacityUnits": table_max_wcu,
                       "TableMaxWriteCapacityUnits": table_max_wcu}
        self._lock = threading.Lock()
        self._tables = {}
        self._per_table = {}
        self._counters = dict.fromkeys(
            ("requests", "write_requests", "throttled_requests", "throttled_items",
             "exceptions", "unprocessed_answers", "upstream_errors"), 0)
        self._pool = _UpstreamPool(u.hostname, u.port or 80, upstream_timeout_s)
        self._server = None
        self._thread = None

    # ---------------------------------------------------------- lifecycle
    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self):
        self._server = _Server(("127.0.0.1", self.port), _Handler)
        self._server.sim = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        name="capacity-sim", daemon=True)
        self._thread.start()
        _live.add(self)
        return self

    def stop(self):
        _live.discard(self)
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        self._pool.close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    # ------------------------------------------------------------- tables
    def set_table(self, name, settings):
        """Settings for one table (before or after its creation)."""
        with self._lock:
            self._per_table[name] = settings
            t = self._tables.get(name)
            if t is not None:
                t.s = settings
                t.reconfigure(self.clock())

    def table(self, name):
        """(Under the lock.) The table's model, created on first use."""
        t = self._tables.get(name)
        if t is None:
            s = self._per_table.get(name) or self.settings.copy()
            t = self._tables[name] = TableModel(name, s, self.limits, self.clock())
        return t

    def learn_schema(self, name, desc):
        """desc: a CreateTable request or a DescribeTable 'Table'."""
        keys = [k["AttributeName"] for k in sorted(
            desc.get("KeySchema", []), key=lambda k: k["KeyType"] != "HASH")]
        gsis = {g["IndexName"]: [k["AttributeName"] for k in g["KeySchema"]]
                for g in desc.get("GlobalSecondaryIndexes", []) or []}
        with self._lock:
            t = self.table(name)
            if keys:
                t.keys = keys
            t.gsis = gsis

    def stats(self):
        with self._lock:
            c = dict(self._counters)
            c["items_written"] = sum(t.written for t in self._tables.values())
            c["wcu_consumed"] = sum(t.wcu for t in self._tables.values())
            c["tables"] = {n: t.stats() for n, t in self._tables.items()}
        return c

    def _count(self, name, n=1):
        with self._lock:
            self._counters[name] += n

    # -------------------------------------------------------- admission
    def admit(self, table_name, items_costs, now=None):
        """items_costs: [(item or key dict, units)]. Returns (admitted [(index, partition)],
        throttled [index], first throttle kind). Consumes tokens for the admitted.
        now: the model time of the decision (default: the clock)."""
        now = self.clock() if now is None else now
        admitted, throttled, kind = [], [], None
        with self._lock:
            t = self.table(table_name)
            t._tick(now)
            for i, (item, units) in enumerate(items_costs):
                p, why = t.try_consume(units, item, now)
                if why is None:
                    admitted.append((i, p))
                else:
                    throttled.append(i)
                    kind = kind or why
        return admitted, throttled, kind

    def settle(self, table_name, charges, items=0, at=None):
        """charges: [(partition, units)] consumed for good, recorded in the timeline at
        `at` (the admission time; default: now)."""
        now = self.clock() if at is None else at
        with self._lock:
            t = self.table(table_name)
            for p, units in charges:
                t.record(p, units, now)
            t.written += items

    def refund(self, table_name, charges):
        with self._lock:
            t = self.table(table_name)
            for p, units in charges:
                t.refund(p, units)

    def cost(self, table_name, item, old_key_item=None, new=True):
        """WCU of writing `item` (None for a delete of old_key_item's key)."""
        with self._lock:
            t = self.table(table_name)
            key_src = item if item is not None else old_key_item
            k = t.key_of(key_src)
            old = t.sizes.get(k, 0) if k is not None else 0
            size = max(old, item_size(item) if item is not None else 0)
            touched = t.gsis_touched(item if item is not None else {})
            return size_units(size) * (1 + touched), k, (item_size(item) if item else None)

    def remember(self, table_name, key, size):
        if key is None:
            return
        with self._lock:
            t = self.table(table_name)
            if size is None:
                t.sizes.pop(key, None)
            else:
                t.sizes[key] = size

    def throttle_doc(self, table_name, kind):
        mode = self._tables[table_name].s.mode if table_name in self._tables else "provisioned"
        typ = _reason_type(kind, mode)
        arn = "arn:aws:dynamodb:%s:000000000000:table/%s" % (self.region, table_name)
        msg = ("The level of configured provisioned throughput for the table was exceeded. "
               "Consider increasing your provisioning level with the UpdateTable API."
               if typ == PTEE else "Throughput exceeds the current throughput limit.")
        return {"__type": typ, "message": msg,
                "ThrottlingReasons": [{"reason": "TableWrite" + kind, "resource": arn}]}


_live = set()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128


def _encode(doc):
    return json.dumps(doc, separators=(",", ":")).encode()


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "capacity-sim"
    # headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm
    # and the client's delayed ACK add ~40 ms to every answer
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/__capsim/stats"):
            self._reply(200, _encode(self.server.sim.stats()))
            return
        self._proxy()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    # ------------------------------------------------------------ plumbing
    def _reply(self, status, body, headers=()):
        self.send_response_only(status)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", "CAPSIM%046d" % (id(self) % 10 ** 12))
        self.send_header("x-amz-crc32", str(zlib.crc32(body) & 0xFFFFFFFF))
        for k, v in headers:
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _upstream(self, body, target=None):
        headers = [(k, v) for k, v in self.headers.items()
                   if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length"]
        if target is not None:
            headers = [(k, v) for k, v in headers if k.lower() != "x-amz-target"]
            headers.append(("X-Amz-Target", "DynamoDB_20120810." + target))
        headers.append(("Content-Length", str(len(body))))
        return self.server.sim._pool.request(self.command if target is None else "POST",
                                             self.path if target is None else "/",
                                             headers, body)

    def _relay(self, status, reason, rheaders, rbody, doc=None):
        if doc is not None:
            rbody = _encode(doc)
        self.send_response_only(status, reason)
        for k, v in rheaders:
            if k.lower() not in _HOP_BY_HOP and k.lower() not in ("content-length",
                                                                  "x-amz-crc32"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(rbody)))
        self.send_header("x-amz-crc32", str(zlib.crc32(rbody) & 0xFFFFFFFF))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(rbody)

    def _proxy(self):
        sim = self.server.sim
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0 or "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            self._reply(411, b'{"message":"capacity_sim: Content-Length required"}')
            return
        body = self.rfile.read(length) if length else b""
        if len(body) != length:
            self.close_connection = True
            return
        if self.headers.get("Connection", "").lower() == "close":
            self.close_connection = True
        op = self.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1]
        sim._count("requests")
        try:
            doc = json.loads(body) if body else {}
            if not isinstance(doc, dict):
                doc = None
        except ValueError:
            doc = None
        try:
            handler = getattr(self, "_op_" + op, None) if doc is not None else None
            if handler is None:
                self._relay(*self._upstream(body))
            else:
                handler(doc, body)
        except (OSError, http.client.HTTPException) as e:
            sim._count("upstream_errors")
            self.close_connection = True
            try:
                self._reply(502, _encode({"message": "capacity_sim: upstream error: %s" % e}))
            except OSError:
                pass

    def _ensure_schema(self, table):
        sim = self.server.sim
        with sim._lock:
            known = table in sim._tables and sim._tables[table].keys
        if known:
            return
        status, _, _, rbody = self._upstream(_encode({"TableName": table}), "DescribeTable")
        if status == 200:
            sim.learn_schema(table, json.loads(rbody)["Table"])

    # ---------------------------------------------------------- operations
    def _op_CreateTable(self, doc, body):
        sim = self.server.sim
        res = self._upstream(body)
        if res[0] == 200 and "TableName" in doc:
            sim.learn_schema(doc["TableName"], doc)
        self._relay(*res)

    def _op_DescribeTable(self, doc, body):
        sim = self.server.sim
        status, reason, rheaders, rbody = self._upstream(body)
        if status != 200:
            self._relay(status, reason, rheaders, rbody)
            return
        out = json.loads(rbody)
        t = out.get("Table", {})
        name = t.get("TableName", doc.get("TableName"))
        sim.learn_schema(name, t)
        with sim._lock:
            extra = sim.table(name).describe(sim.clock())
        t.update(extra)
        self._relay(status, reason, rheaders, rbody, out)

    def _op_DescribeLimits(self, doc, body):
        self._reply(200, _encode(self.server.sim.limits))

    def _op_UpdateTable(self, doc, body):
        sim = self.server.sim
        name = doc.get("TableName")
        with sim._lock:
            t = sim.table(name)
            s = t.s
            if doc.get("BillingMode") == "PAY_PER_REQUEST":
                s.mode = "on-demand"
            elif doc.get("BillingMode") == "PROVISIONED":
                s.mode = "provisioned"
            if "ProvisionedThroughput" in doc:
                s.table_wcu = float(doc["ProvisionedThroughput"]["WriteCapacityUnits"])
            if "OnDemandThroughput" in doc:
                m = doc["OnDemandThroughput"].get("MaxWriteRequestUnits", -1)
                s.max_on_demand_wcu = None if m == -1 else float(m)
            if "WarmThroughput" in doc:
                w = doc["WarmThroughput"].get("WriteUnitsPerSecond")
                if w is not None:
                    s.warm_wcu = max(s.warm_wcu, float(w))
            t.reconfigure(sim.clock())
        fwd = {k: v for k, v in doc.items() if k not in ("WarmThroughput", "OnDemandThroughput")}
        if set(fwd) == {"TableName"}:  # nothing left for dynalite: answer like DescribeTable
            status, reason, rheaders, rbody = self._upstream(_encode(fwd), "DescribeTable")
            if status == 200:
                out = {"TableDescription": json.loads(rbody)["Table"]}
                with sim._lock:
                    out["TableDescription"].update(sim.table(name).describe(sim.clock()))
                self._relay(status, reason, rheaders, rbody, out)
                return
            self._relay(status, reason, rheaders, rbody)
            return
        self._relay(*self._upstream(_encode(fwd)))

    def _consumed(self, doc, table, units, gsi_units=None):
        mode = doc.get("ReturnConsumedCapacity", "NONE")
        if mode not in ("TOTAL", "INDEXES"):
            return None
        cc = {"TableName": table, "CapacityUnits": float(units),
              "WriteCapacityUnits": float(units)}
        if mode == "INDEXES":
            base = units - sum((gsi_units or {}).values())
            cc["Table"] = {"CapacityUnits": float(base), "WriteCapacityUnits": float(base)}
            if gsi_units:
                cc["GlobalSecondaryIndexes"] = {
                    g: {"CapacityUnits": float(u), "WriteCapacityUnits": float(u)}
                    for g, u in gsi_units.items()}
        return cc

    def _throttle(self, table, kind):
        sim = self.server.sim
        sim._count("throttled_requests")
        sim._count("exceptions")
        self._reply(400, _encode(sim.throttle_doc(table, kind)))

    def _single(self, doc, body, op):
        """PutItem / DeleteItem / UpdateItem."""
        sim = self.server.sim
        table = doc.get("TableName")
        if not isinstance(table, str):
            self._relay(*self._upstream(body))
            return
        sim._count("write_requests")
        self._ensure_schema(table)
        item = doc.get("Item") if op == "PutItem" else None
        key = doc.get("Key") if op != "PutItem" else None
        try:
            units, k, new_size = sim.cost(table, item, key)
        except (ValueError, TypeError, AttributeError):
            self._relay(*self._upstream(body))
            return
        t_admit = sim.clock()
        admitted, _, kind = sim.admit(table, [(item if item is not None else key, units)],
                                      t_admit)
        if not admitted:
            sim._count("throttled_items")
            self._throttle(table, kind)
            return
        p = admitted[0][1]
        status, reason, rheaders, rbody = self._upstream(body)
        failed_condition = status == 400 and b"ConditionalCheckFailedException" in rbody
        if status != 200 and not failed_condition:
            sim.refund(table, [(p, units)])
            self._relay(status, reason, rheaders, rbody)
            return
        if failed_condition:
            # a failed condition consumes the size of the existing item, at least 1 WCU
            with sim._lock:
                old = sim.table(table).sizes.get(k, 0)
            charged = size_units(old)
            sim.refund(table, [(p, units - charged)] if units > charged else [])
            sim.settle(table, [(p, charged)], at=t_admit)
            self._relay(status, reason, rheaders, rbody)
            return
        charged = units
        if op == "UpdateItem" and k is not None:
            g = self._upstream(_encode({"TableName": table, "Key": key, "ConsistentRead": True}),
                               "GetItem")
            if g[0] == 200:
                after = json.loads(g[3]).get("Item")
                if after is not None:
                    with sim._lock:
                        t = sim.table(table)
                        old = t.sizes.get(k, 0)
                        touched = t.gsis_touched(after)
                    new_size = item_size(after)
                    charged = size_units(max(old, new_size)) * (1 + touched)
                    if charged > units:  # the update grew the item: take the rest as debt
                        with sim._lock:
                            tb = sim.table(table)
                            tb.parts[p].tokens -= charged - units
                            tb.table_bucket.tokens -= charged - units
        sim.settle(table, [(p, charged)], items=1 if op != "DeleteItem" else 0, at=t_admit)
        sim.remember(table, k, None if op == "DeleteItem" else new_size)
        out = None
        cc = self._consumed(doc, table, charged)
        if cc is not None:
            out = json.loads(rbody) if rbody else {}
            out["ConsumedCapacity"] = cc
        self._relay(status, reason, rheaders, rbody, out)

    def _op_PutItem(self, doc, body):
        self._single(doc, body, "PutItem")

    def _op_DeleteItem(self, doc, body):
        self._single(doc, body, "DeleteItem")

    def _op_UpdateItem(self, doc, body):
        self._single(doc, body, "UpdateItem")

    def _op_BatchWriteItem(self, doc, body):
        sim = self.server.sim
        req_items = doc.get("RequestItems")
        try:
            flat = [(t, r) for t, reqs in req_items.items() for r in reqs]
            entries = []
            for t, r in flat:
                if "PutRequest" in r:
                    entries.append((t, r, r["PutRequest"]["Item"], None))
                else:
                    entries.append((t, r, None, r["DeleteRequest"]["Key"]))
        except (AttributeError, KeyError, TypeError):
            self._relay(*self._upstream(body))
            return
        sim._count("write_requests")
        if not entries or len(entries) > 25:
            self._relay(*self._upstream(body))  # dynalite's ValidationException
            return
        for t in req_items:
            self._ensure_schema(t)
        costs = []
        keys_seen = set()
        duplicate = False
        try:
            for t, r, item, key in entries:
                units, k, new_size = sim.cost(t, item, key)
                if k is not None:
                    duplicate |= (t, k) in keys_seen
                    keys_seen.add((t, k))
                gsi = {}
                if item is not None:
                    with sim._lock:
                        tm = sim.table(t)
                        each = units // (1 + tm.gsis_touched(item))
                        gsi = {g: each for g, ks in tm.gsis.items()
                               if all(a in item for a in ks)}
                costs.append((units, k, new_size, gsi))
        except (ValueError, TypeError, AttributeError, KeyError):
            self._relay(*self._upstream(body))
            return
        if duplicate:  # dynalite rejects the whole request: do not split it
            self._relay(*self._upstream(body))
            return
        # admission, table by table, in request order
        admitted_idx, throttled_idx, kind, first_table = {}, [], None, None
        by_table = {}
        t_admit = sim.clock()
        for i, (t, _, item, key) in enumerate(entries):
            by_table.setdefault(t, []).append(i)
        for t, idxs in by_table.items():
            adm, thr, why = sim.admit(t, [(entries[i][2] if entries[i][2] is not None
                                           else entries[i][3], costs[i][0]) for i in idxs],
                                  t_admit)
            for j, p in adm:
                admitted_idx[idxs[j]] = p
            throttled_idx.extend(idxs[j] for j in thr)
            if why is not None and kind is None:
                kind, first_table = why, t
        if not admitted_idx:
            sim._count("throttled_items", len(entries))
            self._throttle(first_table, kind)
            return
        if throttled_idx:
            kept, withheld = {}, {}
            for i, (t, r, _, _) in enumerate(entries):
                (kept if i in admitted_idx else withheld).setdefault(t, []).append(r)
            fwd = dict(doc)
            fwd["RequestItems"] = kept
            fwd_body = _encode(fwd)
        else:
            withheld, fwd_body = {}, body
        status, reason, rheaders, rbody = self._upstream(fwd_body)
        charges_by_table = {}
        for i, p in admitted_idx.items():
            charges_by_table.setdefault(entries[i][0], []).append((p, costs[i][0]))
        if status != 200:
            for t, ch in charges_by_table.items():
                sim.refund(t, ch)
            self._relay(status, reason, rheaders, rbody)
            return
        out = json.loads(rbody)
        up_unprocessed = out.get("UnprocessedItems") or {}
        for t, ch in charges_by_table.items():
            n_items = sum(1 for i in admitted_idx if entries[i][0] == t
                          and entries[i][2] is not None)
            sim.settle(t, ch, items=n_items, at=t_admit)
        for i in admitted_idx:
            t, _, item, key = entries[i]
            sim.remember(t, costs[i][1], None if item is None else costs[i][2])
        if throttled_idx:
            sim._count("throttled_requests")
            sim._count("unprocessed_answers")
            sim._count("throttled_items", len(throttled_idx))
        unprocessed = {t: list(v) for t, v in up_unprocessed.items()}
        for t, reqs in withheld.items():
            unprocessed.setdefault(t, []).extend(reqs)
        out["UnprocessedItems"] = unprocessed
        if doc.get("ReturnConsumedCapacity") in ("TOTAL", "INDEXES"):
            ccs = []
            for t in req_items:
                units = sum(costs[i][0] for i in admitted_idx if entries[i][0] == t)
                gsi = {}
                for i in admitted_idx:
                    if entries[i][0] == t:
                        for g, u in costs[i][3].items():
                            gsi[g] = gsi.get(g, 0) + u
                ccs.append(self._consumed(doc, t, units, gsi))
            out["ConsumedCapacity"] = ccs
        self._relay(status, reason, rheaders, rbody, out)


def _stop_all():
    for s in list(_live):
        s.stop()


atexit.register(_stop_all)


def main(argv=None):
    ap = argparse.ArgumentParser(description="DynamoDB write-capacity simulator (proxy).")
    ap.add_argument("--upstream", required=True, help="http://127.0.0.1:PORT (dynalite)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--mode", choices=("provisioned", "on-demand"), default="provisioned")
    ap.add_argument("--table-wcu", type=float, default=1000, help="provisioned WCU")
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--warm-wcu", type=float, default=4000, help="on-demand warm throughput")
    ap.add_argument("--max-on-demand-wcu", type=float, default=None)
    ap.add_argument("--burst-s", type=float, default=0.0,
                    help="seconds of unused capacity kept (DynamoDB: up to 300)")
    ap.add_argument("--time-scale", type=float, default=1.0,
                    help="scales the 30-minute on-demand ramp window")
    ap.add_argument("--adaptive", action="store_true",
                    help="provisioned: a partition may use up to 1,000 WCU/s of the table's "
                         "capacity (adaptive capacity) instead of its even share")
    ap.add_argument("--table-max-wcu", type=int, default=40000)
    ap.add_argument("--account-max-wcu", type=int, default=80000)
    ap.add_argument("--stats-out", default=None, help="write the stats JSON there at exit")
    args = ap.parse_args(argv)
    settings = TableSettings(args.mode, args.table_wcu, args.partitions, args.warm_wcu,
                             args.max_on_demand_wcu, args.burst_s, args.time_scale,
                             args.adaptive)
    sim = CapacitySim(args.upstream, settings, port=args.port,
                      account_max_wcu=args.account_max_wcu, table_max_wcu=args.table_max_wcu)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    with sim:
        print("listening on %s" % sim.endpoint, flush=True)
        while not done.is_set():
            done.wait(0.2)
    text = json.dumps(sim.stats(), sort_keys=True)
    if args.stats_out:
        with open(args.stats_out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        print(text, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
