// Scenario tests: small drawn maps with the routes and rankings a dispatcher would expect.
#include <gtest/gtest.h>

#include "ascii_map.hpp"
#include "road/coverage.hpp"
#include "road/nearest.hpp"
#include "road/route.hpp"
#include "road/units.hpp"

namespace pingan::road {
namespace {

using testing::AsciiMap;
using testing::parse_ascii_map;

// Seconds for a distance on a street (10 m/s) or a motorway (30 m/s), as the ASCII map defines.
double street_s(double metres) {
    return metres / 10.0;
}
double motorway_s(double metres) {
    return metres / 30.0;
}

std::vector<UnitKey> ranking(const AsciiMap& map, const UnitIndex& units, char incident,
                             std::size_t k) {
    NearestQuery q(map.graph);
    NearestRequest req;
    req.k = k;
    std::vector<UnitKey> out;
    for (const NearestUnit& u : q.nearest(units, map.at(incident), req))
        out.push_back(u.key);
    return out;
}

TEST(Scenario, OneWayStreetMakesTheFartherUnitFirst) {
    // U1 at A, U2 at E, incident at C. B-C is one-way C->B, so U1 must go round by D and E.
    const AsciiMap map = parse_ascii_map("A---B-<-C\n"
                                         "    |   |\n"
                                         "    D---E\n");
    UnitIndex units(map.graph);
    units.update({1, map.at('A'), true, 0});
    units.update({2, map.at('E'), true, 0});
    EXPECT_EQ(ranking(map, units, 'C', 2), (std::vector<UnitKey>{2, 1}));

    RouteQuery q(map.graph);
    // A-B 40 m, B-D 40 m, D-E 40 m, E-C 40 m.
    EXPECT_NEAR(q.eta_ms(map.node('A'), map.node('C')) / 1000.0, street_s(160), 0.2);
    EXPECT_NEAR(q.eta_ms(map.node('C'), map.node('A')) / 1000.0, street_s(80), 0.1);
    auto route = q.route(map.node('A'), map.node('C'));
    ASSERT_TRUE(route.ok());
    ASSERT_EQ(route->steps.size(), 4u);
    EXPECT_EQ(map.graph.name(route->steps[1].segment), "B-D");
}

TEST(Scenario, RiverWithOneBridge) {
    // A is 80 m from D as the crow flies, G is 240 m away, but the only bridge is C-F:
    // by road A needs 400 m and G 240 m.
    const AsciiMap map = parse_ascii_map("A-------B-------C\n"
                                         "                |\n"
                                         "~~~~~~~~~~~~~~~~|~~~~~~~~~~\n"
                                         "                |\n"
                                         "D-------E-------F-------G\n");
    EXPECT_LT(geo::distance_m(map.points.at('A'), map.points.at('D')),
              geo::distance_m(map.points.at('G'), map.points.at('D')));
    UnitIndex units(map.graph);
    units.update({1, map.at('A'), true, 0});
    units.update({2, map.at('G'), true, 0});
    NearestQuery nq(map.graph);
    NearestRequest req;
    req.k = 2;
    const auto ranked = nq.nearest(units, map.at('D'), req);
    ASSERT_EQ(ranked.size(), 2u);
    EXPECT_EQ(ranked[0].key, 2u);
    EXPECT_NEAR(ranked[0].eta_ms / 1000.0, street_s(240), 0.3);
    EXPECT_EQ(ranked[1].key, 1u);
    EXPECT_NEAR(ranked[1].eta_ms / 1000.0, street_s(400), 0.4);

    RouteQuery q(map.graph);
    auto route = q.route(map.at('A'), map.at('D'));
    ASSERT_TRUE(route.ok());
    EXPECT_NEAR(route->distance_m, 400, 1.0);
    bool crosses_bridge = false;
    for (const RouteStep& s : route->steps)
        crosses_bridge |= map.graph.name(s.segment) == "C-F";
    EXPECT_TRUE(crosses_bridge);
}

TEST(Scenario, DeadEndStreetAndMidBlockStart) {
    // D is a dead end off B. A unit 10 m into the dead end must drive to B first.
    const AsciiMap map = parse_ascii_map("A---B---C\n"
                                         "    |\n"
                                         "    |\n"
                                         "    D\n");
    RouteQuery q(map.graph);
    const RoadPosition mid = map.between('D', 'B', 20); // 20 m from D, 40 m from B
    EXPECT_NEAR(q.eta_ms(mid, map.at('C')) / 1000.0, street_s(40 + 40), 0.1);
    EXPECT_NEAR(q.eta_ms(map.at('A'), map.at('D')) / 1000.0, street_s(40 + 60), 0.1);
    // Both ways along the dead end itself.
    EXPECT_NEAR(q.eta_ms(mid, map.at('D')) / 1000.0, street_s(20), 0.05);
    auto route = q.route(mid, map.at('C'));
    ASSERT_TRUE(route.ok());
    EXPECT_NEAR(route->distance_m, 80, 0.5);
    EXPECT_EQ(route->point_time_ms.back(), route->eta_ms);
    EXPECT_NEAR(route->point_at(route->eta_ms / 2).lat, map.points.at('B').lat,
                1e-4); // half-way is at B

    // Isochrone of 3.5 s from B: 35 m along each street, no other junction: the three arcs
    // leaving B are cut. At 5 s, A and C (40 m) are inside and only B->D (60 m) is cut.
    const Isochrone iso = isochrone(map.graph, map.at('B'), 3500);
    EXPECT_EQ(iso.cut_arcs().size(), 3u);
    const Isochrone wider = isochrone(map.graph, map.at('B'), 5000);
    ASSERT_EQ(wider.cut_arcs().size(), 1u);
    EXPECT_EQ(map.graph.data().arc_head[wider.cut_arcs()[0]], map.node('D'));
}

TEST(Scenario, TurnOntoTheMotorwayWhenItIsFaster) {
    // B=>C is a one-way motorway (30 m/s), the street E-F below it is two-way (10 m/s).
    const AsciiMap map = parse_ascii_map("A---B=====>=====C---D\n"
                                         "|                   |\n"
                                         "E-------------------F\n");
    RouteQuery q(map.graph);
    auto east = q.route(map.at('A'), map.at('D'));
    ASSERT_TRUE(east.ok());
    EXPECT_NEAR(east->eta_ms / 1000.0, street_s(40) + motorway_s(120) + street_s(40), 0.1);
    bool on_motorway = false;
    for (const RouteStep& s : east->steps)
        on_motorway |= map.graph.road_class(s.segment) == RoadClass::motorway;
    EXPECT_TRUE(on_motorway);
    // Westwards the motorway is closed: down to the street (D-F and E-A are two rows, 40 m).
    auto west = q.route(map.at('D'), map.at('A'));
    ASSERT_TRUE(west.ok());
    EXPECT_NEAR(west->eta_ms / 1000.0, street_s(40 + 200 + 40), 0.2);
    for (const RouteStep& s : west->steps)
        EXPECT_NE(map.graph.road_class(s.segment), RoadClass::motorway);
}

TEST(Scenario, UnitsOnAOneWayIncidentStreet) {
    // Incident in the middle of one-way A->B. A unit behind it drives straight on; a unit
    // ahead of it (past the incident) must go round the block.
    const AsciiMap map = parse_ascii_map("A-------->B\n"
                                         "|         |\n"
                                         "C---------D\n");
    UnitIndex units(map.graph);
    units.update({7, map.between('A', 'B', 10), true, 0}); // behind
    units.update({8, map.between('A', 'B', 80), true, 0}); // ahead
    const RoadPosition incident = map.between('A', 'B', 50);
    NearestQuery nq(map.graph);
    NearestRequest req;
    req.k = 2;
    const auto ranked = nq.nearest(units, incident, req);
    ASSERT_EQ(ranked.size(), 2u);
    EXPECT_EQ(ranked[0].key, 7u);
    EXPECT_NEAR(ranked[0].eta_ms / 1000.0, street_s(40), 0.05);
    EXPECT_EQ(ranked[1].key, 8u);
    EXPECT_NEAR(ranked[1].eta_ms / 1000.0, street_s(20 + 40 + 100 + 40 + 50), 0.3);
}

TEST(Scenario, FiltersAvailabilityAndCapabilities) {
    const AsciiMap map = parse_ascii_map("A---B---C---D---E\n");
    UnitIndex units(map.graph);
    units.update({1, map.at('B'), true, 0b01});
    units.update({2, map.at('A'), true, 0b11});
    units.update({3, map.at('C'), false, 0b11}); // nearest, but busy
    NearestQuery nq(map.graph);
    NearestRequest req;
    req.k = 3;
    EXPECT_EQ(nq.nearest(units, map.at('D'), req).size(), 2u);
    req.required_capabilities = 0b10;
    const auto ranked = nq.nearest(units, map.at('D'), req);
    ASSERT_EQ(ranked.size(), 1u);
    EXPECT_EQ(ranked[0].key, 2u);
    // Back in service, then moved next to the incident: O(1) updates are seen at once.
    ASSERT_TRUE(units.set_available(3, true));
    units.update({1, map.between('D', 'E', 5), true, 0b11});
    req.required_capabilities = 0;
    const auto again = nq.nearest(units, map.at('D'), req);
    ASSERT_EQ(again.size(), 3u);
    EXPECT_EQ(again[0].key, 1u);
    EXPECT_EQ(again[1].key, 3u);
    EXPECT_TRUE(units.remove(1));
    EXPECT_EQ(nq.nearest(units, map.at('D'), req)[0].key, 3u);
}

TEST(Scenario, CoverageOfTwoUnitsAndWhatOneLeavingLoses) {
    // 5 s = 50 m on a street. U1 at A covers A-B (40 m) and 10 m of B-C; U2 at E likewise.
    const AsciiMap map = parse_ascii_map("A---B---C---D---E---F---G\n");
    Coverage cov(map.graph, 5000);
    const std::vector<std::pair<UnitKey, RoadPosition>> units = {{1, map.at('A')},
                                                                 {2, map.at('E')}};
    cov.assign(units);
    EXPECT_NEAR(cov.total_m(), 240, 0.5);
    EXPECT_NEAR(cov.covered_m(), 50 + 100, 0.5);
    EXPECT_NEAR(cov.covered_m_without(2), 50, 0.5);
    EXPECT_NEAR(cov.covered_m(), 150, 0.5); // unchanged by the what-if
    cov.set_unit(1, map.at('D'));           // overlaps U2 now
    EXPECT_NEAR(cov.covered_m(), 140, 0.5); // B-C 10 + C-D 40 + D-E 40 + E-F 40 + F-G 10
    EXPECT_NEAR(cov.covered_m(), cov.recount_m(), 1e-3);
    cov.remove_unit(2);
    EXPECT_NEAR(cov.covered_m(), 100, 0.5);
    EXPECT_EQ(cov.time_ms(map.node('D')), 0u);
    EXPECT_EQ(cov.time_ms(map.node('A')), kNoTime);
}

TEST(Scenario, OffRoadAndInvalidCoordinatesAreNamedErrors) {
    const AsciiMap map = parse_ascii_map("A---B\n");
    auto far = map.graph.snap({39.1, -77.0});
    ASSERT_FALSE(far.ok());
    EXPECT_EQ(far.error().code, base::Code::off_road);
    auto bad = map.graph.snap({123.0, 0.0});
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, base::Code::field_invalid);
    auto nan = map.graph.snap({std::nan(""), 0.0});
    ASSERT_FALSE(nan.ok());
    auto near = map.graph.snap(map.points.at('A'), 5);
    ASSERT_TRUE(near.ok());
    EXPECT_LT(near->snap_distance_m, 0.01);
}

} // namespace
} // namespace pingan::road
