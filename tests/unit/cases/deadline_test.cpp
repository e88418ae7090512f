// Deadline rules DL-1..DL-6 (src/cases/deadline.hpp) on the shipped limits table and a test
// calendar. Times are local times in China (+08:00).
#include <gtest/gtest.h>

#include "cases/deadline.hpp"
#include "test_support.hpp"

using namespace pingan;
using namespace pingan::cases;
using test::local;

namespace {

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kDay = 24 * kHour;

constexpr const char* kCalendar = R"(
[[holiday]]
name = "National Day and Mid-Autumn 2025"
from = 2025-10-01
to = 2025-10-08
makeup_workdays = [2025-09-28, 2025-10-11]

[[holiday]]
name = "New Year 2026"
from = 2026-01-01
to = 2026-01-03
makeup_workdays = [2026-01-04]

[[holiday]]
name = "Labour Day 2026"
from = 2026-05-01
to = 2026-05-05
makeup_workdays = [2026-05-09]
)";

class DeadlineTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto t = LimitsTable::parse(test::read_config("case_limits.toml"));
        ASSERT_TRUE(t.ok()) << t.error().detail;
        table_ = std::move(t).value();
        auto c = WorkCalendar::parse(kCalendar);
        ASSERT_TRUE(c.ok()) << c.error().detail;
        calendar_ = std::move(c).value();
        ctx_ = DeadlineContext{&calendar_, test::kChina};
    }

    const StageLimit& row(CaseKind kind, std::string_view stage) {
        const StageLimit* s = table_.find(kind, stage);
        EXPECT_NE(s, nullptr) << stage;
        return *s;
    }

    Deadline deadline(const StageLimit& limit, base::TimeMs start,
                      std::vector<Extension> ext = {}) {
        auto d = compute_deadline(limit, start, ext, ctx_);
        EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().detail);
        return d.ok() ? *d : Deadline{};
    }

    LimitsTable table_;
    WorkCalendar calendar_;
    DeadlineContext ctx_;
};

StageLimit working_days_row(int amount) {
    StageLimit s;
    s.kind = CaseKind::administrative;
    s.stage = "test_working_days";
    s.amount = amount;
    s.unit = LimitUnit::working_days;
    s.legal_ref = "test";
    return s;
}

} // namespace

// DL-2: 刑事诉讼法 第91条第1款, 3 days; the day of detention is not counted.
TEST_F(DeadlineTest, CalendarDaysAcrossAMonthEnd) {
    const StageLimit& arrest = row(CaseKind::criminal, "arrest_request");
    const Deadline d = deadline(arrest, local(2026, 1, 30, 10, 0));
    EXPECT_EQ(d.last_day, (Date{2026, 2, 2}));
    EXPECT_EQ(d.ends_at, local(2026, 2, 3)); // end of 2 February, local time
    EXPECT_FALSE(d.overdue(local(2026, 2, 2, 23, 59)));
    EXPECT_TRUE(d.overdue(local(2026, 2, 3, 0, 0)));
    // February 2026 has 28 days.
    EXPECT_EQ(deadline(arrest, local(2026, 2, 27, 8, 0)).last_day, (Date{2026, 3, 2}));
}

// DL-2: the start day is the centre's local day, not the UTC day.
TEST_F(DeadlineTest, TheStartDayIsTheLocalDay) {
    const StageLimit& arrest = row(CaseKind::criminal, "arrest_request");
    // 17:00Z on 30 January is 01:00 on 31 January in China.
    const Deadline d = deadline(arrest, *base::parse_iso8601("2026-01-30T17:00:00Z"));
    EXPECT_EQ(d.last_day, (Date{2026, 2, 3}));
    EXPECT_EQ(base::format_iso8601(d.ends_at), "2026-02-03T16:00:00.000Z");
}

