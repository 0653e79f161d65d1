#include "mapping/time_zone.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include "common/civil_date.h"

namespace csv2ddb {

namespace {

constexpr std::string_view kSystemZoneinfo = "/usr/share/zoneinfo";
constexpr size_t kMaxTzifBytes = 1 << 20;

uint32_t Be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
int64_t Be64(const unsigned char* p) {
  return static_cast<int64_t>((uint64_t{Be32(p)} << 32) | uint64_t{Be32(p + 4)});
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 255 || name.front() == '/' ||
      name.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '+' || c == '-' || c == '/';
  });
}

// The directory of the running binary ("" when unknown).
std::string BinaryDir() {
  std::array<char, 4096> buf{};
  const ssize_t n = readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) return "";
  std::string path(buf.data(), static_cast<size_t>(n));
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return out->size() <= kMaxTzifBytes;
}

// POSIX TZ parsing helpers over a cursor.
struct Cursor {
  std::string_view s;
  size_t p = 0;
  bool done() const { return p >= s.size(); }
  char peek() const { return done() ? '\0' : s[p]; }
};

bool ReadNumber(Cursor* c, int64_t* out) {
  const size_t start = c->p;
  int64_t v = 0;
  while (!c->done() && c->peek() >= '0' && c->peek() <= '9' && c->p - start < 6) {
    v = v * 10 + (c->peek() - '0');
    ++c->p;
  }
  *out = v;
  return c->p > start;
}

// A zone abbreviation: letters, or <...> quoted.
bool ReadAbbreviation(Cursor* c) {
  if (c->peek() == '<') {
    const size_t end = c->s.find('>', c->p);
    if (end == std::string_view::npos) return false;
    c->p = end + 1;
    return true;
  }
  const size_t start = c->p;
  while (!c->done() &&
         ((c->peek() >= 'A' && c->peek() <= 'Z') || (c->peek() >= 'a' && c->peek() <= 'z'))) {
    ++c->p;
  }
  return c->p - start >= 3;
}

// [+-]hh[:mm[:ss]] -> seconds (sign as written).
bool ReadTime(Cursor* c, int64_t* out) {
  int64_t sign = 1;
  if (c->peek() == '+' || c->peek() == '-') {
    sign = c->peek() == '-' ? -1 : 1;
    ++c->p;
  }
  int64_t h = 0, m = 0, s = 0;
  if (!ReadNumber(c, &h) || h > 167) return false;
  if (c->peek() == ':') {
    ++c->p;
    if (!ReadNumber(c, &m) || m > 59) return false;
    if (c->peek() == ':') {
      ++c->p;
      if (!ReadNumber(c, &s) || s > 59) return false;
    }
  }
  *out = sign * (h * 3600 + m * 60 + s);
  return true;
}

bool ReadWhen(Cursor* c, TimeZone::Rule::When* w) {
  using Kind = TimeZone::Rule::When::Kind;
  int64_t a = 0, b = 0, d = 0;
  if (c->peek() == 'M') {
    ++c->p;
    if (!ReadNumber(c, &a) || c->peek() != '.') return false;
    ++c->p;
    if (!ReadNumber(c, &b) || c->peek() != '.') return false;
    ++c->p;
    if (!ReadNumber(c, &d)) return false;
    if (a < 1 || a > 12 || b < 1 || b > 5 || d > 6) return false;
    w->kind = Kind::kMonthWeekDay;
    w->month = static_cast<int>(a);
    w->week = static_cast<int>(b);
    w->weekday = static_cast<int>(d);
  } else if (c->peek() == 'J') {
    ++c->p;
    if (!ReadNumber(c, &a) || a < 1 || a > 365) return false;
    w->kind = Kind::kJulian1;
    w->day = static_cast<int>(a);
  } else {
    if (!ReadNumber(c, &a) || a > 365) return false;
    w->kind = Kind::kJulian0;
    w->day = static_cast<int>(a);
  }
  w->time = 7200;
  if (c->peek() == '/') {
    ++c->p;
    if (!ReadTime(c, &w->time)) return false;
  }
  return true;
}

