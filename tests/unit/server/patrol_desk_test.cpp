// The patrol desk's bookkeeping: events applied once whatever path they come by, shift ids
// and overlap checks held until the event is applied, visits the store refused tried again,
// and fixes kept for a day.
#include <gtest/gtest.h>

#include "base/time.hpp"
#include "io/patrol_geojson.hpp"
#include "server/patrol_desk.hpp"

namespace pingan::server {
namespace {

constexpr const char* kPlan = R"({"type": "FeatureCollection", "features": [
  {"type": "Feature", "properties": {"id": "A1", "name": "Dupont"},
   "geometry": {"type": "Polygon", "coordinates": [[[-77.06, 38.90], [-77.03, 38.90],
                [-77.03, 38.92], [-77.06, 38.92], [-77.06, 38.90]]]}},
  {"type": "Feature", "properties": {"id": "P1", "area_id": "A1", "name": "Dupont Circle"},
   "geometry": {"type": "Point", "coordinates": [-77.0434, 38.9097]}}]})";

base::TimeMs at(const char* iso) {
    return base::parse_iso8601(iso).value();
}

std::unique_ptr<PatrolDesk> desk() {
    auto plan = io::read_patrol_plan(kPlan);
    EXPECT_TRUE(plan.ok());
    return PatrolDesk::create(std::move(plan->plan)).value();
}

patrol::Shift draft(const std::string& unit, const char* from, const char* to) {
    return {"", unit, "A1", at(from), at(to)};
}

store::EventRecord event(std::int64_t seq, const std::string& kind, const nlohmann::json& j) {
    return {seq, 0, "test", kind, "unit/7", j.dump(), "", ""};
}

// Unit 7's day shift `id` in A1, applied to the desk as the event `seq`.
patrol::Shift day_shift(PatrolDesk& d, const std::string& id, std::int64_t seq) {
    const patrol::Shift s{id, "7", "A1", at("2026-11-22T08:00:00Z"), at("2026-11-22T16:00:00Z")};
    EXPECT_TRUE(d.apply(event(seq, "patrol.shift_assigned", to_json(s))).ok());
    return s;
}

// Two minutes at Dupont Circle from 09:00.
patrol::Visit visit_at_nine(const std::string& shift_id) {
    return {"7",   "P1",  shift_id, at("2026-11-22T09:00:00Z"), at("2026-11-22T09:02:00Z"),
            120.0, false, ""};
}

TEST(PatrolDesk, AnEventComingTwiceIsAppliedOnce) {
    auto d = desk();
    day_shift(*d, "S4", 10);
    const patrol::Visit v = visit_at_nine("S4");
    ASSERT_TRUE(d->apply(event(11, "patrol.visit_recorded", to_json(v))).ok());
    // The start-up read and another server's commits overlap: seq 11 comes again.
    ASSERT_TRUE(d->apply(event(11, "patrol.visit_recorded", to_json(v))).ok());
    auto report = d->report("S4", at("2026-11-22T10:00:00Z")).value();
    EXPECT_EQ(report.duties.at(0).visits, 1);
    // The next id follows the highest seen, not the count of shifts.
    EXPECT_EQ(d->reserve_shift(draft("8", "2026-11-22T08:00:00Z", "2026-11-22T09:00:00Z"))->id,
              "S5");
}

TEST(PatrolDesk, AHeldShiftBlocksAnOverlapUntilReleased) {
    auto d = desk();
    auto first = d->reserve_shift(draft("7", "2026-11-22T08:00:00Z", "2026-11-22T16:00:00Z"));
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->id, "S1");
    auto clash = d->reserve_shift(draft("7", "2026-11-22T15:00:00Z", "2026-11-22T20:00:00Z"));
    ASSERT_FALSE(clash.ok()) << "the first is not applied yet, but held";
    EXPECT_EQ(clash.error().field, "start");
    EXPECT_NE(clash.error().detail.find("S1"), std::string::npos) << clash.error().detail;
    auto other_unit = d->reserve_shift(draft("8", "2026-11-22T15:00:00Z", "2026-11-22T20:00:00Z"));
    ASSERT_TRUE(other_unit.ok());
    EXPECT_EQ(other_unit->id, "S2");
    d->release_shift("S1"); // its commit failed
    auto again = d->reserve_shift(draft("7", "2026-11-22T15:00:00Z", "2026-11-22T20:00:00Z"));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->id, "S3") << "an id once handed out is not reused";
    // Applied, the shift still blocks an overlap.
    ASSERT_TRUE(d->apply(event(0, "patrol.shift_assigned", to_json(*again))).ok());
    EXPECT_FALSE(d->reserve_shift(draft("7", "2026-11-22T19:00:00Z", "2026-11-22T21:00:00Z")).ok());
}

TEST(PatrolDesk, AVisitTheStoreRefusedComesBackAndCountsMeanwhile) {
    auto d = desk();
    day_shift(*d, "S1", 1);
    const patrol::Visit v = visit_at_nine("S1");
    d->retry({v});
    EXPECT_EQ(d->report("S1", at("2026-11-22T10:00:00Z"))->met, 1)
        << "the live view counts it while it waits";
    auto again = d->expire(at("2026-11-22T10:00:05Z"));
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].point_id, "P1");
    EXPECT_TRUE(d->expire(at("2026-11-22T10:00:10Z")).empty()) << "handed out once";
}

TEST(PatrolDesk, FixesAreKeptForADay) {
    auto d = desk();
    const patrol::Shift s = day_shift(*d, "S1", 1);
    EXPECT_EQ(d->fixes_needed_since(at("2026-11-22T12:00:00Z")), s.start);
    EXPECT_FALSE(d->fixes_needed_since(at("2026-11-23T17:00:00Z")).has_value());
    d->set_fixes_since(s.start);
    d->restore_fix("7", at("2026-11-22T08:10:00Z"), {38.91, -77.04});
    d->observe("7", at("2026-11-22T08:11:00Z"), {38.911, -77.04});
    d->observe("9", at("2026-11-22T08:11:00Z"), {38.911, -77.04}); // no shift: not kept
    EXPECT_TRUE(d->has_fixes_for(s));
    EXPECT_EQ(d->report("S1", at("2026-11-22T12:00:00Z"))->fixes, 2u);
    d->expire(at("2026-11-23T12:00:00Z"));
    EXPECT_FALSE(d->has_fixes_for(s)) << "the day is over: reports read the store";
    EXPECT_EQ(d->report("S1", at("2026-11-23T12:00:00Z"))->fixes, 0u);
}

} // namespace
} // namespace pingan::server
