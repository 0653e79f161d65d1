#include "capacity/table_capacity.h"

#include <rapidjson/document.h>

#include "aws/auth/credentials.h"
#include "aws/dynamodb/dynamodb_client.h"
#include "aws/endpoint.h"

namespace csv2ddb {

namespace {

int64_t WriteCapacityOf(const rapidjson::Value& obj) {
  auto pt = obj.FindMember("ProvisionedThroughput");
  if (pt == obj.MemberEnd() || !pt->value.IsObject()) return 0;
  auto w = pt->value.FindMember("WriteCapacityUnits");
  if (w == pt->value.MemberEnd() || !w->value.IsInt64()) return 0;
  return w->value.GetInt64();
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

}  // namespace

Result<TableCapacity> ParseTableCapacity(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  const Status bad = Status::Corruption("DynamoDB table description: malformed JSON");
  if (doc.HasParseError() || !doc.IsObject()) return bad;
  auto t = doc.FindMember("Table");
  if (t == doc.MemberEnd() || !t->value.IsObject()) return bad;
  const rapidjson::Value& table = t->value;
  TableCapacity c;
  if (auto n = table.FindMember("TableName"); n != table.MemberEnd() && n->value.IsString()) {
    c.table = n->value.GetString();
  }
  c.provisioned = true;  // DescribeTable omits BillingModeSummary for provisioned tables
  if (auto b = table.FindMember("BillingModeSummary");
      b != table.MemberEnd() && b->value.IsObject()) {
    auto m = b->value.FindMember("BillingMode");
    if (m != b->value.MemberEnd() && m->value.IsString()) {
      c.provisioned = std::string_view(m->value.GetString()) != "PAY_PER_REQUEST";
    }
  }
  c.write_capacity = c.provisioned ? WriteCapacityOf(table) : 0;
  if (auto g = table.FindMember("GlobalSecondaryIndexes");
      g != table.MemberEnd() && g->value.IsArray()) {
    for (const auto& index : g->value.GetArray()) {
      if (!index.IsObject()) return bad;
      GsiKeys keys;
      auto name = index.FindMember("IndexName");
      if (name == index.MemberEnd() || !name->value.IsString()) return bad;
      keys.name = name->value.GetString();
      auto schema = index.FindMember("KeySchema");
      if (schema == index.MemberEnd() || !schema->value.IsArray()) return bad;
      for (const auto& k : schema->value.GetArray()) {
        auto attr = k.FindMember("AttributeName");
        auto type = k.FindMember("KeyType");
        if (attr == k.MemberEnd() || type == k.MemberEnd() || !attr->value.IsString() ||
            !type->value.IsString()) {
          return bad;
        }
        (std::string_view(type->value.GetString()) == "HASH" ? keys.partition_key : keys.sort_key) =
            attr->value.GetString();
      }
      if (keys.partition_key.empty()) return bad;
      if (c.provisioned) c.gsi_write_capacity += WriteCapacityOf(index);
      c.gsis.push_back(std::move(keys));
    }
  }
  return c;
}

Result<TableCapacity> DescribeTableCapacity(const std::string& table,
                                            const std::string& endpoint_url,
                                            const std::string& region, const std::string& profile,
                                            aws::AwsContext* aws) {
  const std::string endpoint = aws::ConfiguredEndpoint("DYNAMODB", endpoint_url);
  std::string reg;
  Result<std::string> resolved = aws::ResolveRegion(region, profile);
  if (resolved.ok()) {
    reg = *resolved;
  } else if (!endpoint.empty()) {
    reg = "us-east-1";  // local servers accept any
  } else {
    return Status::InvalidArgument("table '" + table +
                                   "': no AWS region; pass --region or set AWS_REGION");
  }
  Result<aws::HttpClient*> http = aws->http();
  if (!http.ok()) return http.status();
  aws::DynamoDbClient client(*http,
                             endpoint.empty() ? aws::DynamoDbEndpointForRegion(reg) : endpoint,
                             aws->Signer(reg, "dynamodb"));
  aws::CallOutcome out = client.Call("DescribeTable", "{\"TableName\":" + JsonString(table) + "}");
  if (!out.ok()) {
    if (out.error->code == "ResourceNotFoundException") {
      TableCapacity missing;
      missing.table = table;
      missing.exists = false;
      return missing;
    }
    return out.error->ToStatus("DescribeTable " + table);
  }
  return ParseTableCapacity(out.body);
}

}  // namespace csv2ddb
