#include "source/s3_source.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "testing/s3rver_test_util.h"

namespace csv2ddb {
namespace {

using aws::HttpHeader;
using aws::HttpRequest;
using aws::HttpResponse;

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = rng();
    std::memcpy(out.data() + i, &v, std::min<size_t>(8, n - i));
  }
  return out;
}

std::string Gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string ReadAll(ByteSource* source, size_t read_size, Status* error) {
  std::string out;
  std::string buf(read_size, '\0');
  for (;;) {
    Result<size_t> n = source->Read(buf.data(), read_size);
    if (!n.ok()) {
      *error = n.status();
      return out;
    }
    if (*n == 0) return out;
    out.append(buf.data(), *n);
  }
}

// An in-memory S3 that serves HEAD and ranged GETs of one object, honouring
// If-Match, and can fail the next GETs with a given response.
class FakeS3 : public aws::HttpClient {
 public:
  explicit FakeS3(std::string object) : object_(std::move(object)) {}

  void Submit(HttpRequest request, Callback done) override {
    HttpResponse r;
    {
      std::lock_guard<std::mutex> lock(mu);
      ++requests;
      if (request.method == "GET" && failures > 0) {
        --failures;
        done(failure);
        return;
      }
      r.status = 200;
      r.headers.push_back(HttpHeader{"etag", etag});
      std::string range, if_match;
      for (const HttpHeader& h : request.headers) {
        if (h.name == "Range") range = h.value;
        if (h.name == "If-Match") if_match = h.value;
      }
      if (!if_match.empty() && if_match != etag) {
        r.status = 412;
        r.body = "<Error><Code>PreconditionFailed</Code><Message>pre</Message></Error>";
      } else if (request.method == "HEAD") {
        r.headers.push_back(HttpHeader{"content-length", std::to_string(object_.size())});
      } else if (!range.empty()) {
        size_t dash = range.find('-');
        uint64_t first = std::stoull(range.substr(6, dash - 6));
        uint64_t last = std::stoull(range.substr(dash + 1));
        r.status = 206;
        r.body = object_.substr(first, last - first + 1);
        gets.emplace_back(first, last + 1);
        r.headers.push_back(HttpHeader{"content-range", "bytes " + std::to_string(first) + "-" +
                                                            std::to_string(last) + "/" +
                                                            std::to_string(object_.size())});
      }
    }
    done(std::move(r));
  }

  std::mutex mu;
  std::string etag = "\"v1\"";
  int failures = 0;
  HttpResponse failure;
  int requests = 0;
  std::vector<std::pair<uint64_t, uint64_t>> gets;  // [first, end) of each ranged GET

 protected:
  bool OnCallbackThread() const override { return false; }

 private:
  std::string object_;
};

Result<aws::Credentials> FakeCredentials() {
  aws::Credentials c;
  c.access_key_id = "AKID";
  c.secret_access_key = "SECRET";
  return c;
}

S3SourceOptions FakeOptions(FakeS3* http, size_t range_size) {
  aws::S3ClientOptions client;
  client.endpoint = "http://127.0.0.1:1";
  client.credentials = FakeCredentials;
  S3SourceOptions options;
  options.client = std::make_shared<aws::S3Client>(http, client);
  options.range_size = range_size;
  options.base_backoff = std::chrono::milliseconds(1);
  return options;
}

