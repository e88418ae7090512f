// Shift reports on a hand-computed trace, duties from daily windows, overdue and about-to-miss
// alerts at chosen times, and the plan's validation (issue 9).
//
//   y (m)                                                    area A1: x -2000..2050
//   3000           X                                         X: an outlier fix, out and back
//    600                                             G       G: next fix, after 15 min silent
//    100           +------------>--------------|-----L       L: 60 s at a light, outside
//      0   P3      P1 (parked 300 s)    P2     |
//  -1000           ^ start                     x = 2050: the area's east edge
#include <algorithm>

#include <gtest/gtest.h>

#include "patrol/shift_report.hpp"
#include "test_frame.hpp"

namespace pingan::patrol {
namespace {

using test::at_m;
using test::kMin;
using test::kS;
using test::kT0;
constexpr base::TimeMs kH = 60 * kMin;

base::TimeMs local(int hour, int minute = 0) {
    return base::from_civil({2026, 3, 2, hour, minute, 0, 0}, 480);
}

RequiredPoint point(std::string id, double x, double y, int min_visits = 1,
                    std::vector<DailyWindow> windows = {}) {
    RequiredPoint p;
    p.id = std::move(id);
    p.area_id = "A1";
    p.name = "point " + p.id;
    p.location = at_m(x, y);
    p.min_visits = min_visits;
    p.windows = std::move(windows);
    return p;
}

Plan plan() {
    Plan plan;
    plan.utc_offset_minutes = 480;
    const geo::Ring square = {at_m(-2000, -2000), at_m(2050, -2000), at_m(2050, 2000),
                              at_m(-2000, 2000)};
    plan.areas.push_back({"A1", "Old town", {geo::Polygon{square, {}}}});
    plan.points.push_back(point("P1", 0, 0));
    plan.points.push_back(point("P2", 500, 0, 1, {{8 * 60, 10 * 60}, {12 * 60, 14 * 60}}));
    plan.points.push_back(point("P3", -500, 0, 2));
    return plan;
}

const Shift kDayShift{"S1", "U1", "A1", local(8), local(16)};

// The drawn trace, with the numbers it must give:
//   distance 1000 (north) + 2500 (east) + 500 (after the silence) = 4000 m; the outlier's two
//     steps are dropped as jumps;
//   idle 300 s (the park; the 60 s at the light is too short);
//   in the area 100 (north) + 300 (park) + 200 (east to x = 2000) + 5 (half the step across
//     the edge) = 605 s; the jump steps, the light outside and the silence add nothing.
std::vector<Fix> trace() {
    std::vector<Fix> f;
    const base::TimeMs t = kT0;
    f.push_back({t - kMin, at_m(5000, 5000)}); // before the shift: ignored
    for (int k = 0; k <= 10; ++k)
        f.push_back({t + k * 10 * kS, at_m(0, -1000 + 100 * k)});
    for (int k = 1; k <= 30; ++k)
        f.push_back({t + (100 + k * 10) * kS, at_m(0, 0)});
    f.push_back({t + 410 * kS, at_m(0, 3000)});
    f.push_back({t + 420 * kS, at_m(0, 100)});
    for (int k = 1; k <= 25; ++k)
        f.push_back({t + (420 + k * 10) * kS, at_m(100 * k, 100)});
    for (int k = 1; k <= 6; ++k)
        f.push_back({t + (670 + k * 10) * kS, at_m(2500, 100)});
    f.push_back({t + 1630 * kS, at_m(2500, 600)});
    return f;
}

Visit detected(std::string unit, std::string point_id, base::TimeMs arrived, int dwell_s) {
    Visit v;
    v.unit = std::move(unit);
    v.point_id = std::move(point_id);
    v.shift_id = "S1";
    v.arrived = arrived;
    v.left = arrived + dwell_s * kS;
    v.dwell_s = dwell_s;
    return v;
}

std::vector<Visit> visits() {
    std::vector<Visit> v;
    v.push_back(detected("U1", "P1", kT0 + 100 * kS, 300));
    auto manual = manual_visit(plan(), std::vector<Shift>{kDayShift}, "U1", "P2", local(9),
                               "GPS failed; the officer checked the gate on foot");
    EXPECT_TRUE(manual.ok());
    v.push_back(*manual);
    v.push_back(detected("U2", "P2", local(12, 30), 300)); // another unit: not U1's visit
    v.push_back(detected("U1", "P3", local(10), 120));
    return v;
}

TEST(ShiftReport, NumbersOfAHandComputedTrace) {
    const auto fixes = trace();
    const auto v = visits();
    auto r = shift_report(plan(), kDayShift, fixes, v, local(15));
    ASSERT_TRUE(r.ok()) << r.error().detail;
    EXPECT_EQ(r->fixes, 75u);
    EXPECT_EQ(r->jumps_skipped, 2u);
    EXPECT_NEAR(r->distance_m, 4000, 2);
    EXPECT_DOUBLE_EQ(r->idle_s, 300);
    EXPECT_DOUBLE_EQ(r->time_in_area_s, 605);

    ASSERT_EQ(r->duties.size(), 4u);
    const auto& d = r->duties;
    EXPECT_EQ(d[0].duty.point_id, "P1");
    EXPECT_EQ(d[0].state, DutyState::met);
    EXPECT_EQ(d[0].visits, 1);
    EXPECT_EQ(d[1].duty.point_id, "P2"); // 08:00-10:00: the manual visit
    EXPECT_EQ(d[1].duty.from, local(8));
    EXPECT_EQ(d[1].duty.to, local(10));
    EXPECT_EQ(d[1].state, DutyState::met);
    EXPECT_EQ(d[1].manual_visits, 1);
    EXPECT_EQ(d[2].duty.point_id, "P2"); // 12:00-14:00: only U2 went
    EXPECT_EQ(d[2].state, DutyState::missed);
    EXPECT_EQ(d[2].visits, 0);
    EXPECT_EQ(d[3].duty.point_id, "P3"); // 1 of 2 visits, an hour of the shift left
    EXPECT_EQ(d[3].state, DutyState::pending);
    EXPECT_EQ(d[3].visits, 1);
    EXPECT_EQ(d[3].point_name, "point P3");
    EXPECT_EQ(r->met, 2);
    EXPECT_EQ(r->missed, 1);
    EXPECT_EQ(r->pending, 1);

    // At the end of the shift the pending point is missed.
    auto end = shift_report(plan(), kDayShift, fixes, v, kDayShift.end);
    ASSERT_TRUE(end.ok());
    EXPECT_EQ(end->duties[3].state, DutyState::missed);
    EXPECT_EQ(end->missed, 2);
}

TEST(ShiftReport, FixesInAnyOrderGiveTheSameNumbers) {
    auto fixes = trace();
    std::reverse(fixes.begin(), fixes.end());
    auto r = shift_report(plan(), kDayShift, fixes, {}, local(15));
    ASSERT_TRUE(r.ok());
    EXPECT_NEAR(r->distance_m, 4000, 2);
    EXPECT_DOUBLE_EQ(r->idle_s, 300);
    EXPECT_DOUBLE_EQ(r->time_in_area_s, 605);
}

TEST(ShiftReport, AShiftInAnUnknownAreaIsRefused) {
    Shift s = kDayShift;
    s.area_id = "A9";
    auto r = shift_report(plan(), s, trace(), {}, local(15));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "area_id");
}

TEST(CountsFor, ADetectedVisitNeedsItsDwellInsideTheWindow) {
    const Plan p = plan();
    const RequiredPoint& p2 = p.points[1];
    const Duty morning{"S1", "U1", "P2", local(8), local(10), 1};
    auto visit = [](base::TimeMs arrived, int dwell_s) {
        return detected("U1", "P2", arrived, dwell_s);
    };
    EXPECT_TRUE(counts_for(visit(local(9, 58), 300), morning, p2));            // 120 s inside
    EXPECT_FALSE(counts_for(visit(local(9, 59) + 30 * kS, 300), morning, p2)); // 30 s
    EXPECT_TRUE(counts_for(visit(local(7, 50), 11 * 60), morning, p2));        // 60 s from 08:00
    EXPECT_FALSE(counts_for(visit(local(10), 300), morning, p2));              // after the window
    Visit open = visit(local(9, 59), 30);
    open.left.reset();
    EXPECT_FALSE(counts_for(open, morning, p2));
    open.dwell_s = 61;
    EXPECT_TRUE(counts_for(open, morning, p2));
    Visit other_unit = visit(local(9), 300);
    other_unit.unit = "U2";
    EXPECT_FALSE(counts_for(other_unit, morning, p2));

    Visit manual = visit(local(10), 0);
    manual.manual = true;
    EXPECT_FALSE(counts_for(manual, morning, p2)); // the window is half-open
    manual.arrived = local(9, 59);
    EXPECT_TRUE(counts_for(manual, morning, p2));
}

TEST(Overdue, AWindowThatEndedShortIsOverdueAndOneEndingSoonIsAboutToMiss) {
    const Plan p = plan();
    const std::vector<Shift> shifts = {kDayShift};
    auto alerts = overdue(p, shifts, {}, local(13, 50));
    ASSERT_EQ(alerts.size(), 2u);
    EXPECT_EQ(alerts[0].duty.point_id, "P2");
    EXPECT_EQ(alerts[0].alert, Alert::overdue);
    EXPECT_EQ(alerts[0].duty.to, local(10));
    EXPECT_EQ(alerts[0].minutes_left, 0);
    EXPECT_EQ(alerts[1].duty.point_id, "P2");
    EXPECT_EQ(alerts[1].alert, Alert::about_to_miss);
    EXPECT_EQ(alerts[1].duty.to, local(14));
    EXPECT_EQ(alerts[1].minutes_left, 10);
    EXPECT_EQ(alerts[1].point_name, "point P2");

    // Twenty minutes before the window ends is outside the 15-minute lead.
    alerts = overdue(p, shifts, {}, local(13, 40));
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].alert, Alert::overdue);
}

