// Visit detection on recorded position traces (issue 9): GPS jitter around the edge of the
// radius, an outlier fix mid-stop, a drive-by too short to count, positions outside the shift
// or in another area, and manual visits.
//
//   y
//   ^   area A1 (x -2..2 km, y -2..2 km)       area A2 (x 2..6 km)
//   |   P1 at (0, 0)     P2 at (500, 0)        Q1 at (3000, 0)
//   +------------------------------------------------------------> x (metres)
// Every point: radius 50 m, dwell 60 s, so a visit lasts while fixes stay within 75 m.
#include <array>

#include <gtest/gtest.h>

#include "patrol/visits.hpp"
#include "test_frame.hpp"

namespace pingan::patrol {
namespace {

using test::at_m;
using test::kS;
using test::kT0;

geo::Ring square(double x0, double y0, double x1, double y1) {
    return {at_m(x0, y0), at_m(x1, y0), at_m(x1, y1), at_m(x0, y1)};
}

Plan city_plan() {
    Plan plan;
    plan.utc_offset_minutes = 480;
    plan.areas.push_back({"A1", "West", {geo::Polygon{square(-2000, -2000, 2000, 2000), {}}}});
    plan.areas.push_back({"A2", "East", {geo::Polygon{square(2000, -2000, 6000, 2000), {}}}});
    auto point = [](std::string id, std::string area, double x, double y) {
        RequiredPoint p;
        p.id = std::move(id);
        p.area_id = std::move(area);
        p.name = p.id;
        p.location = at_m(x, y);
        return p;
    };
    plan.points.push_back(point("P1", "A1", 0, 0));
    plan.points.push_back(point("P2", "A1", 500, 0));
    plan.points.push_back(point("Q1", "A2", 3000, 0));
    return plan;
}

const Shift kShift{"S1", "U1", "A1", kT0, kT0 + 8 * 3600 * kS};

struct Fixes {
    std::vector<std::pair<base::TimeMs, geo::LatLon>> list;
    base::TimeMs t = kT0;

