// Escaping of text for XML character data and attributes, and its reverse for the few XML
// fragments pingan reads (the PIDF-LO location inside an EIDO).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/xml_escape.hpp"

namespace pingan::io {

using base::xml_escape; // &, <, >, " and ' as entities (base/xml_escape.hpp)

// The five predefined entities and numeric character references back to UTF-8.
std::string xml_unescape(std::string_view text);

// The text inside the first element whose name is `name` or ends in ":" + `name`
// (any namespace prefix), unescaped; nullopt when there is none.
std::optional<std::string> xml_element_text(std::string_view xml, std::string_view name);

} // namespace pingan::io
