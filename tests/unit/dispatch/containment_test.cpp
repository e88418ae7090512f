// Containment scenarios on a drawn town: where the exits are, which of them are checkpoints, and
// which unit stands at each.
#include <algorithm>

#include <gtest/gtest.h>

#include "ascii_map.hpp"
#include "dispatch/containment.hpp"

namespace pingan::dispatch {
namespace {

using road::testing::AsciiMap;
using road::testing::parse_ascii_map;

// A town (C D E / F G H) with three ways out: west to X, east to Y, south to Z, each a junction
// with roads on. The street from H south ends at K, a cul-de-sac: not a way out. Streets are
// 10 m/s; from G: D, F, H 4 s; C, E 8 s; Z 12 s; X, Y and K 16 s.
const char* const kTown = "P                       Q\n"
                          "|                       |\n"
                          "|                       |\n"
                          "|                       |\n"
                          "|                       |\n"
                          "|                       |\n"
                          "X-------C---D---E-------Y\n"
                          "|       |   |   |       |\n"
                          "R       F---G---H       S\n"
                          "            |   |\n"
                          "            |   |\n"
                          "            |   |\n"
                          "            |   |\n"
                          "            |   |\n"
                          "    W-------Z   K\n"
                          "            |\n"
                          "            V\n";

const Checkpoint& at(const ContainmentPlan& plan, const AsciiMap& map, char letter) {
    const auto it = std::find_if(plan.checkpoints.begin(), plan.checkpoints.end(),
                                 [&](const Checkpoint& c) { return c.node == map.node(letter); });
    if (it == plan.checkpoints.end())
        throw std::runtime_error(std::string("no checkpoint at ") + letter);
    return *it;
}

ContainmentRequest within(road::TimeMs escape_ms) {
    ContainmentRequest r;
    r.escape_ms = escape_ms;
    return r;
}

TEST(Containment, ATownWithThreeExitsGetsThreeCheckpointsEachStaffedByTheFirstUnitThere) {
    const AsciiMap map = parse_ascii_map(kTown);
    const std::vector<ContainmentUnit> units = {
        {1, map.between('X', 'P', 20)}, // 2 s from X
        {2, map.between('Y', 'Q', 20)}, // 2 s from Y
        {3, map.at('W')},               // 8 s from Z
        {4, map.at('D')},               // in town: 12 s from X and Y, 16 s from Z
    };
    const ContainmentPlan plan = plan_containment(map.graph, map.at('G'), units, within(10'000));

    ASSERT_EQ(plan.checkpoints.size(), 3u); // K is a dead end: nothing to seal beyond it
    EXPECT_EQ(plan.reached_nodes, 6u);      // C D E F G H
    EXPECT_EQ(plan.staffed(), 3u);
    // Most urgent first: the escaping vehicle is at Z after 12 s, at X and Y after 16 s.
    EXPECT_EQ(plan.checkpoints[0].node, map.node('Z'));
    EXPECT_NEAR(at(plan, map, 'Z').escape_ms, 12'000, 20);
    EXPECT_NEAR(at(plan, map, 'X').escape_ms, 16'000, 20);
    EXPECT_NEAR(at(plan, map, 'Y').escape_ms, 16'000, 20);

    const Checkpoint& x = at(plan, map, 'X');
    ASSERT_TRUE(x.staffed);
    EXPECT_EQ(x.staffed->unit, 1u);
    EXPECT_NEAR(x.staffed->eta_ms, 2'000, 20);
    ASSERT_EQ(x.alternatives.size(), 1u); // the town unit could make it too, later
    EXPECT_EQ(x.alternatives[0].unit, 4u);
    EXPECT_NEAR(x.alternatives[0].eta_ms, 12'000, 20);
    ASSERT_EQ(x.cut_arcs.size(), 1u);
    EXPECT_EQ(map.graph.data().arc_head[x.cut_arcs[0]], map.node('X'));

    const Checkpoint& y = at(plan, map, 'Y');
    ASSERT_TRUE(y.staffed);
    EXPECT_EQ(y.staffed->unit, 2u);

    const Checkpoint& z = at(plan, map, 'Z');
    ASSERT_TRUE(z.staffed);
    EXPECT_EQ(z.staffed->unit, 3u);
    EXPECT_NEAR(z.staffed->eta_ms, 8'000, 20);
    EXPECT_TRUE(z.alternatives.empty()); // the town unit needs 16 s: too late
    EXPECT_EQ(z.road_class, road::RoadClass::residential);
}

TEST(Containment, AUnitFirstAtTwoExitsLeavesOneToTheNextSoBothAreStaffed) {
    const AsciiMap map = parse_ascii_map(kTown);
    // Unit 1 is first at X (9 s) and the only one that can reach Y in time (15 s); unit 2 can
    // only reach X (12 s). Fastest-first alone would leave Y open.
    const std::vector<ContainmentUnit> units = {
        {1, map.between('C', 'D', 10)},
        {2, map.at('P')},
    };
    const ContainmentPlan plan = plan_containment(map.graph, map.at('G'), units, within(10'000));
    ASSERT_EQ(plan.checkpoints.size(), 3u);
    EXPECT_EQ(plan.staffed(), 2u);
    ASSERT_TRUE(at(plan, map, 'X').staffed);
    EXPECT_EQ(at(plan, map, 'X').staffed->unit, 2u);
    EXPECT_NEAR(at(plan, map, 'X').staffed->eta_ms, 12'000, 20);
    ASSERT_TRUE(at(plan, map, 'Y').staffed);
    EXPECT_EQ(at(plan, map, 'Y').staffed->unit, 1u);
    EXPECT_NEAR(at(plan, map, 'Y').staffed->eta_ms, 15'000, 20);
    // Z cannot be staffed in time; the plan says how late the best unit would be.
    const Checkpoint& z = at(plan, map, 'Z');
    EXPECT_FALSE(z.staffed);
    EXPECT_NEAR(z.best_eta_ms, 19'000, 20);
}

TEST(Containment, TimeAlreadyElapsedCountsAgainstTheUnits) {
    const AsciiMap map = parse_ascii_map(kTown);
    const std::vector<ContainmentUnit> units = {{3, map.at('W')}}; // 8 s from Z, escape 12 s
    ContainmentRequest request = within(10'000);
    request.elapsed_ms = 3'000;
    EXPECT_TRUE(at(plan_containment(map.graph, map.at('G'), units, request), map, 'Z').staffed);
    request.elapsed_ms = 4'000; // 4 + 8 is not before 12
    EXPECT_FALSE(at(plan_containment(map.graph, map.at('G'), units, request), map, 'Z').staffed);
}

TEST(Containment, NearbyExitsMergeIntoTheMostUrgentOne) {
    const AsciiMap map = parse_ascii_map(kTown);
    ContainmentRequest request = within(10'000);
    request.merge_radius_m = 250; // X and Y are 200 m from Z, 240 m from each other
    const ContainmentPlan plan = plan_containment(map.graph, map.at('G'), {}, request);
    ASSERT_EQ(plan.checkpoints.size(), 1u);
    const Checkpoint& c = plan.checkpoints[0];
    EXPECT_EQ(c.node, map.node('Z'));
    EXPECT_NEAR(c.escape_ms, 12'000, 20);
    EXPECT_EQ(c.exits.size(), 3u);
    EXPECT_EQ(c.cut_arcs.size(), 3u);
    EXPECT_FALSE(c.staffed);
    EXPECT_EQ(c.best_eta_ms, road::kNoTime); // no units at all
}

// A town in a river bend: its only way out is the bridge C-J to the road P-J-Q. From H: G, I
// and C 4 s; B, D, F, K 8 s; A, E 12 s; J 20 s.
const char* const kBend = "P-------J-------Q\n"
                          "        |\n"
                          "        |\n"
                          "        |\n"
                          "~~~~~~~~|~~~~~~~~\n"
                          "        |\n"
                          "        |\n"
                          "        |\n"
                          "A---B---C---D---E\n"
                          "|   |   |   |   |\n"
                          "F---G---H---I---K\n";

TEST(Containment, StreetsThatConvergeOnABridgeAreSealedAtTheBridge) {
    const AsciiMap map = parse_ascii_map(kBend);
    const std::vector<ContainmentUnit> units = {{1, map.at('P')}, {2, map.at('A')}};
    ContainmentRequest request = within(6'000); // the area is H, G, I, C: six streets leave it
    request.depth_ms = 8'000;                   // the whole bend, not yet the far bank
    const ContainmentPlan plan = plan_containment(map.graph, map.at('H'), units, request);
    EXPECT_EQ(plan.reached_nodes, 4u);
    ASSERT_EQ(plan.checkpoints.size(), 1u);
    const Checkpoint& bridge = plan.checkpoints[0];
    EXPECT_EQ(bridge.node, map.node('J'));
    EXPECT_NEAR(bridge.escape_ms, 20'000, 20);
    ASSERT_EQ(bridge.cut_arcs.size(), 1u);
    EXPECT_EQ(map.graph.data().arc_head[bridge.cut_arcs[0]], map.node('J'));
    ASSERT_TRUE(bridge.staffed);
    EXPECT_EQ(bridge.staffed->unit, 1u); // 8 s from P; the unit in town needs 28 s
    EXPECT_NEAR(bridge.staffed->eta_ms, 8'000, 20);

    // Looking only 3 s past the area, the far corners A and E may still lead somewhere: they
    // are sealed too (three junctions, fewer than the six streets leaving the area).
    request.depth_ms = 3'000;
    const ContainmentPlan shallow = plan_containment(map.graph, map.at('H'), units, request);
    std::vector<road::NodeId> nodes;
    for (const Checkpoint& c : shallow.checkpoints)
        nodes.insert(nodes.end(), c.exits.begin(), c.exits.end());
    std::sort(nodes.begin(), nodes.end());
    std::vector<road::NodeId> expected = {map.node('A'), map.node('E'), map.node('J')};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(nodes, expected);
}

TEST(Containment, NothingToSealWhenTheWholeNetworkIsWithinReach) {
    const AsciiMap map = parse_ascii_map(kTown);
    const ContainmentPlan plan = plan_containment(
        map.graph, map.at('G'), std::vector<ContainmentUnit>{{1, map.at('D')}}, within(3'600'000));
    EXPECT_TRUE(plan.checkpoints.empty());
    EXPECT_EQ(plan.reached_nodes, map.graph.node_count());
    // An unsnapped incident gives an empty plan rather than a guess.
    EXPECT_TRUE(
        plan_containment(map.graph, road::RoadPosition{}, {}, within(10'000)).checkpoints.empty());
}

} // namespace
} // namespace pingan::dispatch
