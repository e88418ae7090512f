#include "analytics/gi_star.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/core.h>

#include "analytics/random.hpp"

namespace pingan::analytics {
namespace {

struct Offset {
    int dx, dy;
};

std::vector<Offset> neighbourhood(double radius_cells) {
    std::vector<Offset> out;
    const int r = static_cast<int>(std::floor(radius_cells));
    for (int dy = -r; dy <= r; ++dy) {
        for (int dx = -r; dx <= r; ++dx) {
            if (dx * dx + dy * dy <= radius_cells * radius_cells) out.push_back({dx, dy});
        }
    }
    return out;
}

// Cells that draw the same number of random neighbours, in ascending cell order, with the
// thresholds their simulated neighbour sums are compared against.
struct Group {
    std::uint32_t k = 0;               // neighbours other than the cell itself
    std::vector<std::uint32_t> cells;  // ascending
    std::vector<double> thr;           // observed neighbour sum without the cell's own value
    std::vector<double> lo, hi;        // count a permutation when lo <= sum <= hi
    std::vector<std::uint32_t> count;  // permutations counted so far
    std::vector<double> sum, sum_sq;   // of the simulated neighbour sums
    std::vector<std::uint32_t> before; // size n + 1: how many of `cells` are below index i
};

} // namespace

double benjamini_hochberg_cutoff(std::span<const double> p, double q) {
    std::vector<double> sorted(p.begin(), p.end());
    std::sort(sorted.begin(), sorted.end());
    const double m = static_cast<double>(sorted.size());
    double cutoff = 0;
    for (std::size_t k = 0; k < sorted.size(); ++k) {
        if (sorted[k] <= static_cast<double>(k + 1) / m * q) cutoff = sorted[k];
    }
    return cutoff;
}

base::Result<GiStarResult> gi_star(std::span<const double> values, int nx, int ny,
                                   const GiStarParams& params) {
    const std::size_t n = values.size();
    if (nx <= 0 || ny <= 0 || n != static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny)) {
        return base::error(base::Code::bad_argument, "grid",
                           fmt::format("Gi*: {} values do not fill a {} × {} grid", n, nx, ny));
    }
    if (n < 2) {
        return base::error(base::Code::bad_argument, "grid", "Gi*: needs at least 2 cells");
    }
    if (!(params.neighbor_radius_cells >= 1)) {
        return base::error(base::Code::bad_argument, "neighbor_radius",
                           "Gi*: the neighbour radius must be at least 1 cell");
    }
    if (params.permutations < 0) {
        return base::error(base::Code::bad_argument, "permutations",
                           "Gi*: permutations must be 0 or more");
    }
    if (!(params.fdr_q > 0 && params.fdr_q < 1)) {
        return base::error(base::Code::bad_argument, "fdr",
                           "Gi*: the false-discovery rate must be between 0 and 1");
    }

    GiStarResult r;
    r.params = params;
    r.nx = nx;
    r.ny = ny;
    r.z.assign(n, 0.0);
    r.p.assign(n, 1.0);
    r.z_sim.assign(n, 0.0);
    r.p_sim.assign(n, 1.0);
    r.label.assign(n, 0);

    const double dn = static_cast<double>(n);
    double sum = 0, sum_sq = 0;
    for (double v : values) {
        sum += v;
        sum_sq += v * v;
    }
    r.mean = sum / dn;
    const double var = sum_sq / dn - r.mean * r.mean;
    r.sd = var > 0 ? std::sqrt(var) : 0.0;
    if (!(r.sd > 0) || r.sd <= 1e-12 * std::abs(r.mean)) {
        r.constant = true;
        return r;
    }

    // Observed neighbour sums and z.
    const std::vector<Offset> offsets = neighbourhood(params.neighbor_radius_cells);
    std::vector<double> lag(n);
    std::vector<std::uint32_t> weight(n);
    for (int y = 0; y < ny; ++y) {
        for (int x = 0; x < nx; ++x) {
            double s = 0;
            std::uint32_t w = 0;
            for (const Offset& o : offsets) {
                const int xx = x + o.dx, yy = y + o.dy;
                if (xx < 0 || yy < 0 || xx >= nx || yy >= ny) continue;
                s += values[static_cast<std::size_t>(yy) * nx + xx];
                ++w;
            }
            const std::size_t i = static_cast<std::size_t>(y) * nx + x;
            lag[i] = s;
            weight[i] = w;
            const double wi = w;
            const double denom = r.sd * std::sqrt((dn * wi - wi * wi) / (dn - 1));
            r.z[i] = denom > 0 ? (s - r.mean * wi) / denom : 0.0;
        }
    }

