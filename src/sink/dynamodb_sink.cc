#include "sink/dynamodb_sink.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <utility>

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
    return Status::InvalidArgument("dynamodb target: --rate must be 0 (unlimited) or positive");
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
  engine_ = std::make_unique<BatchWriteEngine>(client_.get(), throttle_.get(), table_,
                                               std::move(want), options_.retry, endpoint_);
  return Status::OK();
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
  return engine_->Write(items, plan, rejected);
}

const BatchWriteCounters& DynamoDbSink::counters() const {
  static const BatchWriteCounters kNone;
  return engine_ ? engine_->counters() : kNone;
}

std::vector<std::pair<std::string, uint64_t>> DynamoDbSink::Stats() const {
  const BatchWriteCounters& c = counters();
  return {{"requests", c.requests.load()},
          {"retries", c.retries.load()},
          {"throttles", c.throttles.load()},
          {"unprocessed_retried", c.unprocessed_retried.load()},
          {"split_requests", c.split_requests.load()},
          {"inflight_limit", static_cast<uint64_t>(throttle_->limit())}};
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
  const BatchWriteCounters& c = engine_->counters();
  a.requests = c.requests.load(std::memory_order_relaxed);
  a.retries = c.retries.load(std::memory_order_relaxed);
  a.throttles = c.throttles.load(std::memory_order_relaxed);
  a.in_flight = c.in_flight.load(std::memory_order_relaxed);
  a.write_units = c.write_units_estimated.load(std::memory_order_relaxed);
  a.write_units_estimated = true;
  return a;
}

Result<std::unique_ptr<Sink>> OpenDynamoDbSink(DynamoDbSinkOptions options) {
  auto sink = DynamoDbSink::Open(std::move(options));
  if (!sink.ok()) return sink.status();
  return std::unique_ptr<Sink>(std::move(sink).value());
}

}  // namespace csv2ddb
