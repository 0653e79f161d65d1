#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "source/byte_source.h"
#include "source/file_source.h"
#include "source/gzip_source.h"
#include "source/zstd_source.h"

namespace csv2ddb {
namespace {

// ---- Test data helpers ----------------------------------------------------

std::string GzipMember(const std::string& data, int level = 6) {
  z_stream s{};
  EXPECT_EQ(deflateInit2(&s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&s, data.size()) + 64, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  s.avail_in = static_cast<uInt>(data.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&s, Z_FINISH), Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

// One zstd frame, with a content checksum so that corruption is detectable.
std::string ZstdFrame(const std::string& data, int level = 3) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const size_t n = ZSTD_compress2(cctx, out.data(), out.size(), data.data(), data.size());
  EXPECT_FALSE(ZSTD_isError(n)) << ZSTD_getErrorName(n);
  out.resize(ZSTD_isError(n) ? 0 : n);
  ZSTD_freeCCtx(cctx);
  return out;
}

// CSV-like pseudo-random text: compresses, but not trivially.
std::string CsvText(size_t bytes, uint32_t seed = 1) {
  std::string s;
  s.reserve(bytes + 64);
  uint64_t x = seed;
  for (uint64_t row = 0; s.size() < bytes; ++row) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    s += std::to_string(row) + ",\"name " + std::to_string(x >> 40) + "\"," +
         std::to_string((x >> 7) % 100000) + "." + std::to_string((x >> 3) % 100) + "\n";
  }
  s.resize(bytes);
  return s;
}

class SourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/csv2ddb_source_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  std::string Write(const std::string& name, const std::string& content) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  std::string dir_;
};

// Reads the whole source with reads of `chunk` bytes; checks progress counters.
Result<std::string> ReadAll(ByteSource& src, size_t chunk) {
  std::string out;
  std::vector<char> buf(chunk);
  uint64_t last_consumed = 0;
  for (;;) {
    Result<size_t> got = src.Read(buf.data(), chunk);
    if (!got.ok()) return got.status();
    EXPECT_LE(*got, chunk);
    EXPECT_GE(src.RawBytesConsumed(), last_consumed);
    last_consumed = src.RawBytesConsumed();
    if (src.RawSize() != 0) {
      EXPECT_LE(last_consumed, src.RawSize());
    }
    if (*got == 0) break;
    out.append(buf.data(), *got);
  }
  // End of stream is sticky.
  Result<size_t> again = src.Read(buf.data(), chunk);
  EXPECT_TRUE(again.ok() && *again == 0);
  return out;
}

Result<std::string> OpenAndReadAll(const std::string& spec, size_t chunk = 64 * 1024) {
  Result<std::unique_ptr<ByteSource>> src = OpenSource(spec);
  if (!src.ok()) return src.status();
  return ReadAll(**src, chunk);
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// ---- Plain files ------------------------------------------------------------

TEST_F(SourceTest, PlainFile) {
  const std::string data = "id,name\n1,alpha\n2,\"b,eta\"\n";
  const std::string path = Write("plain.csv", data);
  Result<std::unique_ptr<ByteSource>> src = OpenSource(path);
  ASSERT_TRUE(src.ok()) << src.status().message();
  EXPECT_EQ((*src)->Describe(), path);
  EXPECT_EQ((*src)->RawSize(), data.size());
  EXPECT_EQ((*src)->RawBytesConsumed(), 0u);
  Result<std::string> got = ReadAll(**src, 4096);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, data);
  EXPECT_EQ((*src)->RawBytesConsumed(), data.size());
}

TEST_F(SourceTest, EmptyFileReadsZeroBytes) {
  const std::string path = Write("empty.csv", "");
  Result<std::string> got = OpenAndReadAll(path);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, "");
}

TEST_F(SourceTest, OneByteFileIsPlain) {
  const std::string path = Write("one.csv", "\x1f");  // First gzip magic byte only.
  Result<std::string> got = OpenAndReadAll(path);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, "\x1f");
}

