#include "capacity/prices.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <fstream>
#include <sstream>

namespace csv2ddb {

// Defined in the generated dynamodb_prices.cc (CMakeLists.txt, from
// data/dynamodb_prices.json).
extern const char kBuiltinDynamoDbPricesJson[];

namespace {

Status Bad(const std::string& source, const std::string& what) {
  return Status::InvalidArgument("price table '" + source + "': " + what);
}

// A price: a non-negative number, or null (unknown).
bool Price(const rapidjson::Value& region, const char* key, std::optional<double>* out) {
  auto it = region.FindMember(key);
  if (it == region.MemberEnd() || it->value.IsNull()) return true;
  if (!it->value.IsNumber() || it->value.GetDouble() < 0) return false;
  *out = it->value.GetDouble();
  return true;
}

}  // namespace

Result<PriceTable> ParsePriceTable(std::string_view json, const std::string& source_name) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) {
    return Bad(source_name, std::string("not JSON: ") +
                                rapidjson::GetParseError_En(doc.GetParseError()) + " at byte " +
                                std::to_string(doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return Bad(source_name, "not a JSON object");
  PriceTable t;
  auto str = [&](const char* key, std::string* out) {
    auto it = doc.FindMember(key);
    if (it == doc.MemberEnd()) return false;
    if (!it->value.IsString()) return false;
    *out = it->value.GetString();
    return true;
  };
  if (!str("date", &t.date) || t.date.size() != 10) {
    return Bad(source_name, "\"date\" must be a date like \"2026-12-04\"");
  }
  if (!str("source_url", &t.source_url)) return Bad(source_name, "\"source_url\" is missing");
  str("currency", &t.currency);
  auto regions = doc.FindMember("regions");
  if (regions == doc.MemberEnd() || !regions->value.IsObject() ||
      regions->value.MemberCount() == 0) {
    return Bad(source_name, "\"regions\" must be an object of regions");
  }
  for (const auto& r : regions->value.GetObject()) {
    const std::string name = r.name.GetString();
    if (!r.value.IsObject()) return Bad(source_name, "region \"" + name + "\" must be an object");
    RegionPrices p;
    for (auto [key, field] :
         {std::pair{"on_demand_write_per_million", &p.on_demand_write_per_million},
          std::pair{"provisioned_wcu_hour", &p.provisioned_wcu_hour},
          std::pair{"import_per_gb", &p.import_per_gb}}) {
      if (!Price(r.value, key, field)) {
        return Bad(source_name,
                   "region \"" + name + "\": \"" + key + "\" must be a price >= 0 or null");
      }
    }
    auto v = r.value.FindMember("verified");
    p.verified = v != r.value.MemberEnd() && v->value.IsBool() && v->value.GetBool();
    auto s = r.value.FindMember("source");
    if (s != r.value.MemberEnd() && s->value.IsString()) p.source = s->value.GetString();
    t.regions[name] = std::move(p);
  }
  return t;
}

std::string_view BuiltinPriceTableJson() { return kBuiltinDynamoDbPricesJson; }

Result<PriceTable> BuiltinPriceTable() {
  return ParsePriceTable(BuiltinPriceTableJson(), "data/dynamodb_prices.json");
}

Result<PriceTable> LoadPriceTable(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("price table '" + path + "': cannot open the file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ParsePriceTable(ss.str(), path);
}

}  // namespace csv2ddb
