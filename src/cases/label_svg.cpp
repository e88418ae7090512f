#include "cases/label_svg.hpp"

#include <array>

#include <fmt/core.h>

#include "base/xml_escape.hpp"

namespace pingan::cases {
namespace {

// The Code 128 symbol table, indexed by symbol value (ISO/IEC 15417, table 1).
constexpr std::array<std::string_view, 107> kPatterns{
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312",  "132212",
    "221213", "221312", "231212", "112232", "122132", "122231", "113222", "123122",  "123221",
    "223211", "221132", "221231", "213212", "223112", "312131", "311222", "321122",  "321221",
    "312212", "322112", "322211", "212123", "212321", "232121", "111323", "131123",  "131321",
    "112313", "132113", "132311", "211313", "231113", "231311", "112133", "112331",  "132131",
    "113123", "113321", "133121", "313121", "211331", "231131", "213113", "213311",  "213131",
    "311123", "311321", "331121", "312113", "312311", "332111", "314111", "221411",  "431111",
    "111224", "111422", "121124", "121421", "141122", "141221", "112214", "112412",  "122114",
    "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",  "111242",
    "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211",  "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113",  "411311",
    "113141", "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
};

constexpr std::size_t kMaxTextLength = 80;

} // namespace

std::string_view code128_pattern(int value) {
    if (value < 0 || value >= static_cast<int>(kPatterns.size())) return {};
    return kPatterns[static_cast<std::size_t>(value)];
}

base::Result<std::vector<int>> code128b_symbols(std::string_view text) {
    if (text.empty()) return base::error(base::Code::field_missing, "text", "label text is empty");
    if (text.size() > kMaxTextLength) {
        return base::error(base::Code::field_too_long, "text",
                           fmt::format("label text is longer than {} characters", kMaxTextLength));
    }
    std::vector<int> out{kCode128StartB};
    int sum = kCode128StartB;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 32 || byte > 126) {
            return base::error(base::Code::field_invalid, "text",
                               fmt::format("character {} (byte {}) is not printable ASCII, which "
                                           "Code 128 set B cannot encode",
                                           i, static_cast<int>(byte)));
        }
        const int value = byte - 32;
        out.push_back(value);
        sum += static_cast<int>(i + 1) * value;
    }
    out.push_back(sum % 103);
    out.push_back(kCode128Stop);
    return out;
}

base::Result<std::string> code128b_modules(std::string_view text) {
    auto symbols = code128b_symbols(text);
    if (!symbols) return std::move(symbols).error();
    std::string out;
    for (const int v : *symbols) {
        bool bar = true;
        for (const char w : code128_pattern(v)) {
            out.append(static_cast<std::size_t>(w - '0'), bar ? '1' : '0');
            bar = !bar;
        }
    }
    return out;
}

base::Result<std::string> code128_svg(std::string_view text, const LabelOptions& o) {
    if (o.module_px <= 0 || o.bar_height_px <= 0 || o.font_px < 0) {
        return base::error(base::Code::field_invalid, "options",
                           "module width and bar height must be positive");
    }
    if (o.quiet_modules < kCode128MinQuietModules) {
        return base::error(
            base::Code::field_invalid, "quiet_modules",
            fmt::format("a quiet zone needs at least {} modules", kCode128MinQuietModules));
    }
    auto modules = code128b_modules(text);
    if (!modules) return std::move(modules).error();
    const std::string& m = *modules;

    const double width = (static_cast<double>(m.size()) + 2.0 * o.quiet_modules) * o.module_px;
    const double text_gap = o.font_px > 0 ? o.font_px * 0.4 : 0;
    const double text_line = o.font_px > 0 ? o.font_px * 1.2 : 0;
    const int lines = o.font_px > 0 ? (o.caption.empty() ? 1 : 2) : 0;
    const double margin = o.module_px * 2;
    const double height = margin + o.bar_height_px + text_gap + lines * text_line + margin;

    std::string svg =
        fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:g}\" height=\"{1:g}\" "
                    "viewBox=\"0 0 {0:g} {1:g}\">\n"
                    "<title>{2}</title>\n"
                    "<rect x=\"0\" y=\"0\" width=\"{0:g}\" height=\"{1:g}\" fill=\"#fff\"/>\n"
                    "<g fill=\"#000\" shape-rendering=\"crispEdges\">\n",
                    width, height, base::xml_escape(text));
    for (std::size_t i = 0; i < m.size();) {
        std::size_t j = i;
        while (j < m.size() && m[j] == m[i])
            ++j;
        if (m[i] == '1') {
            const double x =
                (static_cast<double>(o.quiet_modules) + static_cast<double>(i)) * o.module_px;
            svg += fmt::format("<rect x=\"{:g}\" y=\"{:g}\" width=\"{:g}\" height=\"{:g}\"/>\n", x,
                               margin, static_cast<double>(j - i) * o.module_px, o.bar_height_px);
        }
        i = j;
    }
    svg += "</g>\n";
    if (o.font_px > 0) {
        double y = margin + o.bar_height_px + text_gap + o.font_px;
        svg += fmt::format("<text x=\"{:g}\" y=\"{:g}\" font-family=\"monospace\" "
                           "font-size=\"{:g}\" text-anchor=\"middle\">{}</text>\n",
                           width / 2, y, o.font_px, base::xml_escape(text));
        if (!o.caption.empty()) {
            y += text_line;
            svg += fmt::format("<text x=\"{:g}\" y=\"{:g}\" font-family=\"sans-serif\" "
                               "font-size=\"{:g}\" text-anchor=\"middle\">{}</text>\n",
                               width / 2, y, o.font_px * 0.85, base::xml_escape(o.caption));
        }
    }
    svg += "</svg>\n";
    return svg;
}

} // namespace pingan::cases
