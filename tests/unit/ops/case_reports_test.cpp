// The case reports (docs/cases.md "Reports", RP-1..RP-7) on a book built by its commands,
// with times in China (UTC+8) around the end of January 2026.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "../cases/test_support.hpp"
#include "io/case_report_files.hpp"
#include "ops/case_reports.hpp"

using namespace pingan;

namespace {

using test::kHour;
using test::kStart;
constexpr base::TimeMs kDay = 24 * kHour;
// 12:00 on 10 February 2026 in China.
constexpr base::TimeMs kNow = kStart + 11 * kDay + 2 * kHour;

class CaseReportsTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto limits = cases::LimitsTable::parse(test::read_config("case_limits.toml"));
        ASSERT_TRUE(limits) << limits.error().detail;
        rules.limits = std::move(limits).value();
        auto cal = cases::WorkCalendar::parse(test::read_config("holidays.toml"));
        ASSERT_TRUE(cal) << cal.error().detail;
        rules.calendar = std::move(cal).value();
        rules.utc_offset_minutes = 480;
    }
    // A criminal case at arrest_request (3 calendar days, DL-2) started at `started_at`.
    ops::Id open(const std::string& officer, base::TimeMs started_at) {
        ops::NewCase in;
        in.type = "theft";
        in.stage = "arrest_request";
        in.officers = {officer, "helper"};
        in.started_at = started_at;
        auto c = book.open_case(in, rules, officer, started_at, events);
        EXPECT_TRUE(c) << c.error().detail;
        return c ? (*c)->id : 0;
    }
    void stage(ops::Id id, const char* to, base::TimeMs at) {
        auto c = book.change_stage(id, to, at, rules, "sup", at, events);
        EXPECT_TRUE(c) << c.error().detail;
    }
    void item(const char* code, ops::Id case_id, const char* location) {
        auto reg = book.ledger().register_item(
            {code, "bag", std::to_string(case_id), "u1", location, "sealed", kStart + kHour});
        ASSERT_TRUE(reg) << reg.error().detail;
        ASSERT_TRUE(book.record_custody(*reg, kStart + kHour, events));
    }
    ops::ReportPeriod period(const char* from, const char* to) const {
        return {*ops::parse_month(from), *ops::parse_month(to), 480};
    }

    ops::CaseRules rules;
    ops::CaseBook book;
    std::vector<ops::Event> events;
};

const ops::ComplianceRow* row(const ops::ComplianceReport& r, const char* month, const char* unit) {
    for (const auto& x : r.rows) {
        if (ops::format_month(x.month) == month && x.unit == unit) return &x;
    }
    return nullptr;
}

} // namespace

TEST(CaseReportMonths, ParseFormatAndBounds) {
    EXPECT_EQ(ops::format_month(*ops::parse_month("2026-01")), "2026-01");
    for (const char* bad : {"2026-13", "2026-00", "2026-1", "26-01", "2026/01", "2026-01-01", ""})
        EXPECT_FALSE(ops::parse_month(bad)) << bad;
    const ops::ReportPeriod p{{2025, 12}, {2026, 1}, 480};
    EXPECT_EQ(base::format_iso8601(p.begin()), "2025-11-30T16:00:00.000Z");
    EXPECT_EQ(base::format_iso8601(p.end()), "2026-01-31T16:00:00.000Z");
}

