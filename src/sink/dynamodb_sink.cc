#include "sink/dynamodb_sink.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <utility>

#include "capacity/write_governor.h"
#include "report/event_log.h"

namespace csv2ddb {
namespace {

constexpr int kDefaultMaxInflight = 64;
constexpr int kInitialInflight = 16;

// Key types are S, N or B (mapping.cc checks): one letter each.
char TypeLetter(AttrType type) { return AttrTypeName(type)[0]; }

std::string KeyText(const aws::KeyAttribute& key) {
  return key.name + " (" + std::string(1, key.type) + ")";
}

std::string SchemaText(const aws::KeyAttribute& hash,
                       const std::optional<aws::KeyAttribute>& range) {
  return "key " + KeyText(hash) + (range ? " and sort key " + KeyText(*range) : "");
}

}  // namespace

Result<std::unique_ptr<DynamoDbSink>> DynamoDbSink::Open(DynamoDbSinkOptions options) {
  if (options.max_inflight <= 0) options.max_inflight = kDefaultMaxInflight;
  if (options.retry.max_attempts < 1) {
    return Status::InvalidArgument("dynamodb target: max attempts must be at least 1");
  }
  if (options.rate < 0) {
    return Status::InvalidArgument("dynamodb target: --max-wcu must be 0 (automatic) or positive");
  }
  if (options.write_percent <= 0 || options.write_percent > 1000) {
    return Status::InvalidArgument("dynamodb target: --write-percent must be in (0, 1000]");
  }
  std::unique_ptr<DynamoDbSink> sink(new DynamoDbSink());
  sink->table_ = options.table_name;
  sink->region_ = options.region;
  if (options.endpoint_url.empty()) {
    if (options.region.empty()) {
      return Status::InvalidArgument(
          "dynamodb target: no AWS region (pass --region, set AWS_REGION, or give --endpoint-url)");
    }
    sink->endpoint_ = aws::DynamoDbEndpointForRegion(options.region);
  } else {
    const std::string& url = options.endpoint_url;
    if (!url.starts_with("http://") && !url.starts_with("https://")) {
      return Status::InvalidArgument("dynamodb target: endpoint URL '" + url +
                                     "' must start with http:// or https://");
    }
    sink->endpoint_ = url;
    while (sink->endpoint_.ends_with('/')) sink->endpoint_.pop_back();
    if (sink->region_.empty()) sink->region_ = "us-east-1";  // local servers accept any
  }
  aws::AwsContext* context = options.aws;
  if (context == nullptr) {
    aws::AwsContextOptions c;
    c.max_in_flight = options.max_inflight;
    c.profile = options.profile;
    sink->owned_context_ = std::make_unique<aws::AwsContext>(std::move(c));
    context = sink->owned_context_.get();
  }
  if (!options.credentials) options.credentials = context->credentials();
  aws::HttpClient* http = options.http;
  if (http == nullptr) {
    Result<aws::HttpClient*> shared = context->http();
    if (!shared.ok()) return shared.status();
    http = *shared;
  }
  aws::CredentialsSource credentials = [provider = options.credentials] {
    return provider->GetCredentials();
  };
  sink->client_ = std::make_unique<aws::DynamoDbClient>(
      http, sink->endpoint_,
      aws::MakeSigV4Signer(std::move(credentials), sink->region_, "dynamodb"));

  WriteThrottleOptions throttle;
  throttle.max_inflight = options.max_inflight;
  throttle.initial_inflight = std::min(kInitialInflight, options.max_inflight);
  throttle.rate = options.rate;
  throttle.clock = options.clock;
  sink->throttle_ = std::make_unique<WriteThrottle>(std::move(throttle));
  sink->options_ = std::move(options);
  return sink;
}

DynamoDbSink::~DynamoDbSink() = default;

Status DynamoDbSink::AtEndpoint(const Status& status, const aws::AwsError& error) const {
  const std::string where = "table '" + table_ + "' at " + endpoint_ + " (region " + region_ + ")";
  // Errors where the fix is the credentials, not the table.
  if (!status.ok() && error.kind == aws::AwsErrorKind::kAccessDenied) {
    return Status::InvalidArgument(where + ": " + status.message() +
                                   " (check the AWS credentials and the region)");
  }
  return status.WithContext(where);
}

Status DynamoDbSink::Prepare(const TableSpec& spec) {
  if (table_.empty()) table_ = spec.name;
  if (table_.empty()) {
    return Status::InvalidArgument(
        "dynamodb target: no table name (give dynamodb://TABLE or a table in the mapping)");
  }
  TableKeys want{{spec.partition_key.attribute, TypeLetter(spec.partition_key.type)}, std::nullopt};
  if (spec.sort_key)
    want.sort = aws::KeyAttribute{spec.sort_key->attribute, TypeLetter(spec.sort_key->type)};

  aws::AwsError error;  // the failed call's error, when there is one
  bool created_here = false;
  Result<aws::TableDescription> desc = client_->DescribeTable(table_, &error);
  if (!desc.ok() && desc.status().code() == Status::Code::kNotFound) {
    if (!options_.create_table) {
      return Status::InvalidArgument("table '" + table_ + "' does not exist at " + endpoint_ +
                                     " (region " + region_ + "); create it or pass --create-table");
    }
    error = aws::AwsError();
    Result<aws::TableDescription> created =
        client_->CreateTable({table_, want.partition, want.sort}, &error);
    // ResourceInUseException: someone created it meanwhile; check it below.
    if (!created.ok() && error.code != "ResourceInUseException") {
      return AtEndpoint(created.status(), error);
    }
    created_here = created.ok();
    error = aws::AwsError();
    desc = client_->WaitForActive(table_, options_.create_table_timeout);
  } else if (desc.ok() && desc->status == "CREATING") {
    desc = client_->WaitForActive(table_, options_.create_table_timeout);
  }
  if (!desc.ok()) return AtEndpoint(desc.status(), error);
  if (desc->status == "DELETING") {
    return Status::InvalidArgument("table '" + table_ + "' at " + endpoint_ + " is being deleted");
  }
  if (desc->hash_key != want.partition || desc->range_key != want.sort) {
    return Status::InvalidArgument("table '" + table_ + "' has " +
                                   SchemaText(desc->hash_key, desc->range_key) +
                                   " but the mapping has " + SchemaText(want.partition, want.sort));
  }
  if (created_here && !spec.ttl_attribute.empty()) {
    CSV2DDB_RETURN_IF_ERROR(EnableTtl(spec.ttl_attribute));
  }
  if (options_.warm_throughput > 0) {
    if (Status warmed = SetWarmThroughput(); !warmed.ok()) return warmed;
    error = aws::AwsError();
    desc = client_->DescribeTable(table_, &error);
    if (!desc.ok()) return AtEndpoint(desc.status(), error);
  }
  std::vector<GsiKeys> gsis;
  TableWriteLimits capacity;
  if (desc->billing_mode == "PAY_PER_REQUEST") {
    capacity.mode = TableWriteLimits::Mode::kOnDemand;
  } else if (desc->billing_mode == "PROVISIONED" || desc->write_capacity_units > 0) {
    capacity.mode = TableWriteLimits::Mode::kProvisioned;
  }
  capacity.table_wcu = desc->write_capacity_units;
  capacity.warm_wcu = desc->warm_write_units;
  capacity.on_demand_max = desc->max_write_request_units;
  capacity.gsi_count = static_cast<int>(desc->global_indexes.size());
  for (const aws::IndexDescription& gsi : desc->global_indexes) {
    if (!gsi.key_attributes.empty()) {
      gsis.push_back({gsi.name, gsi.key_attributes[0],
                      gsi.key_attributes.size() > 1 ? gsi.key_attributes[1] : std::string()});
    }
    if (gsi.write_capacity_units > 0 &&
        (capacity.min_gsi_wcu == 0 || gsi.write_capacity_units < capacity.min_gsi_wcu)) {
      capacity.min_gsi_wcu = gsi.write_capacity_units;
    }
  }
  // Account quotas: not every endpoint answers DescribeLimits (local
  // servers do not); without them the governor uses DynamoDB's defaults.
  aws::CallOutcome limits = client_->Call("DescribeLimits", "{}");
  if (limits.ok()) {
    if (Result<aws::AccountLimits> parsed = aws::ParseDescribeLimits(limits.body); parsed.ok()) {
      capacity.table_max_wcu = parsed->table_max_wcu;
      capacity.account_max_wcu = parsed->account_max_wcu;
    }
  }
  GovernorOptions governor;
  governor.max_wcu = options_.rate;
  governor.write_percent = options_.write_percent;
  const auto now = options_.clock ? options_.clock() : std::chrono::steady_clock::now();
  auto made = std::make_unique<WriteGovernor>(capacity, governor, now);
  mode_ = made->mode_name();
  throttle_->SetGovernor(std::move(made));
  started_ = now;
  if (options_.mode == WriteMode::kInsert || options_.mode == WriteMode::kUpdate) {
    item_engine_ = std::make_unique<ItemWriteEngine>(client_.get(), throttle_.get(), table_, want,
                                                     options_.retry, endpoint_, options_.mode,
                                                     options_.if_newer, options_.redo, gsis);
  }
  engine_ = std::make_unique<BatchWriteEngine>(
      client_.get(), throttle_.get(), table_, std::move(want), options_.retry, endpoint_,
      options_.mode == WriteMode::kDelete, std::move(gsis));
  return Status::OK();
}

Status DynamoDbSink::SetWarmThroughput() {
  LogEvent(LogLevel::kInfo, "warm_throughput",
           "setting table '" + table_ + "' warm write throughput to " +
               std::to_string(options_.warm_throughput) +
               " WCU/s (UpdateTable; pre-warming is billed once, see the DynamoDB pricing)",
           {{"table", table_}, {"write_units_per_second", options_.warm_throughput}});
  aws::CallOutcome updated =
      client_->Call("UpdateTable", aws::BuildWarmThroughputBody(table_, options_.warm_throughput));
  if (!updated.ok()) {
    return AtEndpoint(updated.error->ToStatus("UpdateTable (--warm-throughput)"), *updated.error);
  }
  Result<aws::TableDescription> active =
      client_->WaitForActive(table_, options_.create_table_timeout);
  return active.ok() ? Status::OK() : AtEndpoint(active.status(), aws::AwsError());
}

Status DynamoDbSink::EnableTtl(const std::string& attribute) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("TableName");
  w.String(table_.data(), static_cast<rapidjson::SizeType>(table_.size()));
  w.Key("TimeToLiveSpecification");
  w.StartObject();
  w.Key("AttributeName");
  w.String(attribute.data(), static_cast<rapidjson::SizeType>(attribute.size()));
  w.Key("Enabled");
  w.Bool(true);
  w.EndObject();
  w.EndObject();
  aws::CallOutcome out = client_->Call("UpdateTimeToLive", sb.GetString());
  if (out.ok()) {
    LogEvent(LogLevel::kInfo, "ttl_enabled",
             "table '" + table_ + "': TTL enabled on attribute '" + attribute + "'",
             {{"table", table_}, {"attribute", attribute}});
    return Status::OK();
  }
  if (out.error->code == "UnknownOperationException") {
    // A local emulator (dynalite has no UpdateTimeToLive): the table works,
    // its items just do not expire.
    LogEvent(LogLevel::kWarn, "ttl_not_enabled",
             "table '" + table_ + "' at " + endpoint_ +
                 ": this endpoint does not support UpdateTimeToLive; TTL on '" + attribute +
                 "' is not enabled",
             {{"table", table_}, {"attribute", attribute}});
    return Status::OK();
  }
  return AtEndpoint(
      out.error->ToStatus("table created, but enabling TTL on '" + attribute + "' failed"),
      *out.error);
}