// DL-2, DL-5 across a year end: 治安管理处罚法 第99条 30 days ending on New Year's Day moves to
// the first working day, which is the make-up Sunday 4 January 2026.
TEST_F(DeadlineTest, YearEndIntoTheNewYearHoliday) {
    const StageLimit& handling = row(CaseKind::administrative, "case_handling");
    const Deadline d = deadline(handling, local(2025, 12, 2, 15, 0));
    EXPECT_EQ(d.statutory_day, (Date{2026, 1, 1}));
    EXPECT_TRUE(d.moved_for_holiday);
    EXPECT_EQ(d.last_day, (Date{2026, 1, 4}));
    EXPECT_EQ(d.ends_at, local(2026, 1, 5));
    // Ending on an ordinary working day it does not move.
    const Deadline plain = deadline(handling, local(2025, 12, 15, 9, 0));
    EXPECT_EQ(plain.last_day, (Date{2026, 1, 14}));
    EXPECT_FALSE(plain.moved_for_holiday);
}

// DL-5: a period ending in the Golden Week moves past it; a custody period does not; a period
// ending on a make-up Saturday stays there.
TEST_F(DeadlineTest, GoldenWeekWithMakeUpWorkdays) {
    const StageLimit& handling = row(CaseKind::administrative, "case_handling");
    const Deadline moved = deadline(handling, local(2025, 9, 1, 9, 0));
    EXPECT_EQ(moved.statutory_day, (Date{2025, 10, 1}));
    EXPECT_EQ(moved.last_day, (Date{2025, 10, 9}));
    EXPECT_TRUE(moved.moved_for_holiday);

    const Deadline makeup = deadline(handling, local(2025, 9, 11, 9, 0));
    EXPECT_EQ(makeup.last_day, (Date{2025, 10, 11})); // Saturday, a working day
    EXPECT_FALSE(makeup.moved_for_holiday);

    // 在押: 刑事诉讼法 第105条 — runs to the day, holiday or not.
    const StageLimit& arrest = row(CaseKind::criminal, "arrest_request");
    const Deadline held = deadline(arrest, local(2025, 9, 28, 20, 0));
    EXPECT_EQ(held.last_day, (Date{2025, 10, 1}));
    EXPECT_FALSE(held.moved_for_holiday);
}

// DL-3: working days skip weekends and the holiday, and count the make-up days.
TEST_F(DeadlineTest, WorkingDaysThroughTheGoldenWeek) {
    const Deadline d = deadline(working_days_row(5), local(2025, 9, 26, 16, 0));
    // Sun 28 Sep (1), Mon 29 (2), Tue 30 (3), Thu 9 Oct (4), Fri 10 Oct (5).
    EXPECT_EQ(d.last_day, (Date{2025, 10, 10}));
    EXPECT_EQ(d.ends_at, local(2025, 10, 11));
}

// DL-4: 刑事诉讼法 第156条, 2 months; same day, or the month's last day.
TEST_F(DeadlineTest, MonthLimits) {
    const StageLimit& custody = row(CaseKind::criminal, "investigation_custody");
    EXPECT_EQ(deadline(custody, local(2026, 1, 10, 11, 0)).last_day, (Date{2026, 3, 10}));
    EXPECT_EQ(deadline(custody, local(2025, 12, 31, 11, 0)).last_day, (Date{2026, 2, 28}));
    EXPECT_EQ(deadline(custody, local(2025, 11, 20, 11, 0)).last_day, (Date{2026, 1, 20}));
    // +1 month with the upper procuratorate's approval.
    const Deadline ext = deadline(custody, local(2026, 1, 10, 11, 0),
                                  {{"上级检察院", "案情复杂", 1, local(2026, 3, 1)}});
    EXPECT_EQ(ext.last_day, (Date{2026, 4, 10}));
}

// DL-1: 治安管理处罚法 第83条, 8 hours, up to 24 hours in all.
TEST_F(DeadlineTest, HourLimitsRunOnTheClock) {
    const StageLimit& summons = row(CaseKind::administrative, "summons_questioning");
    const base::TimeMs start = local(2026, 1, 1, 22, 30); // a holiday: no effect on hours
    const Deadline d = deadline(summons, start);
    EXPECT_EQ(d.ends_at, start + 8 * kHour);
    EXPECT_FALSE(d.last_day.has_value());
    const Deadline ext =
        deadline(summons, start, {{"值班所领导", "可能适用行政拘留", 16, start + kHour}});
    EXPECT_EQ(ext.ends_at, start + 24 * kHour);
    auto over = compute_deadline(summons, start,
                                 std::vector<Extension>{{"值班所领导", "x", 17, start}}, ctx_);
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.error().field, "extensions[0].amount");
}

