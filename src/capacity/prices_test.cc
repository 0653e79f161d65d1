#include "capacity/prices.h"

#include <gtest/gtest.h>

namespace csv2ddb {
namespace {

TEST(Prices, TheBuiltInTableIsDatedAndHasUsEast1) {
  Result<PriceTable> t = BuiltinPriceTable();
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->date.size(), 10u);
  EXPECT_EQ(t->currency, "USD");
  EXPECT_FALSE(t->source_url.empty());
  ASSERT_EQ(t->regions.count("us-east-1"), 1u);
  const RegionPrices& p = t->regions.at("us-east-1");
  EXPECT_TRUE(p.verified);
  ASSERT_TRUE(p.on_demand_write_per_million.has_value());
  ASSERT_TRUE(p.provisioned_wcu_hour.has_value());
  ASSERT_TRUE(p.import_per_gb.has_value());
  EXPECT_GT(*p.on_demand_write_per_million, 0);
  EXPECT_FALSE(p.source.empty());
  for (const auto& [name, r] : t->regions) EXPECT_FALSE(r.source.empty()) << name;
}

TEST(Prices, NullIsAnUnknownPrice) {
  Result<PriceTable> t = ParsePriceTable(
      R"({"date":"2026-01-02","source_url":"u","regions":{"x-1":{"on_demand_write_per_million":1.5,"import_per_gb":null}}})",
      "p.json");
  ASSERT_TRUE(t.ok()) << t.status().message();
  const RegionPrices& p = t->regions.at("x-1");
  EXPECT_DOUBLE_EQ(*p.on_demand_write_per_million, 1.5);
  EXPECT_FALSE(p.provisioned_wcu_hour.has_value());
  EXPECT_FALSE(p.import_per_gb.has_value());
  EXPECT_FALSE(p.verified);
}

TEST(Prices, ErrorsNameTheFileAndTheField) {
  auto err = [](const char* json) {
    Result<PriceTable> t = ParsePriceTable(json, "p.json");
    return t.ok() ? std::string() : t.status().message();
  };
  EXPECT_NE(err("{").find("price table 'p.json': not JSON"), std::string::npos);
  EXPECT_NE(err(R"({"source_url":"u","regions":{"a":{}}})").find("\"date\""), std::string::npos);
  EXPECT_NE(err(R"({"date":"2026-01-02","source_url":"u","regions":{}})").find("\"regions\""),
            std::string::npos);
  EXPECT_NE(err(R"({"date":"2026-01-02","source_url":"u","regions":{"a":{"import_per_gb":-1}}})")
                .find("region \"a\": \"import_per_gb\" must be a price"),
            std::string::npos);
  EXPECT_NE(
      err(R"({"date":"2026-01-02","source_url":"u","regions":{"a":{"provisioned_wcu_hour":"x"}}})")
          .find("\"provisioned_wcu_hour\""),
      std::string::npos);
}

}  // namespace
}  // namespace csv2ddb
