#include "cli/flags.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <iterator>
#include <limits>
#include <vector>

#include "cli/output_format.h"
#include "execution/prepare.h"
#include "execution/verdict.h"

namespace csv2ddb {

namespace {

// A finite number in [lo, hi] ("nan" and "inf" are refused, unlike CLI::Range).
CLI::Validator FiniteRange(double lo, double hi) {
  return CLI::Validator(
      [lo, hi](std::string& s) -> std::string {
        double v = 0;
        const char* end = s.data() + s.size();
        const auto [ptr, ec] = std::from_chars(s.data(), end, v);
        if (ec != std::errc() || ptr != end || !std::isfinite(v)) return "not a number: " + s;
        if (v < lo || v > hi) {
          return "value " + s + " not in range [" + CLI::detail::to_string(lo) + " - " +
                 CLI::detail::to_string(hi) + "]";
        }
        return std::string();
      },
      "FLOAT in [" + CLI::detail::to_string(lo) + " - " + CLI::detail::to_string(hi) + "]");
}

// An integer in [lo, hi], digits only: a value too large to hold is refused
// (CLI11's own conversion saturates some of them).
CLI::Validator IntegerRange(int64_t lo, int64_t hi) {
  return CLI::Validator(
      [lo, hi](std::string& s) -> std::string {
        int64_t v = 0;
        const char* end = s.data() + s.size();
        const auto [ptr, ec] = std::from_chars(s.data(), end, v);
        if (ec == std::errc::result_out_of_range) return "value " + s + " is too large";
        if (ec != std::errc() || ptr != end) return "not an integer: " + s;
        if (v < lo || v > hi) {
          return "value " + s + " not in range [" + std::to_string(lo) + " - " +
                 std::to_string(hi) + "]";
        }
        return std::string();
      },
      "INT in [" + std::to_string(lo) + " - " + std::to_string(hi) + "]");
}

// Turns a size into its byte count (the option then holds a plain integer).
CLI::Validator SizeTransform(uint64_t max) {
  return CLI::Validator(
      [max](std::string& s) -> std::string {
        Result<uint64_t> n = ParseSize(s, max);
        if (!n.ok()) return n.status().message();
        s = std::to_string(*n);
        return std::string();
      },
      "SIZE");
}

}  // namespace

Result<uint64_t> ParseSize(std::string_view text, uint64_t max) {
  const auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("size '" + std::string(text) + "': " + why +
                                   " (e.g. 4MiB, 512k, 1G, 100)");
  };
  size_t pos = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
  if (pos == 0) return bad("not a size");
  uint64_t n = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + pos, n);
  if (ec != std::errc() || ptr != text.data() + pos) {
    return bad("too large (at most " + std::to_string(max) + " bytes)");
  }
  std::string unit(text.substr(pos));
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
    return bad("unknown unit '" + std::string(text.substr(pos)) + "'");
  }
  if (n > max / mult) return bad("too large (at most " + std::to_string(max) + " bytes)");
  if (n == 0) return bad("must be at least 1 byte");
  return n * mult;
}

Result<std::pair<uint64_t, uint64_t>> ParseShard(std::string_view text) {
  const Status bad =
      Status::InvalidArgument("--shard '" + std::string(text) + "': use K/N with 1 <= K <= N");
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return bad;
  const std::string_view k = text.substr(0, slash);
  const std::string_view n = text.substr(slash + 1);
  uint64_t kk = 0, nn = 0;
  const auto parse = [](std::string_view s, uint64_t* v) {
    if (s.empty() || s.size() > 7 || s.find_first_not_of("0123456789") != std::string_view::npos)
      return false;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
    return ec == std::errc() && ptr == s.data() + s.size();
  };
  if (!parse(k, &kk) || !parse(n, &nn) || kk < 1 || nn < 1 || kk > nn || nn > 1000000) {
    return bad;
  }
  return std::make_pair(kk - 1, nn);
}

void AddChunkSizeFlag(CLI::App* cmd, RunOptions* o, const char* example) {
  cmd->add_option("--chunk-size", o->chunk_size,
                  std::string("target chunk size, e.g. ") + example + " (at most 1GiB)")
      ->transform(SizeTransform(kMaxChunkSize))
      ->default_str("4MiB");
}

