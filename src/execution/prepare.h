// Prepare: everything about an execution that can fail before its first
// write, checked in this order: the options (name, chunk size, limits), the
// notification targets, the mapping, the input and its header, the mapping
// bound to the header, the journal (a new name must be free), the error
// location (it exists and accepts writes), the target (it opens and its table
// matches, see Sink::Prepare). Only then is the execution created in the
// journal (or, for a resume, marked RUNNING again). A failure here leaves no
// trace in the journal and nothing written.
//
// Threads: the command's thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "csv/header_reader.h"
#include "errors/reject_formatter.h"
#include "errors/reject_sink.h"
#include "execution/aws_io.h"
#include "execution/run_options.h"
#include "execution/verdict.h"
#include "journal/journal.h"
#include "mapping/item_plan.h"
#include "mapping/mapping.h"
#include "pipeline/pipeline.h"
#include "report/notifier.h"
#include "sink/sink.h"
#include "source/byte_source.h"

namespace csv2ddb {

// Why an execution could not go on, and the exit code that says so.
struct Failure {
  int exit_code = 0;
  std::string message;
};

// A checked execution, ready to run. Not movable: the plan refers to the
// mapping.
struct Prepared {
  Prepared() = default;
  Prepared(const Prepared&) = delete;
  Prepared& operator=(const Prepared&) = delete;

  RunOptions options;  // with the name and the error location filled in
  // The process's AWS context (one credentials chain, one HTTP client),
  // shared by the input, target, error location and notification. Not owned:
  // the command's AwsIo outlives the execution.
  aws::AwsContext* aws = nullptr;
  bool resume = false;
  std::vector<NotifyTarget> notify;
  MaxRejects max_rejects;
  std::optional<Mapping> mapping;
  std::unique_ptr<ByteSource> source;
  std::optional<InputStart> start;  // the header read; handed to the pipeline
  std::vector<std::string> header;
  std::optional<ItemPlan> plan;
  std::optional<RejectFormatter> formatter;
  TableSpec table;
  std::unique_ptr<Sink> sink;
  std::unique_ptr<RejectSink> rejects;
  // Where rows skipped by the write mode go (insert/update with a local error
  // location); null otherwise.
  std::unique_ptr<RejectSink> skips;
  // Null for validate. Once set with `created`, the execution exists in the
  // journal: from then on every end of it must be recorded (Finish).
  std::unique_ptr<Journal> journal;
  bool created = false;
  // Resume: where the pipeline starts, and the chunks committed before.
  ResumePoint resume_point;
  std::set<uint64_t> done;
};

// The largest --chunk-size (one chunk is held in memory per worker, twice).
inline constexpr uint64_t kMaxChunkSize = 1ull << 30;

// Checks `options` (a new execution when `prior` is empty, else the resume of
// `prior` with its stored options) and opens everything into `*out`.
// `mapping_digest` is the mapping file's SHA-256 (stored for resume); empty
// for a new execution, whose mapping is read once (it may be a pipe, as in
// `--mapping <(csv2ddb infer x.csv)`) and hashed here.
std::optional<Failure> Prepare(RunOptions options, const std::optional<ExecutionRecord>& prior,
                               std::string mapping_digest, AwsIo* io, Prepared* out);

// For `resume NAME`: the execution's record and its stored options, once it
// is known that it can be resumed (it exists, is not running elsewhere, has
// chunks left, read a file that can be read again) and that its input, mapping
// and target have not changed since it started.
struct ResumeRequest {
  ExecutionRecord record;
  RunOptions options;
  std::string input_identity;  // what identified the input when it started
  std::string mapping_digest;
};
std::optional<Failure> LookupResume(const std::string& name, const std::string& state_dir,
                                    ResumeRequest* out);
std::optional<Failure> CheckUnchanged(const ResumeRequest& request, AwsIo* io);

// What the S3 and Firehose ends need from the options.
AwsIoOptions IoOptions(const RunOptions& o);

// The SHA-256 of the file at `path` (hex; that of "" when it cannot be read).
std::string FileDigest(const std::string& path);

}  // namespace csv2ddb