// DL-6: an extension with approval adds to the statutory last day before the holiday rule.
TEST_F(DeadlineTest, ExtensionAllowedAndMovedPastAHoliday) {
    const StageLimit& handling = row(CaseKind::administrative, "case_handling");
    const base::TimeMs start = local(2026, 3, 2, 9, 0);
    const Deadline base_dl = deadline(handling, start);
    EXPECT_EQ(base_dl.last_day, (Date{2026, 4, 1}));
    const Extension ext{"王队长", "案情重大、复杂，需补充鉴定", 30, local(2026, 3, 30, 10, 0)};
    ASSERT_TRUE(check_extension(handling, base_dl, ext).ok());
    const Deadline d = deadline(handling, start, {ext});
    EXPECT_EQ(d.statutory_day, (Date{2026, 5, 1})); // Labour Day
    EXPECT_EQ(d.last_day, (Date{2026, 5, 6}));
    EXPECT_EQ(d.extended_by, 30);

    // 刑事诉讼法 第91条: 3 days + up to 4, granted in two steps.
    const StageLimit& arrest = row(CaseKind::criminal, "arrest_request");
    const base::TimeMs detained = local(2026, 3, 10, 18, 0);
    const Deadline two = deadline(arrest, detained,
                                  {{"局领导", "异地取证", 1, local(2026, 3, 12)},
                                   {"局领导", "仍需核实", 3, local(2026, 3, 14)}});
    EXPECT_EQ(two.last_day, (Date{2026, 3, 17}));
    EXPECT_EQ(two.extended_by, 4);
}

TEST_F(DeadlineTest, ExtensionsRefusedWithANamedReason) {
    const StageLimit& arrest = row(CaseKind::criminal, "arrest_request");
    const base::TimeMs detained = local(2026, 3, 10, 18, 0);
    const Deadline d = deadline(arrest, detained); // ends at 2026-03-14 00:00 local
    struct Case {
        const StageLimit* limit;
        Extension ext;
        base::Code code;
        const char* field;
    };
    const StageLimit& review = row(CaseKind::criminal, "arrest_review");
    const Case cases[] = {
        {&review,
         {"局领导", "r", 1, detained + kHour},
         base::Code::invalid_transition,
         "extension_max"},
        {&arrest, {"局领导", "r", 5, detained + kHour}, base::Code::field_invalid, "amount"},
        {&arrest, {"", "r", 1, detained + kHour}, base::Code::field_missing, "approver"},
        {&arrest, {"局领导", "", 1, detained + kHour}, base::Code::field_missing, "reason"},
        {&arrest, {"局领导", "r", 0, detained + kHour}, base::Code::field_invalid, "amount"},
        {&arrest, {"局领导", "r", 1, detained - kHour}, base::Code::field_invalid, "at"},
        // The deadline passed at midnight: too late to extend.
        {&arrest,
         {"局领导", "r", 1, local(2026, 3, 14, 0, 0)},
         base::Code::invalid_transition,
         "at"},
    };
    for (const Case& c : cases) {
        const base::Status st = check_extension(*c.limit, d, c.ext);
        ASSERT_FALSE(st.ok()) << c.field;
        EXPECT_EQ(st.error().code, c.code) << st.error().detail;
        EXPECT_EQ(st.error().field, c.field) << st.error().detail;
    }
    EXPECT_TRUE(check_extension(arrest, d, {"局领导", "r", 4, local(2026, 3, 13, 23, 59)}).ok());

    // The total counts: 3 then 2 exceeds 4; a later extension may not predate an earlier one.
    auto total = compute_deadline(arrest, detained,
                                  std::vector<Extension>{{"局领导", "a", 3, detained + kHour},
                                                         {"局领导", "b", 2, detained + 2 * kHour}},
                                  ctx_);
    ASSERT_FALSE(total.ok());
    EXPECT_EQ(total.error().field, "extensions[1].amount");
    EXPECT_NE(total.error().detail.find("at most 4"), std::string::npos) << total.error().detail;
    auto order = compute_deadline(arrest, detained,
                                  std::vector<Extension>{{"局领导", "a", 1, detained + 2 * kHour},
                                                         {"局领导", "b", 1, detained + kHour}},
                                  ctx_);
    ASSERT_FALSE(order.ok());
    EXPECT_EQ(order.error().field, "extensions[1].at");
    // An extension granted after the first one passed is too late even if the stage went on.
    auto late = compute_deadline(
        arrest, detained, std::vector<Extension>{{"局领导", "a", 1, local(2026, 3, 14, 9, 0)}},
        ctx_);
    ASSERT_FALSE(late.ok());
    EXPECT_EQ(late.error().code, base::Code::invalid_transition);
}

