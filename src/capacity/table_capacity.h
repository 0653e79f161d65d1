// Capacity stage: what an existing DynamoDB table says about write capacity:
// its billing mode, provisioned write capacity and global secondary indexes
// (one DescribeTable call). Used by `estimate --target dynamodb://T` and
// `run --max-cost`.
//
// Threads: the calling thread; blocking.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aws/aws_context.h"
#include "capacity/item_size.h"
#include "common/status.h"

namespace csv2ddb {

struct TableCapacity {
  std::string table;
  bool exists = true;
  bool provisioned = false;        // BillingMode PROVISIONED (the default when absent)
  int64_t write_capacity = 0;      // the table's provisioned WCU (0 on-demand)
  std::vector<GsiKeys> gsis;       // the table's global secondary indexes
  int64_t gsi_write_capacity = 0;  // the GSIs' provisioned WCU, summed
};

// Parses a DescribeTable response body ({"Table": {...}}). Corruption when
// it is not one.
Result<TableCapacity> ParseTableCapacity(std::string_view body);

// Describes `table` at `endpoint_url` (empty: AWS_ENDPOINT_URL_DYNAMODB,
// AWS_ENDPOINT_URL, else the region's endpoint) in `region` (empty: the
// CLI's chain; "us-east-1" for a custom endpoint). A missing table is not an
// error: exists = false.
Result<TableCapacity> DescribeTableCapacity(const std::string& table,
                                            const std::string& endpoint_url,
                                            const std::string& region, const std::string& profile,
                                            aws::AwsContext* aws);

}  // namespace csv2ddb