// Local midnight (as days since 1970-01-01) of `w` in `year`.
int64_t DayOf(const TimeZone::Rule::When& w, int64_t year) {
  using Kind = TimeZone::Rule::When::Kind;
  const int64_t jan1 = DaysFromCivil(year, 1, 1);
  switch (w.kind) {
    case Kind::kJulian1: {  // 1..365, February 29 never counted
      int64_t day = w.day - 1;
      if (IsLeapYear(year) && w.day >= 60) ++day;
      return jan1 + day;
    }
    case Kind::kJulian0:
      return jan1 + w.day;
    case Kind::kMonthWeekDay:
      break;
  }
  const int64_t first = DaysFromCivil(year, w.month, 1);
  const int64_t first_wd = ((first % 7) + 7 + 4) % 7;  // 1970-01-01 was a Thursday (4)
  int64_t day = first + (w.weekday - first_wd + 7) % 7 + 7 * (w.week - 1);
  const int64_t last = first + DaysInMonth(year, w.month) - 1;
  while (day > last) day -= 7;  // week 5: the last such weekday
  return day;
}

}  // namespace

int64_t TimeZone::Rule::OffsetAt(int64_t utc) const {
  if (!has_dst) return std_offset;
  const int64_t year = YearFromDays((utc + std_offset) / 86400 - ((utc + std_offset) % 86400 < 0));
  // The year's transitions in UTC: the start is read in standard time, the
  // end in daylight time.
  const int64_t start_utc = DayOf(start, year) * 86400 + start.time - std_offset;
  const int64_t end_utc = DayOf(end, year) * 86400 + end.time - dst_offset;
  const bool dst = start_utc < end_utc ? (utc >= start_utc && utc < end_utc)
                                       : !(utc >= end_utc && utc < start_utc);
  return dst ? dst_offset : std_offset;
}

std::optional<TimeZone::Rule> TimeZone::ParseRule(std::string_view tz) {
  Cursor c{tz};
  Rule r;
  int64_t west = 0;
  if (!ReadAbbreviation(&c) || !ReadTime(&c, &west)) return std::nullopt;
  r.std_offset = -west;
  if (c.done()) return r;
  if (!ReadAbbreviation(&c)) return std::nullopt;
  r.has_dst = true;
  r.dst_offset = r.std_offset + 3600;
  if (c.peek() != ',' && !c.done()) {
    if (!ReadTime(&c, &west)) return std::nullopt;
    r.dst_offset = -west;
  }
  if (c.done()) {  // no rule: the US rules of POSIX's default
    r.start = {Rule::When::Kind::kMonthWeekDay, 3, 2, 0, 0, 7200};
    r.end = {Rule::When::Kind::kMonthWeekDay, 11, 1, 0, 0, 7200};
    return r;
  }
  if (c.peek() != ',') return std::nullopt;
  ++c.p;
  if (!ReadWhen(&c, &r.start) || c.peek() != ',') return std::nullopt;
  ++c.p;
  if (!ReadWhen(&c, &r.end) || !c.done()) return std::nullopt;
  return r;
}

