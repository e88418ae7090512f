// Camera index benchmarks on 10,000 synthetic cameras spread over Porto (41.10–41.20 N,
// 8.70–8.55 W; about 11 x 12.6 km), fixed seed: ranges 30–300 m, headings uniform, 15 % domes
// and the rest fields of view uniform in 20–180°. Query points are uniform over the same area.
// No public camera register of this size exists, so the data are synthetic; the density
// (~70 cameras per km²) is that of a dense city centre.
//
// Every measure times each query itself (steady_clock around the call; its own ~20–30 ns are
// included) and reports p50_us / p99_us counters; the brute-force scan over every camera is
// the peer, measured in the same run.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "cameras/coverage.hpp"
#include "percentiles.hpp"

namespace {

using namespace pingan;
using Clock = std::chrono::steady_clock;

constexpr geo::LatLon kSouthWest{41.10, -8.70};
constexpr geo::LatLon kNorthEast{41.20, -8.55};
constexpr std::size_t kCameras = 10'000;
constexpr std::size_t kPoints = 100'000;

std::vector<cameras::Camera> make_cameras(std::size_t n) {
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> lat(kSouthWest.lat, kNorthEast.lat);
    std::uniform_real_distribution<double> lon(kSouthWest.lon, kNorthEast.lon);
    std::uniform_real_distribution<double> heading(0, 360), fov(20, 180), range(30, 300);
    std::bernoulli_distribution dome(0.15);
    std::vector<cameras::Camera> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        cameras::Camera c;
        c.id = "PRT-" + std::to_string(100000 + i);
        c.position = {lat(rng), lon(rng)};
        c.heading_deg = heading(rng);
        c.fov_deg = dome(rng) ? 360 : fov(rng);
        c.range_m = range(rng);
        c.stream_kind = cameras::StreamKind::rtsp;
        c.stream_url = "rtsp://vms.example/" + c.id;
        c.owner = "PSP Porto";
        c.sharing = cameras::Sharing::shared;
        out.push_back(std::move(c));
    }
    return out;
}

const cameras::CameraIndex& porto_index() {
    static const cameras::CameraIndex ix = [] {
        auto built = cameras::CameraIndex::build(make_cameras(kCameras));
        if (!built) {
            std::fprintf(stderr, "%s\n", built.error().detail.c_str());
            std::abort();
        }
        return std::move(built).value();
    }();
    return ix;
}

const std::vector<geo::LatLon>& query_points() {
    static const std::vector<geo::LatLon> points = [] {
        std::mt19937_64 rng(7);
        std::uniform_real_distribution<double> lat(kSouthWest.lat, kNorthEast.lat);
        std::uniform_real_distribution<double> lon(kSouthWest.lon, kNorthEast.lon);
        std::vector<geo::LatLon> out(kPoints);
        for (geo::LatLon& p : out)
            p = {lat(rng), lon(rng)};
        return out;
    }();
    return points;
}

double us_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

void report(benchmark::State& state, std::vector<double>& us) {
    if (us.empty()) return;
    pingan::bench::report_percentiles(state, us, "us");
    state.counters["max_us"] = us.back();
    state.counters["samples"] = static_cast<double>(us.size());
}

// "Which cameras see this point": the grid index, the answer ranked.
void cameras_covering(benchmark::State& state) {
    const cameras::CameraIndex& ix = porto_index();
    const std::vector<geo::LatLon>& points = query_points();
    std::vector<cameras::CoveringCamera> out;
    std::vector<double> us;
    us.reserve(state.max_iterations);
    std::size_t i = 0, hits = 0;
    for (auto _ : state) {
        const geo::LatLon p = points[i++ % points.size()];
        const auto t0 = Clock::now();
        ix.covering(p, out);
        us.push_back(us_since(t0));
        benchmark::DoNotOptimize(out.data());
        hits += out.size();
    }
    report(state, us);
    state.counters["hits_per_query"] = static_cast<double>(hits) / static_cast<double>(i);
    state.counters["cameras"] = static_cast<double>(ix.size());
    state.counters["cell_m"] = ix.cell_m();
    state.counters["cells"] = static_cast<double>(ix.cell_count());
    state.counters["entries"] = static_cast<double>(ix.grid_entries());
}
BENCHMARK(cameras_covering)->Iterations(200'000)->Unit(benchmark::kMicrosecond);

// The peer: the same cone test on every camera.
void cameras_covering_scan(benchmark::State& state) {
    const cameras::CameraIndex& ix = porto_index();
    const std::vector<geo::LatLon>& points = query_points();
    std::vector<cameras::CoveringCamera> out;
    std::vector<double> us;
    us.reserve(state.max_iterations);
    std::size_t i = 0;
    for (auto _ : state) {
        const geo::LatLon p = points[i++ % points.size()];
        const auto t0 = Clock::now();
        ix.covering_scan(p, out);
        us.push_back(us_since(t0));
        benchmark::DoNotOptimize(out.data());
    }
    report(state, us);
}
BENCHMARK(cameras_covering_scan)->Iterations(5'000)->Unit(benchmark::kMicrosecond);

// "Panning the map lists the cameras in view": a viewport of about 1 x 1 km (a phone screen
// at zoom 16) or the whole city (zoom 12), the 100 nearest the centre.
void cameras_in_view(benchmark::State& state) {
    const cameras::CameraIndex& ix = porto_index();
    const std::vector<geo::LatLon>& points = query_points();
    const bool whole_city = state.range(0) == 1;
    const double dlat = whole_city ? kNorthEast.lat - kSouthWest.lat : 0.009;
    const double dlon = whole_city ? kNorthEast.lon - kSouthWest.lon : 0.012;
    std::vector<double> us;
    us.reserve(state.max_iterations);
    std::size_t i = 0, total = 0;
    for (auto _ : state) {
        const geo::LatLon p = whole_city ? kSouthWest : points[i % points.size()];
        ++i;
        const cameras::Viewport v{p, {p.lat + dlat, p.lon + dlon}};
        const auto t0 = Clock::now();
        const cameras::InView in = ix.in_view(v, 100);
        us.push_back(us_since(t0));
        benchmark::DoNotOptimize(in.cameras.data());
        total += in.total;
    }
    report(state, us);
    state.counters["in_view"] = static_cast<double>(total) / static_cast<double>(i);
}
BENCHMARK(cameras_in_view)
    ->ArgName("whole_city")
    ->Arg(0)
    ->Arg(1)
    ->Iterations(20'000)
    ->Unit(benchmark::kMicrosecond);

// Building the index (validation included), as after every change to the register.
void cameras_build(benchmark::State& state) {
    const std::vector<cameras::Camera> cams = make_cameras(kCameras);
    std::vector<double> us;
    for (auto _ : state) {
        std::vector<cameras::Camera> copy = cams;
        const auto t0 = Clock::now();
        auto ix = cameras::CameraIndex::build(std::move(copy));
        us.push_back(us_since(t0));
        benchmark::DoNotOptimize(ix.ok());
    }
    report(state, us);
}
BENCHMARK(cameras_build)->Iterations(20)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
