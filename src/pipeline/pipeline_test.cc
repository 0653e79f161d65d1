// The pipeline's output (table, rejects, totals) is the same for every
// worker count and every chunk size, down to one byte.
#include "pipeline/pipeline.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "errors/reject_sink.h"
#include "mapping/item_plan.h"
#include "sink/sqlite_sink.h"
#include "source/memory_source.h"

namespace csv2ddb {
namespace {

namespace fs = std::filesystem;

const char* kMapping = R"(
[table]
name = "things"
partition_key = { name = "id", type = "S" }
[columns.id]
not_blank = true
transforms = ["trim", { prefix = "K_" }]
[columns.qty]
type = "N"
[columns.note]
on_empty = "omit"
)";

// An input with the ugly cases: quoted newlines, doubled quotes, CRLF, blank
// lines, short and long rows, bad quoting, bad numbers, blank keys, invalid
// UTF-8, duplicate keys.
std::string MakeInput(unsigned seed, size_t rows) {
  std::mt19937 rng(seed);
  std::string s = "id,qty,note\n";
  for (size_t i = 0; i < rows; ++i) {
    const std::string id = std::to_string(rng() % (rows * 3 / 4 + 1));
    switch (rng() % 14) {
      case 0:
        s += id + ",1,\"multi\nline \"\"quoted\"\"\"\n";
        break;
      case 1:
        s += id + ",2,crlf\r\n";
        break;
      case 2:
        s += "\n";
        break;
      case 3:
        s += id + ",3\n";
        break;  // short row
      case 4:
        s += id + ",4,x,extra\n";
        break;  // long row
      case 5:
        s += id + ",5,\"bad\"quote\n";
        break;  // text after closing quote
      case 6:
        s += id + ",abc,bad number\n";
        break;
      case 7:
        s += "  ,6,blank key\n";
        break;
      case 8:
        s += id + ",7,\xff\xfe bad utf8\n";
        break;
      case 9:
        s += id + ",1e999,out of range\n";
        break;
      case 10:
        s += id + ",8,\n";
        break;  // empty note: omitted
      default:
        s += id + "," + std::to_string(rng() % 1000) + ",note " + id + "\n";
        break;
    }
  }
  return s;
}

struct Output {
  PipelineResult result;
  std::string table;   // sorted dump of the SQLite table
  std::string ndjson;  // reject files
  std::string csv;
};

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Output RunOnce(const std::string& input, size_t workers, size_t chunk_size, const fs::path& dir) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  Result<Mapping> mapping = ParseMapping(kMapping, "test.toml");
  EXPECT_TRUE(mapping.ok()) << mapping.status().message();
  MemorySource src(input, 7);
  Result<InputStart> start = ReadInputStart(&src, mapping->dialect, true);
  EXPECT_TRUE(start.ok());
  Result<ItemPlan> plan = BindMapping(*mapping, start->header);
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  auto sink = SqliteSink::Open((dir / "db.sqlite").string());
  EXPECT_TRUE(sink.ok());
  EXPECT_TRUE((*sink)->Prepare({plan->table, plan->partition_key, plan->sort_key}).ok());
  LocalRejectSink rejects((dir / "errors").string(), "prop", start->header_raw);
  RejectFormatter formatter("prop", start->header);
  PipelineOptions opts;
  opts.workers = workers;
  opts.chunk_size = chunk_size;
  // What the journal would store: every chunk once, in input order, and
  // counts that sum to the totals.
  std::vector<ChunkCommit> commits;
  opts.on_commit = [&](std::span<const ChunkCommit> chunks) {
    commits.insert(commits.end(), chunks.begin(), chunks.end());
    return Status::OK();
  };
  Output out;
  Result<PipelineResult> r = RunPipeline(&src, std::move(start).value(), mapping->dialect, *plan,
                                         sink->get(), &rejects, formatter, opts);
  EXPECT_TRUE(r.ok()) << r.status().message();
  out.result = *r;
  PipelineResult sum;
  for (size_t i = 0; i < commits.size(); ++i) {
    EXPECT_EQ(commits[i].index, i);
    sum.records += commits[i].records;
    sum.written += commits[i].written;
    sum.rejected += commits[i].rejected;
    sum.blank_lines += commits[i].blank_lines;
  }
  EXPECT_EQ(commits.size(), r->chunks);
  EXPECT_EQ(sum.records, r->records);
  EXPECT_EQ(sum.written, r->written);
  EXPECT_EQ(sum.rejected, r->rejected);
  EXPECT_EQ(sum.blank_lines, r->blank_lines);
  EXPECT_TRUE(rejects.Finish(true).ok());
  EXPECT_TRUE((*sink)->Close().ok());