void AddExecutionFlags(CLI::App* cmd, RunOptions* o) {
  cmd->add_option("input,--input,-i", o->input,
                  "CSV file or s3://bucket/key (.gz/.zst too), or - for stdin")
      ->type_name("PATH")
      ->required();
  cmd->add_option("--mapping,-m", o->mapping, "mapping file (TOML), see docs/mapping.md")
      ->type_name("FILE")
      ->required();
  cmd->add_option("--workers,-w", o->workers, "worker threads (default: one per core)")
      ->check(IntegerRange(0, 1024));
  AddChunkSizeFlag(cmd, o, "4MiB");
  cmd->add_option("--name,-n", o->name, "execution name (default: generated)");
  AddProgressFlags(cmd, &o->quiet, &o->verbose);
}

void AddProgressFlags(CLI::App* cmd, bool* no_progress, bool* verbose) {
  cmd->add_flag("--no-progress,--quiet,-q", *no_progress,
                "no progress line on stderr (there is none when stderr is not a terminal)");
  cmd->add_flag("--verbose,-v", *verbose, "say what is being done on stderr");
}

void AddStateDirFlag(CLI::App* cmd, std::string* state_dir) {
  cmd->add_option("--state-dir", *state_dir, "where the executions' journal lives")
      ->type_name("DIR")
      ->capture_default_str();
}

void AddOutputFlag(CLI::App* cmd, std::string* format) {
  std::vector<std::string> names(std::begin(kOutputFormatNames), std::end(kOutputFormatNames));
  cmd->add_option("--output", *format,
                  "output format: json (the default when stdout is not a terminal), table (the "
                  "default on a terminal) or text (tab-separated)")
      ->check(CLI::IsMember(names));
}

void AddAwsFlags(CLI::App* cmd, RunOptions* o) {
  cmd->add_option("--region", o->sink.region, "AWS region (default: AWS_REGION, profile)");
  cmd->add_option("--profile", o->sink.profile, "AWS profile for credentials and region");
  cmd->add_option("--s3-endpoint-url", o->s3_endpoint_url,
                  "S3 endpoint, path-style (default: --endpoint-url, else AWS)");
}

void AddModeFlags(CLI::App* cmd, RunOptions* o) {
  cmd->add_option_function<std::string>(
         "--mode",
         [o](const std::string& s) {
           Result<WriteMode> mode = ParseWriteMode(s);
           if (!mode.ok()) throw CLI::ValidationError(mode.status().message());
           o->sink.mode = *mode;
         },
         "put (overwrite, the default), insert (only absent keys; present ones are skipped), "
         "update (merge the row's attributes into the item) or delete (the rows' keys)")
      ->type_name("MODE");
  cmd->add_option("--if-newer", o->sink.if_newer,
                  "with --mode update: only update items whose ATTR (N or S) is missing or older "
                  "than the row's; others are skipped as stale")
      ->type_name("ATTR");
}

