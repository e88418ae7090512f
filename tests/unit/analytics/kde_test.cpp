// Kernel density: the binned, separable (direct or FFT) smoothing agrees with a direct sum.
#include <cmath>
#include <numbers>

#include <gtest/gtest.h>

#include "analytics/kde.hpp"
#include "analytics/random.hpp"

namespace pingan::analytics {
namespace {

GridSpec grid(int nx, int ny, double cell_m) {
    GridSpec g;
    g.projection_origin = {38.9, -77.0};
    g.x0_m = -nx * cell_m / 2;
    g.y0_m = -ny * cell_m / 2;
    g.cell_m = cell_m;
    g.nx = nx;
    g.ny = ny;
    return g;
}

std::vector<PointM> clustered_points(const GridSpec& g, int n, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<PointM> pts;
    const double w = g.nx * g.cell_m, h = g.ny * g.cell_m;
    for (int i = 0; i < n; ++i) {
        // Half uniform, half in two tight clusters (hotspots are not uniform).
        double x, y;
        if (i % 2 == 0) {
            x = g.x0_m + rng.uniform() * w;
            y = g.y0_m + rng.uniform() * h;
        } else {
            const double cx = g.x0_m + (i % 4 == 1 ? 0.3 : 0.7) * w;
            const double cy = g.y0_m + (i % 4 == 1 ? 0.6 : 0.35) * h;
            x = cx + (rng.uniform() - 0.5) * 4 * g.cell_m;
            y = cy + (rng.uniform() - 0.5) * 4 * g.cell_m;
        }
        pts.push_back({x, y});
    }
    return pts;
}

// Σ_b mass_b · K_h(c − b) over every cell b, with the two-dimensional kernel (not separable).
std::vector<double> direct_binned(const GridSpec& g, const std::vector<double>& mass, double h) {
    std::vector<double> out(g.cells(), 0.0);
    const double norm = 1e6 / (2 * std::numbers::pi * h * h);
    for (int cy = 0; cy < g.ny; ++cy) {
        for (int cx = 0; cx < g.nx; ++cx) {
            double s = 0;
            for (int by = 0; by < g.ny; ++by) {
                for (int bx = 0; bx < g.nx; ++bx) {
                    const double m = mass[g.index(bx, by)];
                    if (m == 0) continue;
                    const double dx = (cx - bx) * g.cell_m, dy = (cy - by) * g.cell_m;
                    s += m * std::exp(-(dx * dx + dy * dy) / (2 * h * h));
                }
            }
            out[g.index(cx, cy)] = s * norm;
        }
    }
    return out;
}

// Relative agreement on every cell that matters (>= 1e-3 of the peak), absolute elsewhere.
void expect_agree(const std::vector<double>& got, const std::vector<double>& want, double rel) {
    double peak = 0;
    for (double v : want)
        peak = std::max(peak, v);
    ASSERT_GT(peak, 0);
    double worst = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        if (want[i] >= 1e-3 * peak) {
            worst = std::max(worst, std::abs(got[i] - want[i]) / want[i]);
        } else {
            EXPECT_LE(std::abs(got[i] - want[i]), 1e-9 * peak) << i;
        }
    }
    EXPECT_LE(worst, rel);
}

TEST(Kde, SeparableDirectConvolutionEqualsTheDirectSumWithin1e6) {
    const GridSpec g = grid(48, 36, 50);
    const auto pts = clustered_points(g, 400, 7);
    KdeParams p;
    p.bandwidth_m = 120; // 2.4 cells: radius 20 cells, below the FFT threshold
    const KdeResult r = kde(g, pts, p);
    const auto mass = linear_binning(g, pts);
    expect_agree(r.density_per_km2, direct_binned(g, mass, p.bandwidth_m), 1e-6);
    EXPECT_NEAR(r.binned_mass, 400.0, 1e-9);
    EXPECT_EQ(r.points_outside, 0u);
}

TEST(Kde, FftConvolutionEqualsTheDirectSumWithin1e6) {
    const GridSpec g = grid(40, 30, 50);
    const auto pts = clustered_points(g, 300, 11);
    KdeParams p;
    p.bandwidth_m = 300;  // 6 cells
    p.fft_min_radius = 1; // force the FFT path
    const KdeResult r = kde(g, pts, p);
    const auto mass = linear_binning(g, pts);
    expect_agree(r.density_per_km2, direct_binned(g, mass, p.bandwidth_m), 1e-6);
}

TEST(Kde, PointsAtCellCentresNeedNoBinningSoRawDirectSumAgrees) {
    const GridSpec g = grid(30, 30, 100);
    std::vector<PointM> pts;
    for (int i = 0; i < 60; ++i)
        pts.push_back(g.cell_centre_m(5 + (i * 7) % 20, 4 + (i * 3) % 22));
    KdeParams p;
    p.bandwidth_m = 250;
    const KdeResult r = kde(g, pts, p);
    std::vector<double> direct(g.cells(), 0.0);
    const double norm = 1e6 / (2 * std::numbers::pi * p.bandwidth_m * p.bandwidth_m);
    for (int cy = 0; cy < g.ny; ++cy) {
        for (int cx = 0; cx < g.nx; ++cx) {
            const PointM c = g.cell_centre_m(cx, cy);
            double s = 0;
            for (const PointM& q : pts) {
                const double dx = c.x - q.x, dy = c.y - q.y;
                s += std::exp(-(dx * dx + dy * dy) / (2 * p.bandwidth_m * p.bandwidth_m));
            }
            direct[g.index(cx, cy)] = s * norm;
        }
    }
    expect_agree(r.density_per_km2, direct, 1e-6);
}

TEST(Kde, BinningErrorAgainstRawPointsIsSmallForBandwidthsOfSeveralCells) {
    // The documented approximation: binning moves mass by at most half a cell; with h = 4
    // cells the error is well under 1 % of the peak.
    const GridSpec g = grid(40, 40, 50);
    const auto pts = clustered_points(g, 500, 3);
    KdeParams p;
    p.bandwidth_m = 200;
    const KdeResult r = kde(g, pts, p);
    const double norm = 1e6 / (2 * std::numbers::pi * p.bandwidth_m * p.bandwidth_m);
    double worst = 0;
    for (int cy = 0; cy < g.ny; cy += 3) {
        for (int cx = 0; cx < g.nx; cx += 3) {
            const PointM c = g.cell_centre_m(cx, cy);
            double s = 0;
            for (const PointM& q : pts) {
                const double dx = c.x - q.x, dy = c.y - q.y;
                s += std::exp(-(dx * dx + dy * dy) / (2 * p.bandwidth_m * p.bandwidth_m));
            }
            worst = std::max(worst, std::abs(s * norm - r.density_per_km2[g.index(cx, cy)]));
        }
    }
    EXPECT_LT(worst, 0.01 * r.max_density_per_km2);
}

TEST(Kde, MassIsConservedAwayFromTheEdges) {
    const GridSpec g = grid(80, 80, 25);
    std::vector<PointM> pts;
    for (int i = 0; i < 100; ++i)
        pts.push_back({(i % 10) * 20.0 - 90, (i / 10) * 20.0 - 90});
    KdeParams p;
    p.bandwidth_m = 60;
    const KdeResult r = kde(g, pts, p);
    double integral = 0;
    for (double d : r.density_per_km2)
        integral += d * g.cell_m * g.cell_m / 1e6;
    EXPECT_NEAR(integral, 100.0, 1e-6);
}

TEST(Kde, PointsBeyondTheGridAreCountedNotBinned) {
    const GridSpec g = grid(10, 10, 100);
    const std::vector<PointM> pts = {{0, 0}, {5000, 0}, {0, -5000}};
    const KdeResult r = kde(g, pts, {});
    EXPECT_EQ(r.points_outside, 2u);
    EXPECT_NEAR(r.binned_mass, 1.0, 1e-12);
}

} // namespace
} // namespace pingan::analytics
