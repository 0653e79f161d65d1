#include "report/summary.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "errors/reject_formatter.h"

namespace csv2ddb {

std::string FormatSummary(const Summary& s) {
  rapidjson::StringBuffer sb;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(sb);
  w.SetIndent(' ', 2);
  const auto str = [&w](const std::string& s0) {
    const std::string v = ToValidUtf8(s0);
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  };
  w.StartObject();
  w.Key("TOTAL_NUMBER_OF_ITEMS_WRITTEN");
  w.Uint64(s.written);
  w.Key("TOTAL_NUMBER_OF_ITEMS_IN_ERROR");
  w.Uint64(s.rejected);
  w.Key("DESTINATION_TABLE_NAME");
  str(s.table);
  if (s.rejected > 0 && !s.error_location.empty()) {
    w.Key("ERROR_DATA_LOCATION");
    str(s.error_location);
  }
  w.Key("EXECUTION_NAME");
  str(s.execution_name);
  if (!s.status.empty()) {
    w.Key("STATUS");
    str(s.status);
  }
  if (!s.error.empty()) {
    w.Key("ERROR");
    str(s.error);
  }
  w.Key("TARGET");
  str(s.target);
  w.Key("TOTAL_NUMBER_OF_RECORDS_READ");
  w.Uint64(s.records);
  w.Key("TOTAL_NUMBER_OF_ITEMS_SKIPPED");
  w.Uint64(s.skipped);
  if (!s.skipped_by_reason.empty()) {
    w.Key("ITEMS_SKIPPED_BY_REASON");
    w.StartObject();
    for (const auto& [reason, n] : s.skipped_by_reason) {
      str(reason);
      w.Uint64(n);
    }
    w.EndObject();
  }
  if (s.skipped > 0 && !s.skip_location.empty()) {
    w.Key("SKIP_DATA_LOCATION");
    str(s.skip_location);
  }
  if (!s.mode.empty() && s.mode != "put") {
    w.Key("WRITE_MODE");
    str(s.mode);
  }
  w.Key("BLANK_LINES_SKIPPED");
  w.Uint64(s.blank_lines);
  if (s.failed_chunks > 0) {
    w.Key("FAILED_CHUNKS");
    w.Uint64(s.failed_chunks);
    w.Key("RECORDS_IN_FAILED_CHUNKS");
    w.Uint64(s.records_in_failed);
  }
  w.Key("DURATION_SECONDS");
  w.Double(static_cast<double>(static_cast<int64_t>(s.seconds * 1000)) / 1000);
  if (!s.target_stats.empty()) {
    w.Key("TARGET_STATS");
    w.StartObject();
    for (const auto& [name, value] : s.target_stats) {
      str(name);
      w.Uint64(value);
    }
    w.EndObject();
  }
  if (!s.write_capacity_json.empty()) {
    w.Key("WRITE_CAPACITY");
    w.RawValue(s.write_capacity_json.data(), s.write_capacity_json.size(), rapidjson::kObjectType);
  }
  if (s.validate_only) {
    w.Key("VALIDATE_ONLY");
    w.Bool(true);
    w.Key("FIRST_REJECTS");
    w.StartArray();
    for (const auto& r : s.first_rejects) str(r);
    w.EndArray();
  }
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize()) + "\n";
}

}  // namespace csv2ddb
