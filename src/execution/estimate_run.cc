#include "execution/estimate_run.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "aws/auth/credentials.h"
#include "capacity/cost_sink.h"
#include "capacity/table_capacity.h"
#include "execution/exit_codes.h"
#include "report/event_log.h"
#include "report/progress.h"

namespace csv2ddb {

namespace {

std::optional<Failure> Fail(int code, std::string message) {
  return Failure{code, std::move(message)};
}

}  // namespace

std::optional<Failure> RunEstimate(const EstimateRequest& request, Estimate* out,
                                   EstimateTarget* target_out) {
  const auto started = std::chrono::steady_clock::now();
  EstimateInput in;
  // Prices first: a bad price file is found before the input is read.
  Result<PriceTable> table =
      request.prices_file.empty() ? BuiltinPriceTable() : LoadPriceTable(request.prices_file);
  if (!table.ok()) return Fail(kExitUsage, table.status().message());
  Result<std::string> region =
      aws::ResolveRegion(request.run.sink.region, request.run.sink.profile);
  in.region = region.ok() ? *region : "us-east-1";
  if (!region.ok()) in.notes.push_back("no AWS region set: prices of us-east-1");
  in.price_date = table->date;
  in.price_source_url = table->source_url;
  in.currency = table->currency;
  if (auto it = table->regions.find(in.region); it != table->regions.end()) {
    in.prices = it->second;
  } else {
    in.notes.push_back(
        "no prices for region " + in.region +
        " in the price table: pass --price-wru, --price-wcu-hour, --price-import-gb");
  }
  if (request.price_wru) {
    in.prices.on_demand_write_per_million = request.price_wru;
    in.overridden.push_back("--price-wru");
  }
  if (request.price_wcu_hour) {
    in.prices.provisioned_wcu_hour = request.price_wcu_hour;
    in.overridden.push_back("--price-wcu-hour");
  }
  if (request.price_import_gb) {
    in.prices.import_per_gb = request.price_import_gb;
    in.overridden.push_back("--price-import-gb");
  }
  if (!in.prices.verified && in.overridden.size() < 3 && table->regions.count(in.region) > 0) {
    in.notes.push_back("the prices of " + in.region + " are not verified: " + in.prices.source);
  }

  RunOptions o = request.run;
  o.validate_only = true;
  AwsIo io(IoOptions(o));
  Prepared p;
  if (std::optional<Failure> f = Prepare(o, std::nullopt, "", &io, &p)) return f;
  const Mapping& mapping = *p.mapping;
  in.input = o.input;
  in.mapping = o.mapping;
  in.table = p.plan->table;

  // The target table: its GSIs and provisioned capacity.
  std::optional<TableCapacity> described;
  const std::string dynamodb = "dynamodb://";
  if (request.target.rfind(dynamodb, 0) == 0) {
    const std::string name = request.target.size() > dynamodb.size()
                                 ? request.target.substr(dynamodb.size())
                                 : p.plan->table;
    Result<TableCapacity> c = DescribeTableCapacity(name, o.sink.endpoint_url, o.sink.region,
                                                    o.sink.profile, &io.context());
    if (!c.ok())
      return Fail(kExitUsage, "target '" + request.target + "': " + c.status().message());
    described = *c;
    in.table = name;
    if (target_out) {
      target_out->described = true;
      target_out->exists = c->exists;
      target_out->provisioned = c->exists && c->provisioned;
    }
    if (!c->exists) in.notes.push_back("table " + name + " does not exist yet");
  }
  std::vector<GsiKeys> gsis;
  if (described && described->exists) {
    gsis = described->gsis;
    in.gsi_source = "table " + described->table;
  } else if (!mapping.gsis.empty()) {
    for (const GsiSpec& g : mapping.gsis) {
      gsis.push_back({g.name, g.partition_key.attribute, g.sort_key ? g.sort_key->attribute : ""});
    }
    in.gsi_source = "mapping";
  } else {
    in.gsi_source = "none";
  }
  for (const GsiKeys& g : gsis) in.gsis.push_back(g.name);

  if (request.wcu > 0) {
    in.rate = request.wcu;
    in.rate_source = "--wcu";
  } else if (described && described->exists && described->provisioned &&
             described->write_capacity > 0) {
    in.rate = static_cast<double>(described->write_capacity + described->gsi_write_capacity);
    in.rate_source = "table " + described->table + " (provisioned WCU, table and GSIs)";
  } else if (mapping.billing_mode == BillingMode::kProvisioned && mapping.write_capacity > 0) {
    in.rate = static_cast<double>(mapping.write_capacity);
    in.rate_source = "mapping ([table].write_capacity)";
  } else {
    in.notes.push_back(
        "no write rate: give --wcu, a provisioned dynamodb:// target, or billing_mode = "
        "\"PROVISIONED\" in the mapping for the time and the provisioned cost");
  }

  // The whole input through the mapping into the summing sink.
  auto sink = std::make_unique<CostSink>(gsis);
  CostSink* cost = sink.get();
  p.sink = std::move(sink);
  PipelineOptions popts;
  popts.workers = o.workers ? o.workers : std::max(1u, std::thread::hardware_concurrency());
  popts.chunk_size = static_cast<size_t>(o.chunk_size);
  ProgressCounters counters;
  counters.sink = p.sink.get();
  std::optional<ProgressLine> progress;
  if (!o.quiet && CurrentLogConfig().format == LogFormat::kText && isatty(STDERR_FILENO)) {
    progress.emplace(&counters);
  }
  Result<PipelineResult> r =
      RunPipeline(p.source.get(), std::move(*p.start), mapping.dialect, *p.plan, p.sink.get(),
                  p.rejects.get(), *p.formatter, popts, &counters);
  progress.reset();
  if (!r.ok()) return Fail(kExitFailed, r.status().message());
  in.records = r->records;
  in.written = r->written;
  in.rejected = r->rejected;
  in.blank_lines = r->blank_lines;
  in.source_bytes = r->bytes;
  in.rejects_by_rule = counters.rejected_by_rule.Snapshot();
  in.cost = cost->Totals();
  in.read_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (in.cost.items < in.written) {
    in.notes.push_back(std::to_string(in.written - in.cost.items) +
                       " items repeat a key of a later row in the same chunk: written once");
  }
  *out = ComputeEstimate(std::move(in));
  return std::nullopt;
}

}  // namespace csv2ddb
