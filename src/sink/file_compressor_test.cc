#include "sink/file_compressor.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <string>

namespace csv2ddb {
namespace {

std::string Lines(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    s += "{\"Item\":{\"pk\":{\"S\":\"key-" + std::to_string(i * 7919) + "\"}}}\n";
  }
  return s;
}

std::string Compress(FileCompression c, const std::string& text, size_t piece) {
  auto z = NewFileCompressor(c);
  for (size_t i = 0; i < text.size(); i += piece) {
    EXPECT_TRUE(z->Append(std::string_view(text).substr(i, piece)).ok());
  }
  Result<std::string> out = z->Finish();
  EXPECT_TRUE(out.ok());
  return *out;
}

std::string Gunzip(const std::string& data) {
  z_stream s{};
  EXPECT_EQ(inflateInit2(&s, 15 + 16), Z_OK);
  std::string out(1 << 24, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  s.avail_in = static_cast<uInt>(data.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&s, Z_FINISH), Z_STREAM_END);
  out.resize(s.total_out);
  inflateEnd(&s);
  return out;
}

TEST(FileCompressor, GzipRoundTripsAndIsDeterministic) {
  const std::string text = Lines(100000);
  const std::string a = Compress(FileCompression::kGzip, text, 4096);
  const std::string b = Compress(FileCompression::kGzip, text, 1 << 20);
  EXPECT_EQ(a, b);  // the same bytes however the text was handed over
  EXPECT_LT(a.size(), text.size() / 3);
  EXPECT_EQ(static_cast<unsigned char>(a[0]), 0x1f);
  EXPECT_EQ(Gunzip(a), text);
}

TEST(FileCompressor, ZstdRoundTripsAndIsDeterministic) {
  const std::string text = Lines(100000);
  const std::string a = Compress(FileCompression::kZstd, text, 4096);
  EXPECT_EQ(a, Compress(FileCompression::kZstd, text, 1 << 20));
  std::string out(text.size(), '\0');
  const size_t n = ZSTD_decompress(out.data(), out.size(), a.data(), a.size());
  ASSERT_FALSE(ZSTD_isError(n)) << ZSTD_getErrorName(n);
  out.resize(n);
  EXPECT_EQ(out, text);
}

TEST(FileCompressor, NoneIsTheText) {
  EXPECT_EQ(Compress(FileCompression::kNone, Lines(10), 7), Lines(10));
  EXPECT_EQ(Gunzip(Compress(FileCompression::kGzip, "", 1)), "");
}

TEST(FileCompressor, Names) {
  EXPECT_EQ(ParseFileCompression("GZIP").value(), FileCompression::kGzip);
  EXPECT_EQ(ParseFileCompression("zstd").value(), FileCompression::kZstd);
  EXPECT_EQ(ParseFileCompression("none").value(), FileCompression::kNone);
  EXPECT_FALSE(ParseFileCompression("lz4").ok());
  EXPECT_STREQ(CompressionTypeName(FileCompression::kZstd), "ZSTD");
  EXPECT_STREQ(CompressionSuffix(FileCompression::kGzip), ".gz");
}

}  // namespace
}  // namespace csv2ddb
