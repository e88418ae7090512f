// The CSV reader and the time parsing behind incident imports.
#include <gtest/gtest.h>

#include "io/csv_reader.hpp"
#include "io/time_format.hpp"
#include "io/time_zone.hpp"
#include "test_time.hpp"

namespace pingan::io {
namespace {

std::vector<std::vector<std::string>> read_all(std::string_view text,
                                               std::vector<std::size_t>* lines = nullptr) {
    CsvReader r(text);
    std::vector<std::string_view> f;
    std::vector<std::vector<std::string>> out;
    while (r.next(f)) {
        out.emplace_back(f.begin(), f.end());
        if (lines) lines->push_back(r.line());
    }
    EXPECT_TRUE(r.error().empty()) << r.error();
    return out;
}

TEST(Csv, BomQuotesEscapesCrlfAndMultilineFields) {
    std::vector<std::size_t> lines;
    const auto rows = read_all("\xEF\xBB\xBF"
                               "a,b,c\r\n"
                               "1,\"x, y\",\"say \"\"hi\"\"\"\r\n"
                               "2,\"two\nlines\",\r\n"
                               "3,,last",
                               &lines);
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0], (std::vector<std::string>{"a", "b", "c"})); // no BOM in the first name
    EXPECT_EQ(rows[1], (std::vector<std::string>{"1", "x, y", "say \"hi\""}));
    EXPECT_EQ(rows[2], (std::vector<std::string>{"2", "two\nlines", ""}));
    EXPECT_EQ(rows[3], (std::vector<std::string>{"3", "", "last"}));
    EXPECT_EQ(lines, (std::vector<std::size_t>{1, 2, 3, 5})); // the quoted newline is a line
}

TEST(Csv, UnclosedQuoteIsAnErrorNamingTheLine) {
    CsvReader r("a,b\n1,\"open\n2,3\n");
    std::vector<std::string_view> f;
    EXPECT_TRUE(r.next(f));
    EXPECT_FALSE(r.next(f));
    EXPECT_NE(r.error().find("line 2"), std::string::npos) << r.error();
}

TEST(Csv, OtherDelimiter) {
    CsvReader r("a;b\n1;\"2;3\"\n", ';');
    std::vector<std::string_view> f;
    ASSERT_TRUE(r.next(f));
    ASSERT_TRUE(r.next(f));
    ASSERT_EQ(f.size(), 2u);
    EXPECT_EQ(f[1], "2;3");
}

using test::utc;

TEST(TimeFormat, FormatsOfTheSharedDataSets) {
    // DC: "2024/02/20 11:08:25+00"
    auto t = parse_time("2024/02/20 11:08:25+00", "%Y/%m/%d %H:%M:%S%z");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->local_ms, utc(2024, 2, 20, 11, 8, 25));
    EXPECT_EQ(t->offset_s, 0);
    // Baltimore: local ISO without offset.
    t = parse_time("2016-06-01T00:05:00", "%Y-%m-%dT%H:%M:%S");
    ASSERT_TRUE(t);
    EXPECT_FALSE(t->offset_s);
    // Sacramento: a date.
    t = parse_time("2019-01-31", "%Y-%m-%d");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->local_ms, utc(2019, 1, 31, 0, 0));
    // US style with AM/PM and a month name.
    t = parse_time("3/7/2024 12:05 AM", "%m/%d/%Y %I:%M %p");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->local_ms, utc(2024, 3, 7, 0, 5));
    t = parse_time("07-Mar-24 1:05 pm", "%d-%b-%y %I:%M %p");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->local_ms, utc(2024, 3, 7, 13, 5));
    t = parse_time("2024-03-07 08:00:00.250+08:00", "iso8601");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->local_ms, utc(2024, 3, 7, 8, 0) + 250);
    EXPECT_EQ(t->offset_s, 8 * 3600);
    t = parse_time("1709798400", "epoch_s");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->local_ms, utc(2024, 3, 7, 8, 0));
}

