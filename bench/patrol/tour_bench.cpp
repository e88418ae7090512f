// Suggested patrol tours on Porto: the road travel-time table between a unit and N required
// points in a 2 x 2 km area of central Porto (road::TableQuery), then the tour (exact up to 8
// stops, heuristic beyond). Reports p50/p99 of table and tour together.
#include <algorithm>
#include <chrono>

#include <benchmark/benchmark.h>

#include "patrol/tour.hpp"
#include "percentiles.hpp"
#include "porto.hpp"
#include "road/table.hpp"

namespace {

using namespace pingan;

void tour_porto(benchmark::State& state) {
    const road::Graph* graph = bench::porto();
    if (graph == nullptr) {
        state.SkipWithError("needs porto.osm.pbf under $DATA");
        return;
    }
    const std::size_t n = static_cast<std::size_t>(state.range(0));
    std::mt19937 rng(23);
    std::uniform_real_distribution<double> lat(41.145, 41.163), lon(-8.625, -8.601);
    auto snapped = [&] {
        for (;;) {
            if (auto p = graph->snap({lat(rng), lon(rng)})) return *p;
        }
    };
    road::TableQuery query(*graph);
    std::vector<double> ms;
    double late = 0;
    for (auto _ : state) {
        std::vector<road::RoadPosition> places;
        for (std::size_t i = 0; i <= n; ++i)
            places.push_back(snapped());
        // Every third point has a 20-minute window somewhere in the next hour.
        std::vector<patrol::TourStopSpec> specs(n);
        for (std::size_t k = 0; k < n; k += 3) {
            specs[k].open_ms = static_cast<std::int64_t>(rng() % 40) * 60'000;
            specs[k].close_ms = specs[k].open_ms + 20 * 60'000;
        }
        for (auto& s : specs)
            s.dwell_ms = 60'000;
        const auto t0 = std::chrono::steady_clock::now();
        const road::TimeTable table = query.table(places, places);
        patrol::TravelTimes travel;
        travel.nodes = places.size();
        for (road::TimeMs t : table.times)
            travel.times_ms.push_back(t == road::kNoTime ? -1 : static_cast<std::int64_t>(t));
        const patrol::Tour tour = patrol::plan_tour(travel, specs);
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count());
        late += static_cast<double>(tour.late);
        benchmark::DoNotOptimize(tour);
    }
    bench::report_percentiles(state, ms, "ms");
    state.counters["late_stops"] = late / static_cast<double>(ms.size());
}
// Args: required points.
BENCHMARK(tour_porto)->Arg(8)->Arg(20)->Arg(40)->Iterations(50)->Unit(benchmark::kMillisecond);

} // namespace