    // One fix at (x, y) metres, then the clock moves on by step_s.
    void add(double x, double y, int step_s = 5) {
        list.push_back({t, at_m(x, y)});
        t += step_s * kS;
    }
    // Drives in a straight line from (x0, y) towards x1 at speed_mps, one fix every 5 s.
    void drive(double x0, double x1, double y, double speed_mps) {
        const double dir = x1 > x0 ? 1 : -1;
        for (double x = x0; dir * (x1 - x) >= 0; x += dir * speed_mps * 5)
            add(x, y);
    }
};

// ±15 m of jitter around a stop 45 m west of P1, so the fixes straddle the 50 m radius: their
// distances from P1 run from 30 to 61 m. The first one is inside (35 m).
constexpr std::array<std::pair<double, double>, 19> kJitter = {{{10, 5},
                                                                {-12, 3},
                                                                {8, -9},
                                                                {-15, 0},
                                                                {13, 12},
                                                                {-15, -15},
                                                                {11, 4},
                                                                {0, -7},
                                                                {-14, 10},
                                                                {5, 15},
                                                                {-12, -6},
                                                                {15, 0},
                                                                {-13, 9},
                                                                {10, -12},
                                                                {-15, 8},
                                                                {3, -3},
                                                                {-15, 14},
                                                                {6, 2},
                                                                {-10, -4}}};

// Approach from the west, stop 90 s (19 fixes) with jitter, drive back west. Returns the time of
// the first and the last fix of the stop. `outlier` replaces the 10th stop fix by one 80 m
// farther out (125 m from P1).
std::pair<base::TimeMs, base::TimeMs> jittery_stop(Fixes& f, bool outlier = false) {
    f.drive(-400, -100, 0, 10);
    const base::TimeMs first = f.t;
    for (std::size_t i = 0; i < kJitter.size(); ++i) {
        const auto [dx, dy] = kJitter[i];
        const bool out = outlier && i == 9;
        f.add(-45 + dx - (out ? 80 : 0), dy, i + 1 < kJitter.size() ? 5 : 0);
    }
    const base::TimeMs last = f.t;
    f.t += 5 * kS;
    f.drive(-95, -600, 0, 10);
    return {first, last};
}

VisitDetector detector(DetectorOptions options = {}) {
    auto d = VisitDetector::create(city_plan(), options);
    EXPECT_TRUE(d.ok()) << d.error().detail;
    auto& det = *d;
    EXPECT_TRUE(det.add_shift(kShift).ok());
    return std::move(d).value();
}

std::vector<Visit> run(VisitDetector& d, const Fixes& f, const std::string& unit = "U1") {
    for (const auto& [t, p] : f.list)
        d.observe(unit, t, p);
    d.flush();
    return d.take_closed();
}

TEST(Visits, ADriveByAt40KmhThroughTheRadiusIsNoVisit) {
    Fixes f;
    f.drive(-500, 300, 10, 40 / 3.6); // passes 10 m from P1, about 9 s within 50 m
    VisitDetector d = detector();
    EXPECT_TRUE(run(d, f).empty());
    EXPECT_EQ(d.stats().drive_bys, 1u);
    EXPECT_EQ(d.stats().fixes, f.list.size());
}

TEST(Visits, AStopOf90sWithJitterAroundTheEdgeIsExactlyOneVisit) {
    Fixes f;
    const auto [first, last] = jittery_stop(f);
    VisitDetector d = detector();
    const auto visits = run(d, f);
    ASSERT_EQ(visits.size(), 1u);
    const Visit& v = visits[0];
    EXPECT_EQ(v.unit, "U1");
    EXPECT_EQ(v.point_id, "P1");
    EXPECT_EQ(v.shift_id, "S1");
    EXPECT_EQ(v.arrived, first); // first fix within 50 m
    ASSERT_TRUE(v.left.has_value());
    EXPECT_EQ(*v.left, last); // last fix within 75 m
    EXPECT_DOUBLE_EQ(v.dwell_s, 90);
    EXPECT_FALSE(v.manual);
}

TEST(Visits, WithoutHysteresisTheSameJitterBreaksTheStopIntoDriveBys) {
    // The control for the test above: enter and leave at 50 m, and leave at the first fix
    // outside. The jitter then cuts the stop into pieces shorter than the dwell.
    Fixes f;
    jittery_stop(f);
    VisitDetector d = detector({.exit_factor = 1, .exit_margin_m = 0, .leave_after_s = 0});
    EXPECT_TRUE(run(d, f).empty());
    EXPECT_GT(d.stats().drive_bys, 3u);
}

TEST(Visits, AnOutlierFix80mOutMidStopDoesNotEndTheVisit) {
    Fixes f;
    const auto [first, last] = jittery_stop(f, /*outlier=*/true);
    VisitDetector d = detector();
    const auto visits = run(d, f);
    ASSERT_EQ(visits.size(), 1u);
    EXPECT_EQ(visits[0].arrived, first);
    EXPECT_EQ(*visits[0].left, last);
    EXPECT_DOUBLE_EQ(visits[0].dwell_s, 90);
}

TEST(Visits, TwoSeparateStopsAreTwoVisits) {
    Fixes f;
    const auto [first1, last1] = jittery_stop(f); // ends driving west, 600 m away
    f.t += 60 * kS;
    const auto [first2, last2] = jittery_stop(f);
    f.drive(-400, 500, 100, 10); // past P2 at 100 m: not within its radius
    VisitDetector d = detector();
    const auto visits = run(d, f);
    ASSERT_EQ(visits.size(), 2u);
    EXPECT_EQ(visits[0].arrived, first1);
    EXPECT_EQ(*visits[0].left, last1);
    EXPECT_EQ(visits[1].arrived, first2);
    EXPECT_EQ(*visits[1].left, last2);
}

TEST(Visits, StopsAtTwoPointsAreOneVisitEach) {
    Fixes f;
    f.drive(-300, 0, 0, 10);
    for (int i = 0; i < 14; ++i)
        f.add(0, 0); // 65 s at P1
    f.drive(0, 500, 0, 10);
    for (int i = 0; i < 14; ++i)
        f.add(500, 0); // 65 s at P2
    f.drive(500, 1000, 0, 10);
    VisitDetector d = detector();
    const auto visits = run(d, f);
    ASSERT_EQ(visits.size(), 2u);
    EXPECT_EQ(visits[0].point_id, "P1");
    EXPECT_EQ(visits[1].point_id, "P2");
}

TEST(Visits, AVisitIsOpenUntilTheUnitLeaves) {
    Fixes f;
    f.drive(-300, -100, 0, 10);
    const base::TimeMs arrived = f.t;
    for (int i = 0; i < 20; ++i)
        f.add(0, 0);
    VisitDetector d = detector();
    for (const auto& [t, p] : f.list)
        d.observe("U1", t, p);
    EXPECT_TRUE(d.take_closed().empty());
    const auto open = d.open_visits();
    ASSERT_EQ(open.size(), 1u);
    EXPECT_EQ(open[0].arrived, arrived);
    EXPECT_FALSE(open[0].left.has_value());
    EXPECT_DOUBLE_EQ(open[0].dwell_s, 95);
    // The device goes quiet: after max_gap_s the visit ends at its last fix.
    d.expire(f.t + 200 * kS);
    EXPECT_EQ(d.take_closed().size(), 0u);
    d.expire(f.t + 400 * kS);
    const auto closed = d.take_closed();
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_EQ(*closed[0].left, f.t - 5 * kS);
}

TEST(Visits, ASilenceLongerThanTheGapEndsTheVisit) {
    Fixes f;
    for (int i = 0; i < 14; ++i)
        f.add(0, 0); // 65 s
    f.t += 10 * 60 * kS;
    for (int i = 0; i < 14; ++i)
        f.add(0, 0); // another 65 s, ten minutes later
    VisitDetector d = detector();
    EXPECT_EQ(run(d, f).size(), 2u);
}

TEST(Visits, OnlyThePointsOfTheAssignedAreaDuringTheShiftCount) {
    VisitDetector d = detector();
    Fixes f;
    // Parked at Q1 in area A2 while on shift in A1.
    for (int i = 0; i < 30; ++i)
        f.add(3000, 0);
    // Parked at P1 before the shift starts.
    Fixes before;
    before.t = kT0 - 3600 * kS;
    for (int i = 0; i < 30; ++i)
        before.add(0, 0);
    // A unit without any shift parked at P1.
    Fixes other;
    for (int i = 0; i < 30; ++i)
        other.add(0, 0);
    for (const auto& [t, p] : before.list)
        d.observe("U1", t, p);
    for (const auto& [t, p] : f.list)
        d.observe("U1", t, p);
    for (const auto& [t, p] : other.list)
        d.observe("U9", t, p);
    // Parked at P1 after the shift has ended.
    for (int i = 0; i < 30; ++i)
        d.observe("U1", kShift.end + i * 5 * kS, at_m(0, 0));
    d.flush();
    EXPECT_TRUE(d.take_closed().empty());
    EXPECT_EQ(d.stats().outside_shift, 90u);
}

TEST(Visits, AStopAcrossTheShiftStartCountsFromTheStart) {
    VisitDetector d = detector();
    for (int i = -12; i <= 12; ++i)
        d.observe("U1", kT0 + i * 5 * kS, at_m(0, 0));
    d.flush();
    const auto visits = d.take_closed();
    ASSERT_EQ(visits.size(), 1u);
    EXPECT_EQ(visits[0].arrived, kT0);
    EXPECT_DOUBLE_EQ(visits[0].dwell_s, 60);
}

TEST(Visits, AVisitEndsWithItsShift) {
    VisitDetector d = detector();
    ASSERT_TRUE(d.add_shift({"S2", "U1", "A1", kShift.end, kShift.end + 3600 * kS}).ok());
    for (int i = -24; i <= 24; ++i)
        d.observe("U1", kShift.end + i * 5 * kS, at_m(0, 0));
    d.flush();
    const auto visits = d.take_closed();
    ASSERT_EQ(visits.size(), 2u);
    EXPECT_EQ(visits[0].shift_id, "S1");
    EXPECT_EQ(*visits[0].left, kShift.end - 5 * kS);
    EXPECT_EQ(visits[1].shift_id, "S2");
    EXPECT_EQ(visits[1].arrived, kShift.end);
}

TEST(Visits, OutOfOrderAndInvalidFixesAreIgnored) {
    VisitDetector d = detector();
    d.observe("U1", kT0 + 10 * kS, at_m(0, 0));
    d.observe("U1", kT0 + 5 * kS, at_m(0, 0));
    d.observe("U1", kT0 + 15 * kS, geo::LatLon{91, 0});
    EXPECT_EQ(d.stats().out_of_order, 1u);
    EXPECT_EQ(d.stats().invalid, 1u);
}

TEST(Visits, ShiftsAreCheckedWhenAdded) {
    VisitDetector d = detector();
    auto overlapping = d.add_shift({"S2", "U1", "A2", kT0 + 3600 * kS, kT0 + 10 * 3600 * kS});
    ASSERT_FALSE(overlapping.ok());
    EXPECT_EQ(overlapping.error().field, "start");
    auto unknown_area = d.add_shift({"S3", "U2", "A9", kT0, kT0 + 3600 * kS});
    ASSERT_FALSE(unknown_area.ok());
    EXPECT_EQ(unknown_area.error().field, "area_id");
    auto backwards = d.add_shift({"S4", "U2", "A1", kT0, kT0});
    ASSERT_FALSE(backwards.ok());
    EXPECT_EQ(backwards.error().field, "end");
    auto same_id = d.add_shift({"S1", "U2", "A1", kT0, kT0 + kS});
    ASSERT_FALSE(same_id.ok());
    EXPECT_EQ(same_id.error().field, "id");
}

TEST(Visits, DroppedShiftsEndTheirVisitsAndStopCounting) {
    VisitDetector d = detector();
    for (int i = 0; i < 20; ++i)
        d.observe("U1", kT0 + i * 5 * kS, at_m(0, 0));
    d.drop_shifts_ended_by(kShift.end);
    EXPECT_EQ(d.take_closed().size(), 1u);
    d.observe("U1", kT0 + 200 * kS, at_m(0, 0));
    EXPECT_EQ(d.stats().outside_shift, 1u);
}

TEST(Visits, APlanThatDoesNotValidateIsRefused) {
    Plan plan = city_plan();
    plan.points[1].radius_m = 0;
    auto d = VisitDetector::create(plan);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().field, "radius_m");
    EXPECT_NE(d.error().detail.find("P2"), std::string::npos);
}

TEST(ManualVisit, NeedsAReason) {
    const Plan plan = city_plan();
    const std::vector<Shift> shifts = {kShift};
    const base::TimeMs at = kT0 + 3600 * kS;
    for (const char* blank : {"", "  \t"}) {
        auto v = manual_visit(plan, shifts, "U1", "P1", at, blank);
        ASSERT_FALSE(v.ok());
        EXPECT_EQ(v.error().field, "reason");
        EXPECT_EQ(v.error().code, base::Code::field_missing);
    }
    auto v = manual_visit(plan, shifts, "U1", "P1", at, "GPS unit failed; checked on foot");
    ASSERT_TRUE(v.ok());
    EXPECT_TRUE(v->manual);
    EXPECT_EQ(v->reason, "GPS unit failed; checked on foot");
    EXPECT_EQ(v->shift_id, "S1");
    EXPECT_EQ(v->arrived, at);
}

TEST(ManualVisit, NeedsAShiftInThePointsArea) {
    const Plan plan = city_plan();
    const std::vector<Shift> shifts = {kShift};
    const base::TimeMs at = kT0 + 3600 * kS;
    auto other_area = manual_visit(plan, shifts, "U1", "Q1", at, "checked");
    ASSERT_FALSE(other_area.ok());
    EXPECT_EQ(other_area.error().field, "at");
    auto off_shift = manual_visit(plan, shifts, "U1", "P1", kShift.end, "checked");
    ASSERT_FALSE(off_shift.ok());
    auto unknown = manual_visit(plan, shifts, "U1", "P7", at, "checked");
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.error().field, "point_id");
}

TEST(ManualVisit, AtAWindowedPointMustFallInAWindow) {
    Plan plan = city_plan();
    plan.points[0].windows = {DailyWindow{9 * 60, 10 * 60}, DailyWindow{14 * 60, 15 * 60}};
    const std::vector<Shift> shifts = {kShift}; // 08:00-16:00 local
    EXPECT_TRUE(manual_visit(plan, shifts, "U1", "P1", kT0 + 90 * 60 * kS, "checked").ok())
        << "09:30 is in the first window";
    EXPECT_TRUE(manual_visit(plan, shifts, "U1", "P1", kT0 + 6 * 3600 * kS, "checked").ok())
        << "14:00 opens the second";
    auto between = manual_visit(plan, shifts, "U1", "P1", kT0 + 2 * 3600 * kS, "checked");
    ASSERT_FALSE(between.ok()) << "10:00 closes the first window";
    EXPECT_EQ(between.error().field, "at");
    EXPECT_NE(between.error().detail.find("09:00-10:00, 14:00-15:00"), std::string::npos)
        << between.error().detail;
}

} // namespace
} // namespace pingan::patrol
