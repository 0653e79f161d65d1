// csv2ddb as an AWS Lambda function (custom runtime): the worker of the Step
// Functions Distributed Map state machine. Entered by `csv2ddb lambda`, or by
// main() when the binary is named "bootstrap" or AWS_LAMBDA_RUNTIME_API is
// set and no subcommand is given.
//
// Configuration (environment; the deployment sets it):
//   AWS_LAMBDA_RUNTIME_API        set by Lambda: host:port of the Runtime API
//   CSV2DDB_MAPPING_TOML          the mapping's TOML text, or else
//   CSV2DDB_MAPPING               its path (default: mapping.toml next to the binary)
//   CSV2DDB_TABLE                 the table (default: the mapping's)
//   CSV2DDB_ERRORS_BUCKET         bucket for error records (required)
//   CSV2DDB_ERRORS_PREFIX         their prefix (default: migration_errors)
//   AWS_REGION                    region (us-east-1 when only custom endpoints are used)
//   CSV2DDB_DYNAMODB_ENDPOINT     custom DynamoDB endpoint (tests: dynalite)
//   CSV2DDB_S3_ENDPOINT           custom S3 endpoint, path style (tests: s3rver)
//   CSV2DDB_LAMBDA_MAX_INVOCATIONS  stop after this many invocations (tests)
// Credentials come from the AWS CLI's chain (in Lambda: the environment).
//
// Initialization loads the mapping, checks the table's key schema
// (DescribeTable) and builds the clients; any failure is posted to
// /runtime/init/error (errorType csv2ddb.InitError). Events: event_handler.h.
#pragma once

namespace csv2ddb {

// Serves invocations; returns the process exit code: 0 after
// CSV2DDB_LAMBDA_MAX_INVOCATIONS invocations, 1 when initialization or the
// Runtime API fails, 2 when AWS_LAMBDA_RUNTIME_API is not set.
int RunLambdaWorker();

}  // namespace csv2ddb
