// The AWS Lambda Runtime API (custom runtime, "provided.al2023"): the client
// side of the documented protocol, and the loop that serves invocations.
//
// Protocol (base http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01):
//   GET  /runtime/invocation/next              blocks until an event arrives;
//        headers Lambda-Runtime-Aws-Request-Id, -Deadline-Ms,
//        -Invoked-Function-Arn, -Trace-Id; the body is the event
//   POST /runtime/invocation/{id}/response     the handler's result
//   POST /runtime/invocation/{id}/error        {"errorMessage","errorType"} and
//        header Lambda-Runtime-Function-Error-Type
//   POST /runtime/init/error                   same body, when init fails
//
// Transport: one libcurl easy handle, kept alive, no timeout (the "next" call
// legitimately blocks while the function is idle or frozen), proxies ignored
// (the endpoint is local). Nothing here logs bodies or headers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"

namespace csv2ddb::lambda {

struct Invocation {
  std::string request_id;
  int64_t deadline_ms = 0;  // epoch milliseconds; 0 when the header is absent
  std::string function_arn;
  std::string trace_id;
  std::string event;  // the event's JSON text
};

// What a handler returns: a JSON body, or an error with a type that Step
// Functions' Retry/Catch can match ("csv2ddb.InvalidEvent", ...).
struct InvocationResult {
  std::string body;
  std::string error_type;  // empty: success
  std::string error_message;

  bool ok() const { return error_type.empty(); }
  static InvocationResult Success(std::string json) { return {std::move(json), "", ""}; }
  static InvocationResult Error(std::string type, std::string message) {
    return {"", std::move(type), std::move(message)};
  }
};

// The error document the Runtime API expects: {"errorMessage":..,"errorType":..,
// "stackTrace":[]} (strings escaped, invalid UTF-8 replaced).
std::string ErrorDocument(const std::string& type, const std::string& message);

class RuntimeApiClient {
 public:
  // `endpoint` is AWS_LAMBDA_RUNTIME_API's value, "host:port".
  // InvalidArgument when it is empty; Internal when libcurl cannot start.
  static Result<std::unique_ptr<RuntimeApiClient>> Create(const std::string& endpoint);
  ~RuntimeApiClient();
  RuntimeApiClient(const RuntimeApiClient&) = delete;
  RuntimeApiClient& operator=(const RuntimeApiClient&) = delete;

  // Blocks until the next event. IOError when the API cannot be reached or
  // answers anything but 200 with a request id.
  Result<Invocation> Next();
  // Posts the outcome of invocation `request_id`. IOError on transport
  // failure or a non-2xx answer (e.g. 413 when the response is too large).
  Status PostResult(const std::string& request_id, const InvocationResult& result);
  // Reports a failed initialization; the runtime then ends the environment.
  Status PostInitError(const std::string& type, const std::string& message);

 private:
  struct Impl;
  explicit RuntimeApiClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

using Handler = std::function<InvocationResult(const Invocation&)>;
using Initializer = std::function<Result<Handler>()>;

// Runs `init` once: on error, posts it to /runtime/init/error (type
// "csv2ddb.InitError") and returns 1. Then serves invocations until
// `max_invocations` have been answered (0: forever) and returns 0, or returns
// 1 when the Runtime API fails. A handler that throws is answered with
// errorType "csv2ddb.InternalError". Sets _X_AMZN_TRACE_ID per invocation.
int RunLambdaLoop(RuntimeApiClient* api, const Initializer& init, uint64_t max_invocations);

}  // namespace csv2ddb::lambda
