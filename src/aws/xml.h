// Minimal XML reading and escaping for AWS's XML protocols (S3's REST API,
// SNS's query API): their responses are small, flat and well-formed.
//
// Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace csv2ddb::aws {

// The text of the first <tag>...</tag> at or after `*pos` in `xml`, with
// entities decoded; advances `*pos` past the closing tag. False if absent.
bool XmlNextElement(std::string_view xml, std::string_view tag, size_t* pos, std::string* text);

// The text of the first <tag> in `xml`, decoded, or "" when absent.
std::string XmlFirst(std::string_view xml, std::string_view tag);

// Every <tag>...</tag> element's inner XML (not decoded), in order.
std::vector<std::string_view> XmlAll(std::string_view xml, std::string_view tag);

// The name of the document's root element, after an optional XML declaration,
// comments and whitespace ("Error" for "<?xml ...?>\n<Error>..."); "" when the
// text does not start with an element.
std::string_view XmlRootElement(std::string_view xml);

// Decodes &amp; &lt; &gt; &quot; &apos; &#N; &#xN; (others kept literally).
std::string XmlDecode(std::string_view s);

}  // namespace csv2ddb::aws
