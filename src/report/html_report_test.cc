#include "report/html_report.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace csv2ddb {
namespace {

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

ReportData Data(size_t samples) {
  ReportData d;
  d.execution.name = "exec-1";
  d.execution.status = kSucceeded;
  d.execution.start_date = "2026-11-29T22:00:00.000Z";
  d.execution.stop_date = "2026-11-29T22:00:09.000Z";
  d.execution.total_chunks = 3;
  d.input = "data.csv";
  d.target = "dynamodb://tb";
  d.totals.records = 100;
  d.totals.written = 97;
  d.totals.rejected = 3;
  d.totals.done_chunks = 3;
  for (size_t i = 0; i < samples; ++i) {
    Sample s;
    s.time_ms = 1'000'000 + static_cast<int64_t>(i) * 1000;
    s.rows_per_s = static_cast<double>(10 * i);
    s.throttles_per_s = i % 2 ? 3 : 0;
    s.in_flight = i;
    s.inflight_limit = 16;
    s.rejected = i;
    s.rejects_by_rule = {{"not_blank", i}};
    d.samples.push_back(s);
  }
  d.rejects_by_rule = {{"not_blank", 2}, {"field_count", 1}};
  d.error_location = "errs/execution_name=exec-1";
  d.error_links = {{"rejects.ndjson", "file:///data/errs/execution_name=exec-1/rejects.ndjson"}};
  d.first_rejects = {{7, "DOL Vehicle ID", "not_blank", "line 7: <script>alert(1)</script>"}};
  d.generated_at = "2026-11-29T22:01:00.000Z";
  return d;
}

TEST(HtmlReportTest, EverySeriesHasOnePointPerSample) {
  const std::string html = RenderHtmlReport(Data(7));
  const std::regex polyline(
      "<polyline[^>]*data-series=\"([a-z0-9_]+)\" data-points=\"(\\d+)\"[^>]*"
      "points=\"([^\"]*)\"");
  size_t series = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), polyline);
       it != std::sregex_iterator(); ++it) {
    ++series;
    EXPECT_EQ((*it)[2].str(), "7") << (*it)[1].str();
    EXPECT_EQ(Count((*it)[3].str(), ","), 7u) << (*it)[1].str();  // x,y pairs
  }
  // throughput 2, input 1, capacity 1, throttling 2, in flight 2, rejects 1 + 1 rule.
  EXPECT_EQ(series, 10u);
  for (const char* chart :
       {"throughput", "input", "capacity", "throttling", "inflight", "rejects"}) {
    EXPECT_NE(html.find(std::string("data-chart=\"") + chart + "\""), std::string::npos) << chart;
  }
  EXPECT_NE(html.find("WCU/s (estimated)"), std::string::npos);
}

TEST(HtmlReportTest, SelfContainedAndEscaped) {
  const std::string html = RenderHtmlReport(Data(3));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("<tr data-rule=\"not_blank\"><td>not_blank</td><td class=\"n\">2</td>"),
            std::string::npos);
  EXPECT_NE(html.find("href=\"file:///data/errs/execution_name=exec-1/rejects.ndjson\""),
            std::string::npos);
}

TEST(HtmlReportTest, ReloadsOnlyWhileRunning) {
  ReportData d = Data(2);
  EXPECT_EQ(RenderHtmlReport(d).find("http-equiv=\"refresh\""), std::string::npos);
  d.execution.status = kRunning;
  d.refresh_seconds = 5;
  EXPECT_NE(RenderHtmlReport(d).find("<meta http-equiv=\"refresh\" content=\"5\">"),
            std::string::npos);
}

TEST(HtmlReportTest, NoSamplesSaysSo) {
  const std::string html = RenderHtmlReport(Data(0));
  EXPECT_EQ(html.find("<polyline"), std::string::npos);
  EXPECT_NE(html.find("No samples"), std::string::npos);
}

}  // namespace
}  // namespace csv2ddb
