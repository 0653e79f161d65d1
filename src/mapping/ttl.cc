#include "mapping/ttl.h"

#include <algorithm>

#include "common/civil_date.h"
#include "mapping/time_zone.h"

namespace csv2ddb {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads between `min` and `max` digits at *pos.
bool ReadInt(std::string_view s, size_t* pos, int min, int max, int64_t* out) {
  int64_t v = 0;
  int n = 0;
  while (*pos < s.size() && n < max && IsDigit(s[*pos])) {
    v = v * 10 + (s[*pos] - '0');
    ++*pos;
    ++n;
  }
  if (n < min) return false;
  *out = v;
  return true;
}

// "+HH:MM", "+HHMM", "+HH", "Z" at *pos.
bool ReadOffset(std::string_view s, size_t* pos, int64_t* out) {
  if (*pos < s.size() && (s[*pos] == 'Z' || s[*pos] == 'z')) {
    ++*pos;
    *out = 0;
    return true;
  }
  if (*pos >= s.size() || (s[*pos] != '+' && s[*pos] != '-')) return false;
  const int sign = s[*pos] == '-' ? -1 : 1;
  ++*pos;
  int64_t h = 0;
  int64_t m = 0;
  if (!ReadInt(s, pos, 2, 2, &h)) return false;
  if (*pos < s.size() && s[*pos] == ':') {
    ++*pos;
    if (!ReadInt(s, pos, 2, 2, &m)) return false;
  } else if (*pos + 1 < s.size() && IsDigit(s[*pos])) {
    if (!ReadInt(s, pos, 2, 2, &m)) return false;
  }
  if (h > 23 || m > 59) return false;
  *out = sign * (h * 3600 + m * 60);
  return true;
}

}  // namespace

std::optional<std::string> CheckTimeFormat(std::string_view f) {
  bool y = false, m = false, d = false, s = false;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%') continue;
    if (i + 1 >= f.size()) return "a lone '%' at the end";
    const char c = f[++i];
    switch (c) {
      case 'Y':
        y = true;
        break;
      case 'm':
        m = true;
        break;
      case 'd':
        d = true;
        break;
      case 's':
        s = true;
        break;
      case 'H':
      case 'M':
      case 'S':
      case 'f':
      case 'z':
      case '%':
        break;
      default:
        return std::string("unsupported directive %") + c +
               " (supported: %Y %m %d %H %M %S %f %z %s %%)";
    }
  }
  if (s && (y || m || d)) return std::string("%s cannot be combined with %Y, %m or %d");
  if (!s && !(y && m && d)) return std::string("needs %s, or %Y, %m and %d");
  return std::nullopt;
}

std::optional<int64_t> ParseUtcOffset(std::string_view text) {
  if (text == "UTC" || text == "utc" || text == "Z" || text == "GMT") return 0;
  size_t pos = 0;
  int64_t off = 0;
  if (!ReadOffset(text, &pos, &off) || pos != text.size() || text == "z") return std::nullopt;
  return off;
}

std::optional<int64_t> ParseDuration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  int64_t sign = 1;
  size_t pos = 0;
  if (text[0] == '-' || text[0] == '+') {
    sign = text[0] == '-' ? -1 : 1;
    pos = 1;
  }
  int64_t n = 0;
  if (!ReadInt(text, &pos, 1, 9, &n) || pos + 1 != text.size()) return std::nullopt;
  switch (text[pos]) {
    case 'd':
      return sign * n * 86400;
    case 'h':
      return sign * n * 3600;
    case 'm':
      return sign * n * 60;
    case 's':
      return sign * n;
    default:
      return std::nullopt;
  }
}

namespace {

const char* ParseTtlText(std::string_view v, std::string_view f, int64_t utc_offset_seconds,
                         int64_t add_seconds, int64_t* epoch, const TimeZone* zone);

}  // namespace

