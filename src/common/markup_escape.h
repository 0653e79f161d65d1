// Escaping text for XML and HTML (element text and quoted attribute
// values): & < > " ' become &amp; &lt; &gt; &quot; &#39; (&#39; rather than
// &apos;, which HTML 4 lacks; both XML and HTML read it). Safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace csv2ddb {

std::string MarkupEscape(std::string_view s);

}  // namespace csv2ddb
