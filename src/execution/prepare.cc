#include "execution/prepare.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <system_error>

#include "aws/auth/sigv4.h"
#include "common/iso8601.h"
#include "csv/record_writer.h"
#include "execution/exit_codes.h"
#include "mapping/keys_only_plan.h"
#include "report/event_log.h"
#include "sink/import_sink.h"

namespace csv2ddb {

namespace {

std::optional<Failure> Fail(int code, std::string message) {
  return Failure{code, std::move(message)};
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

// A file: notification can be written: its folder, or the nearest existing
// parent, is a writable directory (the notifier creates the rest).
Status CheckNotifyTarget(const NotifyTarget& t) {
  if (t.kind != NotifyTarget::kFile) return Status::OK();  // no side-effect-free check
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p = fs::absolute(fs::path(t.value), ec).parent_path();
  while (!ec && !fs::exists(p, ec) && p.has_parent_path() && p.parent_path() != p) {
    p = p.parent_path();
  }
  if (ec || !fs::is_directory(p, ec) || ::access(p.c_str(), W_OK | X_OK) != 0) {
    return Status::InvalidArgument("--notify file:" + t.value + ": cannot write in " + p.string());
  }
  return Status::OK();
}

// The options' own checks, shared by run, validate and resume.
std::optional<Failure> CheckOptions(RunOptions* o, MaxRejects* max_rejects) {
  if (!ValidName(o->name)) {
    return Fail(kExitUsage, "--name '" + o->name +
                                "': use 1-80 characters without spaces, quotes, slashes or "
                                "brackets");
  }
  if (o->chunk_size == 0 || o->chunk_size > kMaxChunkSize) {
    return Fail(kExitUsage, "--chunk-size must be between 1 byte and 1GiB");
  }
  if (!o->sink.if_newer.empty() && o->sink.mode != WriteMode::kUpdate) {
    return Fail(kExitUsage, "--if-newer needs --mode update");
  }
  if (o->shard_count > 0 && o->shard_index >= o->shard_count) {
    return Fail(kExitUsage, "--shard: use K/N with 1 <= K <= N");
  }
  Result<MaxRejects> limit = ParseMaxRejects(o->max_rejects);
  if (!limit.ok()) return Fail(kExitUsage, limit.status().message());
  *max_rejects = *limit;
  if (o->errors.empty()) o->errors = DefaultErrorLocation(o->input);
  return std::nullopt;
}

}  // namespace

AwsIoOptions IoOptions(const RunOptions& o) {
  AwsIoOptions io;
  io.region = o.sink.region;
  io.profile = o.sink.profile;
  io.s3_endpoint_url = o.s3_endpoint_url;
  io.endpoint_url = o.sink.endpoint_url;
  io.max_inflight = o.sink.max_inflight;
  return io;
}

std::string FileDigest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return aws::Sha256Hex(ss.str());
}

std::optional<Failure> Prepare(RunOptions options, const std::optional<ExecutionRecord>& prior,
                               std::string mapping_digest, AwsIo* io, Prepared* out) {
  out->resume = prior.has_value();
  out->aws = &io->context();
  if (options.name.empty()) options.name = GenerateName();
  if (auto f = CheckOptions(&options, &out->max_rejects)) return f;
  out->options = options;
  const RunOptions& o = out->options;
  const std::string& name = o.name;

  for (const std::string& spec : o.notify) {
    Result<NotifyTarget> t = ParseNotifyTarget(spec);
    if (!t.ok()) return Fail(kExitUsage, t.status().message());
    if (Status st = CheckNotifyTarget(*t); !st.ok()) return Fail(kExitUsage, st.message());
    out->notify.push_back(*t);
  }
  std::ifstream mapping_file(o.mapping, std::ios::binary);
  if (!mapping_file) return Fail(kExitUsage, "mapping '" + o.mapping + "': cannot open the file");
  std::stringstream mapping_text;
  mapping_text << mapping_file.rdbuf();
  if (mapping_digest.empty()) mapping_digest = aws::Sha256Hex(mapping_text.str());
  Result<Mapping> mapping = ParseMapping(mapping_text.str(), o.mapping);
  if (!mapping.ok()) return Fail(kExitUsage, mapping.status().message());
  out->mapping.emplace(std::move(mapping).value());
  std::string identity;
  Result<std::unique_ptr<ByteSource>> source = io->OpenInput(o.input, &identity);
  if (!source.ok()) return Fail(kExitUsage, source.status().message());
  out->source = std::move(source).value();
  Result<InputStart> start =
      ReadInputStart(out->source.get(), out->mapping->dialect, out->mapping->has_header_row);
  if (!start.ok()) return Fail(kExitUsage, start.status().message());
  out->start.emplace(std::move(start).value());
  out->header = out->mapping->header.empty() ? out->start->header : out->mapping->header;
  Result<ItemPlan> plan = BindMapping(*out->mapping, out->header);
  if (!plan.ok()) {
    return Fail(kExitUsage, plan.status().message() + " (input '" + o.input + "')");
  }
  out->plan.emplace(std::move(plan).value());
  // Delete: only the keys are built; other columns are neither read nor checked.
  if (o.sink.mode == WriteMode::kDelete) *out->plan = KeysOnlyPlan(std::move(*out->plan));
  std::string header_raw = out->start->header_raw;
  if (!out->mapping->header.empty()) {
    header_raw = FormatCsvRecord(out->header, out->mapping->dialect);
  }
  out->formatter.emplace(name, out->header);

  if (!o.validate_only) {
    auto j = Journal::Open(o.state_dir);
    if (!j.ok()) return Fail(kExitUsage, j.status().message());
    out->journal = std::move(j).value();
    if (!out->resume) {
      auto existing = out->journal->Get(name);
      if (!existing.ok()) return Fail(kExitFailed, existing.status().message());
      if (existing->has_value()) {
        return Fail(kExitUsage, "execution '" + name + "' already exists (" + (*existing)->status +
                                    "); choose another --name, or " +
                                    "continue it with `csv2ddb resume " + name + "`");
      }
    }
  }

  // Every destination is checked before the first write: the error location
  // (before the target, which --create-table may create), then the target.
  if (o.validate_only) {
    out->rejects = std::make_unique<DiscardRejectSink>();
  } else {
    auto r = io->OpenRejects(o.errors, name, header_raw);
    if (!r.ok()) return Fail(kExitUsage, r.status().message());
    out->rejects = std::move(r).value();
    if (Status st = out->rejects->Check(); !st.ok()) return Fail(kExitUsage, st.message());
    // Rows skipped by insert / update go beside the rejects, in a local
    // error location (elsewhere they are counted only).
    const bool conditional = o.sink.mode == WriteMode::kInsert || o.sink.mode == WriteMode::kUpdate;
    if (conditional && o.errors.rfind("s3://", 0) != 0 && o.errors.rfind("firehose://", 0) != 0) {
      out->skips = std::make_unique<LocalRejectSink>(o.errors, name, header_raw, "skipped");
    }
  }
  out->formatter->SpillTo(out->rejects->SpillDir());

  if (o.shard_count > 0 && o.target.rfind("import://", 0) == 0) {
    // Each shard would write its own files under the same names.
    return Fail(kExitUsage, "--shard cannot write to an import:// target; run one execution");
  }
  if (o.sink.mode != WriteMode::kPut && o.target.rfind("import://", 0) == 0) {
    // ImportTable creates a new table: there is nothing to insert into,
    // update or delete from.
    return Fail(kExitUsage, std::string("--mode ") + WriteModeName(o.sink.mode) +
                                " cannot write to an import:// target (ImportTable creates a new "
                                "table; only put applies)");
  }
  SinkOptions sink_options = o.sink;
  sink_options.source = SinkSourceFor(o.input, identity, mapping_digest);
  sink_options.aws = &io->context();
  sink_options.redo = out->resume;
  sink_options.execution = name;
  sink_options.state_dir = o.state_dir;
  sink_options.s3_endpoint_url = o.s3_endpoint_url;
  sink_options.billing_mode = out->mapping->billing_mode;
  sink_options.read_capacity = out->mapping->read_capacity;
  sink_options.write_capacity = out->mapping->write_capacity;
  sink_options.gsis = out->mapping->gsis;
  auto opened = OpenSink(o.validate_only ? "null://" : o.target, sink_options);
  if (!opened.ok()) return Fail(kExitUsage, opened.status().message());
  out->sink = std::move(opened).value();
  // dynamodb://TABLE names the table; otherwise the mapping does.
  out->table = TableSpec{out->plan->table, out->plan->partition_key, out->plan->sort_key};
  for (const DerivedPlan& d : out->plan->derived) {
    if (d.kind == DerivedRule::Kind::kTtl) out->table.ttl_attribute = d.attribute;
  }
  const std::string dynamodb = "dynamodb://";
  if (!o.validate_only && o.target.rfind(dynamodb, 0) == 0 && o.target.size() > dynamodb.size()) {
    out->table.name = o.target.substr(dynamodb.size());
  }
  // The execution's record, as it is created in the journal.
  const auto new_record = [&] {
    ExecutionRecord e;
    e.name = name;
    e.status = kRunning;
    e.start_date = NowIso8601();
    e.input_json = RunOptionsToJson(o, identity, mapping_digest);
    e.pid = getpid();
    return e;
  };
  if (Status st = out->sink->Prepare(out->table); !st.ok()) {
    // A wrong table or key schema is the user's to fix; an unreachable or
    // refusing target is a failed run. Either way nothing was written.
    const bool usage =
        st.code() == Status::Code::kInvalidArgument || st.code() == Status::Code::kNotFound;
    if (usage) return Fail(kExitUsage, st.message());
    // The target may come back: record the execution as FAILED (nothing
    // written), so `status` shows it and `resume` can continue it.
    if (out->journal && !out->resume) {
      if (Status created = out->journal->Create(new_record()); created.ok()) {
        if (Status done = out->journal->Finish(name, kFailed, "", st.message()); !done.ok()) {
          return Fail(kExitFailed, st.message() + " (and the journal: " + done.message() + ")");
        }
      }
    } else if (out->journal) {
      if (Status done = out->journal->Finish(name, kFailed, "", st.message()); !done.ok()) {
        return Fail(kExitFailed, st.message() + " (and the journal: " + done.message() + ")");
      }
    }
    return Fail(kExitFailed, st.message());
  }
  if (!o.validate_only) {
    LogEvent(LogLevel::kInfo, "table_check",
             "target " + out->sink->Describe() + ": table '" + out->table.name +
                 "' is ready and its keys match the mapping",
             {{"execution", name},
              {"target", out->sink->Describe()},
              {"table", out->table.name},
              {"partition_key", out->table.partition_key.attribute},
              {"sort_key", out->table.sort_key ? out->table.sort_key->attribute : std::string()},
              {"create_table", o.sink.create_table}});
    if (const std::string decision = out->sink->CapacityDecision(); !decision.empty()) {
      LogEvent(LogLevel::kInfo, "write_capacity",
               "writing to table '" + out->table.name + "' at " + decision,
               {{"table", out->table.name}, {"decision", decision}});
    }
  }

  if (!out->journal) return std::nullopt;
  if (out->resume) {
    auto chunks = out->journal->Chunks(name);
    if (!chunks.ok()) return Fail(kExitFailed, chunks.status().message());
    out->resume_point = ResumeFrom(*chunks, &out->done);
    if (Status st = out->journal->SetRunning(name, getpid()); !st.ok()) {
      return Fail(kExitFailed, st.message());
    }
  } else {
    if (Status st = out->journal->Create(new_record()); !st.ok()) {
      return Fail(kExitUsage, st.message());
    }
  }
  out->created = true;
  return std::nullopt;
}

std::optional<Failure> LookupResume(const std::string& name, const std::string& state_dir,
                                    ResumeRequest* out) {
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
  std::string& identity = out->input_identity;
  Result<RunOptions> o = RunOptionsFromJson(e.input_json, &identity, &out->mapping_digest);
  if (!o.ok()) return Fail(kExitFailed, o.status().message());
  if (identity == "stdin") {
    return Fail(kExitUsage, "execution '" + name + "' read stdin, which cannot be read again");
  }
  out->record = e;
  out->options = std::move(o).value();
  out->options.name = name;
  out->options.state_dir = state_dir;
  return std::nullopt;
}

std::optional<Failure> CheckUnchanged(const ResumeRequest& request, AwsIo* io) {
  const RunOptions& o = request.options;
  const std::string& identity = request.input_identity;
  std::vector<std::string> changed;
  const std::string now_identity = io->Identity(o.input);
  if (now_identity != identity) {
    changed.push_back("the input '" + o.input + "' (" + identity + " then, " +
                      (now_identity.empty() ? "missing" : now_identity) + " now)");
  }
  if (FileDigest(o.mapping) != request.mapping_digest) {
    changed.push_back("the mapping '" + o.mapping + "' (its content)");
  }
  const std::string sqlite = "sqlite://";
  if (o.target.rfind(sqlite, 0) == 0) {
    struct stat st {};
    if (::stat(o.target.substr(sqlite.size()).c_str(), &st) != 0) {
      changed.push_back("the target '" + o.target + "' (it no longer exists)");
    }
  }
  if (o.target.rfind("import://", 0) == 0) {
    struct stat st {};
    if (::stat(ImportStagingPath(o.state_dir, o.name).c_str(), &st) != 0) {
      changed.push_back("the staging table of '" + o.target + "' (it no longer exists)");
    }
  }
  if (changed.empty()) return std::nullopt;
  std::string list;
  for (const auto& c : changed) list += (list.empty() ? "" : "; ") + c;
  return Fail(kExitUsage,
              "cannot resume execution '" + o.name + "': changed since it started: " + list);
}

}  // namespace csv2ddb
