#include <set>

#include <gtest/gtest.h>

#include "cases/label_svg.hpp"

using namespace pingan;
using namespace pingan::cases;

namespace {

std::size_t count(const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + 1))
        ++n;
    return n;
}

} // namespace

// Every symbol is 11 modules, bars even and spaces odd in total (the parity that lets a reader
// check each symbol); the stop is 13 modules; no two symbols look alike.
TEST(Code128, TableIsWellFormed) {
    std::set<std::string_view> seen;
    for (int v = 0; v <= 106; ++v) {
        const std::string_view p = code128_pattern(v);
        ASSERT_EQ(p.size(), v == 106 ? 7u : 6u) << v;
        int bars = 0;
        int spaces = 0;
        for (std::size_t i = 0; i < p.size(); ++i) {
            const int w = p[i] - '0';
            ASSERT_GE(w, 1) << v;
            ASSERT_LE(w, 4) << v;
            (i % 2 == 0 ? bars : spaces) += w;
        }
        EXPECT_EQ(bars + spaces, v == 106 ? 13 : 11) << v;
        EXPECT_EQ(bars % 2, 0) << v;
        EXPECT_EQ(spaces % 2, 1) << v;
        EXPECT_TRUE(seen.insert(p).second) << v;
    }
    EXPECT_TRUE(code128_pattern(107).empty());
    EXPECT_TRUE(code128_pattern(-1).empty());
}

// Worked by hand. Set B value = ASCII - 32: 'A' 65 -> 33, 'B' 66 -> 34, '-' 45 -> 13,
// '1' 49 -> 17. Check = (104 + 1*33 + 2*34 + 3*13 + 4*17) mod 103
//                     = (104 + 33 + 68 + 39 + 68) mod 103 = 312 mod 103 = 3.
TEST(Code128, CheckSymbolOfAB1) {
    auto s = code128b_symbols("AB-1");
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(*s, (std::vector<int>{104, 33, 34, 13, 17, 3, 106}));
}

// "PJJ123C": P 48, J 42, J 42, 1 17, 2 18, 3 19, C 35.
// (104 + 48 + 2*42 + 3*42 + 4*17 + 5*18 + 6*19 + 7*35) = 104+48+84+126+68+90+114+245 = 879;
// 879 mod 103 = 879 - 8*103 = 55.
TEST(Code128, CheckSymbolOfALongerCode) {
    auto s = code128b_symbols("PJJ123C");
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->at(8), 55);
    // Position weights matter: swapping two characters changes the check symbol.
    EXPECT_NE(code128b_symbols("AB-1")->at(5), code128b_symbols("BA-1")->at(5));
}

// The bar pattern of "AB-1", symbol by symbol from the table (widths bar,space,... -> modules).
TEST(Code128, BarPatternOfAB1) {
    const std::string expected = std::string("11010010000") // 104 Start B  211214
                                 + "10100011000"            //  33 'A'      111323
                                 + "10001011000"            //  34 'B'      131123
                                 + "10011011100"            //  13 '-'      122132
                                 + "10011100110"            //  17 '1'      123221
                                 + "10010011000"            //   3 check    121223
                                 + "1100011101011";         // 106 Stop     2331112
    auto m = code128b_modules("AB-1");
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(*m, expected);
    EXPECT_EQ(m->size(), 6u * 11 + 13);
}

TEST(Code128, SvgHasQuietZonesBarsAndTheReadableCode) {
    LabelOptions o;
    o.module_px = 2;
    o.quiet_modules = 10;
    o.caption = "案件 A2026-0042";
    auto svg = code128_svg("AB-1", o);
    ASSERT_TRUE(svg.ok());
    const std::string& s = *svg;
    EXPECT_EQ(s.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
    // (79 modules + 2 * 10 quiet) * 2 px.
    EXPECT_NE(s.find("width=\"198\""), std::string::npos) << s;
    // The first bar starts after the 10-module quiet zone; the last ends 10 modules early.
    EXPECT_NE(s.find("<rect x=\"20\" y=\"4\" width=\"4\""), std::string::npos) << s;
    EXPECT_NE(s.find("<rect x=\"174\" y=\"4\" width=\"4\""), std::string::npos) << s;
    // 6 symbols of 3 bars and a stop of 4 bars, plus the white background.
    EXPECT_EQ(count(s, "<rect "), 6u * 3 + 4 + 1);
    EXPECT_NE(s.find(">AB-1</text>"), std::string::npos);
    EXPECT_NE(s.find(">案件 A2026-0042</text>"), std::string::npos);
}

TEST(Code128, RefusesWhatSetBCannotPrint) {
    auto escaped = code128_svg("A&B<1>");
    ASSERT_TRUE(escaped.ok());
    EXPECT_NE(escaped->find("A&amp;B&lt;1&gt;"), std::string::npos);
    EXPECT_EQ(escaped->find("A&B"), std::string::npos);

    EXPECT_EQ(code128b_symbols("").error().code, base::Code::field_missing);
    EXPECT_EQ(code128b_symbols("证物").error().field, "text");
    EXPECT_EQ(code128b_symbols("tab\there").error().code, base::Code::field_invalid);
    EXPECT_EQ(code128b_symbols(std::string(81, 'A')).error().code, base::Code::field_too_long);
    LabelOptions narrow;
    narrow.quiet_modules = 9;
    EXPECT_EQ(code128_svg("AB-1", narrow).error().field, "quiet_modules");
}
