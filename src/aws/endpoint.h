// Which URL a service is called at, by the AWS CLI's rules, in one place:
// the command-line flag, else AWS_ENDPOINT_URL_<SERVICE> (e.g.
// AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_SNS,
// AWS_ENDPOINT_URL_FIREHOSE), else AWS_ENDPOINT_URL, else the service's
// default AWS endpoint for the region. The two variables are ignored when
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is "true".
//
// Thread-safe; reads the environment on every call.
#pragma once

#include <string>
#include <string_view>

namespace csv2ddb::aws {

// The configured endpoint for the service whose environment suffix is
// `service_env` ("DYNAMODB", "S3", "SNS", "FIREHOSE"): `flag` when not empty,
// else the service variable, else AWS_ENDPOINT_URL; "" when none is set (use
// the region's default). Trailing slashes are dropped.
std::string ConfiguredEndpoint(std::string_view service_env, std::string_view flag = "");

// "https://<service_host>.<region>.amazonaws.com" (".amazonaws.com.cn" in
// China); e.g. DefaultEndpoint("dynamodb", "eu-west-1").
std::string DefaultEndpoint(std::string_view service_host, std::string_view region);

}  // namespace csv2ddb::aws
