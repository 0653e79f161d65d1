#include "cli/run_command.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "aws/auth/sigv4.h"
#include "cli/aws_io.h"
#include "csv/header_reader.h"
#include "errors/reject_sink.h"
#include "journal/journal.h"
#include "mapping/item_plan.h"
#include "mapping/mapping.h"
#include "pipeline/pipeline.h"
#include "report/notifier.h"
#include "report/progress.h"
#include "report/summary.h"
#include "sink/sink.h"
#include "source/byte_source.h"

namespace csv2ddb {

namespace {

std::atomic<bool> g_stop{false};

void OnStopSignal(int) { g_stop = true; }

// SIGINT / SIGTERM ask the run to stop gracefully; a second one kills.
void InstallStopHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

std::string GenerateName() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  std::random_device rd;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%06x", rd() & 0xffffff);
  return std::string("exec-") + stamp + "-" + suffix;
}

// Execution names follow Step Functions' rules: 1-80 characters, no
// whitespace, brackets, wildcards, quotes or control characters, and (ours)
// no '/' since the name becomes a folder name.
bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 80) return false;
  for (unsigned char c : name) {
    if (c <= 0x20 || c == 0x7f ||
        std::string_view("<>{}[]?*\"#%\\^|~`$&,;:/'").find(c) != std::string_view::npos) {
      return false;
    }
  }
  return true;
}

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "csv2ddb: %s\n", message.c_str());
  return code;
}

std::string FileDigest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return aws::Sha256Hex(ss.str());
}

// "N" or "P%": false when the rejects break the limit.
bool WithinMaxRejects(const std::string& limit, uint64_t rejected, uint64_t records) {
  if (limit.empty()) return true;
  if (limit.back() == '%') {
    const double pct = std::stod(limit.substr(0, limit.size() - 1));
    return records == 0 ||
           100.0 * static_cast<double>(rejected) <= pct * static_cast<double>(records);
  }
  return rejected <= std::stoull(limit);
}

