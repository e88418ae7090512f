// The routable road graph: junction nodes, road segments with full geometry, a directed arc
// graph in CSR form and its contraction hierarchy. Built once (GraphBuilder), saved to and
// loaded from one binary file, then shared read-only by every thread; all query scratch space
// lives in per-thread query objects (RouteQuery, NearestQuery, Coverage, ...).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "geo/latlon.hpp"

namespace pingan::road {

using NodeId = std::uint32_t;    // dense junction index, 0..node_count()-1
using SegmentId = std::uint32_t; // dense road-segment index, 0..segment_count()-1
using ArcId = std::uint32_t;     // index of a directed arc in the forward CSR
using TimeMs = std::uint32_t;    // travel time in milliseconds

inline constexpr std::uint32_t kInvalid = std::numeric_limits<std::uint32_t>::max();
// A travel time that stands for "this direction is closed" or "unreachable".
inline constexpr TimeMs kNoTime = std::numeric_limits<TimeMs>::max();
// Default snapping radius: farther than this from every road is `off_road`.
inline constexpr double kDefaultSnapRadiusM = 500.0;

// Road classes of the car profile (OSM `highway=*`). Kept per segment for routing speed defaults,
// map styling and vector tiles. Append only: the value is stored in graph files.
enum class RoadClass : std::uint8_t {
    motorway,
    trunk,
    primary,
    secondary,
    tertiary,
    unclassified,
    residential,
    living_street,
    service,
    motorway_link,
    trunk_link,
    primary_link,
    secondary_link,
    tertiary_link,
    road, // highway=road: class unknown to the mapper
};
inline constexpr std::size_t kRoadClassCount = 15;

// OSM spelling of the class ("motorway", "living_street", ...).
std::string_view to_string(RoadClass road_class);
// The class for an OSM `highway=` value, or false when cars do not use that value (footway, ...).
bool road_class_from_osm(std::string_view highway, RoadClass& out);

// A coordinate stored as OSM does: integer 1e-7 degrees (lossless for OSM input, 8 bytes).
struct Coord {
    std::int32_t lat_e7 = 0;
    std::int32_t lon_e7 = 0;

    geo::LatLon latlon() const { return {lat_e7 * 1e-7, lon_e7 * 1e-7}; }
    static Coord from(geo::LatLon p) {
        return {static_cast<std::int32_t>(std::lround(p.lat * 1e7)),
                static_cast<std::int32_t>(std::lround(p.lon * 1e7))};
    }
    friend bool operator==(const Coord&, const Coord&) = default;
};

// One arc of the contraction hierarchy, stored at its lower-ranked end.
struct ChArc {
    std::uint32_t other; // rank of the higher-ranked end
    TimeMs weight;       // travel time of the arc or shortcut
};
// ChArc unpack data: an original arc id, or (kShortcutBit | rank of the middle node).
inline constexpr std::uint32_t kShortcutBit = 0x8000'0000u;

// The arrays of a graph. Invariants (checked by Graph::load): every index is in range, CSR
// offsets are non-decreasing, every arc time is >= 1 ms, and every node lies in one strongly
// connected component (any node can reach any other).
struct GraphData {
    // Junctions, numbered along a Hilbert curve so that near nodes have near ids.
    std::vector<Coord> node_coord;
    std::vector<std::int64_t> node_osm_id;

    // Road segments: a piece of one OSM way between two junctions, with its shape.
    std::vector<NodeId> seg_tail;    // first node of the geometry
    std::vector<NodeId> seg_head;    // last node of the geometry
    std::vector<TimeMs> seg_fwd_ms;  // tail -> head, kNoTime when one-way against
    std::vector<TimeMs> seg_bwd_ms;  // head -> tail, kNoTime when one-way along
    std::vector<float> seg_length_m; // along the geometry
    std::vector<RoadClass> seg_class;
    std::vector<std::uint32_t> seg_name;        // index into the name table (0 = unnamed)
    std::vector<std::int64_t> seg_way_id;       // OSM way the segment comes from
    std::vector<std::uint32_t> seg_shape_first; // size segments+1; shape points incl. both ends
    std::vector<Coord> shape;

    // Street names: name i is name_chars[name_first[i] .. name_first[i+1]), UTF-8.
    std::vector<std::uint32_t> name_first;
    std::string name_chars;