// RP-1..RP-4 across the end of January, with an extension that moves a deadline into February.
TEST_F(CaseReportsTest, DeadlineCompliancePerUnitAndMonth) {
    // u1, case A: 30 Jan 10:00 -> last day 2 Feb; closed 3 Feb 09:00: late, due in February.
    const ops::Id a = open("u1", kStart);
    // u1, case B: 27 Jan -> last day 30 Jan, extended by 2 days on 28 Jan -> 1 Feb (RP-3);
    // next stage on 31 Jan 12:00: on time, due in February. arrest_review (7 days) -> 7 Feb,
    // still running on 10 Feb: overdue, due in February.
    const ops::Id b = open("u1", kStart - 3 * kDay);
    ASSERT_TRUE(
        book.extend(b, {"sup", "accomplices at large", 2, kStart - 2 * kDay}, rules, events));
    stage(b, "arrest_review", kStart + kDay + 2 * kHour);
    // u2, case C: 26 Jan -> 29 Jan, closed 29 Jan 20:00: on time in January.
    const ops::Id c = open("u2", kStart - 4 * kDay);
    stage(c, "closed", kStart - kDay + 10 * kHour);
    // u2, case D: 28 Jan -> 31 Jan; ends_at is 1 Feb 00:00 but it is due in January (RP-2).
    open("u2", kStart - 2 * kDay);
    // u2, case E: 8 Feb -> 11 Feb: pending on 10 Feb.
    open("u2", kStart + 9 * kDay);
    stage(a, "closed", kStart + 4 * kDay - kHour);

    const ops::ComplianceReport r =
        ops::deadline_compliance(book, period("2026-01", "2026-02"), kNow);
    ASSERT_EQ(r.rows.size(), 3u);
    EXPECT_EQ(ops::format_month(r.rows[0].month), "2026-01");
    EXPECT_EQ(r.rows[0].unit, "u2");
    const auto* jan2 = row(r, "2026-01", "u2");
    ASSERT_NE(jan2, nullptr);
    EXPECT_EQ(jan2->due, 2);
    EXPECT_EQ(jan2->on_time, 1);
    EXPECT_EQ(jan2->overdue, 1);
    EXPECT_EQ(jan2->late, 0);
    EXPECT_DOUBLE_EQ(*jan2->compliance(), 0.5);
    EXPECT_EQ(row(r, "2026-01", "u1"), nullptr); // B moved to February by its extension
    const auto* feb1 = row(r, "2026-02", "u1");
    ASSERT_NE(feb1, nullptr);
    EXPECT_EQ(feb1->due, 3);
    EXPECT_EQ(feb1->on_time, 1);
    EXPECT_EQ(feb1->late, 1);
    EXPECT_EQ(feb1->overdue, 1);
    EXPECT_EQ(feb1->pending, 0);
    EXPECT_EQ(feb1->extended, 1);
    EXPECT_DOUBLE_EQ(*feb1->compliance(), 1.0 / 3);
    const auto* feb2 = row(r, "2026-02", "u2");
    ASSERT_NE(feb2, nullptr);
    EXPECT_EQ(feb2->due, 1);
    EXPECT_EQ(feb2->pending, 1);
    EXPECT_FALSE(feb2->compliance());
    EXPECT_EQ(r.total.due, 6);
    EXPECT_EQ(r.total.on_time, 2);
    EXPECT_EQ(r.total.late, 1);
    EXPECT_EQ(r.total.overdue, 2);
    EXPECT_EQ(r.total.pending, 1);

    // Earlier, D and B's second stage were still running and not yet due.
    const ops::ComplianceReport before =
        ops::deadline_compliance(book, period("2026-01", "2026-01"), kStart + 12 * kHour);
    ASSERT_EQ(before.rows.size(), 1u);
    EXPECT_EQ(before.rows[0].due, 2);
    EXPECT_EQ(before.rows[0].on_time, 1);
    EXPECT_EQ(before.rows[0].pending, 1);

    EXPECT_EQ(io::deadline_compliance_csv(r),
              "month,unit,due,on_time,late,overdue,pending,extended,compliance\n"
              "2026-01,u2,2,1,0,1,0,0,0.5000\n"
              "2026-02,u1,3,1,1,1,0,1,0.3333\n"
              "2026-02,u2,1,0,0,0,1,0,\n");
    const std::string html = io::deadline_compliance_html(r);
    EXPECT_NE(html.find("<td>2026-02</td><td>u1</td><td class=n>3</td>"), std::string::npos);
    EXPECT_NE(html.find("33.3 %"), std::string::npos);
}

// RP-1: a case with a team counts for its team, one without for its first officer; the team is
// in the case.opened event, so a rebuilt book groups the same. `include` leaves cases out.
TEST_F(CaseReportsTest, DeadlineComplianceGroupsByTeamElseFirstOfficer) {
    auto open_for = [&](const std::string& officer, const std::string& team) {
        ops::NewCase in;
        in.type = "theft";
        in.stage = "arrest_request";
        in.officers = {officer};
        in.team = team;
        in.started_at = kStart;
        auto c = book.open_case(in, rules, officer, kStart, events);
        EXPECT_TRUE(c) << c.error().detail;
        EXPECT_EQ((*c)->team, team);
        return c ? (*c)->id : 0;
    };
    open_for("u1", "东城派出所");
    open_for("u2", "东城派出所");
    const ops::Id west = open_for("u1", "西城派出所");
    open_for("u1", "");
    const ops::ComplianceReport r =
        ops::deadline_compliance(book, period("2026-02", "2026-02"), kNow);
    ASSERT_EQ(r.rows.size(), 3u);
    EXPECT_EQ(r.rows[0].unit, "u1"); // the case without a team
    EXPECT_FALSE(r.rows[0].team);
    EXPECT_EQ(r.rows[0].due, 1);
    EXPECT_EQ(r.rows[1].unit, "东城派出所");
    EXPECT_TRUE(r.rows[1].team);
    EXPECT_EQ(r.rows[1].due, 2); // u1's and u2's
    EXPECT_EQ(r.rows[2].unit, "西城派出所");
    EXPECT_EQ(r.rows[2].due, 1);
    EXPECT_EQ(ops::to_json(r)["rows"][1]["by"], "team");
    EXPECT_EQ(ops::to_json(r)["rows"][0]["by"], "officer");
    EXPECT_FALSE(ops::to_json(r)["total"].contains("by"));

    const ops::ComplianceReport only_west =
        ops::deadline_compliance(book, period("2026-02", "2026-02"), kNow,
                                 [west](const ops::Case& c) { return c.id == west; });
    ASSERT_EQ(only_west.rows.size(), 1u);
    EXPECT_EQ(only_west.rows[0].unit, "西城派出所");
    EXPECT_EQ(only_west.total.due, 1);

    ops::CaseBook fresh;
    for (const auto& e : events)
        ASSERT_TRUE(fresh.apply(e)) << e.kind;
    EXPECT_EQ(fresh.find(west)->team, "西城派出所");
    EXPECT_EQ(ops::to_json(ops::deadline_compliance(fresh, period("2026-02", "2026-02"), kNow)),
              ops::to_json(r));
}

