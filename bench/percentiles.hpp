// Percentiles of per-operation timings, as every benchmark here reports them: counters
// p50_<unit> and p99_<unit> (nearest rank), with `unit` naming what was timed ("us", "ms",
// "ns_per_fix").
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

namespace pingan::bench {

// The q-quantile (0..1) of sorted samples; 0 for none.
inline double quantile(const std::vector<double>& sorted, double q) {
    if (sorted.empty()) return 0;
    return sorted[std::min(
        sorted.size() - 1,
        static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5))];
}

// Sorts the samples and sets p50_<unit> and p99_<unit>.
inline void report_percentiles(benchmark::State& state, std::vector<double>& samples,
                               const std::string& unit) {
    std::sort(samples.begin(), samples.end());
    state.counters["p50_" + unit] = quantile(samples, 0.50);
    state.counters["p99_" + unit] = quantile(samples, 0.99);
}

} // namespace pingan::bench
