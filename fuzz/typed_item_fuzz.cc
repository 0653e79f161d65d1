// Fuzz target: typed items (src/mapping/item_builder.h with every type,
// json_value.h, set_value.h, base64.h, ttl.h).
//
// The input is one record: fields separated by 0x1F, for a fixed mapping that
// uses every type, a null marker, templates and a TTL. Properties (abort on
// violation): no crash; a rejected record leaves no JSON behind and its reason
// names line 1; a built item is valid JSON (RapidJSON) whose every "N" text is
// a valid DynamoDB number already in the form DynamoDB stores.
#include <rapidjson/document.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.h"
#include "mapping/dynamo_number.h"
#include "mapping/item_builder.h"
#include "mapping/item_plan.h"
#include "mapping/mapping.h"

namespace {

constexpr char kMapping[] = R"(
[table]
name = "fuzz"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "n", type = "N" }
[attributes]
null_marker = "\\N"
[columns.n]
type = "N"
[columns.b]
type = "BOOL"
[columns.m]
type = "M"
[columns.l]
type = "L"
on_empty = "null"
[columns.ss]
type = "SS"
set_separator = ";"
[columns.ns]
type = "NS"
[columns.bs]
type = "BS"
[columns.bin]
type = "B"
[derived.pk]
template = "P#{id}#{ss}"
[derived.ttl]
ttl_from = "date"
format = "%Y-%m-%dT%H:%M:%S%z"
[derived.c]
value = "x"
)";

const std::vector<std::string> kHeader = {"id", "n",  "b",   "m",    "l",   "ss",
                                          "ns", "bs", "bin", "date", "note"};

// Checks every {"N": "..."} inside `v`.
void CheckNumbers(const rapidjson::Value& v) {
  if (v.IsObject()) {
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      const std::string_view key(it->name.GetString(), it->name.GetStringLength());
      if (key == "N" || key == "NS") {
        const rapidjson::Value& n = it->value;
        auto check = [](const rapidjson::Value& s) {
          FUZZ_CHECK(s.IsString(), "a number is a string");
          const std::string_view text(s.GetString(), s.GetStringLength());
          FUZZ_CHECK(!csv2ddb::CheckDynamoNumber(text).has_value(), "a valid number");
          std::string stored;
          FUZZ_CHECK(csv2ddb::AppendStoredDynamoNumber(text, &stored) && stored == text,
                     "numbers are written as DynamoDB stores them");
        };
        if (n.IsArray()) {
          for (const auto& e : n.GetArray()) check(e);
        } else {
          check(n);
        }
      }
      CheckNumbers(it->value);
    }
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray()) CheckNumbers(e);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  static const csv2ddb::ItemPlan* plan = [] {
    csv2ddb::Result<csv2ddb::Mapping> m = csv2ddb::ParseMapping(kMapping, "fuzz.toml");
    FUZZ_CHECK(m.ok(), "the fixed mapping parses");
    csv2ddb::Result<csv2ddb::ItemPlan> p = csv2ddb::BindMapping(*m, kHeader);
    FUZZ_CHECK(p.ok(), "the fixed mapping binds");
    return new csv2ddb::ItemPlan(std::move(p).value());
  }();
  static csv2ddb::ItemBuilder builder(*plan);

  const std::string_view text(reinterpret_cast<const char*>(bytes), size);
  csv2ddb::Record rec;
  rec.line = 1;
  size_t from = 0;
  while (true) {
    const size_t at = text.find('\x1f', from);
    rec.fields.push_back(text.substr(from, at == std::string_view::npos ? at : at - from));
    if (at == std::string_view::npos) break;
    from = at + 1;
  }
  csv2ddb::ItemBuffer out;
  csv2ddb::Rejection why;
  // utf8_valid = false: the builder validates, as for a chunk that failed.
  if (!builder.Build(rec, false, &out, &why)) {
    FUZZ_CHECK(out.json_arena().empty(), "a rejected record leaves no JSON");
    FUZZ_CHECK(why.reason.rfind("line 1", 0) == 0, "a reason names the line");
    return 0;
  }
  FUZZ_CHECK(out.size() == 1, "one item");
  const std::string json(out.Json(out.items()[0]));
  rapidjson::Document doc;
  doc.Parse(json.c_str(), json.size());
  FUZZ_CHECK(!doc.HasParseError() && doc.IsObject(), "the item is valid JSON");
  CheckNumbers(doc);
  return 0;
}
