// Capacity stage: DynamoDB list prices for the writes of a migration.
//
// The prices come from a dated table kept in the repository
// (data/dynamodb_prices.json, compiled into the binary; no network), or from
// a file of the same shape (`estimate --prices FILE`). Each region gives the
// on-demand price of a million write request units, the provisioned price of
// a write capacity unit-hour and the ImportTable price of a GB of
// uncompressed source data; a figure may be null (unknown for that region).
//
// Threads: pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace csv2ddb {

struct RegionPrices {
  std::optional<double> on_demand_write_per_million;  // $ per million WRU
  std::optional<double> provisioned_wcu_hour;         // $ per WCU-hour
  std::optional<double> import_per_gb;                // $ per GiB of uncompressed source
  bool verified = false;  // checked against the live pricing page on `date`
  std::string source;     // where the figures came from
};

struct PriceTable {
  std::string date;  // YYYY-MM-DD the figures were taken
  std::string currency = "USD";
  std::string source_url;
  std::map<std::string, RegionPrices> regions;
};

// Parses a price table (the shape of data/dynamodb_prices.json).
// InvalidArgument naming `source_name` and the field when it is not one.
Result<PriceTable> ParsePriceTable(std::string_view json, const std::string& source_name);

// The table compiled in from data/dynamodb_prices.json.
std::string_view BuiltinPriceTableJson();
Result<PriceTable> BuiltinPriceTable();

// Reads and parses a price table file.
Result<PriceTable> LoadPriceTable(const std::string& path);

}  // namespace csv2ddb