Status DynamoDbSink::WriteChunk(const ItemBuffer& items, const BatchPlan& plan,
                                std::vector<SinkRejection>* rejected) {
  if (engine_ == nullptr) return Status::Internal("DynamoDbSink::WriteChunk before Prepare");
  if (item_engine_) return item_engine_->Write(items, plan, rejected);
  return engine_->Write(items, plan, rejected);
}

const BatchWriteCounters& DynamoDbSink::counters() const {
  static const BatchWriteCounters kNone;
  if (item_engine_) return item_engine_->counters();
  return engine_ ? engine_->counters() : kNone;
}

std::vector<std::pair<std::string, uint64_t>> DynamoDbSink::Stats() const {
  const BatchWriteCounters& c = counters();
  return {{"requests", c.requests.load()},
          {"retries", c.retries.load()},
          {"throttles", c.throttles.load()},
          {"unprocessed_retried", c.unprocessed_retried.load()},
          {"split_requests", c.split_requests.load()},
          {"inflight_limit", static_cast<uint64_t>(throttle_->limit())},
          {"write_units", WriteUnits()},
          {"wcu_rate_limit", static_cast<uint64_t>(throttle_->rate() + 0.5)}};
}

uint64_t DynamoDbSink::WriteUnits() const {
  const BatchWriteCounters& c = counters();
  const uint64_t failed = c.failed_condition_write_units.load(std::memory_order_relaxed);
  if (c.consumed_reported.load(std::memory_order_relaxed) > 0) {
    return (c.write_units_consumed_x100.load(std::memory_order_relaxed) + 50) / 100 + failed;
  }
  return c.write_units_estimated.load(std::memory_order_relaxed) + failed;
}

