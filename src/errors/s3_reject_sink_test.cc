#include "errors/s3_reject_sink.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/s3rver_test_util.h"

namespace csv2ddb {
namespace {

ChunkRejects Rejects(int chunk, int count) {
  ChunkRejects r;
  for (int i = 0; i < count; ++i) {
    const std::string line = std::to_string(chunk * 100 + i);
    r.ndjson += R"({"execution_name":"exec-1","line":)" + line + R"(,"rule":"required"})" + "\n";
    r.csv += "VIN" + line + ",,Seattle\n";
    ++r.count;
  }
  return r;
}

class S3RejectSinkS3rverTest : public ::testing::Test {
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
    Status created = client_->CreateBucket("errors-bkt");
    ASSERT_TRUE(created.ok() || created.message().find("BucketAlready") != std::string::npos)
        << created.message();
  }
  std::vector<std::string> Keys(const std::string& prefix) {
    std::vector<std::string> keys;
    auto list = client_->ListObjectsV2("errors-bkt", prefix);
    EXPECT_TRUE(list.ok()) << list.status().message();
    if (list.ok()) {
      for (const auto& o : *list) keys.push_back(o.key);
    }
    return keys;
  }
  std::string Get(const std::string& key) {
    auto got = client_->GetObject(aws::S3Uri{"errors-bkt", key});
    EXPECT_TRUE(got.ok()) << got.status().message();
    return got.ok() ? got->body : "";
  }
  static aws::testing::S3rver* server_;
  static std::string start_error_;
  std::shared_ptr<aws::S3Client> client_;
};
aws::testing::S3rver* S3RejectSinkS3rverTest::server_ = nullptr;
std::string S3RejectSinkS3rverTest::start_error_;

TEST_F(S3RejectSinkS3rverTest, WritesOnePairPerChunkAndReplacesOnRerun) {
  auto sink = S3RejectSink::Create(client_, "s3://errors-bkt/migration_errors/", "exec-1",
                                   "VIN (1-10),County,City");
  ASSERT_TRUE(sink.ok()) << sink.status().message();
  EXPECT_EQ((*sink)->Location(), "s3://errors-bkt/migration_errors/execution_name=exec-1");
  ASSERT_TRUE((*sink)->AppendChunk(0, Rejects(0, 2)).ok());
  ASSERT_TRUE((*sink)->AppendChunk(1, ChunkRejects{}).ok());  // nothing to store
  ASSERT_TRUE((*sink)->AppendChunk(3, Rejects(3, 3)).ok());
  const std::string dir = "migration_errors/execution_name=exec-1/";
  EXPECT_EQ(Keys(dir), (std::vector<std::string>{
                           dir + "rejects-00000000.csv", dir + "rejects-00000000.ndjson",
                           dir + "rejects-00000003.csv", dir + "rejects-00000003.ndjson"}));
  EXPECT_EQ(Get(dir + "rejects-00000003.csv"),
            "VIN (1-10),County,City\nVIN300,,Seattle\nVIN301,,Seattle\nVIN302,,Seattle\n");
  EXPECT_EQ(Get(dir + "rejects-00000000.ndjson"), Rejects(0, 2).ndjson);

  // Re-running chunk 3 (e.g. on resume, in a new process) replaces its objects.
  auto again = S3RejectSink::Create(client_, "s3://errors-bkt/migration_errors", "exec-1",
                                    "VIN (1-10),County,City");
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE((*again)->Append(3, Rejects(3, 1)).ok());
  EXPECT_EQ(Get(dir + "rejects-00000003.csv"), "VIN (1-10),County,City\nVIN300,,Seattle\n");
  EXPECT_EQ(Get(dir + "rejects-00000003.ndjson"), Rejects(3, 1).ndjson);
  EXPECT_EQ(Keys(dir).size(), 4u);
  // ... and a re-run without rejects removes them.
  ASSERT_TRUE((*again)->Append(0, ChunkRejects{}).ok());
  EXPECT_EQ(Keys(dir), (std::vector<std::string>{dir + "rejects-00000003.csv",
                                                 dir + "rejects-00000003.ndjson"}));
  EXPECT_TRUE((*again)->Finish(true).ok());
}

TEST_F(S3RejectSinkS3rverTest, LargeChunkUsesMultipart) {
  auto sink = S3RejectSink::Create(client_, "s3://errors-bkt", "big", "h");
  ASSERT_TRUE(sink.ok());
  EXPECT_EQ((*sink)->Location(), "s3://errors-bkt/execution_name=big");
  ChunkRejects r;
  r.count = 1;
  r.csv = std::string((9 << 20) - 1, 'x') + "\n";
  r.ndjson = "{}\n";
  ASSERT_TRUE((*sink)->AppendChunk(12, r).ok());
  Result<aws::S3ObjectInfo> info =
      client_->HeadObject(aws::S3Uri{"errors-bkt", "execution_name=big/rejects-00000012.csv"});
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->size, r.csv.size() + 2);  // "h\n" + rows (uploaded in 2 parts)
  Result<aws::S3GetResult> got =
      client_->GetObject(aws::S3Uri{"errors-bkt", "execution_name=big/rejects-00000012.csv"});
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->body == "h\n" + r.csv);
}

TEST(S3RejectSinkTest, RejectsBadLocations) {
  EXPECT_FALSE(S3RejectSink::Create(nullptr, "s3://bkt", "e", "h").ok());
  auto client = std::make_shared<aws::S3Client>(nullptr, aws::S3ClientOptions{});
  auto sink = S3RejectSink::Create(client, "/local/dir", "e", "h");
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.status().message(),
            "error location: '/local/dir' is not an S3 URI (expected s3://bucket/key)");
}

}  // namespace
}  // namespace csv2ddb