    // Forward CSR: arcs leaving node u are first_out[u] .. first_out[u+1].
    std::vector<ArcId> first_out;
    std::vector<NodeId> arc_head;
    std::vector<TimeMs> arc_time_ms;
    std::vector<std::uint32_t> arc_seg; // segment << 1 | 1 when the arc runs head -> tail

    // Reverse CSR: arcs entering node v are first_in[v] .. first_in[v+1].
    std::vector<std::uint32_t> first_in;
    std::vector<NodeId> in_tail;
    std::vector<TimeMs> in_time_ms;
    std::vector<ArcId> in_arc; // the same arc in the forward CSR

    // Contraction hierarchy, indexed by rank (0 = contracted first).
    std::vector<std::uint32_t> rank;     // node -> rank
    std::vector<NodeId> node_at_rank;    // rank -> node
    std::vector<std::uint32_t> up_first; // arcs r -> higher: up_arcs[up_first[r] ..]
    std::vector<ChArc> up_arcs;
    std::vector<std::uint32_t> up_unpack;
    std::vector<std::uint32_t> down_first; // arcs higher -> r: down_arcs[down_first[r] ..]
    std::vector<ChArc> down_arcs;          // other = rank of the arc's tail
    std::vector<std::uint32_t> down_unpack;

    std::string profile_name; // which profile built the graph ("car", ...)
};

// A point on a road: a segment and the distance along its geometry from the segment's tail.
// Routes may start and end mid-segment; one-way segments are only traversed in their direction.
struct RoadPosition {
    SegmentId segment = kInvalid;
    double offset_m = 0;        // 0 .. length of the segment
    geo::LatLon point;          // the position on the road
    double snap_distance_m = 0; // from the coordinate that was snapped (0 for exact positions)

    bool valid() const { return segment != kInvalid; }
};

// An arc as a reverse search reads it: the other end and the time (8 bytes, one load).
struct PackedArc {
    NodeId other;
    TimeMs time_ms;
};

// Entry of a search: a node reached at some cost from (or towards) a road position.
struct Seed {
    NodeId node;
    TimeMs time_ms;
};

namespace detail {
class SnapIndex;
}

class Graph {
public:
    Graph();
    explicit Graph(GraphData data); // builds the snapping index; data must satisfy the invariants
    Graph(Graph&&) noexcept;
    Graph& operator=(Graph&&) noexcept;
    ~Graph();

    // Reads a graph file written by save(). Refuses (corrupt_file) truncated, foreign, damaged
    // or differently versioned files; io_error when the file cannot be read.
    static base::Result<Graph> load(const std::string& path);
    // Writes the graph file; the caller renames it into place (see docs/road.md).
    base::Status save(const std::string& path) const;

    std::size_t node_count() const { return d_.node_coord.size(); }
    std::size_t segment_count() const { return d_.seg_tail.size(); }
    std::size_t arc_count() const { return d_.arc_head.size(); }
    std::size_t shortcut_count() const;

    geo::LatLon node_latlon(NodeId node) const { return d_.node_coord[node].latlon(); }
    NodeId tail(SegmentId s) const { return d_.seg_tail[s]; }
    NodeId head(SegmentId s) const { return d_.seg_head[s]; }
    TimeMs forward_time_ms(SegmentId s) const { return d_.seg_fwd_ms[s]; }
    TimeMs backward_time_ms(SegmentId s) const { return d_.seg_bwd_ms[s]; }
    double length_m(SegmentId s) const { return d_.seg_length_m[s]; }
    RoadClass road_class(SegmentId s) const { return d_.seg_class[s]; }
    std::string_view name(SegmentId s) const;
    std::int64_t way_id(SegmentId s) const { return d_.seg_way_id[s]; }
    std::span<const Coord> shape(SegmentId s) const {
        return {d_.shape.data() + d_.seg_shape_first[s],
                d_.shape.data() + d_.seg_shape_first[s + 1]};
    }
    // Total length of all segments (each counted once, whatever its directions).
    double total_length_m() const { return total_length_m_; }

    const GraphData& data() const { return d_; }

