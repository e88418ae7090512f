// Travel-time tables: the time from each of many road positions to each of many others, for
// planners that compare every unit with every place (containment checkpoints, patrol tours).
//
// Algorithm: bucket-based many-to-many on the contraction hierarchy (Knopp et al. 2007). One
// upward search per target in the backward direction leaves (target, time) in a bucket at every
// node it settles; one upward search per source in the forward direction reads the buckets of
// the nodes it settles. The best sum per pair is the travel time, as for RouteQuery, at the cost
// of |sources| + |targets| small searches instead of |sources| x |targets| point-to-point ones.
#pragma once

#include <span>
#include <vector>

#include "road/detail/heap.hpp"
#include "road/graph.hpp"

namespace pingan::road {

// Row-major: at(i, j) is the time from sources[i] to targets[j], kNoTime when unreachable.
struct TimeTable {
    std::size_t sources = 0;
    std::size_t targets = 0;
    std::vector<TimeMs> times;

    TimeMs at(std::size_t i, std::size_t j) const { return times[i * targets + j]; }
};

// One object per thread; the graph is shared and must outlive the query.
class TableQuery {
public:
    explicit TableQuery(const Graph& graph);

    TimeTable table(std::span<const RoadPosition> sources, std::span<const RoadPosition> targets);

private:
    struct BucketEntry {
        std::uint32_t rank;
        std::uint32_t target;
        TimeMs time_ms;
    };
    // Upward search from the seeds in one direction (forward: up arcs; backward: the down arcs
    // read in reverse), calling settle(rank, time) for every node it settles unstalled.
    template <bool kForward, class Settle>
    void upward(const Seed* seeds, int count, Settle&& settle);

    const Graph* graph_;
    detail::StampedArray<TimeMs> dist_;                // by rank, per search
    detail::IndexedHeap<TimeMs> heap_;                 // by rank
    std::vector<BucketEntry> buckets_;                 // sorted by rank after the backward searches
    detail::StampedArray<std::uint32_t> bucket_first_; // rank -> first entry of its bucket
};

} // namespace pingan::road
