#include "aws/dynamodb/import_client.h"

#include <gtest/gtest.h>

#include <string>

// Strings are assigned as std::string temporaries: GCC 12 at -O3 reports
// assigning a literal as an overlapping memcpy (-Wrestrict, GCC PR 105329).

namespace csv2ddb::aws {
namespace {

TEST(ImportClient, BodyOnDemandWithoutIndexes) {
  ImportTableRequest r;
  r.client_token = std::string("csv2ddb-abc");
  r.bucket = std::string("b");
  r.key_prefix = std::string("p/data/");
  r.compression = std::string("GZIP");
  r.table_name = std::string("t");
  r.hash_key = {"pk", 'S'};
  EXPECT_EQ(BuildImportTableBody(r),
            "{\"ClientToken\":\"csv2ddb-abc\",\"S3BucketSource\":{\"S3Bucket\":\"b\","
            "\"S3KeyPrefix\":\"p/data/\"},\"InputFormat\":\"DYNAMODB_JSON\","
            "\"InputCompressionType\":\"GZIP\",\"TableCreationParameters\":{\"TableName\":\"t\","
            "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],"
            "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
            "\"BillingMode\":\"PAY_PER_REQUEST\"}}");
}

TEST(ImportClient, BodyProvisionedWithIndexDefinesEachAttributeOnce) {
  ImportTableRequest r;
  r.client_token = std::string("x");
  r.bucket = std::string("b");
  r.compression = std::string("ZSTD");
  r.table_name = std::string("t");
  r.hash_key = {"pk", 'S'};
  r.range_key = KeyAttribute{"sk", 'N'};
  r.billing_mode = std::string("PROVISIONED");
  r.read_capacity = 3;
  r.write_capacity = 4;
  ImportIndex g;
  g.name = std::string("g");
  g.hash_key = {"sk", 'N'};
  g.range_key = KeyAttribute{"other", 'B'};
  g.projection = std::string("KEYS_ONLY");
  g.read_capacity = 3;
  g.write_capacity = 4;
  r.indexes.push_back(g);
  const std::string body = BuildImportTableBody(r);
  EXPECT_NE(body.find("\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":"
                      "\"S\"},{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},"
                      "{\"AttributeName\":\"other\",\"AttributeType\":\"B\"}]"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("\"GlobalSecondaryIndexes\":[{\"IndexName\":\"g\",\"KeySchema\":[{"
                      "\"AttributeName\":\"sk\",\"KeyType\":\"HASH\"},{\"AttributeName\":"
                      "\"other\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":"
                      "\"KEYS_ONLY\"},\"ProvisionedThroughput\":{\"ReadCapacityUnits\":3,"
                      "\"WriteCapacityUnits\":4}}]"),
            std::string::npos)
      << body;
}

TEST(ImportClient, ParsesDescription) {
  Result<ImportDescription> d = ParseImportDescription(
      R"({"ImportTableDescription":{"ImportArn":"arn:i","ImportStatus":"FAILED",)"
      R"("TableArn":"arn:t","CloudWatchLogGroupArn":"arn:log","ProcessedItemCount":10,)"
      R"("ImportedItemCount":7,"ErrorCount":3,"ProcessedSizeBytes":1.5E3,)"
      R"("FailureCode":"X","FailureMessage":"why"}})");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->arn, "arn:i");
  EXPECT_EQ(d->status, "FAILED");
  EXPECT_TRUE(d->finished());
  EXPECT_EQ(d->log_group_arn, "arn:log");
  EXPECT_EQ(d->processed_items, 10u);
  EXPECT_EQ(d->imported_items, 7u);
  EXPECT_EQ(d->errors, 3u);
  EXPECT_EQ(d->processed_bytes, 1500u);
  EXPECT_EQ(d->failure_code, "X");
  EXPECT_EQ(d->failure_message, "why");
  EXPECT_FALSE(ParseImportDescription(R"({"ImportTableDescription":{}})").ok());
  EXPECT_FALSE(ParseImportDescription("not json").ok());
  Result<ImportDescription> running = ParseImportDescription(
      R"({"ImportTableDescription":{"ImportArn":"a","ImportStatus":"IN_PROGRESS"}})");
  ASSERT_TRUE(running.ok());
  EXPECT_FALSE(running->finished());
}

}  // namespace
}  // namespace csv2ddb::aws