void AddRunFlags(CLI::App* cmd, RunOptions* o) {
  AddModeFlags(cmd, o);
  cmd->add_option("--target,-t", o->target,
                  "sqlite://PATH (embedded), dynamodb://[TABLE], import://DIR or "
                  "import://s3://BUCKET/PREFIX (files for ImportTable) or null://")
      ->capture_default_str();
  cmd->add_option("--endpoint-url", o->sink.endpoint_url,
                  "DynamoDB endpoint (default: the region's AWS endpoint)");
  cmd->add_flag("--create-table", o->sink.create_table,
                "create a missing DynamoDB table (on-demand, keys from the mapping)");
  cmd->add_flag("--start-import", o->sink.start_import,
                "import:// to S3: once the files are written, call ImportTable (a new table "
                "from the mapping) and wait for it; a failed import fails the execution");
  cmd->add_option("--max-inflight", o->sink.max_inflight,
                  "DynamoDB requests in flight (default: automatic)")
      ->check(IntegerRange(0, 10000));
  cmd->add_option("--max-wcu,--rate", o->sink.rate,
                  "cap on write capacity units consumed per second over all workers (default: "
                  "decided from the table: --write-percent of a provisioned table, the on-demand "
                  "ramp otherwise)")
      ->check(FiniteRange(0, 1e9));
  cmd->add_option("--write-percent", o->sink.write_percent,
                  "percent of a provisioned table's write capacity to use when no --max-wcu is "
                  "given")
      ->check(FiniteRange(1, 1000))
      ->capture_default_str();
  cmd->add_option("--warm-throughput", o->sink.warm_throughput,
                  "first set the table's warm write throughput to N WCU/s (UpdateTable; "
                  "pre-warming is billed)")
      ->type_name("N")
      ->check(IntegerRange(0, 100'000'000));
  cmd->add_option("--errors", o->errors,
                  "error location: a folder, s3://bucket/prefix or firehose://STREAM; records "
                  "go to <errors>/execution_name=<name>/ (default: migration_errors, or "
                  "s3://<input bucket>/migration_errors for an s3:// input)")
      ->type_name("DIR");
  AddStateDirFlag(cmd, &o->state_dir);
  cmd->add_option("--tolerated-failure-count", o->tolerated_failure_count,
                  "chunks that may fail permanently while the execution still succeeds")
      ->check(IntegerRange(0, std::numeric_limits<int64_t>::max()));
  cmd->add_option("--tolerated-failure-percentage", o->tolerated_failure_percentage,
                  "percentage of chunks that may fail permanently")
      ->check(FiniteRange(0, 100));
  cmd->add_option("--max-rejects", o->max_rejects,
                  "fail the execution above this many rejected rows (N, or P% of rows)")
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {
            Result<MaxRejects> r = ParseMaxRejects(s);
            if (r.ok()) return std::string();
            std::string why = r.status().message();  // CLI11 names the flag already
            const std::string flag = "--max-rejects ";
            if (why.rfind(flag, 0) == 0) why.erase(0, flag.size());
            return why;
          },
          "N|P%"));
  cmd->add_option("--notify", o->notify,
                  "when the execution ends, send the summary: sns:TOPIC_ARN, webhook:URL, "
                  "file:PATH (repeatable)");
  cmd->add_option_function<std::string>(
      "--shard",
      [o](const std::string& s) {
        Result<std::pair<uint64_t, uint64_t>> shard = ParseShard(s);
        if (!shard.ok()) throw CLI::ValidationError(shard.status().message());
        o->shard_index = shard->first;
        o->shard_count = shard->second;
      },
      "K/N: process only every N-th chunk, starting at the K-th (for N copies "
      "under a job runner; merge their summaries with merge-reports)");
}

void AddMaxCostFlag(CLI::App* cmd, double* max_cost) {
  cmd->add_option("--max-cost", *max_cost,
                  "refuse to start (exit 5) when the estimated cost of the writes in USD is above "
                  "this (reads the input twice: `csv2ddb estimate` first)")
      ->type_name("USD")
      ->check(FiniteRange(0, 1e12));
}

void AddEstimateFlags(CLI::App* cmd, EstimateRequest* r) {
  cmd->add_option("--target,-t", r->target,
                  "dynamodb://[TABLE]: take the rate (provisioned WCU) and the GSIs from the table")
      ->type_name("URI");
  cmd->add_option("--endpoint-url", r->run.sink.endpoint_url,
                  "DynamoDB endpoint (default: the region's AWS endpoint)");
  cmd->add_option("--wcu", r->wcu,
                  "write rate in write capacity units per second (default: the "
                  "table's or the mapping's provisioned WCU)")
      ->check(FiniteRange(0, 1e9));
  cmd->add_option("--prices", r->prices_file,
                  "price table (JSON like data/dynamodb_prices.json; default: the one built in)")
      ->type_name("FILE");
  cmd->add_option_function<double>(
         "--price-wru", [r](double v) { r->price_wru = v; },
         "USD per million on-demand write request units (default: the price table's)")
      ->check(FiniteRange(0, 1e6));
  cmd->add_option_function<double>(
         "--price-wcu-hour", [r](double v) { r->price_wcu_hour = v; },
         "USD per provisioned WCU-hour (default: the price table's)")
      ->check(FiniteRange(0, 1e6));
  cmd->add_option_function<double>(
         "--price-import-gb", [r](double v) { r->price_import_gb = v; },
         "USD per GB of uncompressed source for ImportTable (default: the price table's)")
      ->check(FiniteRange(0, 1e6));
}

}  // namespace csv2ddb
