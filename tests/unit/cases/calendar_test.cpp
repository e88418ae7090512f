#include <gtest/gtest.h>

#include "cases/calendar.hpp"
#include "test_support.hpp"

using namespace pingan;
using namespace pingan::cases;

namespace {

// The 2025 National Day and Mid-Autumn Golden Week: 1–8 October off, Sunday 28 September and
// Saturday 11 October worked instead.
constexpr const char* kGoldenWeek2025 = R"(
[[holiday]]
name = "National Day and Mid-Autumn"
from = 2025-10-01
to = 2025-10-08
makeup_workdays = [2025-09-28, 2025-10-11]
)";

WorkCalendar golden_week() {
    auto cal = WorkCalendar::parse(kGoldenWeek2025);
    EXPECT_TRUE(cal.ok()) << (cal.ok() ? "" : cal.error().detail);
    return std::move(cal).value();
}

} // namespace

TEST(Calendar, DatesAndWeekdays) {
    EXPECT_EQ(iso_weekday({2026, 11, 22}), 7); // a Sunday
    EXPECT_EQ(iso_weekday({2025, 10, 1}), 3);  // a Wednesday
    EXPECT_EQ(iso_weekday({1970, 1, 1}), 4);
    EXPECT_EQ(add_days({2025, 12, 30}, 3), (Date{2026, 1, 2}));
    EXPECT_EQ(add_days({2024, 2, 28}, 1), (Date{2024, 2, 29}));
    EXPECT_EQ(day_number({1970, 1, 2}), 1);
    EXPECT_EQ(date_from_day_number(day_number({2026, 2, 28})), (Date{2026, 2, 28}));
    EXPECT_FALSE(valid_date({2026, 2, 29}));
    EXPECT_TRUE(valid_date({2024, 2, 29}));
    EXPECT_EQ(format_date({2026, 1, 4}), "2026-01-04");
}

TEST(Calendar, MonthsUseTheSameDayOrTheMonthsLastDay) {
    EXPECT_EQ(add_months({2026, 1, 10}, 2), (Date{2026, 3, 10}));
    EXPECT_EQ(add_months({2026, 11, 15}, 2), (Date{2027, 1, 15})); // across a year end
    EXPECT_EQ(add_months({2026, 1, 30}, 1), (Date{2026, 2, 28}));  // no 30 February
    EXPECT_EQ(add_months({2025, 12, 31}, 2), (Date{2026, 2, 28}));
    EXPECT_EQ(add_months({2026, 4, 30}, 1), (Date{2026, 5, 31})); // month end to month end
    EXPECT_EQ(add_months({2024, 2, 29}, 12), (Date{2025, 2, 28}));
}

TEST(Calendar, LocalDateFollowsTheCentresOffset) {
    // 2026-01-30T17:00Z is already 31 January 01:00 in China.
    const base::TimeMs t = *base::parse_iso8601("2026-01-30T17:00:00Z");
    EXPECT_EQ(local_date(t, 0), (Date{2026, 1, 30}));
    EXPECT_EQ(local_date(t, test::kChina), (Date{2026, 1, 31}));
    EXPECT_EQ(start_of_day({2026, 1, 31}, test::kChina), *base::parse_iso8601("2026-01-30T16:00Z"));
}

TEST(Calendar, WeekendsHolidaysAndMakeUpWorkdays) {
    const WorkCalendar cal = golden_week();
    EXPECT_TRUE(cal.is_working_day({2025, 9, 26}));  // Friday
    EXPECT_FALSE(cal.is_working_day({2025, 9, 27})); // Saturday
    EXPECT_TRUE(cal.is_working_day({2025, 9, 28}));  // Sunday, worked instead
    EXPECT_FALSE(cal.is_working_day({2025, 10, 1}));
    EXPECT_FALSE(cal.is_working_day({2025, 10, 8})); // Wednesday, still the holiday
    EXPECT_TRUE(cal.is_working_day({2025, 10, 9}));
    EXPECT_TRUE(cal.is_working_day({2025, 10, 11})); // Saturday, worked instead
    EXPECT_FALSE(cal.is_working_day({2025, 10, 12}));
    EXPECT_TRUE(WorkCalendar().is_working_day({2025, 10, 1})); // no holidays configured
}

TEST(Calendar, WorkingDaysSkipTheGoldenWeek) {
    const WorkCalendar cal = golden_week();
    // From Friday 26 September: Sun 28 (1), Mon 29 (2), Tue 30 (3), Thu 9 Oct (4), Fri 10 (5).
    EXPECT_EQ(cal.add_working_days({2025, 9, 26}, 5), (Date{2025, 10, 10}));
    // From Thursday 9 October: Fri 10 (1), Sat 11 (2), Mon 13 (3).
    EXPECT_EQ(cal.add_working_days({2025, 10, 9}, 3), (Date{2025, 10, 13}));
    EXPECT_EQ(cal.add_working_days({2025, 10, 3}, 0), (Date{2025, 10, 3}));
    EXPECT_EQ(cal.first_working_day_from({2025, 10, 1}), (Date{2025, 10, 9}));
    EXPECT_EQ(cal.first_working_day_from({2025, 10, 9}), (Date{2025, 10, 9}));
}

TEST(Calendar, ShippedHolidaysParse) {
    auto cal = WorkCalendar::parse(test::read_config("holidays.toml"));
    ASSERT_TRUE(cal.ok()) << cal.error().detail;
    EXPECT_GE(cal->holidays().size(), 10u);
    EXPECT_FALSE(cal->is_working_day({2026, 10, 1}));
    EXPECT_TRUE(cal->is_working_day({2026, 10, 10})); // Saturday worked instead
    EXPECT_TRUE(cal->is_working_day({2026, 1, 4}));   // Sunday worked instead
}

TEST(Calendar, ParseProblemsNameTheEntryAndField) {
    struct Case {
        const char* toml;
        const char* where;
    };
    const Case cases[] = {
        {"[[holiday]]\nfrom = 2025-10-01\n", "holiday[0].name"},
        {"[[holiday]]\nname = \"x\"\nfrom = \"2025-10-01\"\n", "holiday[0].from"},
        {"[[holiday]]\nname = \"x\"\nfrom = 2025-10-01\nto = 1\n", "holiday[0].to"},
        {"[[holiday]]\nname = \"x\"\nfrom = 2025-10-08\nto = 2025-10-01\n", "holiday[0]"},
        {"[[holiday]]\nname = \"x\"\nfrom = 2025-01-01\nto = 2025-03-01\n", "holiday[0]"},
        {"[[holiday]]\nname = \"a\"\nfrom = 2025-10-01\n[[holiday]]\nname = \"b\"\n"
         "from = 2025-10-04\nmakeup_workdays = [2025-10-01]\n",
         "holiday[1]"},
        {"[[holiday]]\nname = \"x\"\nfrom = 2025-10-01\nmakeup_workdays = [5]\n",
         "holiday[0].makeup_workdays[0]"},
        {"holiday = 3\n", "holiday"},
        {"[[holiday]\n", "line 1"},
    };
    for (const Case& c : cases) {
        auto cal = WorkCalendar::parse(c.toml);
        ASSERT_FALSE(cal.ok()) << c.toml;
        EXPECT_EQ(cal.error().code, base::Code::corrupt_file);
        EXPECT_EQ(cal.error().field, c.where) << cal.error().detail;
    }
    EXPECT_TRUE(WorkCalendar::parse("").ok()); // weekends only
}
