#include "lambda/consolidation.h"

#include <gtest/gtest.h>

namespace csv2ddb::lambda {
namespace {

ConsolidationTotals Totals(uint64_t succeeded, uint64_t failed) {
  ConsolidationTotals t;
  t.succeeded_batches = succeeded;
  t.written = succeeded * 10;
  t.failed_batches = failed;
  for (uint64_t i = 0; i < failed && i < kFailedBatchesListed; ++i) {
    t.failed.push_back({"arn:child:" + std::to_string(i), "Csv2ddb.BatchFailed", "throttled"});
  }
  return t;
}

SummaryOptions Options(std::optional<double> pct) {
  SummaryOptions o;
  o.execution_name = "exec";
  o.table = "tb";
  o.error_location = "s3://b/migration_errors/execution_name=exec";
  o.tolerated_failure_percentage = pct;
  return o;
}

TEST(SummaryJsonTest, TheReferenceSummaryWithoutAVerdict) {
  EXPECT_EQ(SummaryJson(Totals(3, 0), Options(std::nullopt)),
            R"({"TOTAL_NUMBER_OF_ITEMS_WRITTEN":30,"TOTAL_NUMBER_OF_ITEMS_IN_ERROR":0,)"
            R"("DESTINATION_TABLE_NAME":"tb"})");
}

TEST(SummaryJsonTest, FailedBatchesAreListedAndJudgedByThePercentage) {
  // 5 of 100 within 5 %: SUCCEEDED, with a note; the failed batches listed.
  const std::string ok = SummaryJson(Totals(95, 5), Options(5));
  EXPECT_NE(ok.find(R"("NUMBER_OF_FAILED_BATCHES":5,"FAILED_BATCHES":[{"ExecutionArn":)"
                    R"("arn:child:0","Error":"Csv2ddb.BatchFailed","Cause":"throttled"})"),
            std::string::npos)
      << ok;
  EXPECT_NE(ok.find(R"("NUMBER_OF_BATCHES":100,"STATUS":"SUCCEEDED","NOTE":)"), std::string::npos)
      << ok;
  // 6 of 100 over 5 %: FAILED, saying why (the Map's own error name).
  const std::string failed = SummaryJson(Totals(94, 6), Options(5));
  EXPECT_NE(failed.find(R"("STATUS":"FAILED","ERROR":"States.ExceedToleratedFailureThreshold:)"),
            std::string::npos)
      << failed;
  // 0 %: any failed batch fails the migration.
  EXPECT_NE(SummaryJson(Totals(99, 1), Options(0)).find(R"("STATUS":"FAILED")"), std::string::npos);
}

}  // namespace
}  // namespace csv2ddb::lambda
