// TTL attributes: a date/time cell read with an explicit format and UTC
// offset, written as epoch seconds (DynamoDB's TTL wants seconds, type N).
//
// Format directives (everything else is literal text that must match):
//   %Y  4-digit year          %m  month 1-12 (1 or 2 digits)   %d  day (1 or 2 digits)
//   %H  hour 0-23             %M  minute 0-59                  %S  second 0-60
//   %f  fraction digits after a second (read and dropped)
//   %z  "Z" or an offset "+HH:MM", "+HHMM", "+HH" (overrides the time zone)
//   %s  epoch seconds (an integer, optionally negative)   %%  a '%'
// A format has %s, or at least %Y, %m and %d (missing %H %M %S are 0).
//
// Pure functions, no allocation on the per-row path, safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace csv2ddb {

class TimeZone;  // mapping/time_zone.h

// Earliest and latest accepted TTL (epoch seconds): 2000-01-01T00:00:00Z and
// 2100-01-01T00:00:00Z (exclusive). Outside: a reject (rule ttl).
inline constexpr int64_t kMinTtlEpoch = 946684800;
inline constexpr int64_t kMaxTtlEpoch = 4102444800;

// Checks a format at mapping load; returns why it is unusable, or nullopt.
std::optional<std::string> CheckTimeFormat(std::string_view format);

// "UTC", "Z", "+HH:MM", "-HH:MM", "+HHMM", "+HH" -> seconds east of UTC.
std::optional<int64_t> ParseUtcOffset(std::string_view text);

// "90d", "12h", "30m", "45s", "-1d" -> seconds.
std::optional<int64_t> ParseDuration(std::string_view text);

// Reads `value` with `format` (checked by CheckTimeFormat) in the zone
// `utc_offset_seconds`, or in the named `zone` when not null (its offset at
// that local time: in a daylight-saving overlap the earlier instant; in a
// gap a reject "falls in a daylight-saving gap"), unless the value carries
// its own offset (%z); then adds `add_seconds`. On success stores the epoch
// seconds in *epoch and returns nullptr; otherwise returns a short reason
// with static storage ("does not match the format", "looks like
// milliseconds", "outside 2000-01-01 .. 2100-01-01", ...).
const char* ParseTtl(std::string_view value, std::string_view format, int64_t utc_offset_seconds,
                     int64_t add_seconds, int64_t* epoch, const TimeZone* zone = nullptr);

}  // namespace csv2ddb
