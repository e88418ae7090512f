// Correctness on real OpenStreetMap extracts (../shared/data/roads): the hierarchy against plain
// Dijkstra, k-nearest against a full scan, coverage (full and incremental) against a
// multi-source Dijkstra. Needs PINGAN_DATA_DIR; skips with a message when the data is absent.
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <random>

#include <gtest/gtest.h>

#include "io/osm_import.hpp"
#include "reference_coverage.hpp"
#include "road/coverage.hpp"
#include "road/nearest.hpp"
#include "road/route.hpp"
#include "road/units.hpp"

namespace pingan::road {
namespace {

namespace fs = std::filesystem;

#if defined(__SANITIZE_ADDRESS__)
constexpr int kScale = 4; // sanitizers make every step ~10x slower: fewer samples, same checks
#else
constexpr int kScale = 1;
#endif

std::string data_file(const std::string& name) {
    return std::string(PINGAN_DATA_DIR) + "/roads/" + name;
}

// Imports each extract once per test program.
const Graph* city(const std::string& file) {
    static std::map<std::string, std::unique_ptr<Graph>> cache;
    auto it = cache.find(file);
    if (it != cache.end()) return it->second.get();
    if (!fs::exists(data_file(file))) return nullptr;
    auto imported = io::import_osm(data_file(file), Profile::car());
    if (!imported) {
        ADD_FAILURE() << imported.error().detail;
        return nullptr;
    }
    auto g = std::make_unique<Graph>(std::move(imported->graph));
    return cache.emplace(file, std::move(g)).first->second.get();
}

#define NEED_CITY(var, file)                                                                       \
    const Graph* var = city(file);                                                                 \
    if (!var)                                                                                      \
    GTEST_SKIP() << "needs real data: " << data_file(file)                                         \
                 << " is missing (set PINGAN_DATA_DIR to the shared data folder)"

RoadPosition random_position(const Graph& g, std::mt19937& rng) {
    std::uniform_int_distribution<SegmentId> seg(0, static_cast<SegmentId>(g.segment_count() - 1));
    const SegmentId s = seg(rng);
    std::uniform_real_distribution<double> off(0, g.length_m(s));
    return g.position_on(s, off(rng));
}

class RealData : public ::testing::TestWithParam<const char*> {};

TEST_P(RealData, HierarchyEqualsDijkstraOnRandomNodePairs) {
    NEED_CITY(g, GetParam());
    std::mt19937 rng(42);
    std::uniform_int_distribution<NodeId> node(0, static_cast<NodeId>(g->node_count() - 1));
    RouteQuery ch(*g);
    DijkstraQuery dijkstra(*g);
    for (int i = 0; i < 1000 / kScale; ++i) {
        const NodeId s = node(rng), t = node(rng);
        const TimeMs expected = dijkstra.eta_ms(s, t);
        ASSERT_NE(expected, kNoTime) << "the graph must be strongly connected";
        ASSERT_EQ(ch.eta_ms(s, t), expected) << "pair " << i << ": " << s << " -> " << t;
    }
}

TEST_P(RealData, HierarchyEqualsDijkstraBetweenRoadPositions) {
    NEED_CITY(g, GetParam());
    std::mt19937 rng(7);
    RouteQuery ch(*g);
    DijkstraQuery dijkstra(*g);
    for (int i = 0; i < 1000 / kScale; ++i) {
        const RoadPosition a = random_position(*g, rng), b = random_position(*g, rng);
        const TimeMs expected = dijkstra.eta_ms(a, b);
        ASSERT_EQ(ch.eta_ms(a, b), expected) << "pair " << i;
        if (i % 10 == 0) {
            auto route = ch.route(a, b);
            ASSERT_TRUE(route.ok());
            ASSERT_EQ(route->eta_ms, expected);
            TimeMs sum = 0;
            for (const RouteStep& s : route->steps)
                sum += s.time_ms;
            ASSERT_EQ(sum, expected);
            ASSERT_EQ(route->point_time_ms.back(), expected);
            ASSERT_LT(geo::distance_m(route->points.front(), a.point), 0.5);
            ASSERT_LT(geo::distance_m(route->points.back(), b.point), 0.5);
        }
    }
}

TEST_P(RealData, NearestUnitsEqualAFullScan) {
    NEED_CITY(g, GetParam());
    std::mt19937 rng(3);
    UnitIndex units(*g);
    std::vector<RoadPosition> where(1000);
    std::vector<bool> available(1000);
    std::vector<std::uint64_t> caps(1000);
    for (UnitKey k = 0; k < 1000; ++k) {
        where[k] = random_position(*g, rng);
        available[k] = rng() % 5 != 0;
        caps[k] = rng() % 4;
        units.update({k, where[k], available[k], caps[k]});
    }
    NearestQuery query(*g);
    DijkstraQuery full(*g);
    for (int i = 0; i < 100 / kScale; ++i) {
        // Some units move between incidents, as they do every second.
        for (int m = 0; m < 50; ++m) {
            const UnitKey k = rng() % 1000;
            where[k] = random_position(*g, rng);
            units.update({k, where[k], available[k], caps[k]});
        }
        const RoadPosition incident = random_position(*g, rng);
        NearestRequest req;
        req.k = 10;
        req.required_capabilities = i % 2 ? 0b10 : 0;
        // Full scan: time from every node to the incident, then every eligible unit.
        Seed seeds[2];
        const int n = g->target_seeds(incident, seeds);
        full.run(std::span<const Seed>(seeds, static_cast<std::size_t>(n)), kNoTime - 1, true);
        std::vector<NearestUnit> expected;
        for (UnitKey k = 0; k < 1000; ++k) {
            if (!available[k] || (caps[k] & req.required_capabilities) != req.required_capabilities)
                continue;
            TimeMs best = g->same_segment_time_ms(where[k], incident);
            Seed exits[2];
            const int e = g->source_seeds(where[k], exits);
            for (int j = 0; j < e; ++j) {
                const TimeMs rest = full.time_ms(exits[j].node);
                if (rest != kNoTime) best = std::min(best, exits[j].time_ms + rest);
            }
            expected.push_back({k, best});
        }
        std::sort(expected.begin(), expected.end(), [](const NearestUnit& a, const NearestUnit& b) {
            return a.eta_ms != b.eta_ms ? a.eta_ms < b.eta_ms : a.key < b.key;
        });
        expected.resize(10);
        ASSERT_EQ(query.nearest(units, incident, req), expected) << "incident " << i;
    }
}

TEST_P(RealData, CoverageFullAndIncrementalEqualMultiSourceDijkstra) {
    NEED_CITY(g, GetParam());
    std::mt19937 rng(11);
    const TimeMs within = 180'000;
    std::vector<std::pair<UnitKey, RoadPosition>> units;
    for (UnitKey k = 0; k < 40; ++k)
        units.emplace_back(k, random_position(*g, rng));
    Coverage cov(*g, within);
    cov.assign(units);
    std::vector<TimeMs> node_time;
    int step_now = -1;
    auto check = [&](const char* when) {
        const double expected = testing::reference_covered_m(*g, units, within, node_time);
        for (NodeId x = 0; x < g->node_count(); ++x) {
            ASSERT_EQ(cov.time_ms(x), node_time[x])
                << when << " (step " << step_now << "): node " << x;
        }
        ASSERT_NEAR(cov.covered_m(), expected, 1e-4 * expected + 1) << when;
    };
    check("after assign");
    EXPECT_GT(cov.share(), 0.05);
    EXPECT_LT(cov.share(), 1.0);
    for (int step = 0; step < 40 / kScale; ++step) {
        step_now = step;
        const std::size_t i = rng() % units.size();
        if (step % 7 == 3) {
            // What-if without a unit equals a fresh computation without it.
            auto without = units;
            without.erase(without.begin() + static_cast<long>(i));
            Coverage fresh(*g, within);
            fresh.assign(without);
            ASSERT_NEAR(cov.covered_m_without(units[i].first), fresh.covered_m(),
                        1e-4 * fresh.covered_m() + 1);
            check("after a what-if (state must be unchanged)");
        } else if (step % 5 == 4) {
            ASSERT_TRUE(cov.remove_unit(units[i].first));
            units.erase(units.begin() + static_cast<long>(i));
            check("after a removal");
        } else {
            const bool fresh_unit = step % 3 == 0;
            const UnitKey key = fresh_unit ? 1000 + step : units[i].first; // new or moved
            const RoadPosition p = random_position(*g, rng);
            cov.set_unit(key, p);
            if (fresh_unit) {
                units.emplace_back(key, p);
            } else {
                units[i].second = p;
            }
            check("after a move");
        }
    }
}

TEST_P(RealData, GraphFileRoundTripAndLoadTime) {
    NEED_CITY(g, GetParam());
    const fs::path p =
        fs::temp_directory_path() / (std::string("pingan_rt_") + GetParam() + ".graph");
    ASSERT_TRUE(g->save(p.string()).ok());
    const auto t0 = std::chrono::steady_clock::now();
    auto loaded = Graph::load(p.string());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fs::remove(p);
    ASSERT_TRUE(loaded.ok()) << loaded.error().detail;
    EXPECT_EQ(loaded->arc_count(), g->arc_count());
    RecordProperty("load_seconds", std::to_string(seconds));
    std::mt19937 rng(5);
    RouteQuery a(*g), b(*loaded);
    for (int i = 0; i < 100; ++i) {
        const NodeId s = rng() % g->node_count(), t = rng() % g->node_count();
        ASSERT_EQ(a.eta_ms(s, t), b.eta_ms(s, t));
    }
}

std::string city_name(const ::testing::TestParamInfo<const char*>& param) {
    return std::string(param.param).rfind("dc-nw", 0) == 0 ? "DcNw" : "Baltimore";
}
INSTANTIATE_TEST_SUITE_P(Cities, RealData, ::testing::Values("dc-nw.osm.pbf", "baltimore.osm.pbf"),
                         city_name);

TEST(RealDataImport, EveryExtractImportsIncludingUnsortedAndXml) {
    for (const char* file : {"baltimore-county-nw.osm.pbf", "chengdu-center.osm"}) {
        if (!fs::exists(data_file(file)))
            GTEST_SKIP() << "needs real data: " << data_file(file) << " is missing";
        auto imported = io::import_osm(data_file(file), Profile::car());
        ASSERT_TRUE(imported.ok()) << file << ": " << imported.error().detail;
        EXPECT_GT(imported->graph.node_count(), 1000u) << file;
        EXPECT_GT(imported->stats.ways_routable, 1000u) << file;
        // Every snapped point can reach every other: one strongly connected component.
        RouteQuery q(imported->graph);
        EXPECT_NE(q.eta_ms(0, static_cast<NodeId>(imported->graph.node_count() - 1)), kNoTime);
    }
    // Chengdu: Chinese street names survive the round trip through the graph.
    auto chengdu = io::import_osm(data_file("chengdu-center.osm"), Profile::car());
    ASSERT_TRUE(chengdu.ok());
    bool found = false;
    for (SegmentId s = 0; s < chengdu->graph.segment_count() && !found; ++s) {
        found = chengdu->graph.name(s).find("二环路") != std::string_view::npos;
    }
    EXPECT_TRUE(found);
}

} // namespace
} // namespace pingan::road
