#include "infer/input_sample.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace csv2ddb {
namespace {

const std::string kData = std::string(CSV2DDB_SOURCE_DIR) + "/tests/data/infer/";

TEST(InputSample, DecodesGzipAndZstdAndSaysSo) {
  Result<InputSample> gz = ReadInputSample(kData + "customers.csv.gz", 1000, 1 << 20);
  ASSERT_TRUE(gz.ok()) << gz.status().message();
  EXPECT_EQ(gz->compression, "gzip");
  EXPECT_TRUE(gz->whole_input);
  EXPECT_EQ(gz->text.rfind("customer_id,zip,", 0), 0u);
  Result<InputSample> zst = ReadInputSample(kData + "daily_sales.csv.zst", 1000, 1 << 20);
  ASSERT_TRUE(zst.ok()) << zst.status().message();
  EXPECT_EQ(zst->compression, "zstd");
  EXPECT_EQ(zst->text.rfind("store,day,", 0), 0u);
}

TEST(InputSample, RemovesTheByteOrderMark) {
  Result<InputSample> s = ReadInputSample(kData + "bom_quoted.csv", 1000, 1 << 20);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->bom);
  EXPECT_EQ(s->compression, "");
  EXPECT_EQ(s->text.rfind("id,name,", 0), 0u);
}

TEST(InputSample, StopsAfterEnoughRowsOnALineBoundary) {
  const std::string path = ::testing::TempDir() + "infer_sample_rows.csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << "id,v\n";
    for (int i = 0; i < 300000; ++i) out << i << ",x\n";  // about 2.9 MB: more than one read
  }
  Result<InputSample> s = ReadInputSample(path, 10, 64 << 20);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->whole_input);
  ASSERT_FALSE(s->text.empty());
  EXPECT_EQ(s->text.back(), '\n');
  EXPECT_LT(s->text.size(), 2u << 20);
  Result<InputSample> capped = ReadInputSample(path, 1000000, 1);
  ASSERT_TRUE(capped.ok());
  EXPECT_FALSE(capped->whole_input);
  Result<InputSample> all = ReadInputSample(path, 1000000, 64 << 20);
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->whole_input);
  std::remove(path.c_str());
}

TEST(InputSample, MissingFileNamesIt) {
  Result<InputSample> s = ReadInputSample(kData + "nope.csv", 10, 1 << 20);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("nope.csv"), std::string::npos);
}

}  // namespace
}  // namespace csv2ddb