TEST(Overdue, VisitsIncludingOpenOnesSilenceTheAlerts) {
    const Plan p = plan();
    const std::vector<Shift> shifts = {kDayShift};
    std::vector<Visit> v = visits(); // P2 in the morning (manual), P1, one of two at P3
    Visit at_gate = detected("U1", "P2", local(13, 45), 70);
    at_gate.left.reset(); // the unit is still there
    v.push_back(at_gate);
    EXPECT_TRUE(overdue(p, shifts, v, local(13, 50)).empty());

    // Ten minutes before the end of the shift P3 is still one visit short.
    auto alerts = overdue(p, shifts, v, local(15, 50));
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].duty.point_id, "P3");
    EXPECT_EQ(alerts[0].visits, 1);
    EXPECT_EQ(alerts[0].duty.required, 2);
    EXPECT_EQ(alerts[0].alert, Alert::about_to_miss);
    EXPECT_EQ(alerts[0].minutes_left, 10);
    // A custom lead time.
    EXPECT_TRUE(overdue(p, shifts, v, local(15, 50), 5 * 60).empty());
}

TEST(Duties, WindowsAcrossMidnightAndClippedToTheShift) {
    Plan p = plan();
    p.points = {point("N1", 0, 0, 1, {{22 * 60, 2 * 60}, {6 * 60, 9 * 60}})};
    const Shift night{"S9", "U1", "A1", local(20), local(20) + 12 * kH}; // 20:00 to 08:00
    const auto d = duties(p, night);
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0].from, local(22));
    EXPECT_EQ(d[0].to, local(22) + 4 * kH); // 02:00 the next day
    EXPECT_EQ(d[1].from, local(6) + 24 * kH);
    EXPECT_EQ(d[1].to, night.end); // 06:00-09:00 clipped at 08:00
    EXPECT_EQ(d[0].unit, "U1");
    EXPECT_EQ(d[0].shift_id, "S9");

    // Two days give every window twice; a point without windows has one duty per shift.
    const Shift two_days{"S10", "U1", "A1", local(0), local(0) + 48 * kH};
    EXPECT_EQ(duties(p, two_days).size(), 5u); // 22-02 three times (clipped at both ends), 6-9 x2
    p.points = {point("N2", 0, 0)};
    EXPECT_EQ(duties(p, two_days).size(), 1u);
}

