#include <algorithm>
#include <tuple>

#include <gtest/gtest.h>

#include "analytics/random.hpp"
#include "ascii_map.hpp"
#include "dispatch/recommender.hpp"
#include "road/route.hpp"
#include "sim/replay.hpp"

namespace pingan::sim {
namespace {

using road::testing::AsciiMap;
using road::testing::parse_ascii_map;

constexpr TimeMs kT0 = 1'700'000'000'000; // any day

// Streets at 10 m/s; one column is 10 m, one row 20 m (tests/unit/road/ascii_map.hpp).
// No road joins C and D: they are 40 m apart as the crow flies but 520 m apart by road.
constexpr std::string_view kDetour = R"(
A-------------------B
|                   |
C                   |
~                   |
D-------------------E
)";

// A fleet with one unit at each of the given letters, no processing or turnout time, and
// exactly `service_s` on scene.
Fleet fleet_at(const AsciiMap& map, std::string_view letters, double service_s = 600) {
    Fleet f;
    f.name = "test";
    for (char c : letters) {
        f.units.push_back(
            FleetUnit{std::string(1, c) + "1", f.posts.size(), ops::Agency::police, {}});
        f.posts.push_back(Post{std::string(1, c), map.points.at(c)});
    }
    f.call_processing_ms = 0;
    f.turnout_ms = 0;
    f.service_default_ms = static_cast<TimeMs>(service_s * 1000);
    f.service_spread = 0;
    return f;
}

ReplayOptions options(dispatch::Policy policy, std::uint64_t seed = 1) {
    ReplayOptions o;
    o.policy = policy;
    o.seed = seed;
    return o;
}

TEST(Replay, EtaPolicySendsTheUnitNearerByRoadStraightLineTheNearerAsTheCrowFlies) {
    //   units at C and E, one call at D
    //   expect eta → E (200 m by road, 20 s), straight → C (40 m away, but 520 m by road
    //   C-A-B-E-D, 52 s)
    const AsciiMap map = parse_ascii_map(kDetour);
    const Fleet fleet = fleet_at(map, "CE");
    const std::vector<Call> calls{{kT0, map.points.at('D'), "theft", 3}};

    auto eta = replay(map.graph, fleet, calls, options(dispatch::Policy::eta));
    ASSERT_TRUE(eta) << eta.error().detail;
    ASSERT_EQ(eta->outcomes.size(), 1u);
    EXPECT_EQ(eta->outcomes[0].unit, 1); // E
    EXPECT_NEAR(eta->outcomes[0].travel_ms, 20'000, 400);
    EXPECT_NEAR(*eta->dispatch_to_arrival.p50_s, 20, 0.4);
    EXPECT_TRUE(eta->outcomes[0].from_post);

    auto straight = replay(map.graph, fleet, calls, options(dispatch::Policy::straight));
    ASSERT_TRUE(straight) << straight.error().detail;
    EXPECT_EQ(straight->outcomes[0].unit, 0); // C
    EXPECT_NEAR(straight->outcomes[0].travel_ms, 52'000, 1'000);
    EXPECT_NEAR(straight->outcomes[0].straight_m, 40, 1);
    // Whatever the policy, the unit drives the road.
    EXPECT_EQ(straight->share_dispatch_within, 1.0);
}

// A street of 500 m: 50 s end to end.
constexpr std::string_view kStreet = R"(
A-------------------------------------------------B
)";

TEST(Replay, CallWaitsForTheOnlyUnitAndIsServedWhenItClears) {
    //   one unit at A; two calls at B at the same moment
    //   expect the first reached after 50 s, cleared 100 s later; the second waits 100 s for it
    //   and is reached from B itself (the unit is still there): 0 s of travel
    const AsciiMap map = parse_ascii_map(kStreet);
    const Fleet fleet = fleet_at(map, "A", 100);
    const std::vector<Call> calls{{kT0, map.points.at('B'), "theft", 3},
                                  {kT0, map.points.at('B'), "theft", 3}};
    auto r = replay(map.graph, fleet, calls, options(dispatch::Policy::eta));
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->waited, 1u);
    EXPECT_EQ(r->max_queue, 1u);
    const CallOutcome& first = r->outcomes[0];
    const CallOutcome& second = r->outcomes[1];
    EXPECT_FALSE(first.waited);
    EXPECT_TRUE(second.waited);
    EXPECT_NEAR(first.on_scene_at - kT0, 50'000, 1'000);
    EXPECT_EQ(first.cleared_at - first.on_scene_at, 100'000);
    EXPECT_EQ(second.dispatched_at, first.cleared_at);
    EXPECT_LE(second.travel_ms, 100u);
    EXPECT_NEAR(*r->wait.p50_s, 150, 1); // 50 s driving + 100 s on scene
    // Busy from 0 to 250 s of a 250 s span.
    EXPECT_NEAR(r->utilisation, 1.0, 1e-9);
    EXPECT_EQ(r->units[0].calls, 2u);
}

TEST(Replay, UnitReturningToItsPostIsSentFromWhereItIsNow) {
    //   one unit at A; a call at B at 0 s (cleared at 150 s, back at A at 200 s), another at B
    //   at 175 s: the unit is halfway back, 25 s from B
    const AsciiMap map = parse_ascii_map(kStreet);
    const Fleet fleet = fleet_at(map, "A", 100);
    const std::vector<Call> calls{{kT0, map.points.at('B'), "theft", 3},
                                  {kT0 + 175'000, map.points.at('B'), "theft", 3}};
    auto r = replay(map.graph, fleet, calls, options(dispatch::Policy::eta));
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->waited, 0u);
    EXPECT_EQ(r->dispatched_returning, 1u);
    EXPECT_FALSE(r->outcomes[1].from_post);
    EXPECT_NEAR(r->outcomes[1].travel_ms, 25'000, 1'000);
}

TEST(Replay, CallsOffTheRoadNetworkAreCountedNotReplayed) {
    const AsciiMap map = parse_ascii_map(kStreet);
    const Fleet fleet = fleet_at(map, "A");
    const geo::LatLon far{map.points.at('A').lat + 0.1, map.points.at('A').lon}; // 11 km north
    const std::vector<Call> calls{{kT0, map.points.at('B'), "theft", 3}, {kT0, far, "theft", 3}};
    auto r = replay(map.graph, fleet, calls, options(dispatch::Policy::eta));
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->replayed, 1u);
    EXPECT_EQ(r->off_network, 1u);
    EXPECT_FALSE(r->outcomes[1].replayed);
}

TEST(Replay, RefusesAnEmptyFleetAndAPostOffTheNetwork) {
    const AsciiMap map = parse_ascii_map(kStreet);
    const std::vector<Call> calls{{kT0, map.points.at('B'), "theft", 3}};
    Fleet empty = fleet_at(map, "");
    auto r = replay(map.graph, empty, calls, options(dispatch::Policy::eta));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().detail.find("no units"), std::string::npos);

