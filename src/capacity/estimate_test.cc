#include "capacity/estimate.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

namespace csv2ddb {
namespace {

EstimateInput Base() {
  EstimateInput in;
  in.records = 1000;
  in.written = 990;
  in.rejected = 10;
  in.source_bytes = 3ull << 30;  // 3 GiB
  in.cost.items = 990;
  in.cost.item_bytes = 990 * 300;
  in.cost.table_write_units = 1500000;
  in.cost.gsi_write_units = 500000;
  in.region = "us-east-1";
  in.price_date = "2026-12-04";
  in.prices.on_demand_write_per_million = 0.625;
  in.prices.provisioned_wcu_hour = 0.00065;
  in.prices.import_per_gb = 0.15;
  return in;
}

TEST(Estimate, OnDemandIsWriteUnitsTimesThePricePerMillion) {
  Estimate e = ComputeEstimate(Base());
  EXPECT_EQ(e.total_write_units, 2000000u);
  ASSERT_TRUE(e.on_demand_usd.has_value());
  EXPECT_DOUBLE_EQ(*e.on_demand_usd, 2 * 0.625);
}

TEST(Estimate, ImportIsChargedPerGibOfUncompressedSource) {
  Estimate e = ComputeEstimate(Base());
  ASSERT_TRUE(e.import_usd.has_value());
  EXPECT_DOUBLE_EQ(*e.import_usd, 3 * 0.15);
}

TEST(Estimate, ProvisionedNeedsARateAndBillsWholeHours) {
  Estimate none = ComputeEstimate(Base());
  EXPECT_FALSE(none.seconds.has_value());
  EXPECT_FALSE(none.provisioned_usd.has_value());

  EstimateInput in = Base();
  in.rate = 1000;  // 2,000,000 units: 2000 s, one hour
  Estimate e = ComputeEstimate(in);
  ASSERT_TRUE(e.seconds.has_value());
  EXPECT_DOUBLE_EQ(*e.seconds, 2000);
  EXPECT_EQ(e.provisioned_hours, 1u);
  EXPECT_DOUBLE_EQ(*e.provisioned_usd, 1000 * 1 * 0.00065);

  in.rate = 500;  // 4000 s: two hours
  e = ComputeEstimate(in);
  EXPECT_EQ(e.provisioned_hours, 2u);
  EXPECT_DOUBLE_EQ(*e.provisioned_usd, 500 * 2 * 0.00065);

  in.rate = 2000000.0 / 3600;  // exactly one hour
  e = ComputeEstimate(in);
  EXPECT_EQ(e.provisioned_hours, 1u);
}

TEST(Estimate, UnknownPricesGiveNoCost) {
  EstimateInput in = Base();
  in.prices = RegionPrices{};
  in.rate = 100;
  Estimate e = ComputeEstimate(in);
  EXPECT_FALSE(e.on_demand_usd.has_value());
  EXPECT_FALSE(e.provisioned_usd.has_value());
  EXPECT_FALSE(e.import_usd.has_value());
  ASSERT_TRUE(e.seconds.has_value());
  EXPECT_DOUBLE_EQ(*e.seconds, 20000);
}

TEST(Estimate, JsonHasEveryFigure) {
  EstimateInput in = Base();
  in.rate = 1000;
  in.rate_source = "--wcu";
  in.rejects_by_rule = {{"not_blank", 7}, {"number", 3}};
  in.gsis = {"by_city"};
  in.gsi_source = "mapping";
  const std::string json = FormatEstimateJson(ComputeEstimate(in));
  rapidjson::Document d;
  d.Parse(json.c_str());
  ASSERT_FALSE(d.HasParseError()) << json;
  EXPECT_EQ(d["records"].GetUint64(), 1000u);
  EXPECT_EQ(d["items"].GetUint64(), 990u);
  EXPECT_EQ(d["rejected"].GetUint64(), 10u);
  EXPECT_EQ(d["rejects_by_rule"]["not_blank"].GetUint64(), 7u);
  EXPECT_EQ(d["write_units"]["table"].GetUint64(), 1500000u);
  EXPECT_EQ(d["write_units"]["gsi"].GetUint64(), 500000u);
  EXPECT_EQ(d["write_units"]["total"].GetUint64(), 2000000u);
  EXPECT_STREQ(d["gsis"][0].GetString(), "by_city");
  EXPECT_DOUBLE_EQ(d["rate"]["wcu_per_second"].GetDouble(), 1000);
  EXPECT_DOUBLE_EQ(d["seconds"].GetDouble(), 2000);
  EXPECT_DOUBLE_EQ(d["cost"]["on_demand_writes"].GetDouble(), 1.25);
  EXPECT_DOUBLE_EQ(d["cost"]["provisioned_writes"].GetDouble(), 0.65);
  EXPECT_EQ(d["cost"]["provisioned_hours"].GetUint64(), 1u);
  EXPECT_DOUBLE_EQ(d["cost"]["import_table"].GetDouble(), 0.45);
  EXPECT_STREQ(d["prices"]["date"].GetString(), "2026-12-04");
  EXPECT_STREQ(d["prices"]["region"].GetString(), "us-east-1");

  in.rate = 0;
  d.Parse(FormatEstimateJson(ComputeEstimate(in)).c_str());
  EXPECT_TRUE(d["rate"].IsNull());
  EXPECT_TRUE(d["seconds"].IsNull());
  EXPECT_TRUE(d["cost"]["provisioned_writes"].IsNull());
}

}  // namespace
}  // namespace csv2ddb
