// Getis-Ord Gi*: z-scores worked out by hand, the fast conditional permutation against a
// plain reference that draws the same random neighbours, and Benjamini–Hochberg by hand.
#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "analytics/gi_star.hpp"
#include "analytics/random.hpp"

namespace pingan::analytics {
namespace {

TEST(GiStar, ZScoresOfAThreeCellRowByHand) {
    // Values 1, 2, 6 in a row; neighbours within 1 cell (left, self, right).
    // n = 3, mean 3, S² = (1 + 4 + 36) / 3 − 9 = 14/3.
    // Cell 0: W = 2, Σ = 3: z = (3 − 3·2) / (S·sqrt((3·2 − 4)/2)) = −3 / S.
    // Cell 1: W = 3 = n: the variance term (3·3 − 9) is 0, z = 0 by convention.
    // Cell 2: W = 2, Σ = 8: z = (8 − 6) / S = 2 / S.
    GiStarParams p;
    p.neighbor_radius_cells = 1.0;
    p.permutations = 0;
    auto r = gi_star(std::vector<double>{1, 2, 6}, 3, 1, p);
    ASSERT_TRUE(r) << r.error().detail;
    const double s = std::sqrt(14.0 / 3.0);
    EXPECT_NEAR(r->z[0], -3 / s, 1e-12);
    EXPECT_NEAR(r->z[1], 0.0, 1e-12);
    EXPECT_NEAR(r->z[2], 2 / s, 1e-12);
    EXPECT_NEAR(r->mean, 3.0, 1e-12);
    EXPECT_NEAR(r->sd, s, 1e-12);
    // Without permutations the p-value is the two-sided normal one.
    EXPECT_NEAR(r->p[2], std::erfc(2 / s / std::sqrt(2.0)), 1e-12);
}

TEST(GiStar, QueenNeighbourhoodOnA3x3GridByHand) {
    // One incident in the centre of a 3 × 3 grid; radius 1.5 = the 3 × 3 block.
    // n = 9, mean 1/9, S² = 1/9 − 1/81 = 8/81. Centre: W = 9 = n → z = 0.
    // Corner (0,0): W = 4, Σ = 1: z = (1 − 4/9) / (S·sqrt((9·4 − 16)/8)) = (5/9)/(S·sqrt(2.5)).
    std::vector<double> v(9, 0.0);
    v[4] = 1;
    GiStarParams p;
    p.permutations = 0;
    auto r = gi_star(v, 3, 3, p);
    ASSERT_TRUE(r);
    const double s = std::sqrt(8.0 / 81.0);
    EXPECT_NEAR(r->z[0], (5.0 / 9.0) / (s * std::sqrt(2.5)), 1e-12);
    // Edge (1,0): W = 6, Σ = 1: z = (1 − 6/9) / (S·sqrt((54 − 36)/8)).
    EXPECT_NEAR(r->z[1], (3.0 / 9.0) / (s * std::sqrt(18.0 / 8.0)), 1e-12);
    EXPECT_NEAR(r->z[4], 0.0, 1e-12);
}

// The plain version of the conditional permutation: for every cell and permutation, sum the
// drawn neighbours' values one by one. Draws as in gi_star.cpp (partial Fisher–Yates over the
// n − 1 other cells, undone after each permutation). Returns pseudo p and z_sim per cell.
std::pair<std::vector<double>, std::vector<double>> reference(const std::vector<double>& v, int nx,
                                                              int ny, double radius, int perms,
                                                              std::uint64_t seed,
                                                              const std::vector<double>& z) {
    const std::size_t n = v.size();
    std::vector<int> w(n, 0);
    std::vector<double> lag(n, 0.0);
    const int r = static_cast<int>(radius);
    for (int y = 0; y < ny; ++y)
        for (int x = 0; x < nx; ++x)
            for (int dy = -r; dy <= r; ++dy)
                for (int dx = -r; dx <= r; ++dx) {
                    if (dx * dx + dy * dy > radius * radius) continue;
                    if (x + dx < 0 || y + dy < 0 || x + dx >= nx || y + dy >= ny) continue;
                    ++w[static_cast<std::size_t>(y * nx + x)];
                    lag[static_cast<std::size_t>(y * nx + x)] +=
                        v[static_cast<std::size_t>((y + dy) * nx + x + dx)];
                }
    const auto kmax = static_cast<std::uint32_t>(*std::max_element(w.begin(), w.end()) - 1);
    Rng rng(seed);
    std::vector<std::uint32_t> pool(n - 1);
    for (std::size_t i = 0; i < pool.size(); ++i)
        pool[i] = static_cast<std::uint32_t>(i);
    std::vector<int> count(n, 0);
    std::vector<std::vector<double>> sims(n);
    for (int p = 0; p < perms; ++p) {
        std::vector<std::pair<std::uint32_t, std::uint32_t>> swaps;
        std::vector<std::uint32_t> draw(kmax);
        for (std::uint32_t m = 0; m < kmax; ++m) {
            const std::uint32_t j = m + rng.below(static_cast<std::uint32_t>(pool.size()) - m);
            std::swap(pool[m], pool[j]);
            swaps.emplace_back(m, j);
            draw[m] = pool[m];
        }
        for (auto it = swaps.rbegin(); it != swaps.rend(); ++it)
            std::swap(pool[it->first], pool[it->second]);
        for (std::size_t i = 0; i < n; ++i) {
            double sim = v[i];
            for (int m = 0; m < w[i] - 1; ++m) {
                const std::uint32_t d = draw[static_cast<std::size_t>(m)];
                sim += v[d < i ? d : d + 1];
            }
            if (z[i] >= 0 ? sim >= lag[i] - 1e-9 : sim <= lag[i] + 1e-9) ++count[i];
            sims[i].push_back(sim);
        }
    }
    std::vector<double> p_sim(n), z_sim(n);
    for (std::size_t i = 0; i < n; ++i) {
        p_sim[i] = (count[i] + 1.0) / (perms + 1.0);
        double mean = 0, var = 0;
        for (double x : sims[i])
            mean += x / perms;
        for (double x : sims[i])
            var += (x - mean) * (x - mean) / perms;
        z_sim[i] = (lag[i] - mean) / std::sqrt(var);
    }
    return {p_sim, z_sim};
}

TEST(GiStar, FastConditionalPermutationsEqualThePlainReference) {
    const int nx = 17, ny = 13;
    std::vector<double> v(static_cast<std::size_t>(nx * ny));
    Rng rng(99);
    for (auto& x : v)
        x = static_cast<double>(rng.below(4) == 0 ? rng.below(9) : 0); // sparse counts
    v[40] = 30;
    v[41] = 25;
    for (double radius : {1.0, 1.5, 2.3}) {
        GiStarParams p;
        p.neighbor_radius_cells = radius;
        p.permutations = 199;
        p.seed = 4242;
        auto r = gi_star(v, nx, ny, p);
        ASSERT_TRUE(r);
        const auto [p_sim, z_sim] = reference(v, nx, ny, radius, p.permutations, p.seed, r->z);
        for (std::size_t i = 0; i < v.size(); ++i) {
            ASSERT_DOUBLE_EQ(r->p_sim[i], p_sim[i]) << "radius " << radius << " cell " << i;
            ASSERT_NEAR(r->z_sim[i], z_sim[i], 1e-9 * std::max(1.0, std::abs(z_sim[i])))
                << "radius " << radius << " cell " << i;
            ASSERT_DOUBLE_EQ(r->p[i], std::erfc(std::abs(r->z_sim[i]) / std::sqrt(2.0)));
        }
    }
}

TEST(GiStar, SameSeedSameResultOtherSeedOtherDraws) {
    std::vector<double> v(400);
    Rng rng(5);
    for (auto& x : v)
        x = rng.below(5);
    GiStarParams p;
    p.permutations = 99;
    p.seed = 1;
    auto a = gi_star(v, 20, 20, p);
    auto b = gi_star(v, 20, 20, p);
    p.seed = 2;
    auto c = gi_star(v, 20, 20, p);
    ASSERT_TRUE(a && b && c);
    EXPECT_EQ(a->p, b->p);
    EXPECT_EQ(a->p_sim, b->p_sim);
    EXPECT_NE(a->p_sim, c->p_sim);
    EXPECT_EQ(a->z, c->z); // z does not depend on the permutations
}

TEST(GiStar, APlantedClusterIsHotAndNoiseMostlyIsNot) {
    const int nx = 40, ny = 40;
    std::vector<double> v(static_cast<std::size_t>(nx * ny), 0.0);
    Rng rng(17);
    for (auto& x : v)
        x = rng.below(3); // 0, 1 or 2 everywhere
    for (int y = 18; y < 22; ++y)
        for (int x = 10; x < 14; ++x)
            v[static_cast<std::size_t>(y * nx + x)] = 12;
    GiStarParams p;
    p.permutations = 999;
    auto r = gi_star(v, nx, ny, p);
    ASSERT_TRUE(r);
    // Every cell of the 4 × 4 cluster is a hot spot at FDR 5 %.
    for (int y = 18; y < 22; ++y)
        for (int x = 10; x < 14; ++x)
            EXPECT_EQ(r->label[static_cast<std::size_t>(y * nx + x)], 1) << x << "," << y;
    // Far from it, the noise yields (almost) no discoveries.
    std::size_t far_hot = 0;
    for (int y = 0; y < ny; ++y)
        for (int x = 25; x < nx; ++x)
            far_hot += r->label[static_cast<std::size_t>(y * nx + x)] != 0;
    EXPECT_LE(far_hot, 3u);
    EXPECT_EQ(r->hot, static_cast<std::size_t>(std::count(r->label.begin(), r->label.end(), 1)));
    // The pseudo p of the cluster is as small as 999 permutations allow.
    EXPECT_DOUBLE_EQ(r->p_sim[static_cast<std::size_t>(19 * nx + 11)], 0.001);
}

TEST(GiStar, ConstantGridAndBadArguments) {
    auto r = gi_star(std::vector<double>(16, 2.0), 4, 4, {});
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->constant);
    EXPECT_EQ(r->hot + r->cold, 0u);
    EXPECT_FALSE(gi_star(std::vector<double>(5, 1.0), 2, 2, {}));
    GiStarParams bad;
    bad.neighbor_radius_cells = 0.5;
    EXPECT_FALSE(gi_star(std::vector<double>(4, 1.0), 2, 2, bad));
    bad = {};
    bad.fdr_q = 1.5;
    EXPECT_FALSE(gi_star(std::vector<double>(4, 1.0), 2, 2, bad));
}

TEST(GiStar, BenjaminiHochbergByHand) {
    // m = 4, q = 0.05: thresholds 0.0125, 0.025, 0.0375, 0.05; only 0.01 passes.
    EXPECT_DOUBLE_EQ(benjamini_hochberg_cutoff(std::vector<double>{0.01, 0.04, 0.03, 0.20}, 0.05),
                     0.01);
    // m = 8: thresholds k · 0.00625; 0.001 and 0.008 pass, 0.039 (> 0.01875) does not.
    EXPECT_DOUBLE_EQ(
        benjamini_hochberg_cutoff(
            std::vector<double>{0.205, 0.001, 0.039, 0.041, 0.008, 0.042, 0.06, 0.074}, 0.05),
        0.008);
    // The step-up rule: a later p under its threshold rescues earlier ones.
    // m = 3, q = 0.06: thresholds 0.02, 0.04, 0.06; 0.05 <= 0.06 so all three pass.
    EXPECT_DOUBLE_EQ(benjamini_hochberg_cutoff(std::vector<double>{0.03, 0.045, 0.05}, 0.06), 0.05);
    EXPECT_DOUBLE_EQ(benjamini_hochberg_cutoff(std::vector<double>{0.5, 0.9}, 0.05), 0.0);
}

} // namespace
} // namespace pingan::analytics
