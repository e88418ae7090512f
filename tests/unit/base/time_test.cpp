#include <gtest/gtest.h>

#include "base/time.hpp"

using namespace pingan::base;

TEST(Time, FormatsWithMilliseconds) {
    EXPECT_EQ(format_iso8601(0), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(format_iso8601(1'795'123'248'123), "2026-11-19T21:20:48.123Z");
    EXPECT_EQ(format_iso8601(-1), "1969-12-31T23:59:59.999Z");
}

TEST(Time, ParsesWhatItFormats) {
    for (TimeMs t : {0LL, 1LL, 951'782'400'000LL, 1'795'123'248'123LL, 4'102'444'800'000LL}) {
        auto parsed = parse_iso8601(format_iso8601(t));
        ASSERT_TRUE(parsed.has_value());
        EXPECT_EQ(*parsed, t);
    }
}

TEST(Time, ParsesOffsetsAndVariants) {
    EXPECT_EQ(parse_iso8601("2024-02-20T11:08:25+00:00"), parse_iso8601("2024-02-20T11:08:25Z"));
    EXPECT_EQ(*parse_iso8601("2024-02-20T19:08:25+08:00"), *parse_iso8601("2024-02-20T11:08:25Z"));
    ASSERT_TRUE(parse_iso8601("2024-02-20 11:08:25+00").has_value()); // as in the DC data
    EXPECT_EQ(*parse_iso8601("2024-02-20 11:08:25+00"), *parse_iso8601("2024-02-20T11:08:25Z"));
    EXPECT_EQ(*parse_iso8601("2024-02-20T19:08:25+0800"), *parse_iso8601("2024-02-20T11:08:25Z"));
    EXPECT_EQ(*parse_iso8601("2024-02-20T11:08Z"), *parse_iso8601("2024-02-20T11:08:00.000Z"));
    EXPECT_EQ(*parse_iso8601("2024-02-20T11:08:25.5Z") % 1000, 500);
}

TEST(Time, RefusesNonsense) {
    for (const char* bad :
         {"", "2024", "2024-02-30T00:00:00Z", "2024-13-01T00:00:00Z", "2024-02-20T25:00:00Z",
          "2024-02-20T11:08:25", "2024-02-20T11:08:25Zjunk", "2023-02-29T00:00:00Z",
          "abcd-ef-ghTij:kl:mnZ", "2024-02-20T11:08:25+2", "2024-02-20T11:08:25+08:5"}) {
        EXPECT_FALSE(parse_iso8601(bad).has_value()) << bad;
    }
    EXPECT_TRUE(parse_iso8601("2024-02-29T00:00:00Z").has_value());
}

TEST(Time, CivilWithOffset) {
    // 2026-12-31T20:00Z is already 2027 in Beijing (UTC+8).
    TimeMs t = *parse_iso8601("2026-12-31T20:00:00Z");
    EXPECT_EQ(to_civil(t).year, 2026);
    EXPECT_EQ(to_civil(t, 8 * 60).year, 2027);
    EXPECT_EQ(from_civil(to_civil(t, 8 * 60), 8 * 60), t);
}
