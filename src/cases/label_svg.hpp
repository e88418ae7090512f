// Printable labels for evidence items: a Code 128 barcode (code set B) as SVG text, with the
// human-readable code under it. A USB scanner reads it back as keyboard input.
//
// Code 128 (ISO/IEC 15417): every symbol is 11 modules in three bars and three spaces, the stop
// symbol 13 modules in four bars and three spaces. Set B encodes printable ASCII 32..126 as
// value = byte - 32. The check symbol is (start value + sum of position x value) mod 103, the
// first data symbol having position 1. A quiet zone of at least 10 modules lies on either side.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace pingan::cases {

inline constexpr int kCode128StartB = 104;
inline constexpr int kCode128Stop = 106;
inline constexpr int kCode128MinQuietModules = 10;

// Element widths in modules (bar first) of a symbol value 0..106.
std::string_view code128_pattern(int value);

// Symbol values of `text` in set B: start B, the data, the check symbol, stop. Refuses empty
// text and bytes outside printable ASCII (field "text").
base::Result<std::vector<int>> code128b_symbols(std::string_view text);

// The barcode as modules, '1' bar and '0' space, without the quiet zones.
base::Result<std::string> code128b_modules(std::string_view text);

struct LabelOptions {
    double module_px = 2.0;      // width of one module (the X dimension)
    double bar_height_px = 60.0; // height of the bars
    int quiet_modules = 10;      // each side, at least kCode128MinQuietModules
    double font_px = 14.0;       // human-readable text; 0 leaves it out
    std::string caption;         // optional second line under the code, e.g. the case id
};

// A standalone SVG document of the label. Bars are rectangles merged per run; text is escaped.
base::Result<std::string> code128_svg(std::string_view text, const LabelOptions& options = {});

} // namespace pingan::cases
