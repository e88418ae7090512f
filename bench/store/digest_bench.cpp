// Breadcrumb digests (store/position_digest.hpp) over a fleet's reports: 1,000 units reporting
// in turn around Washington, DC, with heading and speed, as the AVL feed writes them. A digest
// covers every report once, so its rate bounds the sustained position rate it can keep up with.
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "store/position_digest.hpp"

namespace {

using namespace pingan;
using store::PositionDigester;

std::vector<store::PositionRow> fleet_reports(std::size_t n) {
    std::mt19937_64 rng(20261124);
    std::normal_distribution<double> step(0.0, 0.0002);
    std::uniform_real_distribution<double> heading(0.0, 360.0);
    std::uniform_real_distribution<double> speed(0.0, 25.0);
    constexpr std::size_t kUnits = 1000;
    std::vector<double> lat(kUnits, 38.9), lon(kUnits, -77.03);
    std::vector<store::PositionRow> rows;
    rows.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t u = i % kUnits;
        lat[u] += step(rng);
        lon[u] += step(rng);
        rows.push_back(store::PositionRow{static_cast<store::Id>(i + 1),
                                          static_cast<store::Id>(u + 1),
                                          1'795'000'000'000 + static_cast<std::int64_t>(i) * 5,
                                          lat[u], lon[u], heading(rng), speed(rng)});
    }
    return rows;
}

void digest(benchmark::State& state, PositionDigester::Forms forms) {
    const auto rows = fleet_reports(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        PositionDigester d(forms);
        for (const auto& r : rows)
            d.add(r);
        benchmark::DoNotOptimize(d.finish());
    }
    state.counters["rows_per_second"] = benchmark::Counter(
        static_cast<double>(rows.size()) * static_cast<double>(state.iterations()),
        benchmark::Counter::kIsRate);
}

// What the server writes every digest interval: the canonical form only.
void BM_position_digest_new(benchmark::State& state) {
    digest(state, PositionDigester::Forms::canonical);
}
// What `pingan audit verify` computes per stored digest: both accepted forms.
void BM_position_digest_check(benchmark::State& state) {
    digest(state, PositionDigester::Forms::accepted);
}

BENCHMARK(BM_position_digest_new)->Arg(50'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_position_digest_check)->Arg(50'000)->Unit(benchmark::kMillisecond);

} // namespace
