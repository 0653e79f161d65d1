// The generic request signer every AWS client uses: SigV4 (aws/auth/sigv4.h)
// applied to an HttpRequest right before it is sent, with credentials fetched
// per request from a CredentialsSource.
//
// Threads: a signer is thread-safe when its CredentialsSource is.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "aws/auth/credentials.h"
#include "aws/http/http_client.h"
#include "common/status.h"

namespace csv2ddb::aws {

// Returns the credentials to sign with; called once per request, from any
// thread, so it must be thread-safe and cheap (cache and refresh inside).
using CredentialsSource = std::function<Result<Credentials>()>;

// A RequestSigner that signs with SigV4 (aws/auth/sigv4.h): sets "Host" from
// the URL and appends X-Amz-Date, [X-Amz-Security-Token,] Authorization; for
// service "s3" also X-Amz-Content-Sha256 and S3's path rules. `clock` is
// injectable for tests. Errors never contain the secret or the token.
RequestSigner MakeSigV4Signer(
    CredentialsSource credentials, std::string region, std::string service,
    std::function<std::chrono::system_clock::time_point()> clock = [] {
      return std::chrono::system_clock::now();
    });

}  // namespace csv2ddb::aws
