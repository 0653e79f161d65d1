// `csv2ddb report NAME --html FILE`: one self-contained HTML page about an
// execution (no script, no style sheet or font from the network; the charts
// are inline SVG, report/svg_chart.h): the summary, throughput, write
// capacity, throttling and in-flight charts over time from the journal's
// time series (journal/series.h), rejects by rule, the first rejected rows
// with their reasons, and links to the error location. While the execution
// is RUNNING the page reloads itself (meta refresh), so a report rewritten
// during the run (`--follow`) stays current in an open browser tab.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "journal/journal.h"
#include "journal/series.h"

namespace csv2ddb {

// One rejected record as the error location stores it.
struct RejectedRow {
  uint64_t line = 0;
  std::string column;  // empty: the whole record
  std::string rule;
  std::string reason;
};

struct ReportData {
  ExecutionRecord execution;
  std::string input, mapping, target;  // from the execution's stored options
  ChunkTotals totals;
  std::vector<Sample> samples;
  std::vector<std::pair<std::string, uint64_t>> rejects_by_rule;  // most frequent first
  std::string error_location;  // as the summary's ERROR_DATA_LOCATION
  // Links to the error location: (text, href), e.g. the folder and the two
  // files for a local one, the S3 console for s3://.
  std::vector<std::pair<std::string, std::string>> error_links;
  std::vector<RejectedRow> first_rejects;
  std::string first_rejects_note;  // why first_rejects is empty or partial
  std::string generated_at;        // ISO 8601 UTC
  int refresh_seconds = 0;         // > 0: a meta refresh (the execution is RUNNING)
};

// The page. Pure: the same data gives the same bytes.
std::string RenderHtmlReport(const ReportData& data);

}  // namespace csv2ddb