TEST_F(SourceTest, MissingFile) {
  const std::string path = dir_ + "/nope.csv";
  Result<std::unique_ptr<ByteSource>> src = OpenSource(path);
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(src.status().message(), "input '" + path + "': no such file");
}

TEST_F(SourceTest, Directory) {
  Result<std::unique_ptr<ByteSource>> src = OpenSource(dir_);
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.status().message(), "input '" + dir_ + "': is a directory");
}

TEST_F(SourceTest, PeekDoesNotConsume) {
  const std::string path = Write("peek.csv", "abcdef");
  Result<std::unique_ptr<FileSource>> src = FileSource::Open(path);
  ASSERT_TRUE(src.ok());
  Result<std::string_view> head = (*src)->Peek(4);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(*head, "abcd");
  EXPECT_EQ((*src)->RawBytesConsumed(), 0u);
  char buf[2];
  ASSERT_EQ((*src)->Read(buf, 2).value(), 2u);
  EXPECT_EQ(std::string(buf, 2), "ab");
  EXPECT_EQ((*src)->Peek(10).value(), "cdef");  // Short only at end of input.
  Result<std::string> rest = ReadAll(**src, 3);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(*rest, "cdef");
}

TEST_F(SourceTest, StdinDash) {
  const std::string data = CsvText(100000);
  const std::string path = Write("stdin.csv.gz", GzipMember(data));
  const int saved = dup(STDIN_FILENO);
  ASSERT_GE(saved, 0);
  const int fd = open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(dup2(fd, STDIN_FILENO), STDIN_FILENO);
  close(fd);
  Result<std::string> got = Status::Aborted("not read");
  {
    Result<std::unique_ptr<ByteSource>> src = OpenSource("-");
    if (src.ok()) {
      EXPECT_EQ((*src)->Describe(), "-");
      got = ReadAll(**src, 4096);
    } else {
      got = src.status();
    }
  }
  EXPECT_NE(fcntl(STDIN_FILENO, F_GETFD), -1) << "the source closed stdin";
  ASSERT_EQ(dup2(saved, STDIN_FILENO), STDIN_FILENO);
  close(saved);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, data);
}

// ---- gzip -----------------------------------------------------------------------

TEST_F(SourceTest, Gzip) {
  const std::string data = CsvText(300000);
  const std::string gz = GzipMember(data);
  const std::string path = Write("data.csv.gz", gz);
  Result<std::unique_ptr<ByteSource>> src = OpenSource(path);
  ASSERT_TRUE(src.ok()) << src.status().message();
  EXPECT_EQ((*src)->RawSize(), gz.size());
  Result<std::string> got = ReadAll(**src, 8192);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, data);
  EXPECT_EQ((*src)->RawBytesConsumed(), gz.size());
}

TEST_F(SourceTest, GzipSniffedWithoutSuffix) {
  const std::string data = "a,b\n1,2\n";
  const std::string path = Write("data.csv", GzipMember(data));
  Result<std::string> got = OpenAndReadAll(path);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, data);
}

TEST_F(SourceTest, GzipMultiMember) {
  const std::string a = CsvText(50000, 1), b = CsvText(70000, 2);
  const std::string gz = GzipMember(a) + GzipMember("") + GzipMember(b, 1);
  const std::string path = Write("multi.gz", gz);
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{65536}}) {
    Result<std::string> got = OpenAndReadAll(path, chunk);
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(*got, a + b) << "chunk " << chunk;
  }
}

TEST_F(SourceTest, GzipCliMultiMember) {
  if (std::system("command -v gzip >/dev/null 2>&1") != 0) GTEST_SKIP() << "no gzip CLI";
  const std::string a = Write("a.csv", CsvText(20000, 3));
  const std::string b = Write("b.csv", CsvText(30000, 4));
  const std::string cmd =
      "cd '" + dir_ + "' && gzip -k a.csv b.csv && cat a.csv.gz b.csv.gz > ab.gz";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  Result<std::string> got = OpenAndReadAll(dir_ + "/ab.gz");
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, CsvText(20000, 3) + CsvText(30000, 4));
}

