// Getis-Ord Gi* local statistic on grid cells (Getis & Ord 1992; Ord & Getis 1995), with
// binary distance-band weights that include the cell itself, inference by conditional
// permutation (Anselin 1995: the cell's own value stays, the other n−1 values are drawn at
// random for its neighbours), and Benjamini–Hochberg control of the false-discovery rate over
// all cells.
//
//   z_i = (Σ_j w_ij x_j − x̄ W_i) / (S · sqrt((n W_i − W_i²) / (n − 1)))      (binary weights)
//   x̄ = Σ x / n,  S = sqrt(Σ x² / n − x̄²),  W_i = Σ_j w_ij (self included)
//
// Inference from the permutations, two ways (as PySAL's esda reports p_sim and p_z_sim):
// - pseudo p: one-sided in the direction of z, p_sim = (#{sim ≥ obs} + 1) / (P + 1) for z ≥ 0
//   and (#{sim ≤ obs} + 1) / (P + 1) for z < 0. (esda folds #{sim ≥ obs} instead, which makes
//   every empty neighbourhood in a sparse grid a "significant" cold spot through ties.)
// - z_sim = (obs − mean of sims) / sd of sims, and p = its two-sided normal p-value.
// Hot and cold spots are the cells whose p passes Benjamini–Hochberg at fdr_q. The pseudo p
// cannot serve there: it is never below 1/(P + 1), and BH over m cells needs p_(k) ≤ k q / m,
// so with 999 permutations and 40,000 cells fewer than 800 discoveries could never pass at 5 %.
//
// Speed: one table of random neighbour draws serves every cell (as PySAL's crand does), and
// for a fixed draw the simulated neighbour sum of cell i changes only where i passes one of
// the k drawn indices (skipping i itself shifts the draws above i by one). So each permutation
// costs O(n + k log k) branch-free comparisons instead of n·k random reads.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"

namespace pingan::analytics {

struct GiStarParams {
    // Neighbours: cells whose centres lie within this many cell sides (1.5: the 3 × 3 block).
    double neighbor_radius_cells = 1.5;
    int permutations = 999; // 0: no permutations; p from the normal approximation of z
    std::uint64_t seed = 1;
    double fdr_q = 0.05; // Benjamini–Hochberg level
};

struct GiStarResult {
    GiStarParams params;
    int nx = 0, ny = 0;
    std::vector<double> z;          // per cell, row-major: Gi* z (analytical)
    std::vector<double> z_sim;      // standardised against the cell's permutations
    std::vector<double> p;          // two-sided normal p of z_sim (of z without permutations)
    std::vector<double> p_sim;      // pseudo p of the permutations
    std::vector<std::int8_t> label; // +1 hot spot, −1 cold spot, 0 not significant
    double p_cutoff = 0;            // BH: cells with p <= p_cutoff are significant (0: none)
    std::size_t hot = 0, cold = 0;
    double mean = 0, sd = 0; // x̄ and S
    bool constant = false;   // every cell holds the same value: z = 0, nothing significant
};

// values: one per cell, row-major (index = iy · nx + ix). bad_argument for fewer than 2 cells,
// a radius below 1 cell, negative permutations or a q outside (0, 1).
base::Result<GiStarResult> gi_star(std::span<const double> values, int nx, int ny,
                                   const GiStarParams& params);

// Benjamini–Hochberg: the largest p_(k) with p_(k) <= k/m · q, or 0 when there is none.
double benjamini_hochberg_cutoff(std::span<const double> p, double q);

} // namespace pingan::analytics
