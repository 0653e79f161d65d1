// Named time zones ("America/New_York") for TTL attributes, read from the
// system's compiled tz database (TZif files, RFC 8536), since the C++
// library here has no std::chrono::tzdb.
//
// Where a zone is looked for, first found wins:
//   1. $TZDIR/<name> (the tz code's own convention);
//   2. <directory of the running binary>/zoneinfo/<name>: the Lambda
//      package ships the files there (scripts/package_lambda.py), since the
//      function's runtime may have no tzdata;
//   3. /usr/share/zoneinfo/<name> (Debian's tzdata, and most systems).
// Times after a file's last transition follow its footer (a POSIX TZ rule
// such as "EST5EDT,M3.2.0,M11.1.0"), so years to 2100 are right even with
// "slim" files that stop listing transitions in 2037.
//
// Local times in a daylight-saving change: a time that occurs twice (the
// clock goes back) is the earlier instant; a time that does not occur (the
// clock goes forward) is kNonexistent, which the TTL reader rejects.
//
// A TimeZone is immutable once loaded: share it between threads freely.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace csv2ddb {

class TimeZone {
 public:
  // Finds and reads the zone `name` (see above). NotFound names the places
  // searched; a name with "..", a leading '/' or other than [A-Za-z0-9_+-/]
  // is InvalidArgument.
  static Result<std::shared_ptr<const TimeZone>> Load(std::string_view name);
  // Reads TZif bytes (version 1 to 4). Corruption when they are not TZif.
  static Result<std::shared_ptr<const TimeZone>> Parse(std::string_view name,
                                                       std::string_view tzif);

  const std::string& name() const { return name_; }

  // Seconds east of UTC in effect at `utc` (epoch seconds).
  int64_t OffsetAtUtc(int64_t utc) const;

  enum class Local { kUnique, kAmbiguous, kNonexistent };
  // The offset for the wall-clock time `local` (seconds since 1970-01-01
  // 00:00 of the local calendar, as if it were UTC). kAmbiguous: *offset is
  // the one of the earlier instant; kNonexistent: *offset is not set.
  Local OffsetForLocal(int64_t local, int64_t* offset) const;

  // A POSIX TZ rule (the TZif footer), public for tests.
  struct Rule {
    struct When {  // a transition date and local time of day
      enum class Kind { kMonthWeekDay, kJulian1, kJulian0 } kind = Kind::kMonthWeekDay;
      int month = 0, week = 0, weekday = 0;  // Mm.w.d
      int day = 0;                           // Jn (1-365, no Feb 29) or n (0-365)
      int64_t time = 7200;                   // seconds after local midnight (may be < 0, > 24h)
    };
    int64_t std_offset = 0;  // seconds east of UTC
    bool has_dst = false;
    int64_t dst_offset = 0;
    When start, end;  // DST starts (in standard time), ends (in DST)
    int64_t OffsetAt(int64_t utc) const;
  };
  // "EST5EDT,M3.2.0,M11.1.0", "<+0330>-3:30", "IST-1GMT0,M10.5.0,M3.5.0/1".
  static std::optional<Rule> ParseRule(std::string_view tz);

 private:
  TimeZone() = default;
  std::string name_;
  std::vector<int64_t> transitions_;  // UTC, ascending
  std::vector<int64_t> offsets_;      // the offset from each transition on
  int64_t initial_offset_ = 0;        // before the first transition
  std::optional<Rule> footer_;        // after the last transition
};

}  // namespace csv2ddb
