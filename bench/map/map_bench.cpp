// Tile generation for the console's base map (issue 5: ≤ 20 ms per tile at p99). Every tile
// that covers Porto's road graph at zooms 10..16 is made from scratch (no cache) and timed on
// its own; p50_us / p99_us / max_us over those tiles, and the tile sizes. A second family does
// the same for DC with its 56 police service areas as polygons (roads + areas in one tile).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <time.h>
#include <vector>

#include <benchmark/benchmark.h>

#include "io/boundaries_geojson.hpp"
#include "io/mvt_map.hpp"
#include "io/osm_import.hpp"

namespace {

using namespace pingan;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string data_dir() {
    const char* d = std::getenv("DATA");
    return d ? d : "../shared/data";
}

struct City {
    std::unique_ptr<road::Graph> graph;
    std::vector<geo::Boundary> areas;
    std::unique_ptr<io::MapTiler> tiler;
};

City load(const std::string& osm, const std::string& areas_file, const std::string& name_field) {
    City c;
    if (!fs::exists(osm)) return c;
    auto imported = io::import_osm(osm, road::Profile::car());
    if (!imported) return c;
    c.graph = std::make_unique<road::Graph>(std::move(imported->graph));
    if (!areas_file.empty() && fs::exists(areas_file)) {
        std::ifstream in(areas_file);
        std::stringstream text;
        text << in.rdbuf();
        auto read = io::read_boundaries(text.str(), name_field);
        if (read) {
            for (auto& f : *read)
                c.areas.push_back(geo::Boundary{"patrol_area", f.name, std::move(f.shape)});
        }
    }
    c.tiler = std::make_unique<io::MapTiler>(c.graph.get(), c.areas);
    return c;
}

City& porto() {
    static City c = load(data_dir() + "/roads/porto.osm.pbf", "", "");
    return c;
}
City& dc() {
    static City c = load(data_dir() + "/roads/dc-nw.osm.pbf",
                         data_dir() + "/boundaries/dc_psa_2018.geojson", "PSA");
    return c;
}

double thread_cpu_us() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// XYZ tile of a coordinate at zoom z.
std::pair<std::uint32_t, std::uint32_t> tile_of(geo::LatLon p, int z) {
    const double n = std::ldexp(1.0, z);
    const double lat = p.lat * 3.14159265358979323846 / 180;
    const double x = (p.lon + 180) / 360 * n;
    const double y =
        (1 - std::log(std::tan(lat) + 1 / std::cos(lat)) / 3.14159265358979323846) / 2 * n;
    return {static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(y)};
}

void run_tiles(benchmark::State& state, City& city) {
    if (!city.tiler) {
        state.SkipWithError("real data missing (set DATA=../shared/data)");
        return;
    }
    const int z = static_cast<int>(state.range(0));
    const io::MapBounds b = city.tiler->bounds();
    const auto [x0, y0] = tile_of({b.north_east.lat, b.south_west.lon}, z);
    const auto [x1, y1] = tile_of({b.south_west.lat, b.north_east.lon}, z);
    std::vector<io::TileId> tiles;
    for (std::uint32_t x = x0; x <= x1; ++x)
        for (std::uint32_t y = y0; y <= y1; ++y)
            tiles.push_back({z, x, y});
    // At most 2,000 tiles per zoom, spread over the city (z16 Porto has ~6,000).
    if (tiles.size() > 2000) {
        std::vector<io::TileId> some;
        const double step = static_cast<double>(tiles.size()) / 2000;
        for (double i = 0; i < static_cast<double>(tiles.size()); i += step)
            some.push_back(tiles[static_cast<std::size_t>(i)]);
        tiles.swap(some);
    }
    std::vector<double> us, cpu_us;
    double bytes = 0, max_bytes = 0;
    std::size_t non_empty = 0;
    for (auto _ : state) {
        us.clear();
        cpu_us.clear();
        for (const io::TileId& t : tiles) {
            const double c0 = thread_cpu_us();
            const auto t0 = Clock::now();
            std::string tile = city.tiler->tile(t);
            const auto t1 = Clock::now();
            cpu_us.push_back(thread_cpu_us() - c0);
            benchmark::DoNotOptimize(tile.data());
            us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
            bytes += static_cast<double>(tile.size());
            max_bytes = std::max(max_bytes, static_cast<double>(tile.size()));
            non_empty += tile.empty() ? 0 : 1;
        }
    }
    std::sort(us.begin(), us.end());
    auto pct = [&](double p) {
        return us.empty() ? 0
                          : us[std::min(us.size() - 1, static_cast<std::size_t>(p * us.size()))];
    };
    state.counters["tiles"] = static_cast<double>(tiles.size());
    state.counters["p50_us"] = pct(0.50);
    state.counters["p99_us"] = pct(0.99);
    state.counters["max_us"] = us.empty() ? 0 : us.back();
    // CPU time of the tile alone: on a loaded machine the wall time includes waiting for a core.
    std::sort(cpu_us.begin(), cpu_us.end());
    state.counters["cpu_p99_us"] =
        cpu_us.empty() ? 0 : cpu_us[std::min(cpu_us.size() - 1, cpu_us.size() * 99 / 100)];
    state.counters["mean_kb"] = non_empty ? bytes / static_cast<double>(non_empty) / 1024 /
                                                static_cast<double>(state.iterations())
                                          : 0;
    state.counters["max_kb"] = max_bytes / 1024;
}

void map_tiles_porto(benchmark::State& state) {
    run_tiles(state, porto());
}
void map_tiles_dc_with_areas(benchmark::State& state) {
    run_tiles(state, dc());
}

// Building the tiler itself (projection of every shape point, R-tree): done once per server.
void map_tiler_build_porto(benchmark::State& state) {
    City& c = porto();
    if (!c.graph) {
        state.SkipWithError("real data missing (set DATA=../shared/data)");
        return;
    }
    for (auto _ : state) {
        io::MapTiler t(c.graph.get(), {});
        benchmark::DoNotOptimize(&t);
    }
}

} // namespace

BENCHMARK(map_tiler_build_porto)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(map_tiles_porto)->DenseRange(10, 16)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(map_tiles_dc_with_areas)
    ->DenseRange(12, 16, 2)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK_MAIN();
