// Escaping of text for XML character data and attributes (EIDO, CAP, SVG labels).
#pragma once

#include <string>
#include <string_view>

namespace pingan::base {

// &, <, >, " and ' as entities; control characters other than tab and newlines are dropped
// (XML 1.0 cannot carry them).
std::string xml_escape(std::string_view text);

} // namespace pingan::base
