// Kernel density of incident locations on a grid: points are linearly binned to cell centres,
// then the binned masses are smoothed with a Gaussian kernel, separably (rows, then columns),
// by direct convolution for narrow kernels and by FFT for wide ones (Wand 1994, "Fast
// computation of multivariate kernel estimators").
//
// Exactness: the result equals the direct sum over the binned masses,
//   f(c) = Σ_b m_b · K_h(c − b),  K_h(r) = exp(−|r|²/2h²) / (2πh²),
// up to floating-point rounding and the kernel cut-off (cutoff_sigmas · h; at 8 σ the dropped
// tail weighs < 1.3e-14 of the peak). Binning moves each point by at most half a cell, so
// against a direct sum over the raw points the error is O((cell/h)²) of the peak; the
// benchmark reports it on sampled cells.
#pragma once

#include <span>
#include <vector>

#include "analytics/grid.hpp"

namespace pingan::analytics {

struct KdeParams {
    double bandwidth_m = 300; // h, the Gaussian's standard deviation
    double cutoff_sigmas = 8; // kernel support: |d| <= cutoff_sigmas · h
    int fft_min_radius = 48;  // kernels with more cells than this per side use the FFT path
};

struct KdeResult {
    GridSpec grid;
    KdeParams params;
    std::vector<double> density_per_km2; // per cell (row-major), incidents per km²
    double max_density_per_km2 = 0;
    double binned_mass = 0;         // points inside the grid (each point weighs 1)
    std::size_t points_outside = 0; // points beyond the grid's edge (not counted)
};

KdeResult kde(const GridSpec& grid, std::span<const PointM> points, const KdeParams& params);

// Linear binning: each point's unit mass is split among the four nearest cell centres in
// proportion to the overlap (bilinear weights). Points outside the grid are counted, not
// binned; points in the outer half cell go to the edge centres.
std::vector<double> linear_binning(const GridSpec& grid, std::span<const PointM> points,
                                   std::size_t* outside = nullptr);

// Σ_b mass_b · exp(−|c − b|²/2σ²) for every cell c, σ in cells; the separable smoothing kde()
// applies after binning (without the 1/2πh² normalisation).
std::vector<double> gaussian_smooth(std::span<const double> mass, int nx, int ny,
                                    double sigma_cells, double cutoff_sigmas, int fft_min_radius);

} // namespace pingan::analytics
