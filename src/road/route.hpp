// Fastest routes between road positions (contraction hierarchy, bidirectional upward search with
// stall-on-demand) and the plain Dijkstra that serves as its reference and for bounded searches.
#pragma once

#include <span>
#include <vector>

#include "base/result.hpp"
#include "road/detail/heap.hpp"
#include "road/graph.hpp"

namespace pingan::road {

// One segment (or part of one) driven along a route.
struct RouteStep {
    SegmentId segment;
    bool reversed; // driven head -> tail
    double from_m; // offsets along the segment's geometry, in driving order
    double to_m;
    TimeMs time_ms; // time spent on this step
};

// A route with its geometry and cumulative time and distance at every point, so that a
// simulator can move a unit along it and a console can draw it.
struct Route {
    TimeMs eta_ms = 0;
    double distance_m = 0;
    std::vector<RouteStep> steps;
    std::vector<geo::LatLon> points;      // polyline from start to end
    std::vector<TimeMs> point_time_ms;    // cumulative, 0 at the start, eta_ms at the end
    std::vector<double> point_distance_m; // cumulative, 0 .. distance_m

    double eta_s() const { return eta_ms / 1000.0; }
    // Where a vehicle is after driving elapsed_ms along the route (the end when beyond it).
    geo::LatLon point_at(TimeMs elapsed_ms) const;
};

// Point-to-point queries on the contraction hierarchy. One object per thread; the graph is
// shared and must outlive the query.
class RouteQuery {
public:
    explicit RouteQuery(const Graph& graph);

    // Travel time from node to node; kNoTime only if the graph were not strongly connected.
    TimeMs eta_ms(NodeId from, NodeId to);
    // Travel time between road positions (mid-segment starts and ends, one-way respected).
    TimeMs eta_ms(const RoadPosition& from, const RoadPosition& to);
    // Full route with geometry. unreachable when no route exists.
    base::Result<Route> route(const RoadPosition& from, const RoadPosition& to);
    // Route between two junctions.
    base::Result<Route> route(NodeId from, NodeId to);

    // Nodes settled by the last search (both directions), for measurements.
    std::size_t last_settled() const { return settled_; }

private:
    // Both directions' tentative times of a node side by side: settling a node reads the other
    // direction's time, so one cache line serves both. Unreached is kNoTime, so searches read
    // labels without a stamp test (fewer branches); the next search resets only the labels the
    // last one touched, which leaves them readable after a search for route().
    struct Label {
        TimeMs fwd;
        TimeMs bwd;
    };
    TimeMs fwd_time(std::uint32_t r) const { return labels_[r].fwd; }
    TimeMs bwd_time(std::uint32_t r) const { return labels_[r].bwd; }
    // kPath: also record predecessors for unpacking (ETA-only searches skip those writes).
    template <bool kPath>
    TimeMs search(const Seed* sources, int source_count, const Seed* targets, int target_count);
    void unpack(std::uint32_t from_rank, std::uint32_t to_rank, std::uint32_t unpack_value,
                std::vector<ArcId>& out) const;
    std::vector<ArcId> arc_path() const; // original arcs of the last search's best path
    Route assemble(const RoadPosition& from, const RoadPosition& to, NodeId first, NodeId last,
                   const std::vector<ArcId>& arcs, TimeMs start_ms, TimeMs end_ms) const;

    const Graph* graph_;
    const GraphData* d_;
    std::vector<Label> labels_;                      // by rank
    std::vector<std::uint32_t> touched_;             // ranks whose label the last search set
    std::vector<std::uint32_t> fwd_pred_, bwd_pred_; // CH arc that reached a rank; valid only
                                                     // where that direction's time is set
    detail::IndexedHeap<TimeMs> fwd_heap_, bwd_heap_;
    std::uint32_t meet_ = kInvalid; // rank where the best path's two halves meet
    std::size_t settled_ = 0;
};

// Plain Dijkstra on the original arcs: the reference that tests compare the hierarchy with,
// and the engine of bounded searches (isochrones). One object per thread.
class DijkstraQuery {
public:
    explicit DijkstraQuery(const Graph& graph);

    TimeMs eta_ms(NodeId from, NodeId to);
    TimeMs eta_ms(const RoadPosition& from, const RoadPosition& to);

    // Settles every node reachable from the seeds within limit_ms (forward arcs), or — with
    // `reverse` — every node that reaches the seeds within limit_ms.
    void run(std::span<const Seed> seeds, TimeMs limit_ms, bool reverse = false);
    // After run(): time of a node (kNoTime if not settled), the arc (forward CSR id) that
    // reached it (kInvalid for seeds), and the settled nodes in order of time.
    TimeMs time_ms(NodeId node) const { return dist_.get(node); }
    ArcId pred_arc(NodeId node) const { return pred_.get(node); }
    const std::vector<NodeId>& settled() const { return settled_; }

private:
    const Graph* graph_;
    const GraphData* d_;
    detail::StampedArray<TimeMs> dist_;
    detail::StampedArray<ArcId> pred_;
    detail::IndexedHeap<TimeMs> heap_;
    std::vector<NodeId> settled_;
};

} // namespace pingan::road
