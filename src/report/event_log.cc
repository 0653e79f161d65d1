#include "report/event_log.h"

#include <cmath>
#include <cstdio>

#include "common/iso8601.h"
#include "common/json_escape.h"

namespace csv2ddb {

namespace {

LogConfig& Config() {
  static LogConfig config;
  return config;
}

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// A JSON string: escaped, and any byte that is not part of valid UTF-8
// replaced by U+FFFD, so every line parses whatever a file name holds.
void AppendString(std::string_view s, std::string* out) {
  out->push_back('"');
  std::string valid;
  valid.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 2;
    if (ok && n == 2) ok = c >= 0xC2;  // no overlong encodings
    if (ok) {
      valid.append(s.substr(i, n));
      i += n;
    } else {
      valid.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  AppendJsonEscaped(valid, out);
  out->push_back('"');
}

void AppendField(const LogField& f, std::string* out) {
  out->push_back(',');
  AppendString(f.key, out);
  out->push_back(':');
  switch (f.kind) {
    case LogField::Kind::kString:
      AppendString(f.str, out);
      break;
    case LogField::Kind::kInt:
      out->append(std::to_string(f.i));
      break;
    case LogField::Kind::kUint:
      out->append(std::to_string(f.u));
      break;
    case LogField::Kind::kDouble: {
      if (!std::isfinite(f.d)) {
        out->append("null");
        break;
      }
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.6g", f.d);
      out->append(buf);
      break;
    }
    case LogField::Kind::kBool:
      out->append(f.b ? "true" : "false");
      break;
  }
}

}  // namespace

void ConfigureLog(LogConfig config) { Config() = std::move(config); }

const LogConfig& CurrentLogConfig() { return Config(); }

Result<LogFormat> ParseLogFormat(std::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return Status::InvalidArgument("--log-format '" + std::string(name) + "': use text or json");
}

bool LogEnabled(LogLevel level) {
  const LogConfig& c = Config();
  if (c.verbose) return true;
  return c.format == LogFormat::kJson ? level >= LogLevel::kInfo : level >= LogLevel::kWarn;
}

std::string FormatJsonEvent(std::string_view timestamp, LogLevel level, std::string_view event,
                            std::string_view message, std::initializer_list<LogField> fields) {
  std::string line = "{\"timestamp\":";
  AppendString(timestamp, &line);
  line += ",\"level\":\"";
  line += LevelName(level);
  line += "\",\"event\":";
  AppendString(event, &line);
  line += ",\"message\":";
  AppendString(message, &line);
  for (const LogField& f : fields) AppendField(f, &line);
  line += '}';
  return line;
}

void LogEvent(LogLevel level, std::string_view event, std::string_view message,
              std::initializer_list<LogField> fields) {
  if (!LogEnabled(level)) return;
  const LogConfig& c = Config();
  std::string line;
  if (c.format == LogFormat::kJson) {
    line = FormatJsonEvent(NowIso8601(), level, event, message, fields);
  } else {
    line = "csv2ddb: ";
    line += message;
  }
  line += '\n';
  if (c.write) {
    c.write(line);
  } else {
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
  }
}

}  // namespace csv2ddb
