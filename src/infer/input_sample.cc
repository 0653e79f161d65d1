#include "infer/input_sample.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "source/byte_source.h"
#include "source/file_source.h"

namespace csv2ddb {

namespace {

std::string CompressionOf(std::string_view head) {
  auto b = [&](size_t i) { return static_cast<unsigned char>(head[i]); };
  if (head.size() >= 2 && b(0) == 0x1f && b(1) == 0x8b) return "gzip";
  if (head.size() >= 4 &&
      ((b(0) == 0x28 && b(1) == 0xb5 && b(2) == 0x2f && b(3) == 0xfd) ||
       ((b(0) & 0xf0) == 0x50 && b(1) == 0x2a && b(2) == 0x4d && b(3) == 0x18))) {
    return "zstd";
  }
  return "";
}

}  // namespace

Result<InputSample> ReadInputSample(const std::string& spec, uint64_t max_rows,
                                    uint64_t max_bytes) {
  Result<std::unique_ptr<FileSource>> file = FileSource::Open(spec);
  if (!file.ok()) return file.status();
  Result<std::string_view> head = (*file)->Peek(4);
  if (!head.ok()) return head.status();
  InputSample sample;
  sample.compression = CompressionOf(*head);
  Result<std::unique_ptr<ByteSource>> source =
      WrapDecoder(std::move(file).value(), *head, "input '" + spec + "'");
  if (!source.ok()) return source.status();

  constexpr size_t kBlock = 1 << 20;
  uint64_t line_ends = 0;
  for (;;) {
    const size_t old = sample.text.size();
    sample.text.resize(old + kBlock);
    Result<size_t> n = (*source)->Read(sample.text.data() + old, kBlock);
    if (!n.ok()) return n.status();
    sample.text.resize(old + *n);
    if (*n == 0) {
      sample.whole_input = true;
      break;
    }
    line_ends +=
        static_cast<uint64_t>(std::count(sample.text.begin() + old, sample.text.end(), '\n'));
    if (line_ends > max_rows + 1 || sample.text.size() >= max_bytes) break;
  }
  if (!sample.whole_input) {
    // One more byte tells whether the input ended exactly here.
    char probe = 0;
    Result<size_t> n = (*source)->Read(&probe, 1);
    if (!n.ok()) return n.status();
    if (*n == 0) {
      sample.whole_input = true;
    } else {
      const size_t last = sample.text.rfind('\n');
      if (last != std::string::npos) sample.text.resize(last + 1);
    }
  }
  if (sample.text.compare(0, 3, "\xEF\xBB\xBF") == 0) {
    sample.bom = true;
    sample.text.erase(0, 3);
  }
  return sample;
}

}  // namespace csv2ddb