    Fleet off = fleet_at(map, "A");
    off.posts[0].location.lat += 0.1;
    r = replay(map.graph, off, calls, options(dispatch::Policy::eta));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().detail.find("post A"), std::string::npos) << r.error().detail;
}

// Many calls on the detour map with random times on scene: enough to make queues and returns.
std::vector<Call> busy_day(const AsciiMap& map) {
    std::vector<Call> calls;
    const std::string letters = "ABCDE";
    for (int i = 0; i < 200; ++i) {
        const char c = letters[static_cast<std::size_t>(i * 7 % 5)];
        calls.push_back(
            Call{kT0 + i * 37'000, map.points.at(c), i % 3 == 0 ? "assault" : "theft", 3});
    }
    return calls;
}

TEST(Replay, SameSeedSameResultAndOtherSeedOtherTimesOnScene) {
    const AsciiMap map = parse_ascii_map(kDetour);
    Fleet fleet = fleet_at(map, "CE");
    fleet.service_spread = 0.5;
    fleet.service_ms.emplace("assault", 5 * 60'000);
    fleet.service_default_ms = 2 * 60'000;
    const std::vector<Call> calls = busy_day(map);

    auto a = replay(map.graph, fleet, calls, options(dispatch::Policy::eta, 42));
    auto b = replay(map.graph, fleet, calls, options(dispatch::Policy::eta, 42));
    auto c = replay(map.graph, fleet, calls, options(dispatch::Policy::eta, 43));
    ASSERT_TRUE(a && b && c);
    EXPECT_EQ(to_json(*a, true), to_json(*b, true));
    EXPECT_NE(to_json(*a, true), to_json(*c, true));
    EXPECT_GT(a->waited, 0u); // the day is busy enough to queue
    for (const CallOutcome& o : a->outcomes) {
        const TimeMs service = o.cleared_at - o.on_scene_at;
        const TimeMs mean = fleet.service_mean_ms(calls[o.call].category);
        EXPECT_GE(service, mean / 2 - 1);
        EXPECT_LE(service, mean * 3 / 2 + 1);
    }
}

TEST(Replay, BothPoliciesDrawTheSameTimeOnSceneForTheSameCall) {
    const AsciiMap map = parse_ascii_map(kDetour);
    Fleet fleet = fleet_at(map, "CE");
    fleet.service_spread = 0.5;
    const std::vector<Call> calls = busy_day(map);
    auto eta = replay(map.graph, fleet, calls, options(dispatch::Policy::eta, 7));
    auto straight = replay(map.graph, fleet, calls, options(dispatch::Policy::straight, 7));
    ASSERT_TRUE(eta && straight);
    for (std::size_t i = 0; i < calls.size(); ++i) {
        EXPECT_EQ(eta->outcomes[i].cleared_at - eta->outcomes[i].on_scene_at,
                  straight->outcomes[i].cleared_at - straight->outcomes[i].on_scene_at);
    }
    // Road ETA never loses to straight line on this map's travel times overall.
    EXPECT_LE(*eta->travel.mean_s, *straight->travel.mean_s);
}

TEST(Replay, ServiceTimeByCodeThenGroupThenDefault) {
    Fleet f;
    f.service_default_ms = 1;
    f.service_ms.emplace("criminal", 2);
    f.service_ms.emplace("robbery", 3);
    EXPECT_EQ(f.service_mean_ms("robbery"), 3);
    EXPECT_EQ(f.service_mean_ms("theft"), 2); // group criminal
    EXPECT_EQ(f.service_mean_ms("noise"), 1);
}

// The replay sends whichever unit dispatch::Recommender puts first. The recommender ranks by a
// reverse Dijkstra from the call when many units are eligible, and by one hierarchy query per
// unit when few are (8 + 4k or fewer: the Dijkstra would sweep far to meet them). Both must
// give the units nearest by road, ties by id: checked against every unit's own ETA.
//   one-way G>H, M>H and Q>L (north), a motorway across the middle
constexpr std::string_view kGrid = R"(
A---B---C---D---E
|   |   |   |   |
F---G>>>H---I---J
|   |   ^   |   |
K===L===M===N===O
|   ^   |   |   |
P---Q---R---S---T
|   |   |   |   |
U---V---W---X---Y
)";

TEST(Replay, RecommenderRanksByRoadWithManyOrFewUnitsFree) {
    const AsciiMap map = parse_ascii_map(kGrid);
    const std::string letters = "ABCDEFGHIJKLMNOPQRSTUVWXY";
    dispatch::Recommender rec(&map.graph);
    road::RouteQuery routes(map.graph);
    analytics::Rng rng(7);
    std::vector<ops::Unit> units(30);
    for (std::size_t i = 0; i < units.size(); ++i) {
        // At a junction, or halfway to the one east of it (mid-segment); repeats make ties.
        const std::size_t l = rng.below(static_cast<std::uint32_t>(letters.size()));
        geo::LatLon p = map.points.at(letters[l]);
        if (l % 5 != 4 && rng.below(2) == 1) {
            const geo::LatLon q = map.points.at(letters[l + 1]);
            p = {(p.lat + q.lat) / 2, (p.lon + q.lon) / 2};
        }
        units[i].id = static_cast<ops::Id>(i + 1);
        units[i].callsign = "U" + std::to_string(i + 1);
        units[i].position = ops::Position{p, std::nullopt, std::nullopt, kT0};
        rec.upsert(units[i], kT0);
    }
    auto expect_nearest = [&](std::size_t k, std::size_t free) {
        for (char c : letters) {
            const road::RoadPosition target = *map.graph.snap(map.points.at(c));
            std::vector<std::tuple<road::TimeMs, ops::Id>> all;
            for (const ops::Unit& u : units) {
                if (u.status != ops::UnitStatus::available) continue;
                const road::RoadPosition from = *map.graph.snap(u.position->at);
                all.emplace_back(routes.eta_ms(from, target), u.id);
            }
            ASSERT_EQ(all.size(), free);
            std::sort(all.begin(), all.end());
            dispatch::Need need;
            need.location = map.points.at(c);
            need.k = k;
            const auto recs = rec.recommend(need, dispatch::Policy::eta, kT0);
            ASSERT_EQ(recs.size(), std::min(k, free)) << c;
            for (std::size_t i = 0; i < recs.size(); ++i) {
                EXPECT_EQ(recs[i].unit_id, std::get<1>(all[i]))
                    << "call at " << c << ", rank " << i;
                EXPECT_NEAR(*recs[i].reasons.eta_s * 1000, std::get<0>(all[i]), 0.5) << c;
            }
        }
    };
    expect_nearest(1, 30); // 30 > 12: the Dijkstra
    expect_nearest(3, 30); // 30 > 20: the Dijkstra
    for (std::size_t i = 5; i < units.size(); ++i) {
        units[i].status = ops::UnitStatus::en_route;
        rec.upsert(units[i], kT0);
    }
    expect_nearest(1, 5); // one hierarchy query per free unit
    expect_nearest(3, 5);
}

} // namespace
} // namespace pingan::sim
