// Coverage of a set of units within a time T: every road position some unit can reach within T,
// the share of road length that is, and the covered pieces for a map. Kept up to date when one
// unit moves, appears or leaves, and able to answer "what would be lost if this unit left".
//
// Labels: for every node the lexicographic minimum of (time from unit u, u) over all units,
// or "none" beyond T. With that tie-break the nodes owned by one unit are closed under shortest
// path prefixes, so removing or moving a unit only disturbs its own region: one Dijkstra
// repairs it from its border (and adds the unit's new region, pruned wherever the unit does not
// strictly win).
// Full recomputation uses PHAST (Delling et al. 2011): an upward search from all units in the
// contraction hierarchy, then one sweep over all down arcs in descending rank of their head.
#pragma once

#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "road/detail/heap.hpp"
#include "road/graph.hpp"
#include "road/units.hpp"

namespace pingan::road {

// A covered stretch of a segment, offsets along its geometry with from_m <= to_m.
struct CoveredPiece {
    SegmentId segment;
    double from_m;
    double to_m;
};

class Coverage {
public:
    Coverage(const Graph& graph, TimeMs within_ms);

    TimeMs within_ms() const { return within_ms_; }

    // Replaces the whole unit set and recomputes from scratch (PHAST).
    void assign(std::span<const std::pair<UnitKey, RoadPosition>> units);
    // Adds a unit or moves it (incremental).
    void set_unit(UnitKey key, const RoadPosition& position);
    // Removes a unit (incremental). False when unknown.
    bool remove_unit(UnitKey key);
    std::size_t unit_count() const { return slot_of_.size(); }

    double covered_m() const { return covered_m_; }
    double total_m() const { return graph_->total_length_m(); }
    double share() const { return total_m() > 0 ? covered_m_ / total_m() : 0.0; }
    // Covered length if this unit left (the current state is unchanged afterwards).
    double covered_m_without(UnitKey key);

    // Time from the nearest unit to a node, kNoTime beyond T; and which unit that is.
    TimeMs time_ms(NodeId node) const;
    bool owner(NodeId node, UnitKey& key) const;
    // Every covered piece of road, for maps.
    std::vector<CoveredPiece> pieces() const;
    // Recomputes every segment from the labels (a check for tests; the result must not change).
    double recount_m() const;

private:
    using Label = std::uint64_t; // time_ms << 32 | unit slot
    // "Not covered". Its time part is 2^31 - 1, so adding an arc weight (< 2^31) neither
    // overflows nor ever yields a time within T: sweeps need no branch for it.
    static constexpr Label kNone = (Label{0x7FFF'FFFF} << 32) | 0xFFFF'FFFF;
    static TimeMs time_of(Label l) { return static_cast<TimeMs>(l >> 32); }
    static std::uint32_t slot_of(Label l) { return static_cast<std::uint32_t>(l); }

    struct Unit {
        UnitKey key = 0;
        RoadPosition position;
        Seed seeds[2];
        int seed_count = 0;
        bool alive = false;
        std::uint32_t seg_next = kInvalid; // next unit on the same segment
    };

    std::uint32_t new_slot(UnitKey key, const RoadPosition& position);
    void place(std::uint32_t slot, const RoadPosition& position);
    void unplace(std::uint32_t slot);
    // Recomputes the labels after unit `slot` moved, appeared or left: resets the region it
    // owned (found from its old seeds) and runs one Dijkstra from that region's border, from the
    // other units inside it and, when `present`, from the unit's current seeds.
    void relabel(std::uint32_t slot, std::span<const Seed> old_seeds, bool present);
    void refresh_segments_around(std::span<const NodeId> nodes);
    void refresh_segment(SegmentId s);
    double segment_covered_m(SegmentId s) const;
    void segment_pieces(SegmentId s, std::vector<std::pair<double, double>>& out) const;
    void set_label(NodeId x, Label l);
    void set_segment(SegmentId s, float covered);
    void phast(); // labels and every segment's covered length, from scratch

    const Graph* graph_;
    const GraphData* d_;
    TimeMs within_ms_;
    std::vector<Label> label_;      // by node
    std::vector<Label> rank_label_; // by rank: PHAST's scratch
    // The downward sweep as one flat loop over the down arcs of all ranks, in descending order
    // of their head: no inner loop per node whose exit would mispredict.
    struct SweepArc {
        std::uint32_t to;   // rank whose label the arc may lower (descending along the array)
        std::uint32_t from; // higher rank at the arc's tail
        TimeMs weight;
    };
    std::vector<SweepArc> sweep_arcs_;
    // What the segment pass reads, packed and in segment order: per direction the length
    // reached per ms of slack (0 when the direction is closed).
    struct SegmentHot {
        NodeId tail, head;
        float fwd_m_per_ms, bwd_m_per_ms;
        float length_m;
    };
    std::vector<SegmentHot> seg_hot_;
    float free_covered_m(const SegmentHot& h) const; // a segment without units on it
    std::vector<std::uint64_t> active_; // PHAST upward pass: ranks still to relax, one bit each
    std::vector<float> seg_covered_m_;  // by segment
    double covered_m_ = 0;
    std::vector<std::uint32_t> seg_first_unit_; // by segment: first unit slot on it
    std::vector<std::uint64_t> seg_has_unit_;   // by segment, one bit: some unit is on it
    std::vector<Unit> units_;
    std::vector<std::uint32_t> free_slots_;
    std::unordered_map<UnitKey, std::uint32_t> slot_of_;

    // Scratch.
    detail::RadixHeap heap_; // by time; the label says which unit
    detail::MarkSet mark_;   // nodes of the region being repaired
    std::vector<NodeId> region_, stack_;
    detail::MarkSet seg_mark_;

    // Undo journal for covered_m_without(): old values of everything written while active.
    bool journal_on_ = false;
    std::vector<std::pair<std::uint32_t, Label>> label_journal_;
    std::vector<std::pair<SegmentId, float>> seg_journal_;
};

// Isochrone of one start position: every arc reached within T with its entry time, and the cut
// arcs (leaving the reachable set) for containment planning.
struct ReachedArc {
    ArcId arc;         // forward CSR id; segment and direction via GraphData::arc_seg
    TimeMs enter_ms;   // time at the arc's tail
    double reached_m;  // length reached along the arc in its direction
    bool complete;     // the whole arc can be driven within T from its tail
    bool head_reached; // its head is reached within T (by any path)
};

struct Isochrone {
    TimeMs within_ms = 0;
    RoadPosition start;
    std::vector<ReachedArc> arcs;          // arcs whose tail is reached
    std::vector<CoveredPiece> start_piece; // the reached part of the start segment
    std::vector<ArcId> cut_arcs() const;   // reached arcs whose head is not reached within T
};

Isochrone isochrone(const Graph& graph, const RoadPosition& start, TimeMs within_ms);

} // namespace pingan::road
