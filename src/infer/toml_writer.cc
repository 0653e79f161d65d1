#include "infer/toml_writer.h"

#include <cstdio>

namespace csv2ddb {

namespace {

class Out {
 public:
  void Line(const std::string& s = "") { text_ += s + "\n"; }
  // A comment, wrapped at about 96 columns.
  void Comment(const std::string& s, const std::string& indent = "") {
    constexpr size_t kWidth = 96;
    std::string line = "# " + indent;
    size_t pos = 0;
    while (pos < s.size()) {
      size_t end = s.find(' ', pos);
      if (end == std::string::npos) end = s.size();
      const std::string word = s.substr(pos, end - pos);
      if (line.size() + word.size() > kWidth && line.size() > 2 + indent.size()) {
        Line(line.substr(0, line.find_last_not_of(' ') + 1));
        line = "#   " + indent;
      }
      line += word + " ";
      pos = end + 1;
    }
    Line(line.substr(0, line.find_last_not_of(' ') + 1));
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// `s` ending with a full stop.
std::string Sentence(const std::string& s) { return !s.empty() && s.back() == '.' ? s : s + "."; }

std::string Plural(uint64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string Key(const InferredMapping& m, size_t col) {
  return "{ name = " + TomlString(m.attributes[col]) + ", type = \"" +
         ProposedTypeName(m.columns[col].type) + "\" }";
}

std::string StringArray(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + TomlString(v[i]);
  return out + "]";
}

void WriteHead(const InferredMapping& m, Out* o) {
  o->Comment("Mapping proposed by `csv2ddb infer` for " + m.input + " (docs/mapping.md).");
  const uint64_t rows = m.data_rows + m.bad_row_count;
  o->Comment(std::string("Sample: ") + Plural(rows, "data row", "data rows") +
             (m.whole_input ? " (the whole input)."
                            : " (the first ones; --sample-rows " + std::to_string(m.sample_rows) +
                                  " reads more).") +
             " Review every proposal before a production run: each says why it was made.");
  if (m.bad_row_count > 0) {
    std::string lines;
    for (uint64_t l : m.bad_rows) lines += (lines.empty() ? "" : ", ") + std::to_string(l);
    o->Comment("WARNING: " + Plural(m.bad_row_count, "sampled row", "sampled rows") +
               " will be rejected by `run` (a field count other than the header's " +
               std::to_string(m.names.size()) + ", or broken quoting): line " + lines +
               (m.bad_row_count > m.bad_rows.size() ? ", ..." : "") + ".");
  }
  o->Line();
}

void WriteTable(const InferredMapping& m, Out* o) {
  o->Line("[table]");
  o->Comment("From the input's file name; DynamoDB table names are 3-255 of A-Z a-z 0-9 _ . -");
  o->Line("name = " + TomlString(m.table));
  for (const std::string& r : m.key.reasons) o->Comment(Sentence(r));
  if (!m.key.partition) {
    o->Comment(
        "TODO: choose the key. Name a column's attribute below (and a sort_key if one column is "
        "not unique on its own). As written, `run` stops before any write with \"no column "
        "produces the partition key '" +
        std::string(kNoKeyPlaceholder) + "'\", rather than guessing.");
    o->Line("partition_key = { name = " + TomlString(kNoKeyPlaceholder) + ", type = \"S\" }");
  } else {
    o->Comment(
        "Unique in the sample only: a later row with the same key replaces the earlier item "
        "(PutItem semantics).");
    o->Line("partition_key = " + Key(m, *m.key.partition));
    if (m.key.sort) o->Line("sort_key = " + Key(m, *m.key.sort));
  }
  o->Line();
}

void WriteCsv(const InferredMapping& m, Out* o) {
  o->Line("[csv]");
  std::string input = "Input: ";
  input +=
      m.compression.empty() ? "plain text" : m.compression + "-compressed (run decodes it too)";
  input += m.bom ? "; starts with a UTF-8 byte-order mark (run skips it)" : "; no byte-order mark";
  switch (m.dialect.line_ending) {
    case LineEnding::kLF:
      input += "; line ends LF";
      break;
    case LineEnding::kCRLF:
      input += "; line ends CRLF (read as they are)";
      break;
    case LineEnding::kMixed:
      input += "; line ends mixed LF and CRLF (both are read)";
      break;
    case LineEnding::kNone:
      input += "; a single line";
      break;
  }
  o->Comment(input + ".");
  for (const std::string& r : m.dialect.reasons) o->Comment(Sentence(r));
  o->Line("delimiter = " + TomlString(std::string(1, m.dialect.dialect.delimiter)));
  o->Line(m.dialect.dialect.quote == '"' ? "quote = '\"'" : "quote = \"'\"");
  for (const std::string& r : m.header.reasons) o->Comment(Sentence(r));
  for (const std::string& r : m.name_notes) o->Comment(Sentence(r));
  if (m.write_header) {
    o->Line("header = " + StringArray(m.names));
    o->Line(std::string("has_header_row = ") + (m.header.present ? "true" : "false"));
  }
  o->Line();
}

void WriteColumn(const InferredMapping& m, size_t i, Out* o) {
  const ColumnProposal& p = m.columns[i];
  const std::string role = m.key.partition == i ? " (partition key)"
                           : m.key.sort == i    ? " (sort key)"
                                                : "";
  o->Comment("Column " + std::to_string(i + 1) + ", " + TomlString(m.names[i]) + ": " +
             ProposedTypeName(p.type) + role);
  for (const std::string& r : p.reasons) o->Comment(Sentence(r), "  ");
  o->Line("[columns." + TomlString(m.names[i]) + "]");
  if (m.renamed[i]) {
    o->Comment("Another column has the same attribute name: renamed.");
    o->Line("name = " + TomlString(m.attributes[i]));
  }
  o->Line(std::string("type = \"") + ProposedTypeName(p.type) + "\"");
  if (!p.bool_true.empty()) {
    o->Line("bool_true = " + StringArray(p.bool_true));
    o->Line("bool_false = " + StringArray(p.bool_false));
  }
  if (p.nulls > 0) {
    o->Comment(Plural(p.nulls, "cell is", "cells are") + " \"" + p.null_marker + "\"" +
               ": written as NULL (on_null = \"null\", the default); on_null = \"omit\" leaves "
               "them out.");
    o->Line("null_marker = " + TomlString(p.null_marker));
  }
  if (p.empty > 0) {
    if (p.type == ProposedType::kS) {
      o->Comment(Plural(p.empty, "cell is", "cells are") + " empty: written as \"\" (on_empty = " +
                 "\"keep\", the default for S); \"omit\" leaves the attribute out.");
      o->Line("# on_empty = \"omit\"");
    } else {
      o->Comment(Plural(p.empty, "cell is", "cells are") +
                 " empty: the attribute is left out (on_empty = \"omit\", the default for " +
                 ProposedTypeName(p.type) + ").");
    }
  }
  if (p.blank > 0) {
    o->Comment(Plural(p.blank, "cell is", "cells are") +
               " only whitespace: written as they are; transforms = [\"trim\"] would trim them.");
  }
  if (p.invalid_utf8 > 0) {
    o->Comment("WARNING: " + Plural(p.invalid_utf8, "value is", "values are") +
               " not valid UTF-8: their rows will be rejected (rule utf8).");
  }
  o->Line();
}

}  // namespace

std::string TomlString(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

std::string WriteMappingToml(const InferredMapping& m) {
  Out o;
  WriteHead(m, &o);
  WriteTable(m, &o);
  WriteCsv(m, &o);
  o.Line("[attributes]");
  o.Comment(
      "Attribute names: the column names lower-cased, spaces as \"_\". Every column has its "
      "own table below.");
  o.Line("normalize_names = true");
  o.Line("include_unmapped = true");
  o.Line("default_type = \"S\"");
  o.Line();
  for (size_t i = 0; i < m.names.size(); ++i) WriteColumn(m, i, &o);
  std::string text = o.text();
  while (text.size() >= 2 && text[text.size() - 2] == '\n') text.pop_back();
  return text;
}

}  // namespace csv2ddb