Result<std::shared_ptr<const TimeZone>> TimeZone::Parse(std::string_view name,
                                                        std::string_view tzif) {
  const auto bad = [&](const std::string& why) {
    return Status::Corruption(std::string("time zone '") + std::string(name) +
                              "': not a TZif file (" + why + ")");
  };
  const auto* b = reinterpret_cast<const unsigned char*>(tzif.data());
  const size_t n = tzif.size();
  if (n < 44 || tzif.substr(0, 4) != "TZif") return bad("no TZif header");
  const char version = tzif[4];
  struct Counts {
    uint64_t isut, isstd, leap, time, type, chars;
  };
  const auto counts = [](const unsigned char* h) {
    return Counts{Be32(h + 20), Be32(h + 24), Be32(h + 28),
                  Be32(h + 32), Be32(h + 36), Be32(h + 40)};
  };
  Counts k = counts(b);
  size_t time_size = 4;
  size_t at = 44;
  if (version >= '2') {  // skip the 32-bit block to the 64-bit one
    at += k.time * 4 + k.time + k.type * 6 + k.chars + k.leap * 8 + k.isstd + k.isut;
    if (at + 44 > n || tzif.substr(at, 4) != "TZif") return bad("no second header");
    k = counts(b + at);
    at += 44;
    time_size = 8;
  }
  const uint64_t block = k.time * time_size + k.time + k.type * 6 + k.chars +
                         k.leap * (time_size + 4) + k.isstd + k.isut;
  if (k.type == 0 || k.type > 256 || k.time > 100000 || at + block > n) return bad("truncated");
  auto zone = std::shared_ptr<TimeZone>(new TimeZone());
  zone->name_ = std::string(name);
  std::vector<int64_t> type_offsets(k.type);
  const unsigned char* times = b + at;
  const unsigned char* idx = times + k.time * time_size;
  const unsigned char* types = idx + k.time;
  for (uint64_t i = 0; i < k.type; ++i) {
    type_offsets[i] = static_cast<int32_t>(Be32(types + i * 6));
  }
  zone->initial_offset_ = type_offsets[0];
  for (uint64_t i = 0; i < k.time; ++i) {
    const int64_t t =
        time_size == 8 ? Be64(times + i * 8) : static_cast<int32_t>(Be32(times + i * 4));
    if (idx[i] >= k.type) return bad("a transition names a type that does not exist");
    if (!zone->transitions_.empty() && t <= zone->transitions_.back()) {
      return bad("transitions out of order");
    }
    zone->transitions_.push_back(t);
    zone->offsets_.push_back(type_offsets[idx[i]]);
  }
  at += block;
  if (version >= '2' && at < n && tzif[at] == '\n') {
    const size_t end = tzif.find('\n', at + 1);
    if (end != std::string_view::npos && end > at + 1) {
      zone->footer_ = ParseRule(tzif.substr(at + 1, end - at - 1));
    }
  }
  return std::shared_ptr<const TimeZone>(std::move(zone));
}

Result<std::shared_ptr<const TimeZone>> TimeZone::Load(std::string_view name) {
  if (!ValidName(name)) {
    return Status::InvalidArgument(std::string("'") + std::string(name) +
                                   "' is not a time zone name (e.g. \"America/New_York\")");
  }
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("TZDIR"); env != nullptr && *env != '\0') dirs.push_back(env);
  if (const std::string exe = BinaryDir(); !exe.empty()) dirs.push_back(exe + "/zoneinfo");
  dirs.emplace_back(kSystemZoneinfo);
  std::string searched;
  for (const std::string& dir : dirs) {
    std::string bytes;
    const std::string path = dir + "/" + std::string(name);
    if (ReadFile(path, &bytes)) return Parse(name, bytes);
    searched += (searched.empty() ? "" : ", ") + dir;
  }
  return Status::NotFound(std::string("time zone '") + std::string(name) +
                          "' not found (looked in " + searched + "; install tzdata or set TZDIR)");
}

int64_t TimeZone::OffsetAtUtc(int64_t utc) const {
  if (transitions_.empty() || utc < transitions_.front()) {
    return transitions_.empty() && footer_ ? footer_->OffsetAt(utc) : initial_offset_;
  }
  if (utc >= transitions_.back() && footer_) return footer_->OffsetAt(utc);
  const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc);
  return offsets_[static_cast<size_t>(std::distance(transitions_.begin(), it)) - 1];
}

TimeZone::Local TimeZone::OffsetForLocal(int64_t local, int64_t* offset) const {
  // The offsets in effect around `local` (any real offset is within 14
  // hours, and transitions are days apart) are the candidates; those that
  // map back to themselves are the solutions.
  std::vector<int64_t> candidates;
  for (int64_t probe : {local - 86400, local - 43200, local, local + 43200, local + 86400}) {
    const int64_t o = OffsetAtUtc(probe);
    if (std::find(candidates.begin(), candidates.end(), o) == candidates.end()) {
      candidates.push_back(o);
    }
  }
  std::vector<int64_t> fits;
  for (int64_t o : candidates) {
    if (OffsetAtUtc(local - o) == o) fits.push_back(o);
  }
  if (fits.empty()) return Local::kNonexistent;
  // The earlier instant: local - o smallest, so the largest offset.
  *offset = *std::max_element(fits.begin(), fits.end());
  return fits.size() == 1 ? Local::kUnique : Local::kAmbiguous;
}

}  // namespace csv2ddb
