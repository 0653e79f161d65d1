// `csv2ddb merge-reports`: sums the summaries of the shards of one migration
// (`run --shard K/N` under a job runner), as the reference's consolidation
// step sums its batches' results.
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <simdjson.h>

#include <cstdio>
#include <map>
#include <set>

#include "cli/run_command.h"
#include "report/event_log.h"

namespace csv2ddb {

namespace {

// Counters summed across shards; a Lambda batch result's keys count too.
constexpr const char* kSummed[] = {"TOTAL_NUMBER_OF_ITEMS_WRITTEN",
                                   "TOTAL_NUMBER_OF_ITEMS_IN_ERROR",
                                   "TOTAL_NUMBER_OF_RECORDS_READ",
                                   "BLANK_LINES_SKIPPED",
                                   "FAILED_CHUNKS",
                                   "RECORDS_IN_FAILED_CHUNKS",
                                   "TOTAL_NUMBER_OF_ITEMS_SKIPPED"};

std::string AliasOf(std::string_view key) {
  if (key == "NUMBER_OF_ITEMS_WRITTEN") return "TOTAL_NUMBER_OF_ITEMS_WRITTEN";
  if (key == "NUMBER_OF_ITEMS_IN_ERROR") return "TOTAL_NUMBER_OF_ITEMS_IN_ERROR";
  return std::string(key);
}

}  // namespace

int MergeReportsCommand(const std::vector<std::string>& paths, OutputFormat format) {
  std::map<std::string, uint64_t> sums;
  std::set<std::string> tables, locations, statuses;
  simdjson::dom::parser parser;
  for (const std::string& path : paths) {
    simdjson::dom::element doc;
    if (parser.load(path).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
      LogEvent(LogLevel::kError, "error", "report '" + path + "' is missing or not a JSON object");
      return kExitUsage;
    }
    for (auto [key, value] : doc.get_object()) {
      const std::string k = AliasOf(key);
      uint64_t n;
      std::string_view text;
      if (value.get_uint64().get(n) == simdjson::SUCCESS) {
        sums[k] += n;
      } else if (value.get_string().get(text) == simdjson::SUCCESS) {
        if (k == "DESTINATION_TABLE_NAME") tables.emplace(text);
        if (k == "ERROR_DATA_LOCATION") locations.emplace(text);
        if (k == "STATUS") statuses.emplace(text);
      }
    }
  }
  if (tables.size() > 1) {
    LogEvent(LogLevel::kError, "error",
             "the reports name different tables; merge one migration at a time");
    return kExitUsage;
  }
  rapidjson::StringBuffer sb;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(sb);
  w.SetIndent(' ', 2);
  const auto str = [&w](const std::string& v) {
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  };
  w.StartObject();
  for (const char* key : kSummed) {
    if (!sums.count(key) && key != kSummed[0] && key != kSummed[1]) continue;
    w.Key(key);
    w.Uint64(sums[key]);
    if (key == kSummed[1] && !tables.empty()) {
      w.Key("DESTINATION_TABLE_NAME");
      str(*tables.begin());
    }
    if (key == kSummed[1] && sums[key] > 0 && locations.size() == 1) {
      w.Key("ERROR_DATA_LOCATION");
      str(*locations.begin());
    }
  }
  if (locations.size() > 1) {
    w.Key("ERROR_DATA_LOCATIONS");
    w.StartArray();
    for (const auto& l : locations) str(l);
    w.EndArray();
  }
  if (!statuses.empty()) {
    w.Key("STATUS");
    str(statuses.size() == 1 ? *statuses.begin() : std::string("FAILED"));
  }
  w.Key("REPORTS_MERGED");
  w.Uint64(paths.size());
  w.EndObject();
  PrintOutput(std::string_view(sb.GetString(), sb.GetSize()), format, "Merged summary");
  return kExitOk;
}

}  // namespace csv2ddb