TEST(S3SourceTest, ReadsRangesInOrderAndPeeksWithoutLosingBytes) {
  const std::string object = RandomBytes(10'003, 1);
  FakeS3 http(object);
  Result<std::unique_ptr<S3Source>> source = S3Source::Open("s3://bkt/k", FakeOptions(&http, 3));
  ASSERT_TRUE(source.ok()) << source.status().message();
  Result<std::string_view> head = (*source)->Peek(10);  // spans 4 ranges of 3 bytes
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(*head, object.substr(0, 10));
  EXPECT_EQ((*source)->RawSize(), object.size());
  EXPECT_EQ((*source)->Describe(), "s3://bkt/k");
  Status error;
  EXPECT_TRUE(ReadAll(source->get(), 7, &error) == object);
  EXPECT_TRUE(error.ok()) << error.message();
  EXPECT_EQ((*source)->RawBytesConsumed(), object.size());
}

// Defect 10.9: a resume downloaded every byte before its offset again.
TEST(S3SourceTest, ResumeSkipRequestsNoRangeBeforeTheOffset) {
  const std::string object = RandomBytes(100'003, 3);
  FakeS3 http(object);
  S3SourceOptions options = FakeOptions(&http, 1000);
  options.max_ranges_in_flight = 4;
  Result<std::unique_ptr<S3Source>> source = S3Source::Open("s3://bkt/k", options);
  ASSERT_TRUE(source.ok()) << source.status().message();
  char head[10];
  ASSERT_TRUE((*source)->Read(head, sizeof head).ok());  // the header, from offset 0
  const uint64_t offset = 90'000;
  Result<uint64_t> skipped = (*source)->Skip(offset - sizeof head);
  ASSERT_TRUE(skipped.ok()) << skipped.status().message();
  EXPECT_EQ(*skipped, offset - sizeof head);
  EXPECT_EQ((*source)->RawBytesConsumed(), offset);
  Status error;
  EXPECT_TRUE(ReadAll(source->get(), 777, &error) == object.substr(offset));
  EXPECT_TRUE(error.ok()) << error.message();
  std::lock_guard<std::mutex> lock(http.mu);
  uint64_t fetched = 0;
  for (const auto& [first, end] : http.gets) {
    fetched += end - first;
    // Only the first window (for the header) starts before the offset.
    if (first >= 4000) {
      EXPECT_GE(first, offset) << "GET of [" << first << ", " << end << ")";
    }
  }
  EXPECT_LE(fetched, 4000 + (object.size() - offset));
}

TEST(S3SourceTest, SkipIntoARangeInFlightAndPastTheEnd) {
  const std::string object = RandomBytes(10'003, 4);
  FakeS3 http(object);
  Result<std::unique_ptr<S3Source>> source = S3Source::Open("s3://bkt/k", FakeOptions(&http, 1000));
  ASSERT_TRUE(source.ok()) << source.status().message();
  Result<std::string_view> head = (*source)->Peek(4);
  ASSERT_TRUE(head.ok());
  Result<uint64_t> skipped = (*source)->Skip(2500);  // inside the third range
  ASSERT_TRUE(skipped.ok());
  EXPECT_EQ(*skipped, 2500u);
  char buf[600];
  Result<size_t> n = (*source)->Read(buf, sizeof buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(buf, *n), object.substr(2500, *n));
  skipped = (*source)->Skip(10);  // into the next range
  ASSERT_TRUE(skipped.ok());
  EXPECT_EQ(*skipped, 10u);
  const uint64_t at = 2500 + *n + 10;
  n = (*source)->Read(buf, 5);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(buf, *n), object.substr(at, *n));
  skipped = (*source)->Skip(1'000'000);  // short: the object ends
  ASSERT_TRUE(skipped.ok());
  EXPECT_EQ(*skipped, object.size() - at - *n);
  Status error;
  EXPECT_EQ(ReadAll(source->get(), 100, &error), "");
  EXPECT_TRUE(error.ok());
}

TEST(S3SourceTest, RetriesATransientRangeFailure) {
  const std::string object = RandomBytes(1000, 2);
  FakeS3 http(object);
  http.failures = 2;
  http.failure.status = 503;
  http.failure.body = "<Error><Code>SlowDown</Code><Message>slow</Message></Error>";
  auto source = S3Source::Open("s3://bkt/k", FakeOptions(&http, 100));
  ASSERT_TRUE(source.ok());
  Status error;
  EXPECT_TRUE(ReadAll(source->get(), 64, &error) == object);
  EXPECT_TRUE(error.ok()) << error.message();
}

TEST(S3SourceTest, PreconditionFailedEndsTheStream) {
  FakeS3 http(RandomBytes(1000, 3));
  auto source = S3Source::Open("s3://bkt/k", FakeOptions(&http, 100));
  ASSERT_TRUE(source.ok());
  {
    std::lock_guard<std::mutex> lock(http.mu);
    http.etag = "\"v2\"";  // the object is replaced after the HEAD
  }
  Status error;
  ReadAll(source->get(), 64, &error);
  EXPECT_EQ(error.code(), Status::Code::kAborted);
  EXPECT_EQ(error.message(), "object s3://bkt/k changed during the run (ETag was \"v1\")");
}

TEST(S3SourceTest, EmptyObjectReadsAsEndOfStream) {
  FakeS3 http("");
  auto source = OpenS3Source("s3://bkt/empty.csv", FakeOptions(&http, 100));
  ASSERT_TRUE(source.ok()) << source.status().message();
  char c;
  Result<size_t> n = (*source)->Read(&c, 1);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n.value(), 0u);
}

// ---- Against a real s3rver on loopback ----

class S3SourceS3rverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = aws::testing::S3rver::Start(&start_error_).release(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr) << start_error_;
    client_ = server_->NewClient();
    ASSERT_NE(client_, nullptr);
    Status created = client_->CreateBucket("bkt");
    ASSERT_TRUE(created.ok() || created.message().find("BucketAlready") != std::string::npos)
        << created.message();
  }
  S3SourceOptions Options(size_t range_size = 8 << 20) const {
    S3SourceOptions options;
    options.client = client_;
    options.range_size = range_size;
    return options;
  }
  void Put(const std::string& uri, const std::string& body) {
    ASSERT_TRUE(
        client_->UploadObject(aws::ParseS3Uri(uri).value(), body, "application/octet-stream").ok());
  }
  static aws::testing::S3rver* server_;
  static std::string start_error_;
  std::shared_ptr<aws::S3Client> client_;
};
aws::testing::S3rver* S3SourceS3rverTest::server_ = nullptr;
std::string S3SourceS3rverTest::start_error_;

