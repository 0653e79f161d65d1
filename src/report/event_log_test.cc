#include "report/event_log.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

namespace csv2ddb {
namespace {

// Captures the lines LogEvent writes; restores the default configuration.
class EventLogTest : public ::testing::Test {
 protected:
  void Use(LogFormat format, bool verbose) {
    LogConfig c;
    c.format = format;
    c.verbose = verbose;
    c.write = [this](std::string_view line) { lines_.emplace_back(line); };
    ConfigureLog(std::move(c));
  }
  void TearDown() override { ConfigureLog(LogConfig{}); }
  std::vector<std::string> lines_;
};

TEST_F(EventLogTest, JsonEventHasTimestampLevelEventMessageAndTypedFields) {
  const std::string line =
      FormatJsonEvent("2026-11-29T22:50:00.123Z", LogLevel::kWarn, "retry", "a \"quoted\"\nline",
                      {{"table", "t"},
                       {"attempt", 3},
                       {"items", size_t{25}},
                       {"delay_ms", int64_t{-1}},
                       {"ratio", 0.5},
                       {"final", true}});
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(line).get(doc), simdjson::SUCCESS) << line;
  EXPECT_EQ(std::string_view(doc["timestamp"]), "2026-11-29T22:50:00.123Z");
  EXPECT_EQ(std::string_view(doc["level"]), "warn");
  EXPECT_EQ(std::string_view(doc["event"]), "retry");
  EXPECT_EQ(std::string_view(doc["message"]), "a \"quoted\"\nline");
  EXPECT_EQ(std::string_view(doc["table"]), "t");
  EXPECT_EQ(int64_t(doc["attempt"]), 3);
  EXPECT_EQ(uint64_t(doc["items"]), 25u);
  EXPECT_EQ(int64_t(doc["delay_ms"]), -1);
  EXPECT_EQ(double(doc["ratio"]), 0.5);
  EXPECT_EQ(bool(doc["final"]), true);
  EXPECT_EQ(line.find('\n'), std::string::npos);  // one line
}

TEST_F(EventLogTest, InvalidUtf8BecomesReplacementCharacters) {
  const std::string line = FormatJsonEvent("t", LogLevel::kInfo, "start", "file \xff\xfe.csv",
                                           {{"input", "caf\xc3\xa9 \xc3"}});
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(line).get(doc), simdjson::SUCCESS) << line;
  EXPECT_EQ(std::string_view(doc["message"]), "file \xEF\xBF\xBD\xEF\xBF\xBD.csv");
  EXPECT_EQ(std::string_view(doc["input"]), "caf\xc3\xa9 \xEF\xBF\xBD");
}

TEST_F(EventLogTest, JsonWritesInfoAndAboveAndDebugOnlyWhenVerbose) {
  Use(LogFormat::kJson, false);
  LogEvent(LogLevel::kDebug, "chunk_commit", "chunk 0");
  LogEvent(LogLevel::kInfo, "start", "go", {{"workers", 2}});
  LogEvent(LogLevel::kError, "error", "bad");
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_NE(lines_[0].find("\"event\":\"start\""), std::string::npos);
  EXPECT_NE(lines_[0].find("\"workers\":2"), std::string::npos);
  EXPECT_EQ(lines_[0].back(), '\n');
  EXPECT_NE(lines_[1].find("\"level\":\"error\""), std::string::npos);
  lines_.clear();
  Use(LogFormat::kJson, true);
  LogEvent(LogLevel::kDebug, "chunk_commit", "chunk 0");
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_NE(lines_[0].find("\"level\":\"debug\""), std::string::npos);
}

TEST_F(EventLogTest, TextKeepsTheOldLinesWarningsAlwaysInfoOnlyVerbose) {
  Use(LogFormat::kText, false);
  LogEvent(LogLevel::kInfo, "start", "execution x: a -> b");
  LogEvent(LogLevel::kError, "error", "no such file", {{"ignored", 1}});
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0], "csv2ddb: no such file\n");
  lines_.clear();
  Use(LogFormat::kText, true);
  LogEvent(LogLevel::kInfo, "start", "execution x: a -> b");
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0], "csv2ddb: execution x: a -> b\n");
}

TEST_F(EventLogTest, ParsesTheFormatNames) {
  EXPECT_EQ(ParseLogFormat("json").value(), LogFormat::kJson);
  EXPECT_EQ(ParseLogFormat("text").value(), LogFormat::kText);
  EXPECT_FALSE(ParseLogFormat("yaml").ok());
}

}  // namespace
}  // namespace csv2ddb
