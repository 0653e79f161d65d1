// Events on stderr, for people (text) and for machines (JSON lines).
//
// Every event has a level, a name, a one-line message and typed fields:
//   text (the default): "csv2ddb: <message>" for warnings and errors, and for
//     info and debug events only with --verbose: what csv2ddb always printed;
//   json (--log-format json): one object per line, for CloudWatch, Kubernetes
//     and other log pipelines:
//       {"timestamp":"2026-11-29T22:50:00.123Z","level":"info","event":"start",
//        "message":"...", <fields>}
//     info and above; debug events (chunk commits) with --verbose.
//
// Events of a run: start, table_check, governor (the write limits moved),
// retry (with its reason), chunk_commit (debug), end; error and warning for
// everything else that used to be a line on stderr. Anything that came from
// a server (an AWS error message) must go through aws/redact.h before it is
// logged: no event carries a credential.
//
// Threads: ConfigureLog once, before other threads start (main, or a test);
// LogEnabled and LogEvent from any thread. An event is written with one
// write call, so lines of concurrent threads never interleave.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

#include "common/status.h"

namespace csv2ddb {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
enum class LogFormat { kText, kJson };

// One field of an event: a string, a number or a boolean.
struct LogField {
  enum class Kind { kString, kInt, kUint, kDouble, kBool };

  LogField(std::string_view k, std::string_view v) : key(k), kind(Kind::kString), str(v) {}
  LogField(std::string_view k, const char* v) : LogField(k, std::string_view(v)) {}
  LogField(std::string_view k, const std::string& v) : LogField(k, std::string_view(v)) {}
  template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
  LogField(std::string_view k, T v) : key(k) {
    if constexpr (std::is_same_v<T, bool>) {
      kind = Kind::kBool;
      b = v;
    } else if constexpr (std::is_floating_point_v<T>) {
      kind = Kind::kDouble;
      d = static_cast<double>(v);
    } else if constexpr (std::is_signed_v<T>) {
      kind = Kind::kInt;
      i = static_cast<int64_t>(v);
    } else {
      kind = Kind::kUint;
      u = static_cast<uint64_t>(v);
    }
  }

  std::string_view key;
  Kind kind = Kind::kString;
  std::string_view str;  // must outlive the LogEvent call
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  bool b = false;
};

struct LogConfig {
  LogFormat format = LogFormat::kText;
  bool verbose = false;
  // Where lines go (each ends in '\n'); empty: stderr.
  std::function<void(std::string_view line)> write;
};

// Sets the process's log configuration. Not thread-safe: call it before any
// other thread logs.
void ConfigureLog(LogConfig config);
const LogConfig& CurrentLogConfig();

// "text" or "json"; anything else is InvalidArgument.
Result<LogFormat> ParseLogFormat(std::string_view name);

// True when an event of `level` would be written (cheap: check it before
// building an expensive message).
bool LogEnabled(LogLevel level);

// Writes one event, if its level is enabled. `event` is a short snake_case
// name; `message` is the text line (without the "csv2ddb: " prefix).
void LogEvent(LogLevel level, std::string_view event, std::string_view message,
              std::initializer_list<LogField> fields = {});

// The JSON line of an event (without the newline), as LogEvent writes it;
// `timestamp` is ISO 8601 UTC. Exposed for tests.
std::string FormatJsonEvent(std::string_view timestamp, LogLevel level, std::string_view event,
                            std::string_view message, std::initializer_list<LogField> fields);

}  // namespace csv2ddb
