// Breadcrumb digests (store/position_digest.hpp) over a fleet's reports: 1,000 units reporting
// in turn around Washington, DC, with heading and speed, as the AVL feed writes them. A digest
// covers every report once, so its rate bounds the sustained position rate it can keep up with.
#include <vector>

#include <benchmark/benchmark.h>

#include "fleet.hpp"
#include "store/position_digest.hpp"

namespace {

using namespace pingan;
using store::PositionDigester;

std::vector<store::PositionRow> fleet_reports(std::size_t n) {
    bench::FleetWalk walk;
    std::vector<store::PositionRow> rows;
    rows.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto [u, p] = walk.next();
        rows.push_back(store::PositionRow{static_cast<store::Id>(i + 1),
                                          static_cast<store::Id>(u + 1), p.reported_at, p.at.lat,
                                          p.at.lon, p.heading_deg, p.speed_mps});
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