    const int perms = params.permutations;
    if (perms == 0) {
        for (std::size_t i = 0; i < n; ++i) {
            r.p[i] = std::erfc(std::abs(r.z[i]) / std::sqrt(2.0)); // two-sided normal
            r.p_sim[i] = r.p[i];
            r.z_sim[i] = r.z[i];
        }
    } else {
        // Group cells by how many neighbours they draw.
        std::uint32_t kmax = 0;
        for (std::uint32_t w : weight)
            kmax = std::max(kmax, w - 1);
        kmax = std::min<std::uint32_t>(kmax, static_cast<std::uint32_t>(n - 1));
        std::vector<Group> groups;
        std::vector<int> group_of_k(kmax + 1, -1);
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint32_t k = std::min<std::uint32_t>(weight[i] - 1, kmax);
            if (group_of_k[k] < 0) {
                group_of_k[k] = static_cast<int>(groups.size());
                groups.push_back(Group{});
                groups.back().k = k;
            }
            Group& g = groups[static_cast<std::size_t>(group_of_k[k])];
            g.cells.push_back(static_cast<std::uint32_t>(i));
            // Simulated statistic = own value + sum of k drawn values; compare the drawn sum
            // with lag − own value. The tolerance makes exact ties count whatever the order in
            // which the two sums were added up (exact anyway for counts).
            const double thr = lag[i] - values[i];
            g.thr.push_back(thr);
            const double tol = 1e-9 * std::max(1.0, std::abs(thr));
            const double inf = std::numeric_limits<double>::infinity();
            if (r.z[i] >= 0) {
                g.lo.push_back(thr - tol);
                g.hi.push_back(inf);
            } else {
                g.lo.push_back(-inf);
                g.hi.push_back(thr + tol);
            }
        }
        for (Group& g : groups) {
            g.count.assign(g.cells.size(), 0);
            g.sum.assign(g.cells.size(), 0.0);
            g.sum_sq.assign(g.cells.size(), 0.0);
            g.before.assign(n + 1, 0);
            std::size_t t = 0;
            for (std::size_t i = 0; i <= n; ++i) {
                while (t < g.cells.size() && g.cells[t] < i)
                    ++t;
                g.before[i] = static_cast<std::uint32_t>(t);
            }
        }

        Rng rng(params.seed);
        std::vector<std::uint32_t> pool(n - 1);
        for (std::size_t i = 0; i < pool.size(); ++i)
            pool[i] = static_cast<std::uint32_t>(i);
        std::vector<std::uint32_t> draw(kmax), sorted;
        std::vector<std::pair<std::uint32_t, std::uint32_t>> swaps;
        for (int p = 0; p < perms; ++p) {
            // kmax distinct indices in [0, n − 1): a partial Fisher–Yates shuffle, undone after.
            swaps.clear();
            for (std::uint32_t m = 0; m < kmax; ++m) {
                const std::uint32_t j = m + rng.below(static_cast<std::uint32_t>(pool.size()) - m);
                std::swap(pool[m], pool[j]);
                swaps.emplace_back(m, j);
                draw[m] = pool[m];
            }
            for (auto it = swaps.rbegin(); it != swaps.rend(); ++it)
                std::swap(pool[it->first], pool[it->second]);

            for (Group& g : groups) {
                // For cell i the drawn index d stands for cell d when d < i, else d + 1.
                sorted.assign(draw.begin(), draw.begin() + g.k);
                std::sort(sorted.begin(), sorted.end());
                auto sum_for = [&](std::size_t i) {
                    double s = 0;
                    for (std::uint32_t m = 0; m < g.k; ++m) {
                        const std::uint32_t d = draw[m];
                        s += values[d < i ? d : d + 1];
                    }
                    return s;
                };
                std::size_t start = 0; // position in g.cells
                std::size_t from_cell = 0;
                std::size_t b = 0;
                while (start < g.cells.size()) {
                    // The sum is constant for cells in [from_cell, next breakpoint).
                    while (b < sorted.size() && sorted[b] + 1 <= from_cell)
                        ++b;
                    const std::size_t to_cell = b < sorted.size() ? sorted[b] + 1 : n;
                    const std::size_t end = g.before[to_cell];
                    if (end > start) {
                        const double s = sum_for(g.cells[start]);
                        const double* lo = g.lo.data();
                        const double* hi = g.hi.data();
                        std::uint32_t* count = g.count.data();
                        double* sims = g.sum.data();
                        double* sims_sq = g.sum_sq.data();
                        const double s2 = s * s;
                        for (std::size_t t = start; t < end; ++t) {
                            count[t] += static_cast<std::uint32_t>((s >= lo[t]) & (s <= hi[t]));
                            sims[t] += s;
                            sims_sq[t] += s2;
                        }
                    }
                    start = end;
                    from_cell = to_cell;
                }
            }
        }
        for (const Group& g : groups) {
            for (std::size_t t = 0; t < g.cells.size(); ++t) {
                const std::uint32_t i = g.cells[t];
                r.p_sim[i] = (g.count[t] + 1.0) / (perms + 1.0);
                const double mean = g.sum[t] / perms;
                const double spread = g.sum_sq[t] / perms - mean * mean;
                const double sd = spread > 0 ? std::sqrt(spread) : 0.0;
                const double dev = g.thr[t] - mean;
                // A permutation distribution without spread says nothing either way unless
                // the observation lies outside it.
                r.z_sim[i] = sd > 1e-12 * std::max(1.0, std::abs(mean))
                                 ? dev / sd
                                 : (std::abs(dev) > 1e-9 ? std::copysign(1e9, dev) : 0.0);
                r.p[i] = std::erfc(std::abs(r.z_sim[i]) / std::sqrt(2.0));
            }
        }
    }

    r.p_cutoff = benjamini_hochberg_cutoff(r.p, params.fdr_q);
    for (std::size_t i = 0; i < n; ++i) {
        if (r.p_cutoff > 0 && r.p[i] <= r.p_cutoff && r.z_sim[i] != 0) {
            r.label[i] = r.z_sim[i] > 0 ? 1 : -1;
            (r.z_sim[i] > 0 ? r.hot : r.cold) += 1;
        }
    }
    return r;
}

} // namespace pingan::analytics
