// Containment plans on Porto: T = 10 (and 5) minutes from a random incident in central Porto, 200
// available units at random places in the same area. Reports p50/p99 of the whole plan
// (isochrone, exits, merging, the unit x checkpoint table, the matching) and its size.
#include <algorithm>
#include <chrono>

#include <benchmark/benchmark.h>

#include "dispatch/containment.hpp"
#include "percentiles.hpp"
#include "porto.hpp"

namespace {

using namespace pingan;

void containment_porto(benchmark::State& state) {
    const road::Graph* graph = bench::porto();
    if (graph == nullptr) {
        state.SkipWithError("needs porto.osm.pbf under $DATA");
        return;
    }
    std::mt19937 rng(11);
    auto snapped = [&] {
        for (;;) {
            auto p = graph->snap(bench::random_point(rng));
            if (p) return *p;
        }
    };
    std::vector<dispatch::ContainmentUnit> units;
    for (int i = 0; i < state.range(0); ++i)
        units.push_back({static_cast<road::UnitKey>(i + 1), snapped()});
    dispatch::ContainmentRequest request;
    request.escape_ms = static_cast<road::TimeMs>(state.range(1)) * 60'000;
    request.depth_ms = static_cast<road::TimeMs>(state.range(2)) * 1'000;
    std::vector<double> ms;
    double checkpoints = 0, staffed = 0, reached = 0;
    for (auto _ : state) {
        const road::RoadPosition incident = snapped();
        const auto t0 = std::chrono::steady_clock::now();
        const dispatch::ContainmentPlan plan =
            dispatch::plan_containment(*graph, incident, units, request);
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count());
        checkpoints += static_cast<double>(plan.checkpoints.size());
        staffed += static_cast<double>(plan.staffed());
        reached += static_cast<double>(plan.reached_nodes);
    }
    const double n = static_cast<double>(ms.size());
    bench::report_percentiles(state, ms, "ms");
    state.counters["checkpoints"] = checkpoints / n;
    state.counters["staffed"] = staffed / n;
    state.counters["reached_nodes"] = reached / n;
}
// Args: units, T in minutes, depth in seconds (0: T / 4).
// The default (T / 4 = 150 s), deeper cuts (fewer checkpoints, more work) and the isochrone's
// own exits (depth 1 s).
BENCHMARK(containment_porto)->Args({200, 10, 0})->Iterations(200)->Unit(benchmark::kMillisecond);
BENCHMARK(containment_porto)->Args({200, 10, 300})->Iterations(100)->Unit(benchmark::kMillisecond);
BENCHMARK(containment_porto)->Args({200, 10, 1})->Iterations(100)->Unit(benchmark::kMillisecond);
BENCHMARK(containment_porto)->Args({200, 5, 0})->Iterations(200)->Unit(benchmark::kMillisecond);

} // namespace