TEST_F(SourceTest, GzipSuffixButNotGzip) {
  const std::string path = Write("x.gz", "id,name\n1,a\n");
  Result<std::unique_ptr<ByteSource>> src = OpenSource(path);
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.status().message(), "input '" + path + "': not a gzip stream");
  const std::string empty = Write("empty.gz", "");
  EXPECT_EQ(OpenSource(empty).status().message(), "input '" + empty + "': not a gzip stream");
}

TEST_F(SourceTest, GzipTruncatedIsCorruption) {
  const std::string data = CsvText(200000);
  const std::string gz = GzipMember(data);
  for (size_t cut : {size_t{2}, size_t{5}, size_t{10}, size_t{11}, gz.size() / 2, gz.size() - 8,
                     gz.size() - 1}) {
    const std::string path = Write("cut.gz", gz.substr(0, cut));
    Result<std::string> got = OpenAndReadAll(path);
    ASSERT_FALSE(got.ok()) << "cut " << cut;
    EXPECT_EQ(got.status().code(), Status::Code::kCorruption) << got.status().message();
    EXPECT_TRUE(Contains(got.status().message(), "input '" + path + "'"));
    EXPECT_TRUE(Contains(got.status().message(), "compressed byte offset"))
        << got.status().message();
  }
}

TEST_F(SourceTest, GzipCorruptIsCorruption) {
  const std::string data = CsvText(200000);
  const std::string gz = GzipMember(data);
  for (size_t pos : {size_t{10}, size_t{100}, gz.size() / 3, gz.size() - 6, gz.size() - 2}) {
    std::string bad = gz;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x5a);
    const std::string path = Write("bad.gz", bad);
    for (size_t chunk : {size_t{1}, size_t{4096}}) {
      if (chunk == 1 && pos > 1000) continue;  // Keep the 1-byte runs short.
      Result<std::string> got = OpenAndReadAll(path, chunk);
      ASSERT_FALSE(got.ok()) << "pos " << pos;
      EXPECT_EQ(got.status().code(), Status::Code::kCorruption) << got.status().message();
    }
  }
}

TEST_F(SourceTest, GzipTrailingGarbageIsCorruption) {
  const std::string gz = GzipMember("a,b\n");
  const std::string path = Write("trail.gz", gz + "garbage");
  Result<std::string> got = OpenAndReadAll(path);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), Status::Code::kCorruption);
  // zlib reports the error a few bytes into the bad header.
  const std::string& msg = got.status().message();
  const size_t at = msg.find("compressed byte offset ");
  ASSERT_NE(at, std::string::npos) << msg;
  const uint64_t offset = std::stoull(msg.substr(at + 23));
  EXPECT_GE(offset, gz.size()) << msg;
  EXPECT_LE(offset, gz.size() + 7) << msg;
}

TEST_F(SourceTest, GzipBadMethodRejectedAtOpen) {
  const std::string path = Write("method.gz", std::string("\x1f\x8b\x07\x00", 4) + "rest");
  Result<std::unique_ptr<ByteSource>> src = OpenSource(path);
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.status().code(), Status::Code::kCorruption);
}

// ---- zstd -----------------------------------------------------------------------

TEST_F(SourceTest, ZstdSeveralFrames) {
  const std::string a = CsvText(100000, 5), b = CsvText(1, 6), c = CsvText(150000, 7);
  const std::string zst = ZstdFrame(a) + ZstdFrame(b, 19) + ZstdFrame("") + ZstdFrame(c, 1);
  const std::string path = Write("data.csv.zst", zst);
  Result<std::unique_ptr<ByteSource>> src = OpenSource(path);
  ASSERT_TRUE(src.ok()) << src.status().message();
  EXPECT_EQ((*src)->RawSize(), zst.size());
  Result<std::string> got = ReadAll(**src, 10000);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, a + b + c);
  EXPECT_EQ((*src)->RawBytesConsumed(), zst.size());
}

