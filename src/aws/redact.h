// The one place where AWS error messages are cleaned of secrets.
//
// AWS answers signature errors with a message that can hold the canonical
// request and the string to sign, including the X-Amz-Security-Token header;
// proxies and emulators echo headers too. RedactAwsMessage is applied where an
// AWS error is built (aws/aws_error.h, aws/s3/s3_error.h), so what reaches
// stderr, the journal, the summary or a webhook never carries a token.
//
// Thread-safe (pure function).
#pragma once

#include <string>
#include <string_view>

namespace csv2ddb::aws {

// Returns `message` with:
// - everything from "The Canonical String for this request should have been"
//   / "The String-to-Sign should have been" / "canonical request" on dropped
//   (AWS appends the canonical request there);
// - the values of x-amz-security-token, X-Amz-Security-Token=, Authorization,
//   Credential=, Signature=, X-Amz-Signature=, X-Amz-Credential=,
//   aws_secret_access_key / aws_session_token and SecretAccessKey /
//   SessionToken / Token (JSON or key=value) replaced by "[redacted]";
// - any remaining run of 40+ base64 characters (secret keys, tokens,
//   signatures) replaced by "[redacted]".
// The result is folded to one line (control characters become spaces, runs of
// spaces collapse) and trimmed.
std::string RedactAwsMessage(std::string_view message);

// RedactAwsMessage, then capped at `max_bytes` (cut on a UTF-8 boundary, "..."
// appended when cut).
std::string RedactAwsMessage(std::string_view message, size_t max_bytes);

}  // namespace csv2ddb::aws