TEST(Plan, DailyWindowsParseAndPrint) {
    EXPECT_EQ(parse_daily_window("08:00-10:00"), (DailyWindow{480, 600}));
    EXPECT_EQ(parse_daily_window("22:00-02:30"), (DailyWindow{1320, 150}));
    EXPECT_EQ(parse_daily_window("20:00-24:00"), (DailyWindow{1200, 1440}));
    for (const char* bad : {"", "08:00", "8:00-10:00", "08:00-08:00", "24:00-01:00", "00:00-24:00",
                            "08:60-10:00", "25:00-26:00", "08:00 - 10:00"}) {
        EXPECT_FALSE(parse_daily_window(bad).has_value()) << bad;
    }
    EXPECT_EQ(format_daily_window({1320, 150}), "22:00-02:30");
}

TEST(Plan, ValidationNamesTheFieldAndThePoint) {
    auto field_of = [](const Plan& p) {
        auto s = validate(p);
        return s.ok() ? std::string("ok") : s.error().field;
    };
    EXPECT_EQ(field_of(plan()), "ok");
    Plan p = plan();
    p.points[2].windows = {{8 * 60, 10 * 60}, {9 * 60, 11 * 60}};
    auto s = validate(p);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().field, "windows");
    EXPECT_NE(s.error().detail.find("'P3'"), std::string::npos);
    // Across midnight: 23:00-01:00 overlaps 00:30-02:00 of the next day.
    p.points[2].windows = {{23 * 60, 60}, {30, 120}};
    EXPECT_EQ(field_of(p), "windows");
    p = plan();
    p.points[0].min_visits = 0;
    EXPECT_EQ(field_of(p), "min_visits");
    p = plan();
    p.points[0].min_dwell_s = -1;
    EXPECT_EQ(field_of(p), "min_dwell_s");
    p = plan();
    p.points[0].area_id = "A9";
    EXPECT_EQ(field_of(p), "area_id");
    p = plan();
    p.points[1].id = "P1";
    EXPECT_EQ(field_of(p), "id");
    p = plan();
    p.points[0].route_id = "R1";
    EXPECT_EQ(field_of(p), "route_seq");
    p.points[0].route_seq = 2; // a route must be numbered from 1
    EXPECT_EQ(field_of(p), "route_seq");
    p.points[0].route_seq = 1;
    EXPECT_EQ(field_of(p), "ok");
    p.utc_offset_minutes = 900;
    EXPECT_EQ(field_of(p), "utc_offset_minutes");
}

} // namespace
} // namespace pingan::patrol
