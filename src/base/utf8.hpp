// UTF-8 validation: outside text is checked before it is stored or echoed.
#pragma once

#include <cstddef>
#include <string_view>

namespace pingan::base {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if the bytes there are not valid
// UTF-8 (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_sequence(std::string_view s, std::size_t i);

bool valid_utf8(std::string_view s);

} // namespace pingan::base
