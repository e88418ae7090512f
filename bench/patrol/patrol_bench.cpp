// Visit detection throughput (issue 9: ≥ 100,000 positions/s). Synthetic but shaped like the
// real stream: a 20 × 20 km city in 20 patrol areas, required points spread uniformly in them
// (2,000 by default), 500 units each on shift in one area, one fix per 5 s for an hour. A unit
// walks randomly between required points of its area: it heads for a random point at 8–14 m/s
// with a wandering heading and ±8 m GPS noise, stops there 30–180 s (so some stops count and
// some are too short), then picks another. Fixed seed, so every run sees the same 360,000 fixes.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/core.h>

#include "patrol/visits.hpp"
#include "percentiles.hpp"

namespace {

using namespace pingan;
using Clock = std::chrono::steady_clock;

constexpr int kUnits = 500;
constexpr int kAreasX = 5;
constexpr int kAreasY = 4;
constexpr double kCityM = 20'000;
constexpr int kFixEveryS = 5;
constexpr int kHourFixes = 3600 / kFixEveryS;
const base::TimeMs kStart = base::from_civil({2026, 3, 2, 8, 0, 0, 0}, 480);
const geo::LocalProjection kFrame({39.9042, 116.4074});

struct Fix {
    std::uint32_t unit;
    base::TimeMs at;
    geo::LatLon where;
};

struct Scenario {
    patrol::Plan plan;
    std::vector<patrol::Shift> shifts;
    std::vector<std::string> units;
    std::vector<Fix> fixes; // in time order, all units interleaved
};

Scenario make_scenario(int points) {
    std::mt19937_64 rng(20260302);
    std::uniform_real_distribution<double> unit01(0, 1);
    Scenario s;
    const double aw = kCityM / kAreasX, ah = kCityM / kAreasY;
    std::vector<std::vector<std::pair<double, double>>> area_points(kAreasX * kAreasY);
    for (int ay = 0; ay < kAreasY; ++ay) {
        for (int ax = 0; ax < kAreasX; ++ax) {
            const double x0 = ax * aw - kCityM / 2, y0 = ay * ah - kCityM / 2;
            const geo::Ring ring = {kFrame.to_latlon(x0, y0), kFrame.to_latlon(x0 + aw, y0),
                                    kFrame.to_latlon(x0 + aw, y0 + ah),
                                    kFrame.to_latlon(x0, y0 + ah)};
            const std::string id = fmt::format("A{}", ay * kAreasX + ax);
            s.plan.areas.push_back({id, id, {geo::Polygon{ring, {}}}});
        }
    }
    for (int i = 0; i < points; ++i) {
        const int a = i % (kAreasX * kAreasY);
        const double x = (a % kAreasX) * aw - kCityM / 2 + unit01(rng) * aw;
        const double y = (a / kAreasX) * ah - kCityM / 2 + unit01(rng) * ah;
        patrol::RequiredPoint p;
        p.id = fmt::format("P{}", i);
        p.area_id = s.plan.areas[static_cast<std::size_t>(a)].id;
        p.location = kFrame.to_latlon(x, y);
        p.radius_m = 30 + 50 * unit01(rng);
        s.plan.points.push_back(p);
        area_points[static_cast<std::size_t>(a)].push_back({x, y});
    }
    struct Walker {
        double x = 0, y = 0, heading = 0, speed = 10;
        double tx = 0, ty = 0;
        int stop_left = 0; // fixes still to spend stopped
        std::size_t area = 0;
    };
    std::normal_distribution<double> noise(0, 4); // ±8 m at two sigma
    std::vector<Walker> walkers(kUnits);
    auto new_target = [&](Walker& w) {
        const auto& pts = area_points[w.area];
        const auto& t = pts[static_cast<std::size_t>(unit01(rng) * pts.size()) % pts.size()];
        w.tx = t.first;
        w.ty = t.second;
        w.speed = 8 + 6 * unit01(rng);
    };
    for (int u = 0; u < kUnits; ++u) {
        Walker& w = walkers[static_cast<std::size_t>(u)];
        w.area = static_cast<std::size_t>(u % (kAreasX * kAreasY));
        const auto& pts = area_points[w.area];
        const auto& start = pts[static_cast<std::size_t>(u) % pts.size()];
        w.x = start.first + 300;
        w.y = start.second;
        new_target(w);
        s.units.push_back(fmt::format("U{}", u));
        s.shifts.push_back({fmt::format("S{}", u), s.units.back(), s.plan.areas[w.area].id, kStart,
                            kStart + 8 * 3600 * 1000});
    }
    s.fixes.reserve(static_cast<std::size_t>(kUnits) * kHourFixes);
    for (int k = 0; k < kHourFixes; ++k) {
        const base::TimeMs at = kStart + base::TimeMs{k} * kFixEveryS * 1000;
        for (int u = 0; u < kUnits; ++u) {
            Walker& w = walkers[static_cast<std::size_t>(u)];
            if (w.stop_left > 0) {
                if (--w.stop_left == 0) new_target(w);
            } else {
                const double dx = w.tx - w.x, dy = w.ty - w.y;
                const double d = std::hypot(dx, dy);
                const double step = w.speed * kFixEveryS;
                if (d <= step) {
                    w.x = w.tx;
                    w.y = w.ty;
                    w.stop_left = 6 + static_cast<int>(unit01(rng) * 30); // 30-180 s
                } else {
                    // Wander around the bearing to the target, as streets do.
                    w.heading = std::atan2(dy, dx) + (unit01(rng) - 0.5) * 1.2;
                    w.x += step * std::cos(w.heading);
                    w.y += step * std::sin(w.heading);
                }
            }
            s.fixes.push_back({static_cast<std::uint32_t>(u), at,
                               kFrame.to_latlon(w.x + noise(rng), w.y + noise(rng))});
        }
    }
    return s;
}

const Scenario& scenario(int points) {
    static std::vector<std::pair<int, Scenario>> cache;
    for (const auto& [n, s] : cache) {
        if (n == points) return s;
    }
    cache.emplace_back(points, make_scenario(points));
    return cache.back().second;
}

// One pass over the hour of fixes per iteration, on a fresh detector. Each round of 500 fixes
// (one per unit) is timed; p50/p99 are of the time per fix within a round.
void patrol_visits(benchmark::State& state) {
    const Scenario& s = scenario(static_cast<int>(state.range(0)));
    std::vector<double> ns_per_fix;
    std::uint64_t visits = 0, drive_bys = 0;
    for (auto _ : state) {
        state.PauseTiming();
        auto made = patrol::VisitDetector::create(s.plan);
        if (!made) {
            state.SkipWithError(made.error().detail.c_str());
            return;
        }
        patrol::VisitDetector d = std::move(made).value();
        for (const patrol::Shift& shift : s.shifts) {
            if (!d.add_shift(shift)) {
                state.SkipWithError("shift refused");
                return;
            }
        }
        state.ResumeTiming();
        for (std::size_t i = 0; i < s.fixes.size(); i += kUnits) {
            const auto t0 = Clock::now();
            for (std::size_t j = i; j < i + kUnits; ++j) {
                const Fix& f = s.fixes[j];
                d.observe(s.units[f.unit], f.at, f.where);
            }
            ns_per_fix.push_back(
                std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / kUnits);
        }
        d.flush();
        visits = d.stats().visits_closed;
        drive_bys = d.stats().drive_bys;
        benchmark::DoNotOptimize(d.take_closed());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(s.fixes.size()));
    pingan::bench::report_percentiles(state, ns_per_fix, "ns_per_fix");
    state.counters["fixes"] = static_cast<double>(s.fixes.size());
    state.counters["visits"] = static_cast<double>(visits);
    state.counters["drive_bys"] = static_cast<double>(drive_bys);
}
BENCHMARK(patrol_visits)->ArgName("points")->Arg(2'000)->Arg(20'000)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
