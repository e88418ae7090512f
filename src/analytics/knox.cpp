#include "analytics/knox.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

#include <fmt/core.h>

#include "analytics/random.hpp"

namespace pingan::analytics {
namespace {

constexpr double kMsPerDay = 86'400'000.0;

bool ascending_positive(const std::vector<double>& edges) {
    if (edges.empty()) return false;
    for (std::size_t i = 0; i < edges.size(); ++i) {
        if (!(edges[i] >= 0) || (i > 0 && !(edges[i] > edges[i - 1]))) return false;
    }
    return true;
}

// Band of a value: the first edge it does not exceed, or edges.size() beyond the last.
std::size_t band_of(double v, const std::vector<double>& edges) {
    return static_cast<std::size_t>(std::lower_bound(edges.begin(), edges.end(), v) -
                                    edges.begin());
}

struct ClosePair {
    std::uint32_t a, b;
    std::uint32_t distance_band;
};

// Every pair within max_m, found through a hash grid of max_m-wide cells.
std::vector<ClosePair> close_pairs(std::span<const PointM> pts, const std::vector<double>& edges) {
    const double max_m = edges.back();
    const double cell = std::max(max_m, 1.0);
    using Key = std::pair<std::int64_t, std::int64_t>;
    struct KeyHash {
        std::size_t operator()(const Key& k) const {
            return static_cast<std::size_t>(static_cast<std::uint64_t>(k.first) *
                                                0x9E3779B97F4A7C15ull ^
                                            static_cast<std::uint64_t>(k.second));
        }
    };
    auto key = [](std::int64_t cx, std::int64_t cy) { return Key{cx, cy}; };
    std::unordered_map<Key, std::vector<std::uint32_t>, KeyHash> cells;
    std::vector<std::pair<std::int64_t, std::int64_t>> cell_of(pts.size());
    for (std::size_t i = 0; i < pts.size(); ++i) {
        const auto cx = static_cast<std::int64_t>(std::floor(pts[i].x / cell));
        const auto cy = static_cast<std::int64_t>(std::floor(pts[i].y / cell));
        cell_of[i] = {cx, cy};
        cells[key(cx, cy)].push_back(static_cast<std::uint32_t>(i));
    }
    std::vector<ClosePair> out;
    for (std::size_t i = 0; i < pts.size(); ++i) {
        const auto [cx, cy] = cell_of[i];
        for (std::int64_t dy = -1; dy <= 1; ++dy) {
            for (std::int64_t dx = -1; dx <= 1; ++dx) {
                auto it = cells.find(key(cx + dx, cy + dy));
                if (it == cells.end()) continue;
                for (std::uint32_t j : it->second) {
                    if (j <= i) continue;
                    const double ddx = pts[i].x - pts[j].x, ddy = pts[i].y - pts[j].y;
                    const double d = std::sqrt(ddx * ddx + ddy * ddy);
                    if (d > max_m) continue;
                    out.push_back({static_cast<std::uint32_t>(i), j,
                                   static_cast<std::uint32_t>(band_of(d, edges))});
                }
            }
        }
    }
    return out;
}

} // namespace

base::Result<KnoxResult> knox(std::span<const PointM> points, std::span<const base::TimeMs> times,
                              const KnoxParams& params) {
    if (points.size() != times.size()) {
        return base::error(base::Code::bad_argument, "times",
                           "Knox: every event needs one place and one time");
    }
    if (points.size() < 2) {
        return base::error(base::Code::bad_argument, "events",
                           fmt::format("Knox: needs at least 2 events, got {}", points.size()));
    }
    if (!ascending_positive(params.distance_edges_m) ||
        !ascending_positive(params.time_edges_days)) {
        return base::error(base::Code::bad_argument, "bands",
                           "Knox: band edges must be non-negative and strictly increasing");
    }
    if (params.permutations < 0) {
        return base::error(base::Code::bad_argument, "permutations",
                           "Knox: permutations must be 0 or more");
    }
    const std::size_t n = points.size();
    const std::vector<double>& dist_edges = params.distance_edges_m;
    std::vector<double> time_edges_ms;
    for (double d : params.time_edges_days)
        time_edges_ms.push_back(d * kMsPerDay);

    KnoxResult r;
    r.params = params;
    r.events = n;
    r.pairs = static_cast<std::uint64_t>(n) * (n - 1) / 2;
    const std::size_t rows = r.rows(), cols = r.cols();
    r.observed.assign(rows * cols, 0);
    r.expected.assign(rows * cols, 0.0);
    r.ratio.assign(rows * cols, 0.0);
    r.p.assign(rows * cols, 1.0);

    const std::vector<ClosePair> close = close_pairs(points, dist_edges);

    // All pairs by time band (the same for every permutation): count pairs with a time
    // difference <= each edge by a sliding window over sorted times.
    std::vector<base::TimeMs> sorted(times.begin(), times.end());
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::uint64_t> all_by_time(cols, 0);
    {
        std::vector<std::uint64_t> within(time_edges_ms.size(), 0); // pairs with dt <= edge
        for (std::size_t e = 0; e < time_edges_ms.size(); ++e) {
            std::size_t lo = 0;
            for (std::size_t hi = 0; hi < n; ++hi) {
                while (static_cast<double>(sorted[hi] - sorted[lo]) > time_edges_ms[e])
                    ++lo;
                within[e] += hi - lo;
            }
        }
        std::uint64_t prev = 0;
        for (std::size_t e = 0; e < within.size(); ++e) {
            all_by_time[e] = within[e] - prev;
            prev = within[e];
        }
        all_by_time[cols - 1] = r.pairs - prev;
    }

    auto count_close = [&](std::span<const base::TimeMs> t, std::vector<std::uint64_t>& table) {
        std::fill(table.begin(), table.end(), 0);
        for (const ClosePair& cp : close) {
            const double dt = std::abs(static_cast<double>(t[cp.a] - t[cp.b]));
            ++table[cp.distance_band * cols + band_of(dt, time_edges_ms)];
        }
        // Beyond the last distance edge: all pairs minus the close ones, per time band.
        for (std::size_t c = 0; c < cols; ++c) {
            std::uint64_t close_sum = 0;
            for (std::size_t d = 0; d + 1 < rows; ++d)
                close_sum += table[d * cols + c];
            table[(rows - 1) * cols + c] = all_by_time[c] - close_sum;
        }
    };

    count_close(times, r.observed);
    if (params.permutations > 0) {
        Rng rng(params.seed);
        std::vector<base::TimeMs> shuffled(times.begin(), times.end());
        std::vector<std::uint64_t> table(rows * cols);
        std::vector<std::uint64_t> at_least(rows * cols, 0);
        std::vector<double> sum(rows * cols, 0.0);
        for (int p = 0; p < params.permutations; ++p) {
            for (std::size_t i = n - 1; i > 0; --i)
                std::swap(shuffled[i], shuffled[rng.below(static_cast<std::uint32_t>(i + 1))]);
            count_close(shuffled, table);
            for (std::size_t k = 0; k < table.size(); ++k) {
                sum[k] += static_cast<double>(table[k]);
                at_least[k] += table[k] >= r.observed[k];
            }
        }
        for (std::size_t k = 0; k < table.size(); ++k) {
            r.expected[k] = sum[k] / params.permutations;
            r.ratio[k] = r.expected[k] > 0 ? static_cast<double>(r.observed[k]) / r.expected[k] : 0;
            r.p[k] = (static_cast<double>(at_least[k]) + 1) / (params.permutations + 1.0);
        }
    }
    return r;
}

} // namespace pingan::analytics