// RP-5..RP-7: discrepancies by local month, resolved by a later clean scan of the location.
TEST_F(CaseReportsTest, CustodyDiscrepanciesAndTheirResolution) {
    const ops::Id a = open("u1", kStart);
    item("E-1", a, "Locker-1");
    item("E-2", a, "Locker-2");
    // 31 Jan 23:30 local: E-1 missing, X-9 unexpected.
    book.reconcile("Locker-1", {"X-9"}, "clerk", kStart + kDay + 13 * kHour + kHour / 2, events);
    // 1 Feb 00:30 local (still 31 Jan in UTC): E-1 found, X-9 gone; E-2 in the wrong place.
    const base::TimeMs second = kStart + kDay + 14 * kHour + kHour / 2;
    book.reconcile("Locker-1", {"E-1", "E-2"}, "clerk", second, events);
    // Another location's clean scan resolves nothing at Locker-1.
    book.reconcile("Locker-2", {"E-2"}, "clerk", second + kHour, events);
    // 2 Feb: E-2 still misplaced, and a code no item has.
    book.reconcile("Locker-1", {"E-1", "E-2", "E-2, \"b\""}, "clerk", kStart + 3 * kDay, events);

    const ops::DiscrepancyReport jan =
        ops::custody_discrepancies(book, period("2026-01", "2026-01"));
    ASSERT_EQ(jan.items.size(), 2u);
    EXPECT_EQ(jan.items[0].discrepancy.kind, cases::DiscrepancyKind::missing);
    EXPECT_EQ(jan.items[0].discrepancy.item_code, "E-1");
    EXPECT_EQ(jan.items[1].discrepancy.kind, cases::DiscrepancyKind::unexpected);
    EXPECT_EQ(jan.items[1].discrepancy.item_code, "X-9");
    EXPECT_EQ(jan.items[0].resolved_at, second);
    EXPECT_EQ(jan.items[1].resolved_at, second);
    EXPECT_TRUE(jan.items[0].known_item);
    EXPECT_EQ(jan.items[0].current_location, "Locker-1");
    EXPECT_FALSE(jan.items[1].known_item);

    const ops::DiscrepancyReport feb =
        ops::custody_discrepancies(book, period("2026-02", "2026-02"));
    ASSERT_EQ(feb.items.size(), 3u); // E-2 twice (not resolved), the odd code once
    EXPECT_EQ(feb.items[0].discrepancy.kind, cases::DiscrepancyKind::wrong_location);
    EXPECT_EQ(feb.items[0].discrepancy.item_code, "E-2");
    EXPECT_EQ(feb.items[0].found_at, second);
    EXPECT_FALSE(feb.items[0].resolved_at);
    EXPECT_EQ(feb.items[0].current_location, "Locker-2");
    EXPECT_EQ(feb.items[1].discrepancy.kind, cases::DiscrepancyKind::wrong_location);
    EXPECT_EQ(feb.items[1].discrepancy.item_code, "E-2");
    EXPECT_FALSE(feb.items[1].resolved_at);
    EXPECT_EQ(feb.items[2].discrepancy.kind, cases::DiscrepancyKind::unexpected);

    // The reconciliations are rebuilt from their events alone.
    ops::CaseBook fresh;
    for (const auto& e : events)
        ASSERT_TRUE(fresh.apply(e)) << e.kind;
    EXPECT_EQ(ops::to_json(ops::custody_discrepancies(fresh, period("2026-01", "2026-02"))),
              ops::to_json(ops::custody_discrepancies(book, period("2026-01", "2026-02"))));

    const std::string csv = io::custody_discrepancies_csv(feb);
    EXPECT_EQ(csv.substr(0, csv.find('\n')),
              "found_at,location,found_by,kind,item_code,recorded_location,scanned_location,"
              "detail,resolved_at,item_location,item_holder,item_last_event_at,item_disposed");
    EXPECT_NE(csv.find(",unexpected,\"E-2, \"\"b\"\"\","), std::string::npos) << csv;
}
