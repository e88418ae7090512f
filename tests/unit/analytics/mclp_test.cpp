// Maximal covering: a case where greedy alone is wrong and the swap repairs it, and random
// small instances against exhaustive search.
#include <algorithm>
#include <cstdio>

#include <gtest/gtest.h>

#include "analytics/mclp.hpp"
#include "analytics/random.hpp"

namespace pingan::analytics {
namespace {

CoverageRelation relation(std::size_t demands, const std::vector<std::vector<std::uint32_t>>& s) {
    CoverageRelation r;
    r.demand_count = demands;
    for (const auto& reach : s)
        r.add_site(reach);
    return r;
}

TEST(Mclp, SwapRepairsTheGreedyTrap) {
    // S0 reaches {0,1,2,3}, S1 {0,1,4}, S2 {2,3,5}; unit weights; two posts.
    // Greedy takes S0 (4), then S1 (+1, tie with S2 broken by the lower index): 5 of 6.
    // The swap S0 -> S2 gains {5} and loses nothing S2 does not reach: S1 + S2 cover all 6.
    const CoverageRelation rel = relation(6, {{0, 1, 2, 3}, {0, 1, 4}, {2, 3, 5}});
    const std::vector<double> w(6, 1.0);
    MclpParams p;
    p.facilities = 2;
    p.swap = false;
    auto greedy = solve_mclp(rel, w, p);
    ASSERT_TRUE(greedy);
    EXPECT_EQ(greedy->sites, (std::vector<std::uint32_t>{0, 1}));
    EXPECT_DOUBLE_EQ(greedy->covered_weight, 5);
    p.swap = true;
    auto swapped = solve_mclp(rel, w, p);
    ASSERT_TRUE(swapped);
    EXPECT_EQ(swapped->sites, (std::vector<std::uint32_t>{1, 2}));
    EXPECT_DOUBLE_EQ(swapped->covered_weight, 6);
    EXPECT_DOUBLE_EQ(swapped->greedy_covered_weight, 5);
    EXPECT_EQ(swapped->swaps, 1);
    EXPECT_DOUBLE_EQ(swapped->share, 1.0);
}

TEST(Mclp, WeightsDecide) {
    // One post: S0 reaches three light demands, S1 one heavy demand.
    const CoverageRelation rel = relation(4, {{0, 1, 2}, {3}});
    auto r = solve_mclp(rel, std::vector<double>{1, 1, 1, 5}, {.facilities = 1});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->sites, (std::vector<std::uint32_t>{1}));
    EXPECT_DOUBLE_EQ(r->covered_weight, 5);
    EXPECT_DOUBLE_EQ(r->total_weight, 8);
}

// Best covered weight over every choice of p sites.
double exhaustive(const CoverageRelation& rel, const std::vector<double>& w, std::size_t p) {
    const std::size_t n = rel.site_count();
    std::vector<std::uint32_t> pick(p);
    double best = 0;
    std::vector<bool> mask(n, false);
    std::fill(mask.begin(), mask.begin() + static_cast<long>(p), true);
    do {
        std::size_t k = 0;
        for (std::size_t s = 0; s < n; ++s)
            if (mask[s]) pick[k++] = static_cast<std::uint32_t>(s);
        best = std::max(best, covered_weight(rel, w, pick));
    } while (std::prev_permutation(mask.begin(), mask.end()));
    return best;
}

TEST(Mclp, RandomInstancesAreLocalOptimaCloseToTheExactOptimum) {
    Rng rng(2024);
    double worst_ratio = 1, sum_ratio = 0;
    int optimal = 0;
    for (int inst = 0; inst < 40; ++inst) {
        const std::size_t sites = 12, demands = 60, p = 1 + inst % 4;
        std::vector<std::vector<std::uint32_t>> reach(sites);
        for (auto& r : reach)
            for (std::uint32_t d = 0; d < demands; ++d)
                if (rng.below(5) == 0) r.push_back(d);
        const CoverageRelation rel = relation(demands, reach);
        std::vector<double> w(demands);
        for (auto& x : w)
            x = 1 + rng.below(10);
        auto r = solve_mclp(rel, w, {.facilities = p});
        ASSERT_TRUE(r);
        EXPECT_DOUBLE_EQ(r->covered_weight, covered_weight(rel, w, r->sites));
        EXPECT_GE(r->covered_weight, r->greedy_covered_weight);
        // No single swap improves the result.
        for (std::size_t out = 0; out < p; ++out) {
            for (std::uint32_t in = 0; in < sites; ++in) {
                if (std::find(r->sites.begin(), r->sites.end(), in) != r->sites.end()) continue;
                auto alt = r->sites;
                alt[out] = in;
                EXPECT_LE(covered_weight(rel, w, alt), r->covered_weight + 1e-9);
            }
        }
        const double opt = exhaustive(rel, w, p);
        EXPECT_LE(r->covered_weight, opt + 1e-9);
        worst_ratio = std::min(worst_ratio, r->covered_weight / opt);
        sum_ratio += r->covered_weight / opt;
        optimal += r->covered_weight >= opt - 1e-9;
    }
    // A 1-swap local optimum carries no constant-factor guarantee beyond greedy's 1 − 1/e, but
    // on these dense random instances it is optimal most of the time and close otherwise.
    // (The 2 % target is checked against CBC on realistic instances in the benchmark.)
    std::printf("mclp: %d of 40 optimal, mean ratio %.4f, worst %.4f\n", optimal, sum_ratio / 40,
                worst_ratio);
    EXPECT_GE(optimal, 30);
    EXPECT_GE(sum_ratio / 40, 0.99);
    EXPECT_GE(worst_ratio, 1 - 1 / 2.718281828);
}

TEST(Mclp, RefusesImpossibleRequests) {
    const CoverageRelation rel = relation(2, {{0}, {1}});
    EXPECT_FALSE(solve_mclp(rel, std::vector<double>{1, 1}, {.facilities = 3}));
    EXPECT_FALSE(solve_mclp(rel, std::vector<double>{1, 1}, {.facilities = 0}));
    EXPECT_FALSE(solve_mclp(rel, std::vector<double>{1}, {.facilities = 1}));
    EXPECT_FALSE(solve_mclp(rel, std::vector<double>{1, -1}, {.facilities = 1}));
}

} // namespace
} // namespace pingan::analytics
