#include "cli/run_command.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <random>
#include <thread>

#include "csv/header_reader.h"
#include "errors/reject_sink.h"
#include "mapping/item_plan.h"
#include "mapping/mapping.h"
#include "pipeline/pipeline.h"
#include "report/progress.h"
#include "report/summary.h"
#include "sink/sink.h"
#include "source/byte_source.h"

namespace csv2ddb {

namespace {

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

}  // namespace

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

int RunCommand(const RunOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  const std::string name = o.name.empty() ? GenerateName() : o.name;
  if (!ValidName(name)) {
    return Fail(kExitUsage, "--name '" + name +
                                "': use 1-80 characters without spaces, quotes, slashes or "
                                "brackets");
  }
  if (o.chunk_size == 0) return Fail(kExitUsage, "--chunk-size must be a positive size");

  // Everything that can be wrong with the command line is checked before any write.
  Result<Mapping> mapping = LoadMapping(o.mapping);
  if (!mapping.ok()) return Fail(kExitUsage, mapping.status().message());
  Result<std::unique_ptr<ByteSource>> source = OpenSource(o.input);
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

  std::unique_ptr<Sink> sink;
  if (o.validate_only) {
    auto s = OpenSink("null://");
    sink = std::move(s).value();
  } else {
    auto s = OpenSink(o.target);
    if (!s.ok()) return Fail(kExitUsage, s.status().message());
    sink = std::move(s).value();
  }
  TableSpec table{plan->table, plan->partition_key, plan->sort_key};
  if (Status st = sink->Prepare(table); !st.ok()) return Fail(kExitUsage, st.message());

  std::unique_ptr<RejectSink> rejects;
  if (o.validate_only) {
    rejects = std::make_unique<DiscardRejectSink>();
  } else {
    rejects = std::make_unique<LocalRejectSink>(o.errors, name, header_raw);
  }
  RejectFormatter formatter(name, header);

  PipelineOptions popts;
  popts.workers = o.workers ? o.workers : std::max(1u, std::thread::hardware_concurrency());
  popts.chunk_size = o.chunk_size;
  if (o.verbose) {
    std::fprintf(stderr,
                 "csv2ddb: execution %s: %s -> %s table %s, %zu workers, %llu-byte chunks\n",
                 name.c_str(), o.input.c_str(), sink->Describe().c_str(), plan->table.c_str(),
                 popts.workers, static_cast<unsigned long long>(popts.chunk_size));
  }

  ProgressCounters counters;
  std::optional<ProgressLine> progress;
  if (!o.quiet && isatty(STDERR_FILENO)) progress.emplace(&counters);
  Result<PipelineResult> result =
      RunPipeline(source->get(), std::move(start).value(), mapping->dialect, *plan, sink.get(),
                  rejects.get(), formatter, popts, &counters);
  progress.reset();
  Status closed = rejects->Close();
  Status sink_closed = sink->Close();
  if (!result.ok())
    return Fail(kExitFailed, "execution " + name + " failed: " + result.status().message());
  if (!closed.ok()) return Fail(kExitFailed, closed.message());
  if (!sink_closed.ok()) return Fail(kExitFailed, sink_closed.message());

  Summary s;
  s.execution_name = name;
  s.table = plan->table;
  s.target = o.validate_only ? "(validate: nothing written)" : sink->Describe();
  s.error_location = rejects->Location();
  s.records = result->records;
  s.written = o.validate_only ? 0 : result->written;
  s.rejected = result->rejected;
  s.duplicates = result->duplicates;
  s.blank_lines = result->blank_lines;
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  s.validate_only = o.validate_only;
  s.first_rejects = result->reasons;
  const std::string text = FormatSummary(s);
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (o.verbose) {
    std::fprintf(stderr, "csv2ddb: %llu records, %.1f MB in %.2f s (%.0f records/s)\n",
                 static_cast<unsigned long long>(result->records), result->bytes / 1e6, s.seconds,
                 result->records / std::max(s.seconds, 1e-9));
  }
  return kExitOk;
}

}  // namespace csv2ddb
