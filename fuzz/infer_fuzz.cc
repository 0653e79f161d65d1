// Fuzz target: `csv2ddb infer` on arbitrary bytes (src/infer/infer.h).
//
// Properties (abort on violation): no crash; an error is an ordinary one
// (never Internal: InferFromSample parses and binds its own proposal with the
// code `run` uses and reports Internal when they refuse it); a proposal is
// non-empty TOML text ending with a newline whose every line is a comment, a
// table header, a key = value pair or blank; a warning is one line.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "infer/infer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size < 1) return 0;
  // Byte 0: bit 0 = the sample is the whole input, bits 1-6 = sample rows - 1.
  csv2ddb::InputSample sample;
  sample.whole_input = (bytes[0] & 1) != 0;
  csv2ddb::InferOptions options;
  options.sample_rows = 1 + ((bytes[0] >> 1) & 63);
  sample.text.assign(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  csv2ddb::Result<csv2ddb::InferResult> r = csv2ddb::InferFromSample(sample, "fuzz.csv", options);
  if (!r.ok()) {
    FUZZ_CHECK(r.status().code() != csv2ddb::Status::Code::kInternal,
               "the proposal reads back with the mapping parser");
    FUZZ_CHECK(r.status().message().find("fuzz.csv") != std::string::npos,
               "an error names the input");
    return 0;
  }
  const std::string& toml = r->toml;
  FUZZ_CHECK(!toml.empty() && toml.back() == '\n', "the mapping ends with a newline");
  size_t start = 0;
  while (start < toml.size()) {
    const size_t end = toml.find('\n', start);
    const std::string_view line(toml.data() + start, end - start);
    FUZZ_CHECK(line.empty() || line[0] == '#' || line[0] == '[' ||
                   line.find(" = ") != std::string_view::npos,
               "every line is a comment, a table header, a key = value or blank");
    start = end + 1;
  }
  for (const std::string& w : r->warnings) {
    FUZZ_CHECK(w.find('\n') == std::string::npos, "a warning is one line");
  }
  return 0;
}
