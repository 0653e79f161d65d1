#include "lambda/worker.h"

#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "aws/auth/credentials.h"
#include "aws/aws_context.h"
#include "aws/endpoint.h"
#include "aws/s3/s3_client.h"
#include "lambda/event_handler.h"
#include "lambda/runtime_api.h"
#include "mapping/mapping.h"
#include "report/event_log.h"
#include "sink/dynamodb_sink.h"

namespace csv2ddb {

namespace {

std::string Env(const char* name, const std::string& fallback = "") {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

// The folder of the running executable ("." when unknown).
std::string ExecutableDir() {
  char path[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return ".";
  std::string p(path, static_cast<size_t>(n));
  const size_t slash = p.rfind('/');
  return slash == std::string::npos ? "." : p.substr(0, slash == 0 ? 1 : slash);
}

Result<Mapping> LoadMappingFromEnv() {
  const std::string text = Env("CSV2DDB_MAPPING_TOML");
  if (!text.empty()) return ParseMapping(text, "CSV2DDB_MAPPING_TOML");
  return LoadMapping(Env("CSV2DDB_MAPPING", ExecutableDir() + "/mapping.toml"));
}

// Everything an invocation needs, built once per execution environment.
// Members are destroyed in reverse order: the handler before the clients.
struct Worker {
  Mapping mapping;
  // The worker's one credentials chain and HTTP client, shared by the sink
  // and the S3 client; destroyed after both.
  std::unique_ptr<aws::AwsContext> aws;
  std::unique_ptr<DynamoDbSink> sink;
  std::shared_ptr<aws::S3Client> s3;
  std::unique_ptr<lambda::EventHandler> handler;
};

Result<std::shared_ptr<Worker>> Init() {
  auto w = std::make_shared<Worker>();
  Result<Mapping> mapping = LoadMappingFromEnv();
  if (!mapping.ok()) return mapping.status();
  w->mapping = std::move(mapping).value();

  lambda::HandlerConfig config;
  config.table = Env("CSV2DDB_TABLE", w->mapping.table);
  config.errors_bucket = Env("CSV2DDB_ERRORS_BUCKET");
  config.errors_prefix = Env("CSV2DDB_ERRORS_PREFIX", "migration_errors");
  if (config.errors_bucket.empty()) {
    return Status::InvalidArgument("CSV2DDB_ERRORS_BUCKET is not set: rejected rows need a bucket");
  }
  if (Result<aws::S3Uri> uri = aws::ParseS3Uri("s3://" + config.errors_bucket); !uri.ok()) {
    return uri.status().WithContext("CSV2DDB_ERRORS_BUCKET");
  }
  if (config.table.empty()) {
    return Status::InvalidArgument("no table: set CSV2DDB_TABLE or [table].name in the mapping");
  }

  // The worker's own variables first, then the AWS CLI's (aws/endpoint.h).
  const std::string ddb_endpoint =
      aws::ConfiguredEndpoint("DYNAMODB", Env("CSV2DDB_DYNAMODB_ENDPOINT"));
  const std::string s3_endpoint = aws::ConfiguredEndpoint("S3", Env("CSV2DDB_S3_ENDPOINT"));
  std::string region;
  if (Result<std::string> r = aws::ResolveRegion(); r.ok()) {
    region = *r;
  } else if (r.status().code() != Status::Code::kNotFound) {
    return r.status();
  } else if (!ddb_endpoint.empty() && !s3_endpoint.empty()) {
    region = "us-east-1";  // local servers accept any region
  } else {
    return Status::InvalidArgument("no AWS region: set AWS_REGION");
  }
  w->aws = std::make_unique<aws::AwsContext>();

  DynamoDbSinkOptions sink_options;
  sink_options.table_name = config.table;
  sink_options.endpoint_url = ddb_endpoint;
  sink_options.region = region;
  sink_options.aws = w->aws.get();
  Result<std::unique_ptr<DynamoDbSink>> sink = DynamoDbSink::Open(std::move(sink_options));
  if (!sink.ok()) return sink.status();
  w->sink = std::move(sink).value();
  const TableSpec table{config.table, w->mapping.partition_key, w->mapping.sort_key};
  CSV2DDB_RETURN_IF_ERROR(w->sink->Prepare(table));

  aws::S3ClientOptions s3_options;
  s3_options.region = region;
  s3_options.endpoint = s3_endpoint;
  s3_options.credentials = w->aws->credentials_source();
  Result<aws::HttpClient*> http = w->aws->http();
  if (!http.ok()) return http.status();
  w->s3 = std::make_shared<aws::S3Client>(*http, std::move(s3_options));

  LogEvent(LogLevel::kInfo, "ready",
           "lambda: ready: mapping " + w->mapping.source_name + ", table " + config.table +
               ", errors under " + config.errors_bucket,
           {{"mapping", w->mapping.source_name},
            {"table", config.table},
            {"errors_bucket", config.errors_bucket}});
  w->handler =
      std::make_unique<lambda::EventHandler>(w->mapping, w->sink.get(), w->s3, std::move(config));
  return w;
}

}  // namespace

int RunLambdaWorker() {
  Result<std::unique_ptr<lambda::RuntimeApiClient>> api =
      lambda::RuntimeApiClient::Create(Env("AWS_LAMBDA_RUNTIME_API"));
  if (!api.ok()) {
    LogEvent(LogLevel::kError, "error", "lambda: " + api.status().message());
    return 2;
  }
  uint64_t max_invocations = 0;
  if (const std::string max = Env("CSV2DDB_LAMBDA_MAX_INVOCATIONS"); !max.empty()) {
    max_invocations = std::strtoull(max.c_str(), nullptr, 10);
  }
  std::shared_ptr<Worker> worker;  // outlives the loop
  const lambda::Initializer init = [&worker]() -> Result<lambda::Handler> {
    Result<std::shared_ptr<Worker>> w = Init();
    if (!w.ok()) return w.status();
    worker = std::move(w).value();
    lambda::EventHandler* handler = worker->handler.get();
    return lambda::Handler(
        [handler](const lambda::Invocation& inv) { return handler->Handle(inv); });
  };
  return lambda::RunLambdaLoop(api->get(), init, max_invocations);
}

}  // namespace csv2ddb
