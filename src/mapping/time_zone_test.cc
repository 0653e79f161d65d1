#include "mapping/time_zone.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "mapping/ttl.h"

namespace csv2ddb {
namespace {

// Epoch seconds of the wall-clock time, as if it were UTC.
constexpr int64_t kJul1_2024_Noon = 1719835200;  // 2024-07-01 12:00
constexpr int64_t kJan15_2024_Noon = 1705320000;
constexpr int64_t kJul1_2090_Noon = 3802593600;
constexpr int64_t kJan1_2090_Noon = 3786955200;

TEST(TimeZoneRule, UsRules) {
  auto r = TimeZone::ParseRule("EST5EDT,M3.2.0,M11.1.0");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->OffsetAt(kJul1_2024_Noon), -4 * 3600);
  EXPECT_EQ(r->OffsetAt(kJan15_2024_Noon), -5 * 3600);
  // DST starts 2024-03-10 02:00 EST = 07:00 UTC (1710054000).
  EXPECT_EQ(r->OffsetAt(1710054000 - 1), -5 * 3600);
  EXPECT_EQ(r->OffsetAt(1710054000), -4 * 3600);
}

TEST(TimeZoneRule, SouthernAndNegativeDst) {
  auto sydney = TimeZone::ParseRule("AEST-10AEDT,M10.1.0,M4.1.0/3");
  ASSERT_TRUE(sydney.has_value());
  EXPECT_EQ(sydney->OffsetAt(kJan15_2024_Noon), 11 * 3600);
  EXPECT_EQ(sydney->OffsetAt(kJul1_2024_Noon), 10 * 3600);
  // Europe/Dublin: "standard" IST in summer, "daylight" GMT in winter.
  auto dublin = TimeZone::ParseRule("IST-1GMT0,M10.5.0,M3.5.0/1");
  ASSERT_TRUE(dublin.has_value());
  EXPECT_EQ(dublin->OffsetAt(kJul1_2024_Noon), 3600);
  EXPECT_EQ(dublin->OffsetAt(kJan15_2024_Noon), 0);
  auto tehran = TimeZone::ParseRule("<+0330>-3:30");
  ASSERT_TRUE(tehran.has_value());
  EXPECT_EQ(tehran->OffsetAt(kJul1_2024_Noon), 3 * 3600 + 1800);
  EXPECT_FALSE(TimeZone::ParseRule("").has_value());
  EXPECT_FALSE(TimeZone::ParseRule("EST5EDT,M13.2.0,M11.1.0").has_value());
  EXPECT_FALSE(TimeZone::ParseRule("EST5EDT,M3.2.0").has_value());
}

TEST(TimeZone, NewYorkFromTheSystemDatabase) {
  auto ny = TimeZone::Load("America/New_York");
  ASSERT_TRUE(ny.ok()) << ny.status().message();
  EXPECT_EQ((*ny)->name(), "America/New_York");
  int64_t off = 0;
  EXPECT_EQ((*ny)->OffsetForLocal(kJul1_2024_Noon, &off), TimeZone::Local::kUnique);
  EXPECT_EQ(off, -4 * 3600);
  EXPECT_EQ((*ny)->OffsetForLocal(kJan15_2024_Noon, &off), TimeZone::Local::kUnique);
  EXPECT_EQ(off, -5 * 3600);
  // Past the file's transitions (2037 in slim files): the footer's rule.
  EXPECT_EQ((*ny)->OffsetForLocal(kJul1_2090_Noon, &off), TimeZone::Local::kUnique);
  EXPECT_EQ(off, -4 * 3600);
  EXPECT_EQ((*ny)->OffsetForLocal(kJan1_2090_Noon, &off), TimeZone::Local::kUnique);
  EXPECT_EQ(off, -5 * 3600);
  // 2024-11-03 01:30 happens twice: the earlier (EDT) instant.
  const int64_t fall_back = 1730597400;  // 2024-11-03 01:30 as if UTC
  EXPECT_EQ((*ny)->OffsetForLocal(fall_back, &off), TimeZone::Local::kAmbiguous);
  EXPECT_EQ(off, -4 * 3600);
  // 2024-03-10 02:30 does not happen.
  const int64_t spring_gap = 1710037800;  // 2024-03-10 02:30 as if UTC
  EXPECT_EQ((*ny)->OffsetForLocal(spring_gap, &off), TimeZone::Local::kNonexistent);
}

TEST(TimeZone, TtlInANamedZone) {
  auto ny = TimeZone::Load("America/New_York");
  ASSERT_TRUE(ny.ok()) << ny.status().message();
  const TimeZone* zone = ny->get();
  int64_t e = 0;
  EXPECT_EQ(ParseTtl("2024-07-01 12:00", "%Y-%m-%d %H:%M", 0, 0, &e, zone), nullptr);
  EXPECT_EQ(e, 1719849600);
  EXPECT_EQ(ParseTtl("2024-11-03 01:30", "%Y-%m-%d %H:%M", 0, 0, &e, zone), nullptr);
  EXPECT_EQ(e, 1730611800);  // 05:30 UTC: the earlier of the two
  const char* gap = ParseTtl("2024-03-10 02:30", "%Y-%m-%d %H:%M", 0, 0, &e, zone);
  ASSERT_NE(gap, nullptr);
  EXPECT_NE(std::string(gap).find("daylight-saving gap"), std::string::npos);
  // The value's own offset wins over the zone.
  EXPECT_EQ(ParseTtl("2024-03-10 02:30+00:00", "%Y-%m-%d %H:%M%z", 0, 0, &e, zone), nullptr);
  EXPECT_EQ(e, 1710037800);
}

TEST(TimeZone, TzdirComesFirstAndNamesAreChecked) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("csv2ddb_tz_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "Test");
  std::filesystem::copy_file("/usr/share/zoneinfo/Australia/Sydney", dir / "Test" / "Zone",
                             std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(::setenv("TZDIR", dir.c_str(), 1), 0);
  auto z = TimeZone::Load("Test/Zone");
  auto missing = TimeZone::Load("Nowhere/Zone");
  ::unsetenv("TZDIR");
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(z.ok()) << z.status().message();
  EXPECT_EQ((*z)->OffsetAtUtc(kJan15_2024_Noon), 11 * 3600);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_NE(missing.status().message().find(dir.string()), std::string::npos);
  EXPECT_NE(missing.status().message().find("/usr/share/zoneinfo"), std::string::npos);
  for (const char* bad : {"../etc/passwd", "/etc/passwd", "", "America/New York"}) {
    EXPECT_EQ(TimeZone::Load(bad).status().code(), Status::Code::kInvalidArgument) << bad;
  }
  EXPECT_EQ(
      TimeZone::Parse("x", "not a tzif file at all, long enough to pass the size").status().code(),
      Status::Code::kCorruption);
}

}  // namespace
}  // namespace csv2ddb