bool ValidMaxRejects(const std::string& limit) {
  if (limit.empty()) return true;
  const std::string digits = limit.back() == '%' ? limit.substr(0, limit.size() - 1) : limit;
  if (digits.empty()) return false;
  int dots = 0;
  for (char c : digits) {
    if (c == '.' && limit.back() == '%') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots <= 1;
}

// Where a resumed run starts, from the committed chunks.
ResumePoint ResumeFrom(const std::vector<ChunkCommit>& chunks, std::set<uint64_t>* done) {
  for (const ChunkCommit& c : chunks) {
    if (!c.failed) done->insert(c.index);
  }
  ResumePoint p;
  while (done->count(p.chunk_index)) ++p.chunk_index;
  if (p.chunk_index == 0) return p;
  for (const ChunkCommit& c : chunks) {
    if (c.index == p.chunk_index - 1) {
      p.offset = c.offset + c.length;
      p.first_line = c.next_line;
    }
  }
  return p;
}

AwsIoOptions IoOptions(const RunOptions& o) {
  AwsIoOptions io;
  io.region = o.sink.region;
  io.profile = o.sink.profile;
  io.s3_endpoint_url = o.s3_endpoint_url;
  io.endpoint_url = o.sink.endpoint_url;
  io.max_inflight = o.sink.max_inflight;
  return io;
}

int Execute(RunOptions o, const std::optional<ExecutionRecord>& prior, AwsIo* io,
            const std::string& digest) {
  const auto started = std::chrono::steady_clock::now();
  const bool resume = prior.has_value();
  const std::string& name = o.name;

  // Everything that can be wrong is checked before any write.
  std::vector<NotifyTarget> notify;
  for (const std::string& spec : o.notify) {
    Result<NotifyTarget> t = ParseNotifyTarget(spec);
    if (!t.ok()) return Fail(kExitUsage, t.status().message());
    notify.push_back(*t);
  }
  Result<Mapping> mapping = LoadMapping(o.mapping);
  if (!mapping.ok()) return Fail(kExitUsage, mapping.status().message());
  std::string identity;
  Result<std::unique_ptr<ByteSource>> source = io->OpenInput(o.input, &identity);
  if (!source.ok()) return Fail(kExitUsage, source.status().message());
  Result<InputStart> start =
      ReadInputStart(source->get(), mapping->dialect, mapping->has_header_row);
  if (!start.ok()) return Fail(kExitUsage, start.status().message());
  std::vector<std::string> header = mapping->header.empty() ? start->header : mapping->header;
  Result<ItemPlan> plan = BindMapping(*mapping, header);
  if (!plan.ok()) {
    return Fail(kExitUsage, plan.status().message() + " (input '" + o.input + "')");
  }
  std::string header_raw = start->header_raw;
  if (!mapping->header.empty()) {
    header_raw.clear();
    for (size_t i = 0; i < header.size(); ++i) {
      header_raw += (i ? std::string(1, mapping->dialect.delimiter) : "") + header[i];
    }
  }

  std::unique_ptr<Journal> journal;
  if (!o.validate_only) {
    auto j = Journal::Open(o.state_dir);
    if (!j.ok()) return Fail(kExitUsage, j.status().message());
    journal = std::move(j).value();
    if (!resume) {
      auto existing = journal->Get(name);
      if (!existing.ok()) return Fail(kExitFailed, existing.status().message());
      if (existing->has_value()) {
        return Fail(kExitUsage, "execution '" + name + "' already exists (" + (*existing)->status +
                                    "); choose another --name, or " +
                                    "continue it with `csv2ddb resume " + name + "`");
      }
    }
  }

  o.sink.aws = &io->context();  // one AWS context for the input, target, rejects, notify
  auto opened = OpenSink(o.validate_only ? "null://" : o.target, o.sink);
  if (!opened.ok()) return Fail(kExitUsage, opened.status().message());
  std::unique_ptr<Sink> sink = std::move(opened).value();
  // dynamodb://TABLE names the table; otherwise the mapping does.
  TableSpec table{plan->table, plan->partition_key, plan->sort_key};
  const std::string dynamodb = "dynamodb://";
  if (!o.validate_only && o.target.rfind(dynamodb, 0) == 0 && o.target.size() > dynamodb.size()) {
    table.name = o.target.substr(dynamodb.size());
  }
  if (Status st = sink->Prepare(table); !st.ok()) {
    // A wrong table or key schema is the user's to fix; an unreachable or
    // refusing target is a failed run. Either way nothing was written.
    const bool usage =
        st.code() == Status::Code::kInvalidArgument || st.code() == Status::Code::kNotFound;
    return Fail(usage ? kExitUsage : kExitFailed, st.message());
  }

  std::unique_ptr<RejectSink> rejects;
  if (o.validate_only) {
    rejects = std::make_unique<DiscardRejectSink>();
  } else {
    auto r = io->OpenRejects(o.errors, name, header_raw);
    if (!r.ok()) return Fail(kExitUsage, r.status().message());
    rejects = std::move(r).value();
  }
  RejectFormatter formatter(name, header);

  PipelineOptions popts;
  popts.workers = o.workers ? o.workers : std::max(1u, std::thread::hardware_concurrency());
  popts.chunk_size = o.chunk_size;
  popts.stop = &g_stop;
  popts.max_failed_chunks = 0;
  if (o.tolerated_failure_count >= 0) {
    popts.max_failed_chunks = static_cast<uint64_t>(o.tolerated_failure_count);
  } else if (o.tolerated_failure_percentage >= 0) {
    popts.max_failed_chunks = UINT64_MAX;  // judged at the end
  }

  std::set<uint64_t> done;
  if (journal) {
    if (resume) {
      auto chunks = journal->Chunks(name);
      if (!chunks.ok()) return Fail(kExitFailed, chunks.status().message());
      popts.start = ResumeFrom(*chunks, &done);
      if (Status st = journal->SetRunning(name, getpid()); !st.ok()) {
        return Fail(kExitFailed, st.message());
      }
    } else {
      ExecutionRecord e;
      e.name = name;
      e.status = kRunning;
      e.start_date = NowIso8601();
      e.input_json = RunOptionsToJson(o, identity, digest);
      e.pid = getpid();
      if (Status st = journal->Create(e); !st.ok()) return Fail(kExitUsage, st.message());
    }
    popts.skip = [&done, &o](uint64_t index) {
      if (o.shard_count > 0 && index % o.shard_count != o.shard_index) return true;
      return done.count(index) > 0;
    };
    popts.on_commit = [&](const ChunkCommit& c) { return journal->CommitChunk(name, c); };
    popts.on_input_end = [&](uint64_t total) {
      journal->SetTotalChunks(name, static_cast<int64_t>(total));
    };
  }
  if (o.verbose) {
    std::fprintf(
        stderr, "csv2ddb: execution %s: %s -> %s, %zu workers, %llu-byte chunks%s\n", name.c_str(),
        o.input.c_str(), sink->Describe().c_str(), popts.workers,
        static_cast<unsigned long long>(popts.chunk_size),
        resume ? (", resuming at chunk " + std::to_string(popts.start.chunk_index)).c_str() : "");
  }

  if (!o.validate_only) InstallStopHandlers();
  ProgressCounters counters;
  counters.sink = sink.get();
  std::optional<ProgressLine> progress;
  if (!o.quiet && isatty(STDERR_FILENO)) progress.emplace(&counters);
  Result<PipelineResult> result =
      RunPipeline(source->get(), std::move(start).value(), mapping->dialect, *plan, sink.get(),
                  rejects.get(), formatter, popts, &counters);
  progress.reset();
  Status sink_closed = sink->Close();

  Summary s;
  s.execution_name = name;
  s.table = table.name;
  s.target = o.validate_only ? "(validate: nothing written)" : sink->Describe();
  s.target_stats = sink->Stats();
  s.error_location = rejects->Location();
  if (o.validate_only) {
    if (!result.ok()) return Fail(kExitFailed, result.status().message());
    s.records = result->records;
    s.rejected = result->rejected;
    s.blank_lines = result->blank_lines;
    s.validate_only = true;
    s.first_rejects = result->reasons;
  } else {
    // The execution's totals are the journal's: exact across resumes.
    auto totals = journal->Totals(name);
    if (!totals.ok()) return Fail(kExitFailed, totals.status().message());
    s.records = totals->records;
    s.written = totals->written;
    s.rejected = totals->rejected;
    s.duplicates = totals->duplicates;
    s.blank_lines = totals->blank_lines;
    s.failed_chunks = totals->failed_chunks;
    s.records_in_failed = totals->records_in_failed;
    auto record = journal->Get(name);
    const int64_t total_chunks = record.ok() && record->has_value() ? (*record)->total_chunks : -1;

    if (!result.ok()) {
      s.status = kFailed;
      s.error = result.status().message();
    } else if (result->stopped) {
      s.status = kAborted;
      s.error = "stopped by a signal; continue with `csv2ddb resume " + name + "`";
    } else if (!sink_closed.ok()) {
      s.status = kFailed;
      s.error = sink_closed.message();
    } else if (s.failed_chunks > 0 && o.tolerated_failure_percentage >= 0 && total_chunks > 0 &&
               100.0 * static_cast<double>(s.failed_chunks) >
                   o.tolerated_failure_percentage * static_cast<double>(total_chunks)) {
      s.status = kFailed;
      s.error = "States.ExceedToleratedFailureThreshold: " + std::to_string(s.failed_chunks) +
                " of " + std::to_string(total_chunks) +
                " chunks failed; first: " + result->first_failure;
    } else if (!WithinMaxRejects(o.max_rejects, s.rejected, s.records)) {
      s.status = kFailed;
      s.error = "rejected " + std::to_string(s.rejected) + " of " + std::to_string(s.records) +
                " records, over --max-rejects " + o.max_rejects;
    } else {
      s.status = kSucceeded;
      if (s.failed_chunks > 0) {
        s.error = std::to_string(s.failed_chunks) +
                  " chunks failed (tolerated); first: " + result->first_failure;
      }
    }
  }
  Status finished = rejects->Finish(s.status == kSucceeded);
  if (!finished.ok() && s.status == kSucceeded) {
    s.status = kFailed;
    s.error = finished.message();
  }
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const std::string text = FormatSummary(s);
  if (journal) {
    const std::string output = text.substr(0, text.find_last_not_of('\n') + 1);
    if (Status st = journal->Finish(name, s.status, output, s.error); !st.ok()) {
      std::fprintf(stderr, "csv2ddb: %s\n", st.message().c_str());
    }
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
  if (!s.error.empty() && s.status != kSucceeded) {
    std::fprintf(stderr, "csv2ddb: execution %s %s: %s\n", name.c_str(), s.status.c_str(),
                 s.error.c_str());
  }
  NotifyOptions nopts;
  nopts.profile = o.sink.profile;
  nopts.aws = &io->context();
  for (const NotifyTarget& t : notify) {
    if (Status st = Notify(t, text, nopts); !st.ok()) {
      std::fprintf(stderr, "csv2ddb: notification failed (the execution's outcome stands): %s\n",
                   st.message().c_str());
    }
  }
  if (o.validate_only || s.status == kSucceeded) return kExitOk;
  return s.status == kAborted ? kExitAborted : kExitFailed;
}

}  // namespace

bool ParseShard(const std::string& text, uint64_t* index, uint64_t* count) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return false;
  const std::string k = text.substr(0, slash);
  const std::string n = text.substr(slash + 1);
  if (k.empty() || n.empty() || k.size() > 6 || n.size() > 6 ||
      k.find_first_not_of("0123456789") != std::string::npos ||
      n.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  const uint64_t kk = std::stoull(k);
  const uint64_t nn = std::stoull(n);
  if (kk < 1 || nn < 1 || kk > nn) return false;
  *index = kk - 1;
  *count = nn;
  return true;
}

uint64_t ParseSize(const std::string& text) {
  size_t pos = 0;
  uint64_t n = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    if (n > (UINT64_MAX - 9) / 10) return 0;
    n = n * 10 + static_cast<uint64_t>(text[pos++] - '0');
  }
  if (pos == 0) return 0;
  std::string unit = text.substr(pos);
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  uint64_t mult = 1;
  if (unit.empty() || unit == "b") {
    mult = 1;
  } else if (unit == "k" || unit == "kb" || unit == "kib") {
    mult = 1ull << 10;
  } else if (unit == "m" || unit == "mb" || unit == "mib") {
    mult = 1ull << 20;
  } else if (unit == "g" || unit == "gb" || unit == "gib") {
    mult = 1ull << 30;
  } else {
    return 0;
  }
  return n * mult;
}

