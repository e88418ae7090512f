// The fast algorithms against plain ones on a small drawn map, exhaustively: hierarchy queries
// against Dijkstra on every pair, the coverage sweep (PHAST with the segments measured in the
// same pass) against a multi-source Dijkstra, the many-to-many table against Dijkstra per pair,
// k-nearest against a brute force over all units,
// and the unit key map against std::unordered_map. Repeated queries on one query object check
// that scratch memory is reset correctly between them.
#include <algorithm>
#include <random>
#include <unordered_map>

#include <gtest/gtest.h>

#include "ascii_map.hpp"
#include "reference_coverage.hpp"
#include "road/coverage.hpp"
#include "road/detail/slot_map.hpp"
#include "road/nearest.hpp"
#include "road/route.hpp"
#include "road/table.hpp"
#include "road/units.hpp"

namespace pingan::road {
namespace {

using testing::AsciiMap;
using testing::parse_ascii_map;
using testing::reference_covered_m;

// One-way streets (B->C, H->C, G->L, J->I), a motorway G=H and a loop below.
const AsciiMap& grid() {
    static const AsciiMap map = parse_ascii_map("A---B-->C---D---E\n"
                                                "|   |   ^   |   |\n"
                                                "F---G===H---I-<-J\n"
                                                "|   v   |   |   |\n"
                                                "K---L---M---N---O\n"
                                                "    |       |\n"
                                                "    P-------Q\n");
    return map;
}

// Positions all over the map: every junction and three points inside every segment.
std::vector<RoadPosition> positions(const Graph& g) {
    std::vector<RoadPosition> out;
    for (NodeId x = 0; x < g.node_count(); ++x)
        out.push_back(g.node_position(x));
    for (SegmentId s = 0; s < g.segment_count(); ++s) {
        for (double f : {0.1, 0.5, 0.85})
            out.push_back(g.position_on(s, f * g.length_m(s)));
    }
    return out;
}

TEST(Algorithms, GridMapIsWhole) {
    EXPECT_EQ(grid().graph.node_count(), 17u);
}

TEST(Algorithms, HierarchyEqualsDijkstraOnEveryPair) {
    const Graph& g = grid().graph;
    RouteQuery q(g);
    DijkstraQuery dq(g);
    for (NodeId s = 0; s < g.node_count(); ++s) {
        for (NodeId t = 0; t < g.node_count(); ++t) {
            ASSERT_EQ(q.eta_ms(s, t), dq.eta_ms(s, t)) << s << " -> " << t;
        }
    }
    const std::vector<RoadPosition> where = positions(g);
    for (std::size_t i = 0; i < where.size(); i += 3) {
        for (std::size_t j = 1; j < where.size(); j += 4) {
            const TimeMs expected = dq.eta_ms(where[i], where[j]);
            ASSERT_EQ(q.eta_ms(where[i], where[j]), expected) << i << " -> " << j;
            auto route = q.route(where[i], where[j]);
            ASSERT_TRUE(route.ok());
            ASSERT_EQ(route->eta_ms, expected) << i << " -> " << j;
        }
    }
}

TEST(Algorithms, CoverageSweepEqualsMultiSourceDijkstra) {
    const Graph& g = grid().graph;
    const std::vector<RoadPosition> where = positions(g);
    std::mt19937 rng(7);
    for (TimeMs within : {1'500u, 4'000u, 9'000u, 25'000u, 120'000u}) {
        Coverage cov(g, within);
        std::vector<std::pair<UnitKey, RoadPosition>> units;
        for (UnitKey k = 0; k < 3; ++k)
            units.emplace_back(10 + k, where[rng() % where.size()]);
        std::vector<TimeMs> node_time;
        auto check = [&](const char* when) {
            const double expected = reference_covered_m(g, units, within, node_time);
            for (NodeId x = 0; x < g.node_count(); ++x) {
                ASSERT_EQ(cov.time_ms(x), node_time[x])
                    << when << ", T " << within << ", node " << x;
                UnitKey owner = 0;
                ASSERT_EQ(cov.owner(x, owner), node_time[x] != kNoTime);
            }
            ASSERT_NEAR(cov.covered_m(), expected, 1e-3 * expected + 0.01)
                << when << ", T " << within;
            ASSERT_NEAR(cov.recount_m(), cov.covered_m(), 1e-3 * expected + 0.01) << when;
        };
        cov.assign(units);
        check("after assign");
        for (int step = 0; step < 12; ++step) {
            const std::size_t i = rng() % units.size();
            if (step % 4 == 3) {
                // A fresh sweep with the unit gone equals the what-if.
                auto without = units;
                without.erase(without.begin() + static_cast<long>(i));
                Coverage fresh(g, within);
                fresh.assign(without);
                ASSERT_NEAR(cov.covered_m_without(units[i].first), fresh.covered_m(), 0.05);
            } else {
                units[i].second = where[rng() % where.size()];
                cov.set_unit(units[i].first, units[i].second);
            }
            check("after a move");
            cov.assign(units); // the sweep again, over labels left by incremental updates
            check("after a new assign");
        }
    }
}

TEST(Algorithms, TableEqualsDijkstraPerPair) {
    const Graph& g = grid().graph;
    const std::vector<RoadPosition> where = positions(g);
    DijkstraQuery dq(g);
    TableQuery tq(g);
    // Twice on one object (scratch reuse), with an invalid position on each side.
    for (std::size_t offset : {0u, 2u}) {
        std::vector<RoadPosition> from, to;
        for (std::size_t i = offset; i < where.size(); i += 5)
            from.push_back(where[i]);
        for (std::size_t j = offset + 1; j < where.size(); j += 3)
            to.push_back(where[j]);
        from.push_back(RoadPosition{});
        to.push_back(RoadPosition{});
        const TimeTable t = tq.table(from, to);
        ASSERT_EQ(t.sources, from.size());
        ASSERT_EQ(t.targets, to.size());
        for (std::size_t i = 0; i < from.size(); ++i) {
            for (std::size_t j = 0; j < to.size(); ++j) {
                const TimeMs expected =
                    from[i].valid() && to[j].valid() ? dq.eta_ms(from[i], to[j]) : kNoTime;
                ASSERT_EQ(t.at(i, j), expected) << i << " -> " << j;
            }
        }
    }
    EXPECT_TRUE(tq.table({}, where).times.empty());
}

TEST(Algorithms, NearestEqualsBruteForce) {
    const Graph& g = grid().graph;
    const std::vector<RoadPosition> where = positions(g);
    std::mt19937 rng(9);
    UnitIndex index(g);
    std::vector<UnitState> units;
    for (UnitKey k = 0; k < 12; ++k) {
        units.push_back({100 + k, where[rng() % where.size()], k % 5 != 0, k % 3});
        index.update(units.back());
    }
    NearestQuery nq(g);
    DijkstraQuery dq(g);
    for (int round = 0; round < 40; ++round) {
        const RoadPosition incident = where[rng() % where.size()];
        NearestRequest req;
        req.k = 1 + rng() % 6;
        req.required_capabilities = round % 3 == 0 ? 1 : 0;
        req.max_eta_ms = round % 4 == 0 ? 9'000 : kNoTime;
        std::vector<NearestUnit> expected;
        for (const UnitState& u : units) {
            if (!u.available ||
                (u.capabilities & req.required_capabilities) != req.required_capabilities)
                continue;
            const TimeMs eta = dq.eta_ms(u.position, incident);
            if (eta <= req.max_eta_ms) expected.push_back({u.key, eta});
        }
        std::sort(expected.begin(), expected.end(), [](const NearestUnit& a, const NearestUnit& b) {
            return a.eta_ms != b.eta_ms ? a.eta_ms < b.eta_ms : a.key < b.key;
        });
        if (expected.size() > req.k) expected.resize(req.k);
        ASSERT_EQ(nq.nearest(index, incident, req), expected) << "round " << round;
        // Units move (and one leaves and comes back) between queries.
        for (int m = 0; m < 3; ++m) {
            UnitState& u = units[rng() % units.size()];
            u.position = where[rng() % where.size()];
            index.update(u);
        }
        if (round % 5 == 2) {
            ASSERT_TRUE(index.remove(units.front().key));
            ASSERT_FALSE(index.remove(units.front().key));
            index.update(units.front());
        }
    }
}

TEST(Algorithms, SlotMapAgreesWithUnorderedMap) {
    detail::SlotMap map;
    std::unordered_map<std::uint64_t, std::uint32_t> reference;
    std::mt19937_64 rng(3);
    for (int i = 0; i < 200'000; ++i) {
        // Few distinct keys, some of them multiples of a power of two: long probe runs and
        // erasures in the middle of runs.
        const std::uint64_t key = (rng() % 3000) << (i % 3 == 0 ? 20 : 0);
        switch (rng() % 3) {
        case 0: {
            const auto slot = static_cast<std::uint32_t>(rng() % 1000);
            map.set(key, slot);
            reference[key] = slot;
            break;
        }
        case 1:
            ASSERT_EQ(map.erase(key), reference.erase(key) == 1);
            break;
        default: {
            const auto it = reference.find(key);
            ASSERT_EQ(map.find(key), it == reference.end() ? detail::SlotMap::kAbsent : it->second);
        }
        }
        ASSERT_EQ(map.size(), reference.size());
    }
    for (const auto& [key, slot] : reference)
        ASSERT_EQ(map.find(key), slot);
}

} // namespace
} // namespace pingan::road
