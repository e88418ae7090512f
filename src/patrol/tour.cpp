#include "patrol/tour.hpp"

#include <algorithm>
#include <numeric>
#include <tuple>

namespace pingan::patrol {

namespace {

// An unreachable leg counts as a day's drive: every stop after it is late, and any order that
// avoids it wins.
constexpr std::int64_t kUnreachableMs = 24LL * 3'600'000;

struct Cost {
    std::size_t late = 0;
    std::int64_t lateness_ms = 0;
    std::int64_t finish_ms = 0;

    friend bool operator<(const Cost& a, const Cost& b) {
        return std::tie(a.late, a.lateness_ms, a.finish_ms) <
               std::tie(b.late, b.lateness_ms, b.finish_ms);
    }
};

class Evaluator {
public:
    Evaluator(const TravelTimes& travel, std::span<const TourStopSpec> stops)
        : travel_(travel), stops_(stops) {}

    // Cost of visiting `order` (spec indices); fills `out` when given.
    Cost cost(std::span<const std::size_t> order, Tour* out = nullptr) const {
        Cost c;
        std::int64_t t = 0;
        std::size_t at = 0; // node
        for (std::size_t s : order) {
            const std::size_t node = s + 1;
            const std::int64_t leg = travel_.at(at, node);
            t += leg < 0 ? kUnreachableMs : leg;
            const TourStopSpec& spec = stops_[s];
            const std::int64_t arrive = t;
            const std::int64_t start = std::max(arrive, spec.open_ms);
            const std::int64_t end = start + spec.dwell_ms;
            const bool late = end > spec.close_ms;
            if (late) {
                ++c.late;
                c.lateness_ms += end - spec.close_ms;
            }
            if (out != nullptr) out->stops.push_back({s, arrive, start, late});
            t = end;
            at = node;
        }
        c.finish_ms = t;
        return c;
    }

private:
    const TravelTimes& travel_;
    std::span<const TourStopSpec> stops_;
};

// Every order: optimal for few stops.
std::vector<std::size_t> exact(const Evaluator& eval, std::size_t n) {
    std::vector<std::size_t> order(n), best;
    std::iota(order.begin(), order.end(), 0);
    Cost best_cost;
    bool first = true;
    do {
        const Cost c = eval.cost(order);
        if (first || c < best_cost) {
            best_cost = c;
            best = order;
            first = false;
        }
    } while (std::next_permutation(order.begin(), order.end()));
    return best;
}

// Cheapest insertion in order of closing window, then relocate and 2-opt moves, first
// improvement, until none helps.
std::vector<std::size_t> heuristic(const Evaluator& eval, std::span<const TourStopSpec> stops) {
    const std::size_t n = stops.size();
    std::vector<std::size_t> by_close(n);
    std::iota(by_close.begin(), by_close.end(), 0);
    std::stable_sort(by_close.begin(), by_close.end(), [&](std::size_t a, std::size_t b) {
        return stops[a].close_ms < stops[b].close_ms;
    });
    std::vector<std::size_t> order, trial;
    for (std::size_t s : by_close) {
        std::size_t best_at = 0;
        Cost best_cost;
        for (std::size_t at = 0; at <= order.size(); ++at) {
            trial = order;
            trial.insert(trial.begin() + static_cast<std::ptrdiff_t>(at), s);
            const Cost c = eval.cost(trial);
            if (at == 0 || c < best_cost) {
                best_cost = c;
                best_at = at;
            }
        }
        order.insert(order.begin() + static_cast<std::ptrdiff_t>(best_at), s);
    }
    Cost current = eval.cost(order);
    for (int pass = 0; pass < 100; ++pass) {
        bool improved = false;
        // Relocate one stop.
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                if (i == j) continue;
                trial = order;
                const std::size_t s = trial[i];
                trial.erase(trial.begin() + static_cast<std::ptrdiff_t>(i));
                trial.insert(trial.begin() + static_cast<std::ptrdiff_t>(j), s);
                const Cost c = eval.cost(trial);
                if (c < current) {
                    current = c;
                    order.swap(trial);
                    improved = true;
                }
            }
        }
        // Reverse a segment (2-opt).
        for (std::size_t i = 0; i + 1 < n; ++i) {
            for (std::size_t j = i + 1; j < n; ++j) {
                trial = order;
                std::reverse(trial.begin() + static_cast<std::ptrdiff_t>(i),
                             trial.begin() + static_cast<std::ptrdiff_t>(j) + 1);
                const Cost c = eval.cost(trial);
                if (c < current) {
                    current = c;
                    order.swap(trial);
                    improved = true;
                }
            }
        }
        if (!improved) break;
    }
    return order;
}

} // namespace

Tour plan_tour(const TravelTimes& travel, std::span<const TourStopSpec> stops) {
    Tour tour;
    if (stops.empty() || travel.nodes != stops.size() + 1 ||
        travel.times_ms.size() != travel.nodes * travel.nodes) {
        return tour;
    }
    const Evaluator eval(travel, stops);
    tour.exact = stops.size() <= kExactStops;
    const std::vector<std::size_t> order =
        tour.exact ? exact(eval, stops.size()) : heuristic(eval, stops);
    const Cost c = eval.cost(order, &tour);
    tour.late = c.late;
    tour.lateness_ms = c.lateness_ms;
    tour.finish_ms = c.finish_ms;
    return tour;
}

} // namespace pingan::patrol