int RunCommand(const RunOptions& options) {
  RunOptions o = options;
  if (o.name.empty()) o.name = GenerateName();
  if (!ValidName(o.name)) {
    return Fail(kExitUsage, "--name '" + o.name +
                                "': use 1-80 characters without spaces, quotes, slashes or "
                                "brackets");
  }
  if (o.chunk_size == 0) return Fail(kExitUsage, "--chunk-size must be a positive size");
  if (o.errors.empty()) o.errors = DefaultErrorLocation(o.input);
  if (!ValidMaxRejects(o.max_rejects)) {
    return Fail(kExitUsage,
                "--max-rejects '" + o.max_rejects + "': give a count (100) or a percentage (0.5%)");
  }
  AwsIo io(IoOptions(o));
  return Execute(o, std::nullopt, &io, FileDigest(o.mapping));
}

int ResumeCommand(const std::string& name, const std::string& state_dir, bool quiet, bool verbose) {
  auto journal = Journal::Open(state_dir);
  if (!journal.ok()) return Fail(kExitUsage, journal.status().message());
  auto record = (*journal)->Get(name);
  if (!record.ok()) return Fail(kExitFailed, record.status().message());
  if (!record->has_value()) {
    return Fail(kExitUsage, "no execution '" + name + "' in " + (*journal)->path());
  }
  const ExecutionRecord& e = **record;
  if (e.status == kSucceeded) {
    // Like a Distributed Map redrive: only chunks that failed (tolerated) are left.
    auto totals = (*journal)->Totals(name);
    if (!totals.ok()) return Fail(kExitFailed, totals.status().message());
    if (totals->failed_chunks == 0) {
      return Fail(kExitUsage, "execution '" + name + "' already SUCCEEDED; nothing to resume");
    }
  }
  if (e.status == kRunning && e.pid > 0 && e.pid != getpid() &&
      kill(static_cast<pid_t>(e.pid), 0) == 0) {
    return Fail(kExitUsage,
                "execution '" + name + "' is still running (pid " + std::to_string(e.pid) + ")");
  }
  std::string identity, digest;
  Result<RunOptions> o = RunOptionsFromJson(e.input_json, &identity, &digest);
  if (!o.ok()) return Fail(kExitFailed, o.status().message());
  o->name = name;
  o->state_dir = state_dir;
  o->quiet = quiet;
  o->verbose = verbose;
  // Refuse when what the execution started from has changed.
  if (identity == "stdin") {
    return Fail(kExitUsage, "execution '" + name + "' read stdin, which cannot be read again");
  }
  std::vector<std::string> changed;
  AwsIo io(IoOptions(*o));
  const std::string now_identity = io.Identity(o->input);
  if (now_identity != identity) {
    changed.push_back("the input '" + o->input + "' (" + identity + " then, " +
                      (now_identity.empty() ? "missing" : now_identity) + " now)");
  }
  if (FileDigest(o->mapping) != digest) {
    changed.push_back("the mapping '" + o->mapping + "' (its content)");
  }
  const std::string sqlite = "sqlite://";
  if (o->target.rfind(sqlite, 0) == 0) {
    struct stat st {};
    if (::stat(o->target.substr(sqlite.size()).c_str(), &st) != 0) {
      changed.push_back("the target '" + o->target + "' (it no longer exists)");
    }
  }
  if (!changed.empty()) {
    std::string list;
    for (const auto& c : changed) list += (list.empty() ? "" : "; ") + c;
    return Fail(kExitUsage,
                "cannot resume execution '" + name + "': changed since it started: " + list);
  }
  journal->reset();
  return Execute(*o, e, &io, digest);
}

}  // namespace csv2ddb
