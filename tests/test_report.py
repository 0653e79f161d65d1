#!/usr/bin/env python3
"""`csv2ddb report NAME --html FILE` end to end: a run with rejects and
throttling (dynalite behind the fault proxy), its journal time series, and
the report rendered by headless Chromium: the DOM holds every series with
one point per sample of the journal, the rejects by rule and the first
rejected rows; a screenshot shows the charts. Also a report taken while the
execution runs (it reloads itself) and after it ended."""
import html.parser
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import chromium  # noqa: E402
from dynalite_case import DynaliteCase  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402
from project import BIN, SAMPLE, EV_MAPPING, NO_FILE  # noqa: E402

ENV = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="csv2ddb-test-secret",
           AWS_EC2_METADATA_DISABLED="true", AWS_SHARED_CREDENTIALS_FILE=NO_FILE,
           AWS_CONFIG_FILE=NO_FILE)
ENV.pop("AWS_PROFILE", None)

SERIES = ["rows_per_s", "written_per_s", "mb_per_s", "wcu_per_s", "throttles_per_s",
          "retries_per_s", "in_flight", "inflight_limit", "rejected"]
# The y of a zero value in every chart (report/svg_chart.cc: top 12 + plot height 180).
ZERO_Y = 192.0


class Dom(html.parser.HTMLParser):
    """What the tests look at in the rendered DOM."""

    def __init__(self):
        super().__init__()
        self.polylines, self.markers, self.rules, self.rejects, self.links = {}, {}, {}, [], []
        self.meta_refresh, self.body = None, {}
        self._group, self._rule, self._cells, self._in_td = None, None, None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body = a
        elif tag == "meta" and a.get("http-equiv") == "refresh":
            self.meta_refresh = a.get("content")
        elif tag == "polyline":
            self.polylines[a["data-series"]] = (int(a["data-points"]), a["points"].split())
        elif tag == "g" and a.get("class") == "markers":
            self._group = a["data-series"]
            self.markers[self._group] = 0
        elif tag == "circle" and self._group:
            self.markers[self._group] += 1
        elif tag == "tr" and "data-rule" in a:
            self._rule, self._cells = a["data-rule"], []
        elif tag == "tr" and a.get("class") == "reject":
            self._rule, self._cells = "#reject", []
        elif tag == "td" and self._cells is not None:
            self._in_td = True
            self._cells.append("")
        elif tag == "a" and a.get("class") == "error-link":
            self.links.append(a["href"])

    def handle_endtag(self, tag):
        if tag == "g":
            self._group = None
        elif tag == "td":
            self._in_td = False
        elif tag == "tr" and self._cells is not None:
            if self._rule == "#reject":
                self.rejects.append(self._cells)
            else:
                self.rules[self._rule] = int(self._cells[1])
            self._rule, self._cells = None, None

    def handle_data(self, data):
        if self._in_td and self._cells:
            self._cells[-1] += data


def parse(dom_text):
    d = Dom()
    d.feed(dom_text)
    return d


