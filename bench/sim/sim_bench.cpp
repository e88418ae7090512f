// Replay of one day with 10,000 calls and 200 units on Porto (issue 6 target: ≤ 10 s).
// Porto has no public incident file here, so the day is synthetic and seeded: call places are
// road junctions drawn uniformly (dense streets get more calls, as in cities), times uniform
// over 24 hours, a mix of categories; 100 posts at random junctions with 2 units each; 1 min
// call processing and 1 min turnout. Both dispatch policies replay the same day.
//
// Load: a call keeps its unit busy for turnout + travel + time on scene. Without queueing the
// road travel from the nearest post is about 3.7 min (p50; measured), so with 10,000 calls a
// day on 200 units (2.08 calls per unit-hour) the fleet is saturated once the time on scene
// averages about 23 min. The realistic day (`on_scene_min:12`: 12 min by default, 15 for
// criminal, 9 for traffic; 13 min on average) keeps utilisation near two thirds. The
// `on_scene_min:20` day (20 / 25 / 15 min, 21.7 on average) is an overload: most calls wait,
// units are sent from far away, which lengthens every trip (see bench/README.md "Analytics").
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include <benchmark/benchmark.h>
#include <fmt/core.h>

#include "analytics/random.hpp"
#include "io/osm_import.hpp"
#include "road/profile.hpp"
#include "sim/replay.hpp"

namespace {

using namespace pingan;
namespace fs = std::filesystem;

std::string porto_path() {
    const char* d = std::getenv("DATA");
    return std::string(d ? d : "../shared/data") + "/roads/porto.osm.pbf";
}

const road::Graph* porto() {
    static std::unique_ptr<road::Graph> g;
    if (!g && fs::exists(porto_path())) {
        auto imported = io::import_osm(porto_path(), road::Profile::car());
        if (imported) g = std::make_unique<road::Graph>(std::move(imported->graph));
    }
    return g.get();
}

struct Day {
    sim::Fleet fleet;
    std::vector<sim::Call> calls;
};

Day synthetic_day(const road::Graph& g, std::size_t calls, std::size_t units,
                  base::TimeMs on_scene_ms) {
    analytics::Rng rng(20260101);
    const auto n = static_cast<std::uint32_t>(g.node_count());
    Day d;
    d.fleet.name = "porto synthetic";
    d.fleet.service_default_ms = on_scene_ms;
    d.fleet.service_ms.emplace("criminal", on_scene_ms * 5 / 4);
    d.fleet.service_ms.emplace("traffic", on_scene_ms * 3 / 4);
    for (std::size_t p = 0; p < units / 2; ++p) {
        d.fleet.posts.push_back({fmt::format("P{}", p + 1), g.node_latlon(rng.below(n))});
        for (int k = 0; k < 2; ++k) {
            d.fleet.units.push_back(
                {fmt::format("U{}", d.fleet.units.size() + 1), p, ops::Agency::police, {}});
        }
    }
    const base::TimeMs day0 = 1'767'225'600'000; // 2026-01-01T00:00:00Z
    const char* categories[] = {"theft", "assault", "traffic", "noise", "dispute", "burglary"};
    for (std::size_t i = 0; i < calls; ++i) {
        d.calls.push_back({day0 + static_cast<base::TimeMs>(rng.below(86'400'000)),
                           g.node_latlon(rng.below(n)), categories[rng.below(6)], 3});
    }
    return d;
}

void sim_replay_day(benchmark::State& state) {
    const road::Graph* g = porto();
    if (g == nullptr) {
        state.SkipWithError(("needs " + porto_path() + " (set DATA)").c_str());
        return;
    }
    const auto calls = static_cast<std::size_t>(state.range(0));
    const auto units = static_cast<std::size_t>(state.range(1));
    const auto policy = state.range(2) == 0 ? dispatch::Policy::eta : dispatch::Policy::straight;
    const base::TimeMs on_scene_ms = state.range(3) * 60'000;
    const Day day = synthetic_day(*g, calls, units, on_scene_ms);
    sim::ReplayOptions o;
    o.policy = policy;
    o.seed = 1;
    sim::ReplayResult last;
    for (auto _ : state) {
        auto r = sim::replay(*g, day.fleet, day.calls, o);
        if (!r) {
            state.SkipWithError(r.error().detail.c_str());
            return;
        }
        last = std::move(r).value();
    }
    state.SetLabel(std::string(dispatch::to_string(policy)));
    state.counters["calls"] = static_cast<double>(last.replayed);
    state.counters["units"] = static_cast<double>(last.units.size());
    state.counters["d2a_p50_s"] = last.dispatch_to_arrival.p50_s.value_or(0);
    state.counters["d2a_p90_s"] = last.dispatch_to_arrival.p90_s.value_or(0);
    state.counters["c2a_p90_s"] = last.call_to_arrival.p90_s.value_or(0);
    state.counters["within_5min"] = last.share_dispatch_within;
    state.counters["utilisation"] = last.utilisation;
    state.counters["utilisation_max"] = last.utilisation_max;
    state.counters["waited"] = static_cast<double>(last.waited);
    state.counters["wait_p90_s"] = last.wait.p90_s.value_or(0);
    state.counters["travel_p50_s"] = last.travel.p50_s.value_or(0);
    state.counters["calls_per_s"] = benchmark::Counter(
        static_cast<double>(last.replayed), benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(sim_replay_day)
    ->Args({10'000, 200, 0, 12})
    ->Args({10'000, 200, 1, 12})
    ->Args({10'000, 200, 0, 20})
    ->ArgNames({"calls", "units", "straight", "on_scene_min"})
    ->Iterations(3)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

} // namespace

BENCHMARK_MAIN();
