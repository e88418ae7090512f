// The coverage relation on a drawn road map: which posts reach which incidents within T, one
// way streets included, equal to point-to-point routing for every pair.
#include <gtest/gtest.h>

#include "analytics/road_coverage.hpp"
#include "ascii_map.hpp"
#include "road/route.hpp"

namespace pingan::analytics {
namespace {

using road::testing::AsciiMap;
using road::testing::parse_ascii_map;

// Streets at 10 m/s; one column is 10 m, one row 20 m (tests/unit/road/ascii_map.hpp).
// A-B, B-C, C-D, A-E, D-G: 4 s each; E->F one-way, 4 s; F-G 8 s.
constexpr const char* kMap = "A---B---C---D\n"
                             "|           |\n"
                             "E-->F-------G\n";
constexpr const char* kLetters = "ABCDEFG";

TEST(RoadCoverage, RelationEqualsPointToPointRoutingForEveryPair) {
    const AsciiMap map = parse_ascii_map(kMap);
    std::vector<road::RoadPosition> sites, demand_pos;
    for (const char* c = kLetters; *c != 0; ++c) {
        sites.push_back(map.at(*c));
        demand_pos.push_back(map.at(*c));
    }
    // Mid-block demand: 15 m from B towards C.
    demand_pos.push_back(map.between('B', 'C', 15));
    DemandSet demand;
    demand.positions = demand_pos;
    demand.weights.assign(demand_pos.size(), 1.0);
    road::RouteQuery route(map.graph);
    for (road::TimeMs within : {4'000u, 8'000u, 9'500u, 30'000u}) {
        const CoverageRelation rel = build_coverage_relation(map.graph, sites, demand, within);
        ASSERT_EQ(rel.site_count(), sites.size());
        for (std::size_t s = 0; s < sites.size(); ++s) {
            std::vector<std::uint32_t> expect;
            for (std::uint32_t d = 0; d < demand_pos.size(); ++d) {
                if (route.eta_ms(sites[s], demand_pos[d]) <= within) expect.push_back(d);
            }
            const auto got = rel.reach(s);
            EXPECT_EQ(std::vector<std::uint32_t>(got.begin(), got.end()), expect)
                << "site " << kLetters[s] << " within " << within;
        }
    }
}

TEST(RoadCoverage, OneWayStreetMakesReachAsymmetric) {
    const AsciiMap map = parse_ascii_map(kMap);
    // From E, F is 4 s down the one-way street; from F, E is 28 s round by G, D, C, B, A.
    DemandSet demand;
    demand.positions = {map.at('E'), map.at('F')};
    demand.weights = {1, 1};
    const std::vector<road::RoadPosition> sites = {map.at('E'), map.at('F')};
    const CoverageRelation rel = build_coverage_relation(map.graph, sites, demand, 8'000);
    EXPECT_EQ(std::vector<std::uint32_t>(rel.reach(0).begin(), rel.reach(0).end()),
              (std::vector<std::uint32_t>{0, 1}));
    EXPECT_EQ(std::vector<std::uint32_t>(rel.reach(1).begin(), rel.reach(1).end()),
              (std::vector<std::uint32_t>{1}));
    // The same with two threads.
    const CoverageRelation rel2 = build_coverage_relation(map.graph, sites, demand, 8'000, 2);
    EXPECT_EQ(rel2.demand, rel.demand);
    EXPECT_EQ(rel2.first, rel.first);
}

TEST(RoadCoverage, SnappedDemandMergesIncidentsOnTheSameStretch) {
    const AsciiMap map = parse_ascii_map(kMap);
    const geo::LatLon a = map.points.at('A');
    const geo::LatLon far{a.lat + 1.0, a.lon}; // 111 km away: off the road network
    const std::vector<geo::LatLon> incidents = {a, a, map.points.at('G'), far};
    const DemandSet d = snap_demand(map.graph, incidents, 50, 10);
    EXPECT_EQ(d.incidents, 4u);
    EXPECT_EQ(d.off_road, 1u);
    ASSERT_EQ(d.positions.size(), 2u);
    EXPECT_DOUBLE_EQ(d.weights[0] + d.weights[1], 3.0);
}

TEST(RoadCoverage, PlanPostsChoosesThePostReachingMostIncidents) {
    const AsciiMap map = parse_ascii_map(kMap);
    // Incidents: three at F, one at A, one at D. One post within 4 s: a post at F reaches
    // only F (3 incidents); E reaches E, A and F (3 + 1 = 4); nothing else does better.
    std::vector<geo::LatLon> incidents = {map.points.at('F'), map.points.at('F'),
                                          map.points.at('F'), map.points.at('A'),
                                          map.points.at('D')};
    PostPlanRequest req;
    req.units = 1;
    req.within_ms = 4'000;
    req.candidates = 100; // every junction
    auto plan = plan_posts(map.graph, incidents, req);
    ASSERT_TRUE(plan) << plan.error().detail;
    ASSERT_EQ(plan->posts.size(), 1u);
    EXPECT_EQ(plan->posts[0], map.node('E'));
    EXPECT_DOUBLE_EQ(plan->result.covered_weight, 4.0);
    EXPECT_DOUBLE_EQ(plan->result.share, 0.8);
    req.units = 2; // E and D (or C/G reaching D) cover everything
    plan = plan_posts(map.graph, incidents, req);
    ASSERT_TRUE(plan);
    EXPECT_DOUBLE_EQ(plan->result.covered_weight, 5.0);
}

TEST(RoadCoverage, CandidateSitesAreSpreadAndInsideTheBox) {
    const AsciiMap map = parse_ascii_map(kMap);
    const geo::LatLon a = map.points.at('A'), g = map.points.at('G');
    const geo::LatLon sw{std::min(a.lat, g.lat) - 1e-6, std::min(a.lon, g.lon) - 1e-6};
    const geo::LatLon ne{std::max(a.lat, g.lat) + 1e-6, std::max(a.lon, g.lon) + 1e-6};
    EXPECT_EQ(candidate_sites(map.graph, 100, sw, ne).size(), 7u);
    const auto some = candidate_sites(map.graph, 3, sw, ne);
    EXPECT_GE(some.size(), 1u);
    EXPECT_LE(some.size(), 3u);
}

} // namespace
} // namespace pingan::analytics
