#include "execution/verdict.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "execution/exit_codes.h"

namespace csv2ddb {
namespace {

MaxRejects Limit(const char* text) {
  Result<MaxRejects> r = ParseMaxRejects(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? *r : MaxRejects{};
}

struct Case {
  const char* name;
  VerdictInput in;
  const char* status;
  int exit_code;
  const char* error_has;  // a part of the error ("" : the error is empty)
};

VerdictInput Base() {
  VerdictInput in;
  in.execution_name = "e1";
  in.records = 1000;
  in.rejected = 10;
  in.total_chunks = 10;
  in.first_failure = "chunk 3 (from line 301): AccessDeniedException";
  return in;
}

std::vector<Case> Cases() {
  std::vector<Case> cases;
  const auto add = [&cases](const char* name, auto edit, const char* status, int code,
                            const char* error_has) {
    VerdictInput in = Base();
    edit(in);
    cases.push_back(Case{name, in, status, code, error_has});
  };
  add(
      "clean run succeeds", [](VerdictInput&) {}, "SUCCEEDED", kExitOk, "");
  add(
      "run error fails", [](VerdictInput& in) { in.run_error = "journal: disk full"; }, "FAILED",
      kExitFailed, "disk full");
  add(
      "run error wins over a signal",
      [](VerdictInput& in) {
        in.run_error = "boom";
        in.stopped = true;
      },
      "FAILED", kExitFailed, "boom");
  add(
      "signal aborts resumably", [](VerdictInput& in) { in.stopped = true; }, "ABORTED",
      kExitAborted, "csv2ddb resume e1");
  add(
      "signal wins over failed chunks and rejects",
      [](VerdictInput& in) {
        in.stopped = true;
        in.failed_chunks = 5;
        in.max_rejects = Limit("0");
      },
      "ABORTED", kExitAborted, "stopped");
  add(
      "target close error fails", [](VerdictInput& in) { in.close_error = "flush failed"; },
      "FAILED", kExitFailed, "flush failed");
  add(
      "failed chunk with no tolerance fails", [](VerdictInput& in) { in.failed_chunks = 1; },
      "FAILED", kExitFailed, "none is tolerated");
  add(
      "failed chunks within the count succeed",
      [](VerdictInput& in) {
        in.failed_chunks = 2;
        in.tolerated_failure_count = 2;
      },
      "SUCCEEDED", kExitOk, "2 chunks failed (tolerated); first: chunk 3");
  add(
      "failed chunks over the count fail",
      [](VerdictInput& in) {
        in.failed_chunks = 3;
        in.tolerated_failure_count = 2;
      },
      "FAILED", kExitFailed, "States.ExceedToleratedFailureThreshold");
  add(
      "count of zero tolerates none",
      [](VerdictInput& in) {
        in.failed_chunks = 1;
        in.tolerated_failure_count = 0;
      },
      "FAILED", kExitFailed, "--tolerated-failure-count 0");
  add(
      "failed share at the percentage succeeds",
      [](VerdictInput& in) {
        in.failed_chunks = 1;
        in.tolerated_failure_percentage = 10;  // 1 of 10 = 10%
      },
      "SUCCEEDED", kExitOk, "tolerated");
  add(
      "failed share over the percentage fails",
      [](VerdictInput& in) {
        in.failed_chunks = 2;
        in.tolerated_failure_percentage = 10;
      },
      "FAILED", kExitFailed, "2 of 10 chunks failed");
  // The defect: an unknown chunk count (a dropped Status reading it) used to
  // skip the percentage check and report SUCCEEDED.
  add(
      "unknown chunk count with failed chunks never passes the percentage",
      [](VerdictInput& in) {
        in.failed_chunks = 9;
        in.total_chunks = std::nullopt;
        in.tolerated_failure_percentage = 50;
      },
      "FAILED", kExitFailed, "chunk count is unknown");
  add(
      "unknown chunk count without failed chunks succeeds",
      [](VerdictInput& in) {
        in.total_chunks = std::nullopt;
        in.tolerated_failure_percentage = 50;
      },
      "SUCCEEDED", kExitOk, "");
  add(
      "zero chunks with failed chunks fails the percentage",
      [](VerdictInput& in) {
        in.failed_chunks = 1;
        in.total_chunks = 0;
        in.tolerated_failure_percentage = 50;
      },
      "FAILED", kExitFailed, "1 of 0 chunks");
  add(
      "count and percentage both apply: the count fails",
      [](VerdictInput& in) {
        in.failed_chunks = 3;
        in.tolerated_failure_count = 2;
        in.tolerated_failure_percentage = 100;
      },
      "FAILED", kExitFailed, "--tolerated-failure-count 2");
  add(
      "rejects at the count succeed", [](VerdictInput& in) { in.max_rejects = Limit("10"); },
      "SUCCEEDED", kExitOk, "");
  add(
      "rejects over the count fail", [](VerdictInput& in) { in.max_rejects = Limit("9"); },
      "FAILED", kExitFailed, "rejected 10 of 1000 records, over --max-rejects 9");
  add(
      "rejects at the percentage succeed", [](VerdictInput& in) { in.max_rejects = Limit("1%"); },
      "SUCCEEDED", kExitOk, "");
  add(
      "rejects over the percentage fail", [](VerdictInput& in) { in.max_rejects = Limit("0.5%"); },
      "FAILED", kExitFailed, "--max-rejects 0.5%");
  add(
      "a huge count limit is fine",
      [](VerdictInput& in) { in.max_rejects = Limit("18446744073709551615"); }, "SUCCEEDED",
      kExitOk, "");
  add(
      "no records: a percentage limit holds",
      [](VerdictInput& in) {
        in.records = 0;
        in.rejected = 0;
        in.max_rejects = Limit("0%");
      },
      "SUCCEEDED", kExitOk, "");
  add(
      "validate has no status", [](VerdictInput& in) { in.validate_only = true; }, "", kExitOk, "");
  add(
      "validate with a run error exits 1",
      [](VerdictInput& in) {
        in.validate_only = true;
        in.run_error = "read failed";
      },
      "", kExitFailed, "read failed");
  return cases;
}

TEST(Verdict, Table) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    const Verdict v = DecideVerdict(c.in);
    EXPECT_EQ(v.status, c.status);
    EXPECT_EQ(v.exit_code, c.exit_code);
    if (std::string(c.error_has).empty()) {
      EXPECT_EQ(v.error, "");
    } else {
      EXPECT_NE(v.error.find(c.error_has), std::string::npos) << v.error;
    }
  }
}

TEST(Verdict, FailVerdictOnlyTurnsSuccessIntoFailure) {
  Verdict ok{"SUCCEEDED", "", kExitOk};
  Verdict v = FailVerdict(ok, "rejects: disk full");
  EXPECT_EQ(v.status, "FAILED");
  EXPECT_EQ(v.exit_code, kExitFailed);
  EXPECT_EQ(v.error, "rejects: disk full");
  Verdict aborted{"ABORTED", "stopped", kExitAborted};
  EXPECT_EQ(FailVerdict(aborted, "x").status, "ABORTED");
  EXPECT_EQ(FailVerdict(aborted, "x").error, "stopped");
}

TEST(MaxRejects, Parses) {
  struct P {
    const char* text;
    bool ok;
    MaxRejects::Kind kind;
    uint64_t count;
    double percent;
  };
  const P cases[] = {
      {"", true, MaxRejects::Kind::kNone, 0, 0},
      {"0", true, MaxRejects::Kind::kCount, 0, 0},
      {"100", true, MaxRejects::Kind::kCount, 100, 0},
      {"18446744073709551615", true, MaxRejects::Kind::kCount, UINT64_MAX, 0},
      {"0.5%", true, MaxRejects::Kind::kPercent, 0, 0.5},
      {"100%", true, MaxRejects::Kind::kPercent, 0, 100},
      // Defect 10.7: used to pass validation, then throw out of range at the end.
      {"99999999999999999999999", false, MaxRejects::Kind::kNone, 0, 0},
      {"18446744073709551616", false, MaxRejects::Kind::kNone, 0, 0},
      {"100.1%", false, MaxRejects::Kind::kNone, 0, 0},
      {"1.2.3%", false, MaxRejects::Kind::kNone, 0, 0},
      {"%", false, MaxRejects::Kind::kNone, 0, 0},
      {".5%", false, MaxRejects::Kind::kNone, 0, 0},
      {"-1", false, MaxRejects::Kind::kNone, 0, 0},
      {"1.5", false, MaxRejects::Kind::kNone, 0, 0},
      {"lots", false, MaxRejects::Kind::kNone, 0, 0},
      {" 5", false, MaxRejects::Kind::kNone, 0, 0},
  };
  for (const P& p : cases) {
    SCOPED_TRACE(p.text);
    Result<MaxRejects> r = ParseMaxRejects(p.text);
    ASSERT_EQ(r.ok(), p.ok);
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("--max-rejects"), std::string::npos);
      continue;
    }
    EXPECT_EQ(r->kind, p.kind);
    EXPECT_EQ(r->count, p.count);
    EXPECT_DOUBLE_EQ(r->percent, p.percent);
  }
}

TEST(ShardChunkCount, CountsTheChunksOfOneShard) {
  EXPECT_EQ(ShardChunkCount(10, 0, 0), 10u);  // no shard
  EXPECT_EQ(ShardChunkCount(10, 0, 3), 4u);   // 0 3 6 9
  EXPECT_EQ(ShardChunkCount(10, 1, 3), 3u);   // 1 4 7
  EXPECT_EQ(ShardChunkCount(10, 2, 3), 3u);   // 2 5 8
  EXPECT_EQ(ShardChunkCount(2, 2, 3), 0u);
  EXPECT_EQ(ShardChunkCount(0, 0, 1), 0u);
}

}  // namespace
}  // namespace csv2ddb
