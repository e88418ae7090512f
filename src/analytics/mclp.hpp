// Maximal covering location problem (Church & ReVelle 1974): choose p sites among candidates so
// that the demand weight within reach of at least one chosen site is as large as possible.
// The engine takes the coverage relation ready-made (site -> demand points it reaches within
// the time limit), so it knows nothing of roads and is tested on hand-made relations;
// road_coverage.hpp builds the relation on the road graph.
//
// Heuristic: greedy (coverage is submodular, so lazy re-evaluation of gains is exact, Minoux
// 1978), then best-improvement 1-swap local search with the fast interchange bookkeeping of
// Whitaker (1983) / Resende & Werneck (2004): for every candidate c and chosen site s,
//   value(c, s) = gain(c) − loss(s) + extra(c, s)
// where gain(c) = uncovered weight c reaches, loss(s) = weight only s covers, and extra(c, s) =
// weight only s covers that c reaches too. One pass costs O(size of the relation). The
// greedy + swap is restarted from other first sites (MclpParams::restarts), keeping the best.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"

namespace pingan::analytics {

// Site s reaches demand points demand[first[s] .. first[s + 1]) (each at most once).
struct CoverageRelation {
    std::vector<std::uint32_t> first{0}; // size sites + 1
    std::vector<std::uint32_t> demand;
    std::size_t demand_count = 0;

    std::size_t site_count() const { return first.size() - 1; }
    std::span<const std::uint32_t> reach(std::size_t site) const {
        return {demand.data() + first[site], demand.data() + first[site + 1]};
    }
    // Appends a site reaching these demand points.
    void add_site(std::span<const std::uint32_t> demands);
};

struct MclpParams {
    std::size_t facilities = 10; // p
    bool swap = true;            // run the 1-swap local search after the greedy
    int max_swap_passes = 1000;  // safety bound; each pass makes one improving swap
    // With swap: also restart greedy + swap from the 2nd .. (restarts + 1)-th best single site
    // and keep the best result (skipped once everything is covered).
    int restarts = 8;
};

struct MclpResult {
    std::vector<std::uint32_t> sites; // chosen, ascending
    double covered_weight = 0;
    double total_weight = 0;
    double share = 0;                 // covered / total (0 when total is 0)
    double greedy_covered_weight = 0; // before the local search
    int swaps = 0;                    // improving swaps made (in the run that was kept)
};

// bad_argument when p is 0 or exceeds the number of sites, or weights do not match the demand
// count, or a weight is negative.
base::Result<MclpResult> solve_mclp(const CoverageRelation& relation,
                                    std::span<const double> weights, const MclpParams& params);

// Covered weight of a given set of sites (for checks and for evaluating existing posts).
double covered_weight(const CoverageRelation& relation, std::span<const double> weights,
                      std::span<const std::uint32_t> sites);

} // namespace pingan::analytics