TEST_F(S3SourceS3rverTest, Reads30MBIdenticallyWithTinyAndLargeReads) {
  const std::string object = RandomBytes(30'000'000, 4);
  Put("s3://bkt/big/data.csv", object);
  for (size_t read_size : {size_t{7}, size_t{1} << 20, size_t{20} << 20}) {
    auto source = OpenS3Source("s3://bkt/big/data.csv", Options());
    ASSERT_TRUE(source.ok()) << source.status().message();
    Status error;
    std::string got = ReadAll(source->get(), read_size, &error);
    ASSERT_TRUE(error.ok()) << error.message();
    EXPECT_EQ(got.size(), object.size());
    EXPECT_TRUE(got == object) << "read size " << read_size;
    EXPECT_EQ((*source)->RawBytesConsumed(), object.size());
  }
}

TEST_F(S3SourceS3rverTest, DecompressesGzipAndZstdObjects) {
  std::string csv;
  for (int i = 0; i < 50'000; ++i) csv += "A_" + std::to_string(i) + ",TESLA,Seattle\n";
  Put("s3://bkt/in/ev.csv.gz", Gzip(csv));
  std::string zst(ZSTD_compressBound(csv.size()), '\0');
  zst.resize(ZSTD_compress(zst.data(), zst.size(), csv.data(), csv.size(), 3));
  Put("s3://bkt/in/ev.csv.zst", zst);
  for (const char* uri : {"s3://bkt/in/ev.csv.gz", "s3://bkt/in/ev.csv.zst"}) {
    auto source = OpenS3Source(uri, Options(64 << 10));
    ASSERT_TRUE(source.ok()) << source.status().message();
    Status error;
    EXPECT_TRUE(ReadAll(source->get(), 4096, &error) == csv) << uri;
    EXPECT_TRUE(error.ok()) << error.message();
    EXPECT_EQ((*source)->Describe(), uri);
  }
}

TEST_F(S3SourceS3rverTest, ObjectOverwrittenDuringTheRunIsDetected) {
  Put("s3://bkt/changing.csv", RandomBytes(1 << 20, 5));
  S3SourceOptions options = Options(64 << 10);  // 16 ranges
  options.max_ranges_in_flight = 2;
  auto source = S3Source::Open("s3://bkt/changing.csv", options);
  ASSERT_TRUE(source.ok()) << source.status().message();
  const std::string etag = (*source)->etag();
  std::string buf(64 << 10, '\0');
  ASSERT_TRUE((*source)->Read(buf.data(), buf.size()).ok());
  Put("s3://bkt/changing.csv", RandomBytes(1 << 20, 6));
  Status error;
  ReadAll(source->get(), 64 << 10, &error);
  EXPECT_EQ(error.code(), Status::Code::kAborted);
  EXPECT_EQ(error.message(),
            "object s3://bkt/changing.csv changed during the run (ETag was " + etag + ")");
}

TEST_F(S3SourceS3rverTest, MissingBucketAndKey) {
  auto source = OpenS3Source("s3://no-such-bucket/ev.csv", Options());
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().message(),
            "s3://no-such-bucket/ev.csv: bucket 'no-such-bucket' does not exist (NoSuchBucket)");
  source = OpenS3Source("s3://bkt/nope.csv", Options());
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().message(), "s3://bkt/nope.csv: no such object (NoSuchKey)");
}

}  // namespace
}  // namespace csv2ddb
