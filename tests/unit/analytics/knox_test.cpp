// Near-repeat Knox table: observed counts by hand and by brute force over all pairs; expected
// counts and p-values against a brute-force reference using the same shuffles.
#include <cmath>

#include <gtest/gtest.h>

#include "analytics/knox.hpp"
#include "analytics/random.hpp"
#include "test_time.hpp"

namespace pingan::analytics {
namespace {

using base::TimeMs;
using test::kDay;

TEST(Knox, FourEventsByHand) {
    // A and B are 50 m and 2 days apart, C is 150 m from A and 10 days after it, D is far.
    //   A (0, 0) day 0;  B (50, 0) day 2;  C (150, 0) day 10;  D (5000, 0) day 3.
    // Bands: distance [0,100], (100,200], beyond; time [0,7], (7,14], beyond.
    // Pairs: AB 50 m 2 d → (0,0); AC 150 m 10 d → (1,1); BC 100 m 8 d → (0,1);
    //        AD, BD, CD beyond 200 m with 3, 1, 7 days → (2,0) ×3.
    const std::vector<PointM> pts = {{0, 0}, {50, 0}, {150, 0}, {5000, 0}};
    const std::vector<TimeMs> t = {0, 2 * kDay, 10 * kDay, 3 * kDay};
    KnoxParams p;
    p.distance_edges_m = {100, 200};
    p.time_edges_days = {7, 14};
    p.permutations = 0;
    auto r = knox(pts, t, p);
    ASSERT_TRUE(r) << r.error().detail;
    ASSERT_EQ(r->rows(), 3u);
    ASSERT_EQ(r->cols(), 3u);
    EXPECT_EQ(r->pairs, 6u);
    const std::vector<std::uint64_t> expect = {1, 1, 0, //
                                               0, 1, 0, //
                                               3, 0, 0};
    EXPECT_EQ(r->observed, expect);
}

struct Brute {
    std::vector<std::uint64_t> observed;
    std::vector<double> expected, p;
};

Brute brute(const std::vector<PointM>& pts, const std::vector<TimeMs>& t, const KnoxParams& p) {
    const std::size_t rows = p.distance_edges_m.size() + 1, cols = p.time_edges_days.size() + 1;
    auto band = [](double v, const std::vector<double>& edges, double scale) {
        std::size_t b = 0;
        while (b < edges.size() && v > edges[b] * scale)
            ++b;
        return b;
    };
    auto table = [&](const std::vector<TimeMs>& times) {
        std::vector<std::uint64_t> out(rows * cols, 0);
        for (std::size_t i = 0; i < pts.size(); ++i)
            for (std::size_t j = i + 1; j < pts.size(); ++j) {
                const double d = std::hypot(pts[i].x - pts[j].x, pts[i].y - pts[j].y);
                const double dt = std::abs(static_cast<double>(times[i] - times[j]));
                ++out[band(d, p.distance_edges_m, 1) * cols + band(dt, p.time_edges_days, kDay)];
            }
        return out;
    };
    Brute b;
    b.observed = table(t);
    b.expected.assign(rows * cols, 0);
    std::vector<std::uint64_t> at_least(rows * cols, 0);
    Rng rng(p.seed);
    std::vector<TimeMs> s = t;
    for (int k = 0; k < p.permutations; ++k) {
        for (std::size_t i = s.size() - 1; i > 0; --i)
            std::swap(s[i], s[rng.below(static_cast<std::uint32_t>(i + 1))]);
        const auto tab = table(s);
        for (std::size_t c = 0; c < tab.size(); ++c) {
            b.expected[c] += static_cast<double>(tab[c]) / p.permutations;
            at_least[c] += tab[c] >= b.observed[c];
        }
    }
    for (auto v : at_least)
        b.p.push_back((v + 1.0) / (p.permutations + 1.0));
    return b;
}

TEST(Knox, TableExpectationAndPValuesEqualBruteForce) {
    Rng rng(8);
    std::vector<PointM> pts;
    std::vector<TimeMs> t;
    for (int i = 0; i < 300; ++i) {
        // A near-repeat pattern: every third event follows the previous one closely.
        if (i % 3 == 2) {
            pts.push_back({pts.back().x + rng.uniform() * 80, pts.back().y + rng.uniform() * 80});
            t.push_back(t.back() + static_cast<TimeMs>(rng.uniform() * 3 * kDay));
        } else {
            pts.push_back({rng.uniform() * 3000, rng.uniform() * 3000});
            t.push_back(static_cast<TimeMs>(rng.uniform() * 60 * kDay));
        }
    }
    KnoxParams p;
    p.distance_edges_m = {0, 100, 200, 400};
    p.time_edges_days = {3, 7, 14};
    p.permutations = 49;
    p.seed = 77;
    auto r = knox(pts, t, p);
    ASSERT_TRUE(r);
    const Brute b = brute(pts, t, p);
    EXPECT_EQ(r->observed, b.observed);
    for (std::size_t c = 0; c < b.expected.size(); ++c) {
        EXPECT_NEAR(r->expected[c], b.expected[c], 1e-9) << c;
        EXPECT_DOUBLE_EQ(r->p[c], b.p[c]) << c;
    }
    // The planted pattern: close in space (≤ 100 m) and time (≤ 3 days) is over-represented.
    const std::size_t cols = r->cols();
    EXPECT_GT(r->ratio[1 * cols + 0], 2.0);
    EXPECT_LE(r->p[1 * cols + 0], 0.02);
}

TEST(Knox, RefusesBadBandsAndTooFewEvents) {
    KnoxParams p;
    p.distance_edges_m = {200, 100};
    const std::vector<PointM> two = {{0, 0}, {1, 1}};
    const std::vector<TimeMs> t2 = {0, 1};
    EXPECT_FALSE(knox(two, t2, p));
    EXPECT_FALSE(knox(std::vector<PointM>{{0, 0}}, std::vector<TimeMs>{0}, KnoxParams{}));
    EXPECT_FALSE(knox(two, std::vector<TimeMs>{0}, KnoxParams{}));
}

} // namespace
} // namespace pingan::analytics