TEST_F(SourceTest, ZstdCli) {
  if (std::system("command -v zstd >/dev/null 2>&1") != 0) GTEST_SKIP() << "no zstd CLI";
  Write("z.csv", CsvText(40000, 8));
  const std::string cmd = "cd '" + dir_ + "' && zstd -q z.csv -o z1 && zstd -q --no-check z.csv " +
                          "-o z2 && cat z1 z2 > zz.zst";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  Result<std::string> got = OpenAndReadAll(dir_ + "/zz.zst", 7);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, CsvText(40000, 8) + CsvText(40000, 8));
}

TEST_F(SourceTest, ZstdSuffixButNotZstd) {
  const std::string path = Write("x.zst", "id\n");
  EXPECT_EQ(OpenSource(path).status().message(), "input '" + path + "': not a zstd stream");
}

TEST_F(SourceTest, ZstdTruncatedIsCorruption) {
  const std::string zst = ZstdFrame(CsvText(200000)) + ZstdFrame(CsvText(1000, 9));
  for (size_t cut :
       {size_t{4}, size_t{6}, size_t{20}, zst.size() / 2, zst.size() - 5, zst.size() - 1}) {
    const std::string path = Write("cut.zst", zst.substr(0, cut));
    for (size_t chunk : {size_t{7}, size_t{65536}}) {
      Result<std::string> got = OpenAndReadAll(path, chunk);
      ASSERT_FALSE(got.ok()) << "cut " << cut;
      EXPECT_EQ(got.status().code(), Status::Code::kCorruption) << got.status().message();
      EXPECT_TRUE(Contains(got.status().message(), "input '" + path + "'"));
      EXPECT_TRUE(Contains(got.status().message(), "compressed byte offset"));
    }
  }
}

TEST_F(SourceTest, ZstdCorruptIsCorruption) {
  const std::string zst = ZstdFrame(CsvText(200000));
  for (size_t pos : {size_t{5}, size_t{30}, zst.size() / 2, zst.size() - 2}) {
    std::string bad = zst;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x5a);
    const std::string path = Write("bad.zst", bad);
    Result<std::string> got = OpenAndReadAll(path);
    ASSERT_FALSE(got.ok()) << "pos " << pos;
    EXPECT_EQ(got.status().code(), Status::Code::kCorruption) << got.status().message();
  }
}

TEST_F(SourceTest, ZstdTrailingGarbageIsCorruption) {
  const std::string path = Write("trail.zst", ZstdFrame("a,b\n") + "garbage!");
  Result<std::string> got = OpenAndReadAll(path);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), Status::Code::kCorruption);
}

// ---- Buffer sizes and volume --------------------------------------------------

TEST_F(SourceTest, TinyReadBuffersYieldIdenticalBytes) {
  const std::string data = CsvText(30000, 11);
  const std::string plain = Write("t.csv", data);
  const std::string gz = Write("t.csv.gz", GzipMember(data));
  const std::string zst = Write("t.csv.zst", ZstdFrame(data));
  for (const std::string& path : {plain, gz, zst}) {
    for (size_t chunk : {size_t{1}, size_t{7}, size_t{4096}, size_t{1} << 20}) {
      Result<std::string> got = OpenAndReadAll(path, chunk);
      ASSERT_TRUE(got.ok()) << got.status().message();
      EXPECT_EQ(*got, data) << path << " chunk " << chunk;
    }
  }
}

TEST_F(SourceTest, LargeRoundTrip) {
  const std::string data = CsvText(20 << 20, 12);
  const std::string gz =
      GzipMember(data.substr(0, 12 << 20), 1) + GzipMember(data.substr(12 << 20), 1);
  const std::string zst =
      ZstdFrame(data.substr(0, 5 << 20), 1) + ZstdFrame(data.substr(5 << 20), 1);
  for (const std::string& path :
       {Write("big.csv", data), Write("big.csv.gz", gz), Write("big.csv.zst", zst)}) {
    Result<std::unique_ptr<ByteSource>> src = OpenSource(path);
    ASSERT_TRUE(src.ok()) << src.status().message();
    Result<std::string> got = ReadAll(**src, 1 << 20);
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_TRUE(*got == data) << path << ": got " << got->size() << " bytes";
    EXPECT_EQ((*src)->RawBytesConsumed(), (*src)->RawSize()) << path;
  }
}

}  // namespace
}  // namespace csv2ddb

