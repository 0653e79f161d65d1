#include "aws/xml.h"

#include <charconv>
#include <cstdint>

namespace csv2ddb::aws {
namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

}  // namespace

std::string XmlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out.push_back(s[i]);
      continue;
    }
    size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out.push_back('&');
      continue;
    }
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp") {
      out.push_back('&');
    } else if (ent == "lt") {
      out.push_back('<');
    } else if (ent == "gt") {
      out.push_back('>');
    } else if (ent == "quot") {
      out.push_back('"');
    } else if (ent == "apos") {
      out.push_back('\'');
    } else if (ent.size() > 1 && ent[0] == '#') {
      const bool hex = ent[1] == 'x' || ent[1] == 'X';
      std::string_view digits = ent.substr(hex ? 2 : 1);
      uint32_t cp = 0;
      auto [end, ec] =
          std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      if (ec != std::errc() || end != digits.data() + digits.size() || cp > 0x10ffff) {
        out.push_back('&');
        continue;
      }
      AppendUtf8(cp, &out);
    } else {
      out.push_back('&');
      continue;
    }
    i = semi;
  }
  return out;
}

bool XmlNextElement(std::string_view xml, std::string_view tag, size_t* pos, std::string* text) {
  const std::string open = std::string("<").append(tag).append(">");
  const std::string empty = std::string("<").append(tag).append("/>");
  const std::string close = std::string("</").append(tag).append(">");
  size_t start = xml.find(open, *pos);
  size_t empty_at = xml.find(empty, *pos);
  if (empty_at != std::string_view::npos && (start == std::string_view::npos || empty_at < start)) {
    text->clear();
    *pos = empty_at + empty.size();
    return true;
  }
  if (start == std::string_view::npos) return false;
  start += open.size();
  size_t end = xml.find(close, start);
  if (end == std::string_view::npos) return false;
  *text = XmlDecode(xml.substr(start, end - start));
  *pos = end + close.size();
  return true;
}

std::string XmlFirst(std::string_view xml, std::string_view tag) {
  size_t pos = 0;
  std::string text;
  return XmlNextElement(xml, tag, &pos, &text) ? text : std::string();
}

std::vector<std::string_view> XmlAll(std::string_view xml, std::string_view tag) {
  const std::string open = std::string("<").append(tag).append(">");
  const std::string close = std::string("</").append(tag).append(">");
  std::vector<std::string_view> out;
  size_t pos = 0;
  for (;;) {
    size_t start = xml.find(open, pos);
    if (start == std::string_view::npos) break;
    start += open.size();
    size_t end = xml.find(close, start);
    if (end == std::string_view::npos) break;
    out.push_back(xml.substr(start, end - start));
    pos = end + close.size();
  }
  return out;
}

std::string_view XmlRootElement(std::string_view xml) {
  size_t pos = 0;
  for (;;) {
    while (pos < xml.size() &&
           (xml[pos] == ' ' || xml[pos] == '\t' || xml[pos] == '\r' || xml[pos] == '\n')) {
      ++pos;
    }
    if (pos >= xml.size() || xml[pos] != '<') return {};
    if (xml.compare(pos, 2, "<?") == 0 || xml.compare(pos, 4, "<!--") == 0) {
      const std::string_view close = xml[pos + 1] == '?' ? "?>" : "-->";
      const size_t end = xml.find(close, pos);
      if (end == std::string_view::npos) return {};
      pos = end + close.size();
      continue;
    }
    const size_t start = pos + 1;
    size_t end = start;
    while (end < xml.size() && xml[end] != '>' && xml[end] != '/' && xml[end] != ' ' &&
           xml[end] != '\t' && xml[end] != '\r' && xml[end] != '\n') {
      ++end;
    }
    return xml.substr(start, end - start);
  }
}

}  // namespace csv2ddb::aws
