#include "report/html_report.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "common/markup_escape.h"
#include "report/svg_chart.h"

namespace csv2ddb {

namespace {

const char* const kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                "#9467bd", "#8c564b", "#e377c2", "#17becf"};

constexpr const char* kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#222;background:#fff;max-width:1500px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#666;font-size:13px}
.status{display:inline-block;padding:2px 8px;border-radius:4px;color:#fff;font-weight:600;font-size:13px}
.RUNNING{background:#1f77b4}.SUCCEEDED{background:#2ca02c}.FAILED{background:#d62728}.ABORTED{background:#ff7f0e}
table{border-collapse:collapse;font-size:13px} td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5} td.n{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:120px}
.card b{display:block;font-size:20px} .card span{color:#666;font-size:12px}
.charts{display:flex;flex-wrap:wrap;gap:16px}
figure.chart{margin:0;border:1px solid #e5e5e5;border-radius:6px;padding:8px}
figcaption{font-weight:600;font-size:14px;margin-bottom:4px}
svg .grid{stroke:#eee} svg text{font-size:11px;fill:#666}
.legend{font-size:12px;display:flex;gap:14px;flex-wrap:wrap;margin-top:4px}
.legend i{display:inline-block;width:12px;height:3px;margin-right:5px;vertical-align:middle}
.reason{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.error{color:#b00020} .note{color:#666;font-size:13px}
)";

std::string Esc(const std::string& s) { return MarkupEscape(s); }

std::string U64(uint64_t v) { return std::to_string(v); }

std::string Fixed(double v, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string Card(const std::string& value, const std::string& label) {
  return "<div class=\"card\"><b>" + Esc(value) + "</b><span>" + Esc(label) + "</span></div>";
}

std::string Row(const std::string& key, const std::string& value_html) {
  return "<tr><th>" + Esc(key) + "</th><td>" + value_html + "</td></tr>\n";
}

// Seconds since the first sample, for every sample (wall clock: a resume
// appears after the gap it left).
std::vector<double> Times(const std::vector<Sample>& samples) {
  std::vector<double> x;
  x.reserve(samples.size());
  const int64_t t0 = samples.empty() ? 0 : samples.front().time_ms;
  for (const Sample& s : samples) x.push_back(static_cast<double>(s.time_ms - t0) / 1000.0);
  return x;
}

template <typename F>
ChartSeries Series(const std::vector<Sample>& samples, std::string id, std::string label,
                   size_t color, F value) {
  ChartSeries s;
  s.id = std::move(id);
  s.label = std::move(label);
  s.color = kPalette[color % (sizeof kPalette / sizeof kPalette[0])];
  s.values.reserve(samples.size());
  for (const Sample& sample : samples) s.values.push_back(value(sample));
  return s;
}

std::string Charts(const ReportData& d) {
  const std::vector<Sample>& ss = d.samples;
  if (ss.empty()) {
    return "<p class=\"note\">No samples in the journal for this execution (it ran with "
           "--sample-interval 0, or before csv2ddb recorded time series).</p>\n";
  }
  const std::vector<double> x = Times(ss);
  const bool estimated =
      std::any_of(ss.begin(), ss.end(), [](const Sample& s) { return s.write_units_estimated; });
  std::string o = "<div class=\"charts\">\n";
  Chart c;
  c.x = x;

  c.id = "throughput";
  c.title = "Throughput";
  c.unit = "per second";
  c.series = {Series(ss, "rows_per_s", "rows/s (committed)", 0,
                     [](const Sample& s) { return s.rows_per_s; }),
              Series(ss, "written_per_s", "items written/s", 2,
                     [](const Sample& s) { return s.written_per_s; })};
  o += RenderSvgChart(c);

  c.id = "input";
  c.title = "Input read";
  c.unit = "MB/s";
  c.series = {Series(ss, "mb_per_s", "MB/s read", 4, [](const Sample& s) { return s.mb_per_s; })};
  o += RenderSvgChart(c);

  c.id = "capacity";
  c.title = estimated ? "Write capacity (estimated: ceil(item JSON size / 1 KB) per item)"
                      : "Write capacity";
  c.unit = estimated ? "WCU/s (estimated)" : "WCU/s";
  c.series = {Series(ss, "wcu_per_s", estimated ? "WCU/s (estimated)" : "WCU/s", 3,
                     [](const Sample& s) { return s.wcu_per_s; })};
  o += RenderSvgChart(c);

  c.id = "throttling";
  c.title = "Throttling and retries";
  c.unit = "per second";
  c.series = {
      Series(ss, "throttles_per_s", "throttled requests/s", 1,
             [](const Sample& s) { return s.throttles_per_s; }),
      Series(ss, "retries_per_s", "retries/s", 3, [](const Sample& s) { return s.retries_per_s; })};
  o += RenderSvgChart(c);

  c.id = "inflight";
  c.title = "Requests in flight";
  c.unit = "requests";
  c.series = {Series(ss, "in_flight", "in flight", 0,
                     [](const Sample& s) { return static_cast<double>(s.in_flight); }),
              Series(ss, "inflight_limit", "governor's limit", 5,
                     [](const Sample& s) { return static_cast<double>(s.inflight_limit); })};
  o += RenderSvgChart(c);

  // Rejects by rule, cumulative within each run.
  std::vector<std::string> rules;
  std::set<std::string> seen;
  for (const Sample& s : ss) {
    for (const auto& [rule, n] : s.rejects_by_rule) {
      if (seen.insert(rule).second) rules.push_back(rule);
    }
  }
  c.id = "rejects";
  c.title = "Rejects by rule (cumulative per run)";
  c.unit = "records";
  c.series.clear();
  c.series.push_back(Series(ss, "rejected", "all rules", 1,
                            [](const Sample& s) { return static_cast<double>(s.rejected); }));
  for (size_t i = 0; i < rules.size(); ++i) {
    const std::string rule = rules[i];
    c.series.push_back(
        Series(ss, "rule_" + std::to_string(i), "rule " + rule, i + 2, [&rule](const Sample& s) {
          for (const auto& [r, n] : s.rejects_by_rule) {
            if (r == rule) return static_cast<double>(n);
          }
          return 0.0;
        }));
  }
  o += RenderSvgChart(c);
  o += "</div>\n";
  return o;
}

std::string Summary(const ReportData& d) {
  const ExecutionRecord& e = d.execution;
  const ChunkTotals& t = d.totals;
  std::string o;
  o += "<div class=\"cards\">";
  o += Card(U64(t.records), "records read");
  o += Card(U64(t.written), "items written");
  o += Card(U64(t.rejected), "records rejected");
  o +=
      Card(U64(t.done_chunks) + (e.total_chunks >= 0 ? " / " + std::to_string(e.total_chunks) : ""),
           "chunks done" + std::string(e.total_chunks >= 0 ? " / total" : ""));
  if (t.failed_chunks > 0) o += Card(U64(t.failed_chunks), "chunks failed");
  if (!d.samples.empty()) {
    double peak_rows = 0;
    uint64_t throttles = 0;
    uint64_t retries = 0;
    for (const Sample& s : d.samples) peak_rows = std::max(peak_rows, s.rows_per_s);
    // Counters are cumulative per run: add each run's last sample.
    std::map<int64_t, const Sample*> last;
    for (const Sample& s : d.samples) last[s.run] = &s;
    for (const auto& [run, s] : last) {
      throttles += s->throttles;
      retries += s->retries;
    }
    o += Card(ShortNumber(peak_rows), "peak rows/s");
    o += Card(U64(throttles), "throttled requests");
    o += Card(U64(retries), "retries");
  }
  o += "</div>\n<table class=\"summary\">\n";
  o += Row("status", "<span class=\"status " + Esc(e.status) + "\">" + Esc(e.status) + "</span>");
  o += Row("started", Esc(e.start_date));
  o += Row("stopped", e.stop_date.empty() ? "(running)" : Esc(e.stop_date));
  o += Row("input", Esc(d.input));
  o += Row("mapping", Esc(d.mapping));
  o += Row("target", Esc(d.target));
  o += Row("bytes done", Esc(U64(t.bytes_done)));
  o += Row("blank lines skipped", Esc(U64(t.blank_lines)));
  if (!e.error.empty()) o += Row("error", "<span class=\"error\">" + Esc(e.error) + "</span>");
  o += Row("samples", Esc(U64(d.samples.size())));
  o += "</table>\n";
  return o;
}

std::string Rejects(const ReportData& d) {
  std::string o;
  if (d.rejects_by_rule.empty()) {
    o += "<p class=\"note\">No rejected records in the committed chunks.</p>\n";
  } else {
    uint64_t total = 0;
    for (const auto& [rule, n] : d.rejects_by_rule) total += n;
    o += "<table class=\"rules\">\n<tr><th>rule</th><th>records</th><th>share</th></tr>\n";
    for (const auto& [rule, n] : d.rejects_by_rule) {
      o += "<tr data-rule=\"" + Esc(rule) + "\"><td>" + Esc(rule) + "</td><td class=\"n\">" +
           U64(n) + "</td><td class=\"n\">" +
           Fixed(100.0 * static_cast<double>(n) / static_cast<double>(total), 1) + "%</td></tr>\n";
    }
    o += "</table>\n";
  }
  if (!d.error_location.empty()) {
    o += "<p>Error location: <code>" + Esc(d.error_location) + "</code>";
    for (const auto& [text, href] : d.error_links) {
      o += " &middot; <a class=\"error-link\" href=\"" + Esc(href) + "\">" + Esc(text) + "</a>";
    }
    o += "</p>\n";
  }
  o += "<h2>First rejected rows</h2>\n";
  if (!d.first_rejects.empty()) {
    o += "<table class=\"first-rejects\">\n<tr><th>line</th><th>column</th><th>rule</th>"
         "<th>reason</th></tr>\n";
    for (const RejectedRow& r : d.first_rejects) {
      o += "<tr class=\"reject\"><td class=\"n\">" + U64(r.line) + "</td><td>" + Esc(r.column) +
           "</td><td>" + Esc(r.rule) + "</td><td class=\"reason\">" + Esc(r.reason) +
           "</td></tr>\n";
    }
    o += "</table>\n";
  }
  if (!d.first_rejects_note.empty()) {
    o += "<p class=\"note\">" + Esc(d.first_rejects_note) + "</p>\n";
  }
  return o;
}

}  // namespace

std::string RenderHtmlReport(const ReportData& d) {
  const ExecutionRecord& e = d.execution;
  std::string o = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  if (d.refresh_seconds > 0) {
    o += "<meta http-equiv=\"refresh\" content=\"" + std::to_string(d.refresh_seconds) + "\">\n";
  }
  o += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  o += "<title>csv2ddb report: " + Esc(e.name) + " (" + Esc(e.status) + ")</title>\n";
  o += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body data-execution=\"" +
       Esc(e.name) + "\" data-status=\"" + Esc(e.status) + "\" data-samples=\"" +
       U64(d.samples.size()) + "\">\n";
  o += "<h1>csv2ddb execution " + Esc(e.name) + " <span class=\"status " + Esc(e.status) + "\">" +
       Esc(e.status) + "</span></h1>\n";
  o += "<div class=\"sub\">Report generated " + Esc(d.generated_at) +
       (d.refresh_seconds > 0 ? " &middot; the execution is running: this page reloads every " +
                                    std::to_string(d.refresh_seconds) + " s"
                              : "") +
       "</div>\n";
  o += "<h2>Summary</h2>\n" + Summary(d);
  o += "<h2>Over time</h2>\n" + Charts(d);
  o += "<h2>Rejects by rule</h2>\n" + Rejects(d);
  o += "</body>\n</html>\n";
  return o;
}

}  // namespace csv2ddb
