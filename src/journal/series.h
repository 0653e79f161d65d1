// The run's time series: one row per sample, taken at a fixed interval while
// an execution runs (and once more at its end), in the journal's SQLite file,
// table `samples`. `csv2ddb report` draws its charts from them.
//
// A sample holds the run's cumulative counters (since that run started: a
// resume is a run of its own, numbered by `run`) and the rates over the
// interval before it. Counters of records are those of committed chunks
// (pipeline/pipeline.h); bytes are input bytes read; requests, retries,
// throttles, in-flight requests and write units are the target's
// (sink/sink.h: SinkActivity), zero for targets that send no requests.
//
// Threads: a SeriesStore is its own SQLite connection to the journal file,
// used by one thread at a time (the run's sampler thread, or the report
// command). It never shares the Journal object of the committing thread;
// SQLite serializes the writes of the two connections (WAL mode, busy
// timeout), and a sample is one small autocommit insert.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

struct sqlite3;

namespace csv2ddb {

struct Sample {
  int64_t run = 1;         // 1 for the first run of the execution, +1 per resume
  int64_t time_ms = 0;     // Unix time, milliseconds
  int64_t elapsed_ms = 0;  // since the run started
  bool final = false;      // taken when the run ended
  // Cumulative, since the run started.
  uint64_t records = 0;  // committed (written + rejected)
  uint64_t written = 0;
  uint64_t rejected = 0;
  uint64_t bytes_read = 0;  // input bytes consumed (compressed if compressed)
  uint64_t requests = 0;
  uint64_t retries = 0;
  uint64_t throttles = 0;
  uint64_t write_units = 0;
  bool write_units_estimated = true;
  std::vector<std::pair<std::string, uint64_t>> rejects_by_rule;
  // Gauges, now.
  uint64_t in_flight = 0;
  int64_t inflight_limit = 0;  // 0: no governor
  double rate_limit = 0;       // items/s cap now; 0: none
  // Rates over the interval since the previous sample of the run.
  double rows_per_s = 0;
  double mb_per_s = 0;  // 10^6 bytes of input per second
  double written_per_s = 0;
  double wcu_per_s = 0;
  double throttles_per_s = 0;
  double retries_per_s = 0;
};

class SeriesStore {
 public:
  // Opens <state_dir>/journal.sqlite (creating the samples table).
  static Result<std::unique_ptr<SeriesStore>> Open(const std::string& state_dir);
  ~SeriesStore();
  SeriesStore(const SeriesStore&) = delete;
  SeriesStore& operator=(const SeriesStore&) = delete;

  // The number of the next run of `name`: 1 + the highest stored.
  Result<int64_t> NextRun(const std::string& name);
  Status Append(const std::string& name, const Sample& sample);
  // Every sample of `name`, in the order they were taken.
  Result<std::vector<Sample>> Read(const std::string& name);

 private:
  SeriesStore(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
  Status Error(const std::string& what) const;

  const std::string path_;
  sqlite3* db_;
};

}  // namespace csv2ddb
