#include "aws/auth/credentials.h"
#include "aws/endpoint.h"
#include "sink/dynamodb_sink.h"
#include "sink/import_sink.h"
#include "sink/null_sink.h"
#include "sink/sink.h"
#include "sink/sqlite_sink.h"

namespace csv2ddb {

namespace {

Result<std::unique_ptr<Sink>> OpenDynamoDb(const std::string& uri, const std::string& table,
                                           const SinkOptions& o) {
  DynamoDbSinkOptions d;
  d.table_name = table;
  d.endpoint_url = aws::ConfiguredEndpoint("DYNAMODB", o.endpoint_url);
  Result<std::string> region = aws::ResolveRegion(o.region, o.profile);
  if (region.ok()) {
    d.region = *region;
  } else if (region.status().code() != Status::Code::kNotFound) {
    return region.status().WithContext("target '" + uri + "'");
  } else if (d.endpoint_url.empty()) {
    return Status::InvalidArgument("target '" + uri +
                                   "': no AWS region; pass --region or set AWS_REGION");
  }
  d.aws = o.aws;
  d.profile = o.profile;
  d.create_table = o.create_table;
  d.max_inflight = o.max_inflight;
  d.rate = o.rate;
  d.mode = o.mode;
  d.if_newer = o.if_newer;
  d.redo = o.redo;
  d.write_percent = o.write_percent;
  d.warm_throughput = o.warm_throughput;
  return OpenDynamoDbSink(std::move(d));
}

}  // namespace

std::string SinkSourceFor(const std::string& input, const std::string& identity,
                          const std::string& mapping_digest) {
  if (input == "-" || identity.empty() || identity == "stdin") return "";
  return input + "\n" + identity + "\n" + mapping_digest;
}

Result<std::unique_ptr<Sink>> OpenSink(const std::string& uri, const SinkOptions& options) {
  if (uri == "null://" || uri == "null:") return std::unique_ptr<Sink>(new NullSink());
  const std::string sqlite = "sqlite://";
  if (uri.rfind(sqlite, 0) == 0) {
    const std::string path = uri.substr(sqlite.size());
    if (path.empty()) {
      return Status::InvalidArgument("target '" + uri + "': give a path, e.g. sqlite://out.sqlite");
    }
    auto sink =
        SqliteSink::Open(path, options.source, options.mode, options.if_newer, options.redo);
    if (!sink.ok()) return sink.status();
    return std::unique_ptr<Sink>(std::move(sink).value());
  }
  const std::string dynamodb = "dynamodb://";
  if (uri.rfind(dynamodb, 0) == 0) return OpenDynamoDb(uri, uri.substr(dynamodb.size()), options);
  if (uri.rfind("import://", 0) == 0) return OpenImportSink(uri, options);
  return Status::InvalidArgument("target '" + uri +
                                 "': unknown target (use sqlite://PATH, dynamodb://TABLE, "
                                 "import://DIR, import://s3://BUCKET/PREFIX or null://)");
}

}  // namespace csv2ddb
