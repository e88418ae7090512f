// k nearest units by travel time towards an incident (unit -> incident direction).
//
// Algorithm: Dijkstra on the reversed graph from the incident (radix heap), reading at each
// settled node its entering arcs, the units on each arc's segment (the UnitIndex's per-segment
// lists) and their exits towards that node; it stops once the k-th best unit found is strictly
// better than every node still queued. Unit updates are O(1), so the answer is exact
// for positions that changed a moment ago, and no per-unit preprocessing has to be redone
// (bucket-based hierarchy queries would cost a search per position report). See docs/road.md.
#pragma once

#include <functional>
#include <vector>

#include "road/detail/heap.hpp"
#include "road/units.hpp"

namespace pingan::road {

struct NearestRequest {
    std::size_t k = 5;
    std::uint64_t required_capabilities = 0; // every bit must be set in a unit's capabilities
    bool only_available = true;
    TimeMs max_eta_ms = kNoTime;                  // ignore units farther than this
    std::function<bool(const UnitState&)> accept; // optional extra filter
};

struct NearestUnit {
    UnitKey key;
    TimeMs eta_ms;

    friend bool operator==(const NearestUnit&, const NearestUnit&) = default;
};

// One object per thread; reuses its scratch memory.
class NearestQuery {
public:
    explicit NearestQuery(const Graph& graph);

    // Units ranked by (eta, key), at most k of them.
    std::vector<NearestUnit> nearest(const UnitIndex& units, const RoadPosition& incident,
                                     const NearestRequest& request);

    std::size_t last_settled() const { return settled_; }

private:
    void offer(const UnitIndex& units, std::uint32_t slot, TimeMs eta, std::size_t k);

    const Graph* graph_;
    // Per node, what the search reads of it together: where its entering arcs start (a copy of
    // the graph's first_in) and its tentative time (kNoTime = unreached). Relaxing an arc into
    // a node then reads one cache line, which also says where to prefetch the node's arcs.
    struct Node {
        std::uint32_t first;
        TimeMs dist;
    };
    std::vector<Node> nodes_;     // node_count() + 1
    std::vector<NodeId> touched_; // nodes whose dist_ the last query set
    detail::RadixHeap heap_;
    detail::StampedArray<TimeMs> unit_best_; // per unit slot
    std::vector<NearestUnit> top_;           // sorted by (eta, key), size <= k
    std::size_t settled_ = 0;
};

} // namespace pingan::road
