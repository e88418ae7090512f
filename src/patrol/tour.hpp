// Suggested patrol tours: an order in which to visit the required points of an area, from
// where the unit is, that meets as many time windows as it can and drives as little as it
// must. The caller supplies the travel times (road::TableQuery on the road graph); this file
// knows nothing of roads, so it is pure and fast to test.
//
// A stop is on time when the unit arrives, waits for the window to open if early, and can
// stay its dwell time before the window closes. Tours are compared by (stops late, total
// lateness, finish time), so a longer drive that saves a window always wins.
// Up to kExactStops stops every order is tried (the answer is optimal); beyond that a
// cheapest-insertion tour is improved by relocating single stops and reversing segments
// (2-opt) until no move helps: a heuristic, typically within a few percent.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace pingan::patrol {

inline constexpr std::size_t kExactStops = 8;
inline constexpr std::int64_t kNoLimitMs = INT64_MAX / 4; // a window that never closes

struct TourStopSpec {
    std::int64_t open_ms = 0;           // window, ms after the tour starts (may be negative)
    std::int64_t close_ms = kNoLimitMs; // the dwell must end by then to be on time
    std::int64_t dwell_ms = 0;          // time to stay at the point
};

struct TourStop {
    std::size_t stop = 0;       // index into the specs
    std::int64_t arrive_ms = 0; // after the tour starts
    std::int64_t start_ms = 0;  // arrival, or the window's opening if that is later
    bool late = false;
};

struct Tour {
    std::vector<TourStop> stops; // in visiting order
    std::size_t late = 0;
    std::int64_t lateness_ms = 0; // summed over late stops (end of dwell past the close)
    std::int64_t finish_ms = 0;   // end of the last dwell
    bool exact = false;           // every order was compared
};

// travel_ms(i, j) for i, j in 0..n: node 0 is the start, node k + 1 is spec k. A negative time
// marks "unreachable" (such legs are never used when another order exists; if none does the
// stop is placed last and counted late).
struct TravelTimes {
    std::size_t nodes = 0;              // n + 1
    std::vector<std::int64_t> times_ms; // row-major, nodes x nodes
    std::int64_t at(std::size_t i, std::size_t j) const { return times_ms[i * nodes + j]; }
};

Tour plan_tour(const TravelTimes& travel, std::span<const TourStopSpec> stops);

} // namespace pingan::patrol