std::string DynamoDbSink::CapacityReport() const {
  if (mode_.empty()) return {};
  const BatchWriteCounters& c = counters();
  const bool server = c.consumed_reported.load() > 0;
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("mode");
  w.String(mode_.c_str());
  w.Key("decision");
  const std::string reason = throttle_->governor_reason();
  w.String(reason.c_str());
  for (const auto& [name, value] : throttle_->governor_figures()) {
    w.Key(name.c_str());
    w.Double(static_cast<double>(static_cast<int64_t>(value * 10 + 0.5)) / 10);
  }
  const uint64_t units = WriteUnits();
  w.Key("write_units");
  w.Uint64(units);
  w.Key("write_units_source");
  w.String(server ? "server" : "estimated");
  w.Key("write_units_estimated");
  w.Uint64(c.write_units_estimated.load());
  if (const uint64_t failed = c.failed_condition_write_units.load(); failed > 0) {
    w.Key("failed_condition_write_units");  // included in write_units
    w.Uint64(failed);
  }
  const double seconds =
      std::chrono::duration<double>(
          (options_.clock ? options_.clock() : std::chrono::steady_clock::now()) - started_)
          .count();
  w.Key("wcu_per_second");
  w.Double(seconds > 0 ? static_cast<double>(static_cast<int64_t>(units / seconds * 10)) / 10 : 0);
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

SinkActivity DynamoDbSink::Activity() const {
  SinkActivity a;
  a.requests_counted = true;
  const WriteThrottle::Gauges g = throttle_->gauges();
  a.inflight_limit = g.limit;
  a.rate = g.rate;
  a.rate_decreases = g.decreases;
  if (!engine_) {
    a.in_flight = static_cast<uint64_t>(g.in_flight);
    return a;
  }
  const BatchWriteCounters& c = counters();
  a.requests = c.requests.load(std::memory_order_relaxed);
  a.retries = c.retries.load(std::memory_order_relaxed);
  a.throttles = c.throttles.load(std::memory_order_relaxed);
  a.in_flight = c.in_flight.load(std::memory_order_relaxed);
  a.write_units = WriteUnits();
  a.write_units_estimated = c.consumed_reported.load(std::memory_order_relaxed) == 0;
  return a;
}

Result<std::unique_ptr<Sink>> OpenDynamoDbSink(DynamoDbSinkOptions options) {
  auto sink = DynamoDbSink::Open(std::move(options));
  if (!sink.ok()) return sink.status();
  return std::unique_ptr<Sink>(std::move(sink).value());
}

}  // namespace csv2ddb
