#include "sink/import_target.h"

#include <gtest/gtest.h>

namespace csv2ddb {
namespace {

TEST(ImportTarget, LocalFolderWithDefaults) {
  Result<ImportTarget> t = ParseImportTarget("import://out/dir");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->local_dir, "out/dir");
  EXPECT_FALSE(t->s3.has_value());
  EXPECT_EQ(t->compression, FileCompression::kGzip);
  EXPECT_EQ(t->file_bytes, 128ull << 20);
}

TEST(ImportTarget, S3PrefixWithOptions) {
  Result<ImportTarget> t =
      ParseImportTarget("import://s3://bucket/a/b/?compression=zstd&file_size=5000");
  ASSERT_TRUE(t.ok()) << t.status().message();
  ASSERT_TRUE(t->s3.has_value());
  EXPECT_EQ(t->s3->bucket, "bucket");
  EXPECT_EQ(t->s3->key, "a/b");
  EXPECT_EQ(t->compression, FileCompression::kZstd);
  EXPECT_EQ(t->file_bytes, 5000u);
  Result<ImportTarget> bare = ParseImportTarget("import://s3://bucket");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->s3->key, "");
}

TEST(ImportTarget, Refused) {
  for (const char* bad : {"import://", "import://x?compression=lz4", "import://x?file_size=0",
                          "import://x?file_size=12k", "import://x?file_size=6000000000",
                          "import://x?speed=3", "import://s3://B!/x", "sqlite://x"}) {
    Result<ImportTarget> t = ParseImportTarget(bad);
    EXPECT_FALSE(t.ok()) << bad;
    if (!t.ok()) {
      EXPECT_EQ(t.status().code(), Status::Code::kInvalidArgument) << bad;
    }
  }
}

TEST(ImportTarget, StagingPath) {
  EXPECT_EQ(ImportStagingPath(".csv2ddb", "run-1"), ".csv2ddb/import/run-1.sqlite");
}

}  // namespace
}  // namespace csv2ddb