namespace csv2ddb {
namespace {

// Bytes this process has read with read(2) and friends so far (rchar).
uint64_t BytesReadByProcess() {
  std::ifstream io("/proc/self/io");
  std::string key;
  uint64_t value = 0;
  while (io >> key >> value) {
    if (key == "rchar:") return value;
  }
  ADD_FAILURE() << "no rchar in /proc/self/io";
  return 0;
}

// Defect 10.9: a resume read (and dropped) every byte before its offset.
TEST_F(SourceTest, ResumeSkipOfAPlainFileReadsNoByteBeforeTheOffset) {
  std::string data(24 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('a' + (i * 7919) % 26);
  const std::string path = Write("big.csv", data);
  Result<std::unique_ptr<ByteSource>> src = OpenSource(path);
  ASSERT_TRUE(src.ok()) << src.status().message();
  char head[16];
  ASSERT_TRUE((*src)->Read(head, sizeof head).ok());  // the header, from offset 0

  const uint64_t offset = 20 << 20;
  const uint64_t before = BytesReadByProcess();
  Result<uint64_t> skipped = (*src)->Skip(offset - sizeof head);
  ASSERT_TRUE(skipped.ok()) << skipped.status().message();
  EXPECT_EQ(*skipped, offset - sizeof head);
  EXPECT_EQ((*src)->RawBytesConsumed(), offset);
  Result<std::string> rest = ReadAll(**src, 64 * 1024);
  ASSERT_TRUE(rest.ok());
  const uint64_t read = BytesReadByProcess() - before;
  EXPECT_TRUE(*rest == data.substr(offset)) << "bytes after the skip differ";
  // The 4 MiB after the offset, and nothing of the 20 MiB before it.
  EXPECT_LT(read, (data.size() - offset) + FileSource::kBlockSize);
  EXPECT_GE(read, data.size() - offset);
}

TEST_F(SourceTest, SkipWithinTheReadAheadBlockAndPastTheEnd) {
  const std::string data = "0123456789abcdefghij";
  const std::string path = Write("small.csv", data);
  Result<std::unique_ptr<ByteSource>> src = OpenSource(path);
  ASSERT_TRUE(src.ok());
  char c = 0;
  ASSERT_TRUE((*src)->Read(&c, 1).ok());  // fills the read-ahead block
  Result<uint64_t> skipped = (*src)->Skip(4);
  ASSERT_TRUE(skipped.ok());
  EXPECT_EQ(*skipped, 4u);
  ASSERT_TRUE((*src)->Read(&c, 1).ok());
  EXPECT_EQ(c, '5');
  skipped = (*src)->Skip(100);  // short: the file ends
  ASSERT_TRUE(skipped.ok());
  EXPECT_EQ(*skipped, data.size() - 6);
  Result<std::string> rest = ReadAll(**src, 8);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(*rest, "");
}

// Compressed inputs cannot seek to a decoded offset: they decode and drop.
TEST_F(SourceTest, SkipInACompressedInputDecodesTheBytesSkipped) {
  std::string data;
  for (int i = 0; i < 20000; ++i) data += std::to_string(i) + ",row\n";
  for (const std::string& path :
       {Write("s.csv.gz", GzipMember(data)), Write("s.csv.zst", ZstdFrame(data))}) {
    Result<std::unique_ptr<ByteSource>> src = OpenSource(path);
    ASSERT_TRUE(src.ok()) << path;
    Result<uint64_t> skipped = (*src)->Skip(12345);
    ASSERT_TRUE(skipped.ok()) << path;
    EXPECT_EQ(*skipped, 12345u);
    Result<std::string> rest = ReadAll(**src, 1000);
    ASSERT_TRUE(rest.ok()) << path;
    EXPECT_TRUE(*rest == data.substr(12345)) << path;
    skipped = (*src)->Skip(10);
    ASSERT_TRUE(skipped.ok());
    EXPECT_EQ(*skipped, 0u);
  }
}

}  // namespace
}  // namespace csv2ddb
