// Base64 (RFC 4648, standard alphabet, padded) as DynamoDB's B and BS
// values carry it in JSON.
#pragma once

#include <cstddef>
#include <string_view>

namespace csv2ddb {

// Returns nullptr when `text` is canonical base64: characters A-Z a-z 0-9 + /,
// length a multiple of 4, '=' padding only at the end (at most two), and the
// unused bits of the last group zero (so equal bytes have equal text). Then
// *decoded_size is the number of bytes it encodes. Otherwise returns a short
// reason with static storage. No allocation.
const char* CheckBase64(std::string_view text, size_t* decoded_size);

}  // namespace csv2ddb
