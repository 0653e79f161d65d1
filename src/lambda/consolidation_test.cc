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

TEST(SummaryJsonTest, AFailedMapIsFailedWhateverTheCounts) {
  SummaryOptions o = Options(100);  // even "tolerate everything"
  o.map_failure = MapFailure{"States.ItemReaderFailed", "the CSV could not be read",
                             "s3://b/migration_results/exec", false};
  const std::string s = SummaryJson(Totals(0, 0), o);
  EXPECT_EQ(s,
            R"({"TOTAL_NUMBER_OF_ITEMS_WRITTEN":0,"TOTAL_NUMBER_OF_ITEMS_IN_ERROR":0,)"
            R"("DESTINATION_TABLE_NAME":"tb","NUMBER_OF_BATCHES":0,"STATUS":"FAILED",)"
            R"("ERROR":"the Map state failed with States.ItemReaderFailed: the CSV could not be )"
            R"x(read (no batch results were written)","MAP_ERROR":{"Error":)x"
            R"("States.ItemReaderFailed","Cause":"the CSV could not be read"},)"
            R"("RESULTS_LOCATION":"s3://b/migration_results/exec","RESULTS_FOUND":false})");
  o.map_failure->results_found = true;
  const std::string with = SummaryJson(Totals(97, 3), o);
  EXPECT_NE(with.find(R"("NUMBER_OF_FAILED_BATCHES":3)"), std::string::npos) << with;
  EXPECT_NE(with.find(R"("NUMBER_OF_BATCHES":100,"STATUS":"FAILED")"), std::string::npos) << with;
  EXPECT_EQ(with.find("no batch results"), std::string::npos) << with;
}

}  // namespace
}  // namespace csv2ddb::lambda
