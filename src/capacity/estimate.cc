#include "capacity/estimate.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cmath>

namespace csv2ddb {

Estimate ComputeEstimate(EstimateInput in) {
  Estimate e;
  e.total_write_units = in.cost.table_write_units + in.cost.gsi_write_units;
  const double units = static_cast<double>(e.total_write_units);
  if (in.prices.on_demand_write_per_million) {
    e.on_demand_usd = units / 1e6 * *in.prices.on_demand_write_per_million;
  }
  if (in.rate > 0) {
    e.seconds = units / in.rate;
    e.provisioned_hours =
        e.total_write_units == 0 ? 0 : static_cast<uint64_t>(std::ceil(*e.seconds / 3600.0));
    if (in.prices.provisioned_wcu_hour) {
      e.provisioned_usd =
          in.rate * static_cast<double>(e.provisioned_hours) * *in.prices.provisioned_wcu_hour;
    }
  }
  if (in.prices.import_per_gb) {
    e.import_usd =
        static_cast<double>(in.source_bytes) / double(1ull << 30) * *in.prices.import_per_gb;
  }
  e.in = std::move(in);
  return e;
}

namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void Key(Writer* w, const char* k) { w->Key(k); }
void Str(Writer* w, const std::string& s) { w->String(s.c_str(), static_cast<unsigned>(s.size())); }

// Money and times: rounded to 6 decimals, null when unknown.
void Number(Writer* w, const std::optional<double>& v) {
  if (!v) {
    w->Null();
    return;
  }
  w->Double(std::round(*v * 1e6) / 1e6);
}

}  // namespace

std::string FormatEstimateJson(const Estimate& e) {
  const EstimateInput& in = e.in;
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.SetIndent(' ', 2);
  w.StartObject();
  Key(&w, "input");
  Str(&w, in.input);
  Key(&w, "mapping");
  Str(&w, in.mapping);
  Key(&w, "table");
  Str(&w, in.table);
  Key(&w, "records");
  w.Uint64(in.records);
  Key(&w, "items");
  w.Uint64(in.written);
  Key(&w, "rejected");
  w.Uint64(in.rejected);
  Key(&w, "rejects_by_rule");
  w.StartObject();
  for (const auto& [rule, n] : in.rejects_by_rule) {
    Key(&w, rule.c_str());
    w.Uint64(n);
  }
  w.EndObject();
  Key(&w, "blank_lines");
  w.Uint64(in.blank_lines);
  Key(&w, "source_bytes");
  w.Uint64(in.source_bytes);
  Key(&w, "item_bytes");
  w.Uint64(in.cost.item_bytes);
  Key(&w, "average_item_bytes");
  Number(&w, in.cost.items ? std::optional<double>(static_cast<double>(in.cost.item_bytes) /
                                                   static_cast<double>(in.cost.items))
                           : std::nullopt);
  Key(&w, "max_item_bytes");
  w.Uint64(in.cost.max_item_bytes);
  Key(&w, "items_over_1kb");
  w.Uint64(in.cost.items_over_1kb);
  Key(&w, "write_units");
  w.StartObject();
  Key(&w, "table");
  w.Uint64(in.cost.table_write_units);
  Key(&w, "gsi");
  w.Uint64(in.cost.gsi_write_units);
  Key(&w, "total");
  w.Uint64(e.total_write_units);
  w.EndObject();
  Key(&w, "gsis");
  w.StartArray();
  for (const std::string& g : in.gsis) Str(&w, g);
  w.EndArray();
  Key(&w, "gsi_source");
  Str(&w, in.gsi_source);
  Key(&w, "rate");
  if (in.rate > 0) {
    w.StartObject();
    Key(&w, "wcu_per_second");
    w.Double(in.rate);
    Key(&w, "source");
    Str(&w, in.rate_source);
    w.EndObject();
  } else {
    w.Null();
  }
  Key(&w, "seconds");
  Number(&w, e.seconds);
  Key(&w, "cost");
  w.StartObject();
  Key(&w, "on_demand_writes");
  Number(&w, e.on_demand_usd);
  Key(&w, "provisioned_writes");
  Number(&w, e.provisioned_usd);
  Key(&w, "provisioned_hours");
  if (e.seconds) {
    w.Uint64(e.provisioned_hours);
  } else {
    w.Null();
  }
  Key(&w, "import_table");
  Number(&w, e.import_usd);
  w.EndObject();
  Key(&w, "prices");
  w.StartObject();
  Key(&w, "region");
  Str(&w, in.region);
  Key(&w, "date");
  Str(&w, in.price_date);
  Key(&w, "currency");
  Str(&w, in.currency);
  Key(&w, "source_url");
  Str(&w, in.price_source_url);
  Key(&w, "on_demand_write_per_million");
  Number(&w, in.prices.on_demand_write_per_million);
  Key(&w, "provisioned_wcu_hour");
  Number(&w, in.prices.provisioned_wcu_hour);
  Key(&w, "import_per_gb");
  Number(&w, in.prices.import_per_gb);
  Key(&w, "verified");
  w.Bool(in.prices.verified);
  Key(&w, "overridden");
  w.StartArray();
  for (const std::string& o : in.overridden) Str(&w, o);
  w.EndArray();
  w.EndObject();
  Key(&w, "read_seconds");
  w.Double(std::round(in.read_seconds * 1000) / 1000);
  Key(&w, "notes");
  w.StartArray();
  for (const std::string& n : in.notes) Str(&w, n);
  w.EndArray();
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize()) + "\n";
}

}  // namespace csv2ddb