    // Nearest road position within radius_m. off_road when none; field_invalid when the
    // coordinate is not a valid WGS84 position.
    base::Result<RoadPosition> snap(geo::LatLon point, double radius_m = kDefaultSnapRadiusM) const;
    // The position exactly at a junction (on one of its segments).
    RoadPosition node_position(NodeId node) const;
    // The position at offset_m along a segment (clamped to the segment), with its point.
    RoadPosition position_on(SegmentId segment, double offset_m) const;
    // Points of the segment between two offsets, in travel order (from_m may exceed to_m).
    std::vector<geo::LatLon> shape_between(SegmentId segment, double from_m, double to_m) const;

    // Searches leaving a position (towards the junctions it can drive to) and entering one
    // (from the junctions it can be reached from). At most two seeds each.
    int source_seeds(const RoadPosition& p, Seed out[2]) const;
    int target_seeds(const RoadPosition& p, Seed out[2]) const;
    // Time to drive from a to b without leaving their common segment (kNoTime otherwise).
    TimeMs same_segment_time_ms(const RoadPosition& a, const RoadPosition& b) const;
    // The share of a segment's travel time between two offsets, rounded to whole ms.
    TimeMs part_time_ms(TimeMs whole, SegmentId s, double span_m) const;

    const geo::LocalProjection& projection() const { return projection_; }

    // Hierarchy arcs of rank r in one run, for searches that read both lists of a node:
    // with c = ch_nodes(), ch_arcs()[c[r].first .. c[r].mid) are its down arcs and
    // [c[r].mid .. c[r + 1].first) its up arcs (one cache line gives a search both bounds).
    struct ChNode {
        std::uint32_t first; // first arc of rank r (its down arcs)
        std::uint32_t mid;   // first up arc of rank r
    };
    const ChArc* ch_arcs() const { return ch_arcs_.data(); }
    const ChNode* ch_nodes() const { return ch_nodes_.data(); } // node_count() + 1 entries

    // Reverse searches that also look at the segments around every node they settle (nearest
    // units) read one block per node: the arcs entering it as (tail, time), then the segments
    // with an end at it (either direction, open or closed) as (segment, 0). With
    // n = reverse_nodes(), node v's arcs are reverse_items()[n[v].first .. n[v].mid) and its
    // segments [n[v].mid .. n[v + 1].first). Built at load; neighbouring nodes' blocks are
    // neighbours in memory (Hilbert order), so a search touches few cache lines.
    struct ReverseNode {
        std::uint32_t first; // first item of node v (its entering arcs)
        std::uint32_t mid;   // first segment item of node v
    };
    const ReverseNode* reverse_nodes() const { return reverse_nodes_.data(); } // node_count()+1
    // The forward arcs as (head, time), indexed like arc_head (first_out gives the ranges).
    const PackedArc* forward_arcs() const { return forward_arcs_.data(); }
    const PackedArc* reverse_items() const { return reverse_items_.data(); }

    // The arcs entering each node with the segment each one drives along, indexed like in_tail
    // (first_in gives the ranges). A unit on a segment can leave it towards node v exactly when
    // one of v's entering arcs runs along that segment, so a nearest-units search finds every
    // unit it can meet at v by looking at these arcs alone: one short block per settled node.
    // A search may skip a tail that is a dead end (a junction with this one segment): units on
    // the segment are met at the arc's head, and a path through the dead end is never faster.
    struct EnteringArc {
        NodeId tail;
        TimeMs time_ms;
        std::uint32_t segment : 31;
        std::uint32_t tail_dead_end : 1;
    };
    const EnteringArc* entering_arcs() const { return entering_arcs_.data(); }

private:
    void init_derived();
    // What seeding a search reads of a segment, in one place (one cache miss, not five): every
    // route and every unit a nearest-units search meets turns a position into seeds.
    struct SegmentEnds {
        NodeId tail, head;
        TimeMs fwd_ms, bwd_ms;
        float length_m;
    };

    GraphData d_;
    double total_length_m_ = 0;
    std::vector<SegmentEnds> seg_ends_;
    std::vector<ReverseNode> reverse_nodes_;
    std::vector<PackedArc> reverse_items_;
    std::vector<EnteringArc> entering_arcs_;
    std::vector<PackedArc> forward_arcs_;
    std::vector<ChArc> ch_arcs_;
    std::vector<ChNode> ch_nodes_;
    geo::LocalProjection projection_{geo::LatLon{}};
    std::unique_ptr<detail::SnapIndex> snap_;
};

} // namespace pingan::road