const char* ParseTtl(std::string_view v, std::string_view f, int64_t utc_offset_seconds,
                     int64_t add_seconds, int64_t* epoch, const TimeZone* zone) {
  const char* bad = ParseTtlText(v, f, utc_offset_seconds, add_seconds, epoch, zone);
  if (bad == nullptr) return nullptr;
  // A long run of digits where a date was expected: an epoch in milliseconds
  // (13 digits today) is the classic mistake; say so.
  size_t digits = 0;
  while (digits < v.size() && IsDigit(v[digits])) ++digits;
  if (digits == v.size() && digits >= 12)
    return "looks like milliseconds (TTL wants epoch seconds)";
  return bad;
}

namespace {

const char* ParseTtlText(std::string_view v, std::string_view f, int64_t utc_offset_seconds,
                         int64_t add_seconds, int64_t* epoch, const TimeZone* zone) {
  int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int64_t offset = utc_offset_seconds;
  bool own_offset = false;  // %z: the value says its offset
  bool is_epoch = false;
  int64_t epoch_value = 0;
  size_t p = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%' || i + 1 >= f.size()) {
      if (p >= v.size() || v[p] != f[i]) return "does not match the format";
      ++p;
      continue;
    }
    const char c = f[++i];
    bool ok = true;
    int64_t ignored = 0;
    switch (c) {
      case 'Y':
        ok = ReadInt(v, &p, 4, 4, &year);
        break;
      case 'm':
        ok = ReadInt(v, &p, 1, 2, &month);
        break;
      case 'd':
        ok = ReadInt(v, &p, 1, 2, &day);
        break;
      case 'H':
        ok = ReadInt(v, &p, 1, 2, &hour);
        break;
      case 'M':
        ok = ReadInt(v, &p, 1, 2, &minute);
        break;
      case 'S':
        ok = ReadInt(v, &p, 1, 2, &second);
        break;
      case 'f':
        ok = ReadInt(v, &p, 1, 18, &ignored);
        while (p < v.size() && IsDigit(v[p])) ++p;
        break;
      case 'z':
        ok = ReadOffset(v, &p, &offset);
        own_offset = true;
        break;
      case 's': {
        is_epoch = true;
        const bool neg = p < v.size() && v[p] == '-';
        if (neg) ++p;
        const size_t start = p;
        while (p < v.size() && IsDigit(v[p])) ++p;
        const size_t digits = p - start;
        if (digits == 0) return "does not match the format";
        // 12 or more digits: 100 billion seconds is year 5138; a value this
        // long is almost surely milliseconds (13 digits today).
        if (digits >= 12) return "looks like milliseconds (TTL wants epoch seconds)";
        int64_t n = 0;
        for (size_t k = start; k < p; ++k) n = n * 10 + (v[k] - '0');
        epoch_value = neg ? -n : n;
        ok = true;
        break;
      }
      case '%':
        ok = p < v.size() && v[p] == '%';
        if (ok) ++p;
        break;
      default:
        return "unsupported format directive";
    }
    if (!ok) return "does not match the format";
  }
  if (p != v.size()) return "has text after the format";
  int64_t t = 0;
  if (is_epoch) {
    t = epoch_value;
  } else {
    if (month < 1 || month > 12) return "has a month outside 1-12";
    if (day < 1 || day > DaysInMonth(year, month)) return "has a day outside its month";
    if (hour > 23 || minute > 59 || second > 60) return "has a time of day out of range";
    const int64_t local = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 +
                          std::min<int64_t>(second, 59);
    if (zone != nullptr && !own_offset &&
        zone->OffsetForLocal(local, &offset) == TimeZone::Local::kNonexistent) {
      return "falls in a daylight-saving gap of its time zone (that local time does not exist)";
    }
    t = local + (second > 59 ? 1 : 0) - offset;
  }
  t += add_seconds;
  if (t < kMinTtlEpoch || t >= kMaxTtlEpoch) {
    return "is outside 2000-01-01 .. 2100-01-01 once converted (a sane TTL range)";
  }
  *epoch = t;
  return nullptr;
}

}  // namespace

}  // namespace csv2ddb
