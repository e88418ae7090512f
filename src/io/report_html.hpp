// The look shared by the report pages (CompStat, the case reports): a self-contained HTML page
// that makes no network request (its Content-Security-Policy forbids every fetch), one style
// sheet, and the escaping of text.
#pragma once

#include <string>
#include <string_view>

namespace pingan::io {

// Text and attribute values: the five XML escapes.
std::string html_escape(std::string_view s);
// "<!doctype html>…<body>" with the policy and the style sheet, then <h1>title</h1>.
std::string report_page_begin(std::string_view title);
// "</body></html>\n"
std::string_view report_page_end();

} // namespace pingan::io
