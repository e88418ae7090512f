// Report periods as people type them (io/report_period.hpp): the CLI and the API read them with
// these functions, so "--to 2024-02-29" and "to=2024-02-29" mean the same instant.
#include <gtest/gtest.h>

#include "base/time.hpp"
#include "io/report_period.hpp"

namespace pingan::io {
namespace {

std::string iso(base::TimeMs t) {
    return base::format_iso8601(t);
}

TEST(ReportPeriod, DatesAreLocalDaysAndTheEndDayIsIncluded) {
    auto p = parse_report_period({"2024-02-01", "2024-02-29", "+08:00"});
    ASSERT_TRUE(p) << p.error().detail;
    EXPECT_EQ(iso(p->period.from), "2024-01-31T16:00:00.000Z");
    EXPECT_EQ(iso(p->period.to), "2024-02-29T16:00:00.000Z");
    // ISO-8601 times are taken as written, whatever the zone.
    auto t = parse_report_period({"2024-02-01T10:00:00Z", "2024-02-01T11:30:00+01:00", "+08:00"});
    ASSERT_TRUE(t) << t.error().detail;
    EXPECT_EQ(t->period.length_ms(), 30 * 60'000);
}

TEST(ReportPeriod, RefusalsNameTheField) {
    struct Case {
        PeriodText text;
        std::string field;
    };
    for (const Case& c : std::vector<Case>{{{"2024-02-30", "2024-03-01", "UTC"}, "from"},
                                           {{"yesterday", "2024-03-01", "UTC"}, "from"},
                                           {{"2024-02-01", "2024-13-01", "UTC"}, "to"},
                                           {{"2024-02-10", "2024-02-09", "UTC"}, "to"},
                                           {{"2024-02-01", "2024-02-02", "Nowhere/Town"}, "tz"}}) {
        auto p = parse_report_period(c.text);
        ASSERT_FALSE(p) << c.text.from << " " << c.text.to;
        EXPECT_EQ(p.error().code, base::Code::bad_argument);
        EXPECT_EQ(p.error().field, c.field) << p.error().detail;
        EXPECT_FALSE(p.error().detail.empty());
    }
    // One day is the shortest period given as dates.
    EXPECT_TRUE(parse_report_period({"2024-02-10", "2024-02-10", "UTC"}));
}

TEST(ReportPeriod, ComparisonPeriods) {
    const auto zone = TimeZone::fixed("+08:00", 8 * 3600);
    auto p = parse_report_period({"2024-02-01", "2024-02-29", "+08:00"});
    ASSERT_TRUE(p);
    const auto year = comparison_period(analytics::Compare::previous_year, p->period, zone);
    ASSERT_TRUE(year);
    // The same local dates: 1 February 2023 up to the midnight that starts 1 March.
    EXPECT_EQ(iso(year->from), "2023-01-31T16:00:00.000Z");
    EXPECT_EQ(iso(year->to), "2023-02-28T16:00:00.000Z");
    // A period ending on 29 February ends on 28 February a year before.
    const analytics::Period leap{*parse_period_bound("2024-02-01", zone, false),
                                 *parse_period_bound("2024-02-29T00:00:00+08:00", zone, false)};
    EXPECT_EQ(iso(previous_year(leap, zone).to), "2023-02-27T16:00:00.000Z");
    const auto before = comparison_period(analytics::Compare::previous_period, p->period, zone);
    ASSERT_TRUE(before);
    EXPECT_EQ(before->to, p->period.from);
    EXPECT_EQ(before->length_ms(), p->period.length_ms());
    EXPECT_FALSE(comparison_period(analytics::Compare::none, p->period, zone));
    EXPECT_EQ(*parse_compare("previous-year"), analytics::Compare::previous_year);
    auto bad = parse_compare("last-week");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().field, "compare");
}

TEST(ReportPeriod, Lists) {
    EXPECT_EQ(split_list(" a, b,,c ,"), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_TRUE(split_list("").empty());
    std::vector<double> v;
    EXPECT_TRUE(parse_numbers("100, 200,400.5", v));
    EXPECT_EQ(v, (std::vector<double>{100, 200, 400.5}));
    EXPECT_FALSE(parse_numbers("100,2x", v));
    EXPECT_FALSE(parse_numbers(" , ", v));
}

} // namespace
} // namespace pingan::io