TEST_F(DeadlineTest, AlertLevelsOnAFixedNow) {
    const AlertPolicy& policy = table_.alerts(); // days: 3 d, 1 d; hours: 2 h, 30 min
    const StageLimit& handling = row(CaseKind::administrative, "case_handling");
    const Deadline d = deadline(handling, local(2026, 3, 2, 9, 0)); // ends 2026-04-02 00:00
    const base::TimeMs end = local(2026, 4, 2);
    ASSERT_EQ(d.ends_at, end);
    EXPECT_EQ(alert_level(policy, d, end - 3 * kDay - 1), 0);
    EXPECT_EQ(alert_level(policy, d, end - 3 * kDay), 1);
    EXPECT_EQ(alert_name(policy, d.unit, 1), "due_in_3_days");
    EXPECT_EQ(alert_level(policy, d, end - kDay + 1), 2);
    EXPECT_EQ(alert_name(policy, d.unit, 2), "due_in_1_day");
    EXPECT_EQ(alert_level(policy, d, end), 3);
    EXPECT_EQ(alert_name(policy, d.unit, 3), "overdue");
    EXPECT_EQ(alert_name(policy, d.unit, 0), "");

    const StageLimit& summons = row(CaseKind::administrative, "summons_questioning");
    const Deadline h = deadline(summons, local(2026, 3, 31, 20, 0)); // ends 04:00 on 1 April
    const base::TimeMs now = local(2026, 4, 1, 2, 0);                // the fixed now
    EXPECT_EQ(alert_level(policy, h, now), 1);                       // within 2 h, not 30 min
    EXPECT_EQ(alert_name(policy, h.unit, 1), "due_in_2_hours");

    // At the fixed now: the day deadline (ends in 22 h) is at level 2 and was alerted at 1;
    // the summons at level 1 was already alerted; an overdue one was never alerted.
    const Deadline old = deadline(handling, local(2026, 2, 20, 9, 0));
    const std::vector<WatchedDeadline> watched = {
        {"case/A/case_handling", d, 1},
        {"case/B/summons_questioning", h, 1},
        {"case/C/case_handling", old, 0},
    };
    const auto due = alerts_due(policy, watched, now);
    ASSERT_EQ(due.size(), 2u);
    EXPECT_EQ(due[0].index, 0u);
    EXPECT_EQ(due[0].name, "due_in_1_day");
    EXPECT_EQ(due[0].remaining_ms, 22 * kHour);
    EXPECT_EQ(due[1].index, 2u);
    EXPECT_EQ(due[1].name, "overdue");
    EXPECT_LT(due[1].remaining_ms, 0);
}

TEST_F(DeadlineTest, DueWithinIncludesOverdueSoonestFirst) {
    const StageLimit& handling = row(CaseKind::administrative, "case_handling");
    const base::TimeMs now = local(2026, 3, 30, 12, 0);
    const std::vector<Deadline> ds = {
        deadline(handling, local(2026, 3, 2, 9, 0)),  // ends 2 April 00:00: in 60 h
        deadline(handling, local(2026, 3, 20, 9, 0)), // ends 20 April: later
        deadline(handling, local(2026, 2, 20, 9, 0)), // overdue
        deadline(handling, local(2026, 2, 28, 9, 0)), // ends 31 March 00:00: in 12 h
    };
    EXPECT_EQ(due_within(ds, now, 3 * kDay), (std::vector<std::size_t>{2, 3, 0}));
    EXPECT_EQ(due_within(ds, now, 12 * kHour), (std::vector<std::size_t>{2, 3}));
    EXPECT_EQ(due_within(ds, now, 0), (std::vector<std::size_t>{2}));
}