TEST(TimeFormat, RefusesWhatDoesNotMatch) {
    EXPECT_FALSE(parse_time("2024-02-30", "%Y-%m-%d")); // no 30 February
    EXPECT_FALSE(parse_time("2023-02-29", "%Y-%m-%d")); // not a leap year
    EXPECT_TRUE(parse_time("2024-02-29", "%Y-%m-%d"));
    EXPECT_FALSE(parse_time("2024-13-01", "%Y-%m-%d"));
    EXPECT_FALSE(parse_time("2024-01-01 25:00", "%Y-%m-%d %H:%M"));
    EXPECT_FALSE(parse_time("2024-01-01x", "%Y-%m-%d")); // trailing text
    EXPECT_FALSE(parse_time("20240101", "%Y-%m-%d"));
    EXPECT_FALSE(parse_time("", "%Y-%m-%d"));
    EXPECT_FALSE(parse_time("yesterday", "iso8601"));
    EXPECT_FALSE(check_time_format("%Y-%q"));
    EXPECT_FALSE(check_time_format("%H:%M")); // no year
    EXPECT_TRUE(check_time_format("%Y/%m/%d %H:%M:%S%z"));
    EXPECT_EQ(time_resolution_s("%Y-%m-%d"), 86400);
    EXPECT_EQ(time_resolution_s("%Y-%m-%d %H:%M"), 60);
    EXPECT_EQ(time_resolution_s("%Y-%m-%dT%H:%M:%S"), 1);
}

TEST(TimeZone, NewYorkAcrossBothTransitionsOf2024) {
    auto z = TimeZone::load("America/New_York");
    ASSERT_TRUE(z) << z.error().detail;
    EXPECT_EQ(z->offset_at(utc(2024, 1, 15, 12, 0)), -5 * 3600);
    EXPECT_EQ(z->offset_at(utc(2024, 7, 15, 12, 0)), -4 * 3600);
    // 2024-03-10 02:00 local jumps to 03:00: 01:59 EST is 06:59Z, 03:00 EDT is 07:00Z.
    EXPECT_EQ(z->to_utc(utc(2024, 3, 10, 1, 59)), utc(2024, 3, 10, 6, 59));
    EXPECT_EQ(z->to_utc(utc(2024, 3, 10, 3, 0)), utc(2024, 3, 10, 7, 0));
    // 02:30 does not exist; read with the offset before the gap (EST), it lands at 03:30 EDT.
    EXPECT_EQ(z->to_utc(utc(2024, 3, 10, 2, 30)), utc(2024, 3, 10, 7, 30));
    // 2024-11-03 01:30 happens twice; the earlier (EDT, 05:30Z) is chosen.
    EXPECT_EQ(z->to_utc(utc(2024, 11, 3, 1, 30)), utc(2024, 11, 3, 5, 30));
    EXPECT_EQ(z->to_utc(utc(2024, 11, 3, 3, 0)), utc(2024, 11, 3, 8, 0));
    // Far beyond the listed transitions the footer rule (EST5EDT,M3.2.0,M11.1.0) applies.
    EXPECT_EQ(z->offset_at(utc(2060, 7, 1, 12, 0)), -4 * 3600);
    EXPECT_EQ(z->offset_at(utc(2060, 12, 1, 12, 0)), -5 * 3600);
    // 2060-03-14 is the second Sunday of March: 07:00Z is the switch.
    EXPECT_EQ(z->offset_at(utc(2060, 3, 14, 6, 59)), -5 * 3600);
    EXPECT_EQ(z->offset_at(utc(2060, 3, 14, 7, 0)), -4 * 3600);
}

TEST(TimeZone, ChinaFixedOffsetsAndBadNames) {
    auto sh = TimeZone::load("Asia/Shanghai");
    ASSERT_TRUE(sh);
    EXPECT_EQ(sh->offset_at(utc(2024, 7, 1, 0, 0)), 8 * 3600);
    EXPECT_EQ(sh->to_utc(utc(2024, 7, 1, 8, 0)), utc(2024, 7, 1, 0, 0));
    auto fixed = TimeZone::load("+08:00");
    ASSERT_TRUE(fixed);
    EXPECT_EQ(fixed->offset_at(0), 8 * 3600);
    EXPECT_EQ(TimeZone::load("UTC")->offset_at(0), 0);
    EXPECT_EQ(TimeZone::load("-0330")->offset_at(0), -(3 * 3600 + 1800));
    EXPECT_FALSE(TimeZone::load("Mars/Olympus_Mons"));
    EXPECT_FALSE(TimeZone::load("../../etc/passwd"));
    EXPECT_FALSE(TimeZone::load(""));
    EXPECT_FALSE(TimeZone::from_tzif("x", "not a tzif file at all, not at all, no no no no"));
}

} // namespace
} // namespace pingan::io