class Report(DynaliteCase):
    scratch_prefix = "csv2ddb_report_"

    def input_with_rejects(self, rows=2500):
        with open(SAMPLE, encoding="utf-8") as f:
            header, *lines = f.read().splitlines()
        lines = lines[:rows]
        blank_key = ",".join(["x"] * 13 + ["", "x", "x", "x"])  # DOL Vehicle ID blank
        for i in range(0, len(lines), 250):
            lines.insert(i, "short,row")       # field_count
            lines.insert(i + 1, blank_key)     # not_blank
        with open(self.path("in.csv"), "w", encoding="utf-8") as f:
            f.write("\n".join([header] + lines) + "\n")
        return self.path("in.csv")

    def cli(self, *args, check=True):
        p = subprocess.run([BIN, *args], capture_output=True, env=ENV, cwd=self.dir, timeout=300)
        if check:
            self.assertEqual(p.returncode, 0, p.stderr.decode())
        return p

    def run_args(self, src, endpoint, name, table, *extra):
        return ["run", src, "-m", EV_MAPPING, "-t", "dynamodb://" + table, "--endpoint-url",
                endpoint, "--region", "us-east-1", "--create-table", "-q", "--name", name,
                "--errors", self.path("errors"), "--state-dir", self.path("state"),
                "--chunk-size", "64k", "--workers", "2", "--sample-interval", "0.05", *extra]

    def samples(self, name):
        con = sqlite3.connect(self.path("state/journal.sqlite"))
        try:
            return con.execute("SELECT throttles_per_s, retries_per_s, final, rejects_by_rule "
                               "FROM samples WHERE execution = ? ORDER BY id", (name,)).fetchall()
        finally:
            con.close()

    def test_report_of_a_run_with_rejects_and_throttling(self):
        src = self.input_with_rejects()
        with FaultProxy(self.ddb.endpoint, probability=0.3, max_faults=25, seed=11,
                        kinds=("throttling", "throughput_exceeded", "unprocessed")) as proxy:
            p = self.cli(*self.run_args(src, proxy.endpoint, "rep", "tb_report"))
            faults = proxy.counts()
        summary = json.loads(p.stdout)
        self.assertEqual(summary["STATUS"], "SUCCEEDED")
        self.assertEqual(summary["TOTAL_NUMBER_OF_ITEMS_IN_ERROR"], 20)
        self.assertGreater(faults["faults"], 0)

        rows = self.samples("rep")
        n = len(rows)
        self.assertGreaterEqual(n, 3, "a run of a second or so, sampled every 0.05 s")
        self.assertEqual([r[2] for r in rows].count(1), 1, "one final sample")
        self.assertEqual(rows[-1][2], 1)
        self.assertGreater(max(r[0] for r in rows), 0, "throttling is in the time series")
        self.assertGreater(max(r[1] for r in rows), 0, "retries are in the time series")
        self.assertEqual(json.loads(rows[-1][3]), {"field_count": 10, "not_blank": 10})

        out = self.path("report.html")
        self.cli("report", "rep", "--html", out, "--state-dir", self.path("state"))
        with open(out, encoding="utf-8") as f:
            page = f.read()
        for forbidden in ("<script", " src=", "<link", "@import"):
            self.assertNotIn(forbidden, page, "self-contained: nothing fetched")

        dom = parse(chromium.dump_dom(out))
        self.assertEqual(dom.body.get("data-status"), "SUCCEEDED")
        self.assertEqual(int(dom.body.get("data-samples")), n)
        self.assertIsNone(dom.meta_refresh, "an ended execution does not reload")
        for series in SERIES + ["rule_0", "rule_1"]:
            self.assertIn(series, dom.polylines, series)
            points, coords = dom.polylines[series]
            self.assertEqual(points, n, series)
            self.assertEqual(len(coords), n, series)
            self.assertEqual(dom.markers[series], n, series)
        # The throttling chart is not flat, and neither is throughput.
        for series in ("throttles_per_s", "retries_per_s", "rows_per_s"):
            ys = [float(c.split(",")[1]) for c in dom.polylines[series][1]]
            self.assertLess(min(ys), ZERO_Y, series)
        self.assertEqual(dom.rules, {"field_count": 10, "not_blank": 10})
        self.assertEqual(len(dom.rejects), 20)
        self.assertEqual(sorted({r[2] for r in dom.rejects}), ["field_count", "not_blank"])
        for line, column, rule, reason in dom.rejects:
            self.assertIn("line " + line, reason)
            self.assertIn("rule " + rule, reason)
        errors_dir = os.path.join(self.path("errors"), "execution_name=rep")
        self.assertIn("file://" + os.path.join(errors_dir, "rejects.ndjson"), dom.links)

        png = chromium.screenshot(out, self.path("report.png"), 1200, 1800)
        width, height, pixels = chromium.read_png(png)
        self.assertEqual((width, height), (1200, 1800))
        inked = sum(1 for row in pixels for px in row if px != (255, 255, 255))
        self.assertGreater(inked / (width * height), 0.02, "not blank")
        colors = {px for row in pixels for px in row}
        # The series colors of the charts (report/html_report.cc) are drawn.
        for rgb in ((31, 119, 180), (214, 39, 40), (44, 160, 44)):
            self.assertIn(rgb, colors)
        if os.environ.get("CSV2DDB_KEEP_REPORT"):
            shutil.copy(png, os.environ["CSV2DDB_KEEP_REPORT"])  # to look at it
            shutil.copy(out, os.environ["CSV2DDB_KEEP_REPORT"] + ".html")

    def test_report_while_running_reloads_and_after_does_not(self):
        src = self.input_with_rejects(600)
        gate = threading.Event()
        with FaultProxy(self.ddb.endpoint, probability=0, max_faults=0, gate=gate) as proxy:
            run = subprocess.Popen([BIN, *self.run_args(src, proxy.endpoint, "live", "tb_live")],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV,
                                   cwd=self.dir)
            try:
                self.assertTrue(proxy.held.wait(60), "a write reached the proxy")
                out = self.path("live.html")
                self.cli("report", "live", "--html", out, "--state-dir", self.path("state"),
                         "--refresh", "2")
                dom = parse(chromium.dump_dom(out))
                self.assertEqual(dom.body.get("data-status"), "RUNNING")
                self.assertEqual(dom.meta_refresh, "2")
                # --follow rewrites the page until the execution ends, then stops.
                follow = subprocess.Popen(
                    [BIN, "report", "live", "--html", out, "--state-dir", self.path("state"),
                     "--follow", "--refresh", "1"], stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, env=ENV, cwd=self.dir)
            finally:
                gate.set()
                stdout, stderr = run.communicate(timeout=120)
        self.assertEqual(run.returncode, 0, stderr.decode())
        _, follow_err = follow.communicate(timeout=60)
        self.assertEqual(follow.returncode, 0, follow_err.decode())
        dom = parse(chromium.dump_dom(out))
        self.assertEqual(dom.body.get("data-status"), "SUCCEEDED")
        self.assertIsNone(dom.meta_refresh)
        n = len(self.samples("live"))
        self.assertEqual(dom.polylines["rows_per_s"][0], n)

    def test_a_resumed_execution_keeps_one_series_numbered_by_run(self):
        src = self.input_with_rejects(1200)
        gate = threading.Event()
        with FaultProxy(self.ddb.endpoint, probability=0, max_faults=0, gate=gate) as proxy:
            run = subprocess.Popen([BIN, *self.run_args(src, proxy.endpoint, "again", "tb_again")],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV,
                                   cwd=self.dir)
            self.assertTrue(proxy.held.wait(60))
            run.terminate()  # SIGTERM: chunks in flight commit, the execution is ABORTED
            gate.set()
            _, stderr = run.communicate(timeout=120)
            self.assertEqual(run.returncode, 3, stderr.decode())
            self.cli("resume", "again", "--state-dir", self.path("state"), "-q")
        con = sqlite3.connect(self.path("state/journal.sqlite"))
        runs = [r for (r,) in con.execute(
            "SELECT run FROM samples WHERE execution = 'again' ORDER BY id")]
        con.close()
        self.assertEqual(sorted(set(runs)), [1, 2])
        self.assertEqual(runs, sorted(runs), "run 2's samples come after run 1's")
        out = self.path("again.html")
        self.cli("report", "again", "--html", out, "--state-dir", self.path("state"))
        with open(out, encoding="utf-8") as f:
            dom = parse(f.read())
        self.assertEqual(dom.body.get("data-status"), "SUCCEEDED")
        self.assertEqual(dom.polylines["rows_per_s"][0], len(runs))
        # Rejects by rule come from the journal's chunk rows: exact across the resume.
        self.assertEqual(dom.rules, {"field_count": 5, "not_blank": 5})

    def test_unknown_execution_is_a_usage_error(self):
        p = self.cli("report", "nope", "--html", self.path("x.html"), "--state-dir",
                     self.path("state"), check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no execution 'nope'", p.stderr.decode())
        self.assertFalse(os.path.exists(self.path("x.html")))


if __name__ == "__main__":
    unittest.main()