  sqlite3* db = nullptr;
  sqlite3_open((dir / "db.sqlite").string().c_str(), &db);
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(db, "SELECT id, item, source_line FROM things ORDER BY id", -1, &q, nullptr);
  while (sqlite3_step(q) == SQLITE_ROW) {
    for (int c = 0; c < 3; ++c) {
      out.table += reinterpret_cast<const char*>(sqlite3_column_text(q, c));
      out.table += '|';
    }
    out.table += '\n';
  }
  sqlite3_finalize(q);
  sqlite3_close(db);
  out.ndjson = ReadFile(dir / "errors/execution_name=prop/rejects.ndjson");
  out.csv = ReadFile(dir / "errors/execution_name=prop/rejects.csv");
  return out;
}

TEST(Pipeline, SameOutputForEveryWorkerCountAndChunkSize) {
  const fs::path dir = fs::temp_directory_path() / ("csv2ddb_prop_" + std::to_string(getpid()));
  for (unsigned seed : {1u, 2u, 3u}) {
    const std::string input = MakeInput(seed, 400);
    const Output ref = RunOnce(input, 1, 1 << 20, dir / "ref");
    EXPECT_EQ(ref.result.records, ref.result.written + ref.result.rejected);
    EXPECT_GT(ref.result.rejected, 0u);
    EXPECT_GT(ref.result.written, 0u);
    EXPECT_GT(ref.result.blank_lines, 0u);
    EXPECT_FALSE(ref.table.empty());
    for (size_t workers : {1, 2, 4}) {
      for (size_t chunk : {1, 2, 3, 7, 61, 500, 4096}) {
        const Output o = RunOnce(input, workers, chunk, dir / "run");
        SCOPED_TRACE("seed " + std::to_string(seed) + " workers " + std::to_string(workers) +
                     " chunk " + std::to_string(chunk));
        EXPECT_EQ(o.result.records, ref.result.records);
        EXPECT_EQ(o.result.written, ref.result.written);
        EXPECT_EQ(o.result.rejected, ref.result.rejected);
        EXPECT_EQ(o.result.blank_lines, ref.result.blank_lines);
        EXPECT_EQ(o.result.bytes, input.size());
        EXPECT_EQ(o.table, ref.table);
        EXPECT_EQ(o.ndjson, ref.ndjson);
        EXPECT_EQ(o.csv, ref.csv);
      }
    }
  }
  fs::remove_all(dir);
}

TEST(Pipeline, LaterRowWinsForDuplicateKeysAcrossChunks) {
  const fs::path dir = fs::temp_directory_path() / ("csv2ddb_dup_" + std::to_string(getpid()));
  const std::string input = "id,qty,note\n1,1,first\n2,2,x\n1,3,second\n1,4,third\n";
  for (size_t chunk : {1, 8, 1000}) {
    const Output o = RunOnce(input, 2, chunk, dir);
    EXPECT_EQ(o.result.written, 4u);
    EXPECT_NE(
        o.table.find(
            "K_1|{\"id\":{\"S\":\"K_1\"},\"qty\":{\"N\":\"4\"},\"note\":{\"S\":\"third\"}}|5|"),
        std::string::npos)
        << o.table;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace csv2ddb
