#include "cli/output_format.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace csv2ddb {

namespace {

using Row = std::vector<std::pair<std::string, std::string>>;  // key, value

std::string Scalar(const rapidjson::Value& v) {
  if (v.IsNull()) return "None";
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsBool()) return v.GetBool() ? "True" : "False";
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  v.Accept(w);
  return std::string(sb.GetString(), sb.GetSize());
}

// Nested objects become dotted keys; an array of scalars one comma-separated
// value (the text format prints it one element a line instead).
void Flatten(const rapidjson::Value& v, const std::string& prefix, Row* out) {
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      const std::string key(m.name.GetString(), m.name.GetStringLength());
      Flatten(m.value, prefix.empty() ? key : prefix + "." + key, out);
    }
    return;
  }
  if (v.IsArray()) {
    std::string joined;
    for (const auto& e : v.GetArray()) {
      if (!joined.empty()) joined += ", ";
      joined += Scalar(e);
    }
    out->emplace_back(prefix, joined);
    return;
  }
  out->emplace_back(prefix, Scalar(v));
}

// Display width in code points (continuation bytes do not count).
size_t Width(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Tabs and newlines inside a value would break the line-oriented formats.
std::string OneLine(std::string s) {
  std::replace_if(
      s.begin(), s.end(), [](char c) { return c == '\t' || c == '\n' || c == '\r'; }, ' ');
  return s;
}

std::string Rule(const std::vector<size_t>& widths) {
  std::string line = "+";
  for (size_t w : widths) line.append(w + 2, '-').append("+");
  return line.append("\n");
}

std::string Line(const std::vector<std::string>& cells, const std::vector<size_t>& widths) {
  std::string line = "|";
  for (size_t i = 0; i < cells.size(); ++i) {
    line.append(" ").append(cells[i]).append(widths[i] - Width(cells[i]), ' ').append(" |");
  }
  return line.append("\n");
}

std::string Table(const std::vector<std::string>* header,
                  const std::vector<std::vector<std::string>>& rows, std::string_view title) {
  size_t columns = header != nullptr ? header->size() : 0;
  for (const auto& r : rows) columns = std::max(columns, r.size());
  std::vector<size_t> widths(columns, 0);
  const auto measure = [&widths](const std::vector<std::string>& r) {
    for (size_t i = 0; i < r.size(); ++i) widths[i] = std::max(widths[i], Width(r[i]));
  };
  if (header != nullptr) measure(*header);
  for (const auto& r : rows) measure(r);
  std::string out;
  if (!title.empty() && !widths.empty()) {
    // Between the outer '+' of a rule: each column's cell and its '+', less one.
    size_t inner = 0;
    for (size_t w : widths) inner += w + 3;
    --inner;
    if (Width(title) + 2 > inner) {  // widen the last column so the title fits
      widths.back() += Width(title) + 2 - inner;
      inner = Width(title) + 2;
    }
    const size_t pad = inner - Width(title);
    // Appended piece by piece: GCC 12 misreads `"+" + std::string(...)` (-Wrestrict).
    out.append("+").append(inner, '-').append("+\n|").append(pad / 2, ' ');
    out.append(title).append(pad - pad / 2, ' ').append("|\n");
  }
  out += Rule(widths);
  if (header != nullptr) {
    out += Line(*header, widths);
    out += Rule(widths);
  }
  for (auto r : rows) {
    r.resize(columns);
    out += Line(r, widths);
  }
  if (!rows.empty() || header != nullptr) out += Rule(widths);
  return out;
}

// The keys of an array of objects: the first element's order, then any new
// key of a later element.
std::vector<std::string> ColumnsOf(const rapidjson::Value& array) {
  std::vector<std::string> keys;
  for (const auto& e : array.GetArray()) {
    Row flat;
    Flatten(e, "", &flat);
    for (const auto& [k, v] : flat) {
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    }
  }
  return keys;
}

std::vector<std::vector<std::string>> RowsOf(const rapidjson::Value& array,
                                             const std::vector<std::string>& keys) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : array.GetArray()) {
    Row flat;
    Flatten(e, "", &flat);
    std::vector<std::string> row(keys.size());
    for (const auto& [k, v] : flat) {
      row[std::find(keys.begin(), keys.end(), k) - keys.begin()] = OneLine(v);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// An object holding exactly one array of objects (`list`): that array.
const rapidjson::Value* SoleArrayOfObjects(const rapidjson::Value& doc) {
  if (doc.IsArray()) return &doc;
  if (!doc.IsObject() || doc.MemberCount() != 1) return nullptr;
  const rapidjson::Value& v = doc.MemberBegin()->value;
  return v.IsArray() ? &v : nullptr;
}

std::string RenderText(const rapidjson::Value& doc) {
  std::string out;
  if (const rapidjson::Value* array = SoleArrayOfObjects(doc)) {
    const std::vector<std::string> keys = ColumnsOf(*array);
    for (const auto& row : RowsOf(*array, keys)) {
      for (size_t i = 0; i < row.size(); ++i) out += (i ? "\t" : "") + row[i];
      out += "\n";
    }
    return out;
  }
  const auto emit = [&out](const std::string& key, const rapidjson::Value& v, auto&& self) -> void {
    if (v.IsObject()) {
      for (const auto& m : v.GetObject()) {
        const std::string k(m.name.GetString(), m.name.GetStringLength());
        self(key.empty() ? k : key + "." + k, m.value, self);
      }
    } else if (v.IsArray()) {
      for (const auto& e : v.GetArray()) self(key, e, self);
    } else {
      out += key + "\t" + OneLine(Scalar(v)) + "\n";
    }
  };
  emit("", doc, emit);
  return out;
}

std::string RenderTable(const rapidjson::Value& doc, std::string_view title) {
  if (const rapidjson::Value* array = SoleArrayOfObjects(doc)) {
    const std::vector<std::string> keys = ColumnsOf(*array);
    if (keys.empty()) return std::string();  // nothing to show: no rows
    return Table(&keys, RowsOf(*array, keys), title);
  }
  Row flat;
  Flatten(doc, "", &flat);
  std::vector<std::vector<std::string>> rows;
  for (auto& [k, v] : flat) rows.push_back({k, OneLine(v)});
  return Table(nullptr, rows, title);
}

}  // namespace

Result<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name.empty()) return OutputFormat::kAuto;
  if (name == "json") return OutputFormat::kJson;
  if (name == "table") return OutputFormat::kTable;
  if (name == "text") return OutputFormat::kText;
  return Status::InvalidArgument("--output '" + std::string(name) + "': use json, table or text");
}

OutputFormat ResolveOutputFormat(OutputFormat format, bool stdout_is_terminal) {
  if (format != OutputFormat::kAuto) return format;
  return stdout_is_terminal ? OutputFormat::kTable : OutputFormat::kJson;
}

Result<std::string> RenderOutput(std::string_view json, OutputFormat format,
                                 std::string_view title) {
  if (format == OutputFormat::kJson || format == OutputFormat::kAuto) {
    std::string out(json);
    if (out.empty() || out.back() != '\n') out += '\n';
    return out;
  }
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !(doc.IsObject() || doc.IsArray())) {
    return Status::InvalidArgument("output is not a JSON object or array");
  }
  return format == OutputFormat::kText ? RenderText(doc) : RenderTable(doc, title);
}

}  // namespace csv2ddb
