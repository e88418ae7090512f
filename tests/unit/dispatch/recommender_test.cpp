// Recommendation scenarios: who is sent first, and why, on small drawn maps.
#include <gtest/gtest.h>

#include "ascii_map.hpp"
#include "dispatch/recommender.hpp"

namespace pingan::dispatch {
namespace {

using road::testing::AsciiMap;
using road::testing::parse_ascii_map;

// A is 80 m from D across the river; G is 240 m from D on D's bank. The only bridge is C-F.
const char* const kRiver = "A-------B-------C\n"
                           "                |\n"
                           "~~~~~~~~~~~~~~~~|~~~~~~~~~~\n"
                           "                |\n"
                           "D-------E-------F-------G\n";

ops::Unit unit(ops::Id id, const std::string& callsign, geo::LatLon at,
               ops::Agency agency = ops::Agency::police) {
    ops::Unit u;
    u.id = id;
    u.callsign = callsign;
    u.agency = agency;
    u.status = ops::UnitStatus::available;
    u.position = ops::Position{at, std::nullopt, std::nullopt, 0};
    return u;
}

std::vector<ops::Id> ids(const std::vector<Recommendation>& list) {
    std::vector<ops::Id> out;
    for (const auto& r : list)
        out.push_back(r.unit_id);
    return out;
}

TEST(Recommend, AUnitAcrossTheRiverRanksBelowAFartherOneOnTheSameBank) {
    const AsciiMap map = parse_ascii_map(kRiver);
    Recommender rec(&map.graph);
    rec.upsert(unit(1, "ACROSS", map.points.at('A')), 0);
    rec.upsert(unit(2, "SAME-BANK", map.points.at('G')), 0);
    Need need;
    need.location = map.points.at('D');
    need.agencies = {ops::Agency::police};

    const auto by_road = rec.recommend(need, Policy::eta, 0);
    ASSERT_EQ(ids(by_road), (std::vector<ops::Id>{2, 1}));
    // The reasons say why: the crow flies the other way.
    const Reasons& first = by_road[0].reasons;
    const Reasons& second = by_road[1].reasons;
    EXPECT_NEAR(*first.eta_s, 24.0, 0.3);  // 240 m at 10 m/s
    EXPECT_NEAR(*second.eta_s, 40.0, 0.4); // 400 m over the bridge
    EXPECT_NEAR(*first.distance_m, 240, 1);
    EXPECT_NEAR(*second.distance_m, 400, 1);
    EXPECT_LT(second.straight_m, first.straight_m);
    EXPECT_EQ(first.status, ops::UnitStatus::available);

    // Straight-line policy, kept for comparison, gets it wrong.
    EXPECT_EQ(ids(rec.recommend(need, Policy::straight, 0)), (std::vector<ops::Id>{1, 2}));
}

TEST(Recommend, OnlyAvailableUnitsOfTheNeededAgencyAndCapabilities) {
    const AsciiMap map = parse_ascii_map(kRiver);
    Recommender rec(&map.graph);
    ops::Unit busy = unit(1, "BUSY", map.points.at('E'));
    busy.status = ops::UnitStatus::dispatched;
    rec.upsert(busy, 0);
    rec.upsert(unit(2, "AMBULANCE", map.points.at('E'), ops::Agency::ems), 0);
    ops::Unit k9 = unit(3, "K9", map.points.at('G'));
    k9.capabilities = {"k9"};
    rec.upsert(k9, 0);
    rec.upsert(unit(4, "PATROL", map.points.at('F')), 0);

    Need need;
    need.location = map.points.at('D');
    need.agencies = {ops::Agency::police};
    EXPECT_EQ(ids(rec.recommend(need, Policy::eta, 0)), (std::vector<ops::Id>{4, 3}));
    need.capabilities = {"k9"};
    const auto dogs = rec.recommend(need, Policy::eta, 0);
    EXPECT_EQ(ids(dogs), (std::vector<ops::Id>{3}));
    EXPECT_TRUE(dogs[0].reasons.capability_match);
    need.capabilities.clear();
    need.agencies = {ops::Agency::ems};
    EXPECT_EQ(ids(rec.recommend(need, Policy::eta, 0)), (std::vector<ops::Id>{2}));

    // Back in service: ranked again.
    busy.status = ops::UnitStatus::available;
    rec.upsert(busy, 1000);
    need.agencies = {ops::Agency::police};
    EXPECT_EQ(rec.recommend(need, Policy::eta, 1000)[0].unit_id, 1);
    rec.remove(1, 2000);
    EXPECT_EQ(rec.recommend(need, Policy::eta, 2000)[0].unit_id, 4);
}

TEST(Recommend, JurisdictionAndCoverageLostAreReasons) {
    const AsciiMap map = parse_ascii_map(kRiver);
    Recommender rec(&map.graph, 30'000); // 30 s coverage on this small map
    ops::Unit home = unit(1, "HOME", map.points.at('F'));
    home.home_jurisdiction = "south";
    rec.upsert(home, 0);
    ops::Unit visitor = unit(2, "VISITOR", map.points.at('B'));
    visitor.home_jurisdiction = "north";
    rec.upsert(visitor, 0);
    Need need;
    need.location = map.points.at('E');
    need.jurisdiction = "south";
    const auto list = rec.recommend(need, Policy::eta, 0);
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].unit_id, 1);
    EXPECT_TRUE(list[0].reasons.jurisdiction_match);
    EXPECT_FALSE(list[1].reasons.jurisdiction_match);
    // Each unit covers road the other does not: losing either loses some.
    ASSERT_TRUE(list[0].reasons.coverage_lost_share.has_value());
    EXPECT_GT(*list[0].reasons.coverage_lost_share, 0.0);
    EXPECT_LE(*list[0].reasons.coverage_lost_share, 1.0);
}

TEST(Recommend, WithoutARoadGraphOnlyStraightLineIsPossible) {
    Recommender rec(nullptr);
    rec.upsert(unit(1, "NEAR", {38.9100, -77.0400}), 0);
    rec.upsert(unit(2, "FAR", {38.9500, -77.0400}), 0);
    Need need;
    need.location = {38.9090, -77.0400};
    const auto list = rec.recommend(need, Policy::eta, 0);
    ASSERT_EQ(ids(list), (std::vector<ops::Id>{1, 2}));
    EXPECT_FALSE(list[0].reasons.eta_s.has_value());
    EXPECT_NEAR(list[0].reasons.straight_m, 111, 2);
}

} // namespace
} // namespace pingan::dispatch
