// Suggested tours on made-up travel times: places on a line (minutes apart), windows that
// force an order, waiting for a window, unreachable legs, and the heuristic against every
// order on instances just past the exact limit.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include <gtest/gtest.h>

#include "patrol/tour.hpp"
#include "test_frame.hpp"

namespace pingan::patrol {
namespace {

using test::kMin;

// Node 0 (the start) at `start`, stop k at xs[k]; one minute per unit of distance.
TravelTimes on_a_line(double start, const std::vector<double>& xs) {
    std::vector<double> at{start};
    at.insert(at.end(), xs.begin(), xs.end());
    TravelTimes t;
    t.nodes = at.size();
    for (double a : at) {
        for (double b : at)
            t.times_ms.push_back(std::llround(std::abs(a - b) * kMin));
    }
    return t;
}

std::vector<std::size_t> order_of(const Tour& tour) {
    std::vector<std::size_t> out;
    for (const TourStop& s : tour.stops)
        out.push_back(s.stop);
    return out;
}

TEST(Tour, WithoutWindowsItSweepsTheLine) {
    const std::vector<double> xs = {5, 1, 3, 2, 4};
    const Tour tour = plan_tour(on_a_line(0, xs), std::vector<TourStopSpec>(5));
    EXPECT_TRUE(tour.exact);
    EXPECT_EQ(order_of(tour), (std::vector<std::size_t>{1, 3, 2, 4, 0}));
    EXPECT_EQ(tour.finish_ms, 5 * kMin);
    EXPECT_EQ(tour.late, 0u);
}

TEST(Tour, AClosingWindowIsVisitedFirstEvenWhenFarther) {
    // A is 10 minutes east and closes at 10.5 min; B is one minute west. B first would reach
    // A at 12 min: late. A first, then B: both on time.
    std::vector<TourStopSpec> specs(2);
    specs[0].close_ms = 10 * kMin + kMin / 2;
    const Tour tour = plan_tour(on_a_line(0, {10, -1}), specs);
    EXPECT_EQ(order_of(tour), (std::vector<std::size_t>{0, 1}));
    EXPECT_EQ(tour.late, 0u);
    EXPECT_EQ(tour.finish_ms, 21 * kMin);
}

TEST(Tour, AnEarlyArrivalWaitsForTheWindowAndTheDwellCounts) {
    // C (1 min away) opens at 5 min; D is 2 min away. D first, then C at 3 min, wait to 5,
    // stay 2: done at 7. C first would wait 4 minutes for nothing.
    std::vector<TourStopSpec> specs(2);
    specs[0].open_ms = 5 * kMin;
    specs[0].dwell_ms = 2 * kMin;
    specs[0].close_ms = 7 * kMin;
    const Tour tour = plan_tour(on_a_line(0, {1, 2}), specs);
    ASSERT_EQ(order_of(tour), (std::vector<std::size_t>{1, 0}));
    EXPECT_EQ(tour.stops[1].arrive_ms, 3 * kMin);
    EXPECT_EQ(tour.stops[1].start_ms, 5 * kMin);
    EXPECT_FALSE(tour.stops[1].late);
    EXPECT_EQ(tour.finish_ms, 7 * kMin);
    // One second less and C cannot be done in time whatever the order: late by that second.
    specs[0].close_ms = 7 * kMin - 1000;
    const Tour tight = plan_tour(on_a_line(0, {1, 2}), specs);
    EXPECT_EQ(tight.late, 1u);
    EXPECT_EQ(tight.lateness_ms, 1000);
}

TEST(Tour, AnUnreachableLegIsAvoidedWhenAnotherOrderExists) {
    TravelTimes t = on_a_line(0, {1, 2});
    t.times_ms[1 * t.nodes + 2] = -1; // no way from stop 0 to stop 1 (one-way streets)
    const Tour tour = plan_tour(t, std::vector<TourStopSpec>(2));
    EXPECT_EQ(order_of(tour), (std::vector<std::size_t>{1, 0}));
    EXPECT_EQ(tour.finish_ms, 3 * kMin);
    // Malformed input gives no tour rather than a guess.
    EXPECT_TRUE(plan_tour(t, std::vector<TourStopSpec>(3)).stops.empty());
}

TEST(Tour, TheHeuristicMatchesEveryOrderOnRandomPlaces) {
    // Nine places in a 10 x 10 km town (one minute per km), some with windows: the heuristic
    // (past kExactStops) against the best of all 9! orders.
    std::mt19937 rng(17);
    std::uniform_real_distribution<double> coord(0, 10);
    int equal = 0;
    for (int round = 0; round < 5; ++round) {
        std::vector<std::pair<double, double>> at(10);
        for (auto& p : at)
            p = {coord(rng), coord(rng)};
        TravelTimes t;
        t.nodes = at.size();
        for (const auto& a : at) {
            for (const auto& b : at)
                t.times_ms.push_back(
                    std::llround(std::hypot(a.first - b.first, a.second - b.second) * kMin));
        }
        std::vector<TourStopSpec> specs(9);
        for (std::size_t k = 0; k < specs.size(); k += 3) {
            specs[k].open_ms = static_cast<std::int64_t>(k) * 3 * kMin;
            specs[k].close_ms = specs[k].open_ms + 15 * kMin;
            specs[k].dwell_ms = kMin;
        }
        const Tour heuristic = plan_tour(t, specs);
        ASSERT_FALSE(heuristic.exact);
        ASSERT_EQ(heuristic.stops.size(), 9u);
        // Brute force with the same rules.
        std::vector<std::size_t> order(9);
        std::iota(order.begin(), order.end(), 0);
        std::tuple<std::size_t, std::int64_t, std::int64_t> best{SIZE_MAX, 0, 0};
        do {
            std::size_t late = 0, node = 0;
            std::int64_t time = 0, lateness = 0;
            for (std::size_t s : order) {
                time = std::max(time + t.at(node, s + 1), specs[s].open_ms) + specs[s].dwell_ms;
                if (time > specs[s].close_ms) {
                    ++late;
                    lateness += time - specs[s].close_ms;
                }
                node = s + 1;
            }
            best = std::min(best, std::tuple{late, lateness, time});
        } while (std::next_permutation(order.begin(), order.end()));
        EXPECT_EQ(heuristic.late, std::get<0>(best)) << "round " << round;
        EXPECT_LE(heuristic.finish_ms, std::get<2>(best) * 11 / 10) << "round " << round;
        if (heuristic.finish_ms == std::get<2>(best)) ++equal;
    }
    EXPECT_GE(equal, 3); // mostly optimal, not merely close
}

} // namespace
} // namespace pingan::patrol
