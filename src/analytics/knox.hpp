// Near-repeat analysis: the Knox test over distance × time bands (Knox 1964; the Near Repeat
// Calculator's table, Ratcliffe 2009). Every pair of incidents falls in one distance band and
// one time band; the observed count of each cell of the table is compared with its expectation
// when times are shuffled among places (Monte Carlo permutations, seeded): a ratio above 1 with
// a small p means incidents near in space follow each other closer in time than chance.
//
// Bands: distance band d holds pairs with distance in (edge[d−1], edge[d]] (the first band
// [0, edge[0]]), the last row holds pairs beyond the last edge; time bands likewise, in days.
// p = (#{permuted count ≥ observed} + 1) / (P + 1).
//
// Only pairs within the last distance edge are enumerated (a grid of cells as wide as that
// edge); the "beyond" row follows from the time-difference counts over all pairs, which a
// permutation does not change (it only reassigns the same times to other places).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "analytics/grid.hpp"
#include "base/result.hpp"
#include "base/time.hpp"

namespace pingan::analytics {

struct KnoxParams {
    std::vector<double> distance_edges_m = {100, 200, 400, 800};
    std::vector<double> time_edges_days = {7, 14, 28};
    int permutations = 99;
    std::uint64_t seed = 1;
};

struct KnoxResult {
    KnoxParams params;
    std::size_t events = 0;
    std::uint64_t pairs = 0; // n (n − 1) / 2
    // Tables with (distance bands + 1) rows × (time bands + 1) columns, row-major.
    std::vector<std::uint64_t> observed;
    std::vector<double> expected; // mean over permutations
    std::vector<double> ratio;    // observed / expected (0 when expected is 0)
    std::vector<double> p;        // pseudo p of observed being that high by chance
    std::size_t rows() const { return params.distance_edges_m.size() + 1; }
    std::size_t cols() const { return params.time_edges_days.size() + 1; }
};

// points in grid metres (any local metric projection), times in UTC ms, the same length.
// bad_argument for fewer than 2 events, unsorted or non-positive edges, negative permutations.
base::Result<KnoxResult> knox(std::span<const PointM> points, std::span<const base::TimeMs> times,
                              const KnoxParams& params);

} // namespace pingan::analytics
