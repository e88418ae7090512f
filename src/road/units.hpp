// The live set of units (vehicles) on the road graph: position, availability and capabilities.
// Positions change every second, so an update is O(1) and reads nothing of the graph: it moves
// the unit's entry to the list of its new segment. NearestQuery finds the units on the segments
// around each junction it settles and works out their exits then, for the few it meets. The
// lists hang off a small bucket table (two buckets per unit, not one head per segment of the
// graph), so updates touch a few kilobytes that stay in cache.
#pragma once

#include <cstdint>
#include <vector>

#include "road/detail/slot_map.hpp"
#include "road/graph.hpp"

namespace pingan::road {

using UnitKey = std::uint64_t; // the caller's unit id (dispatch maps call signs to keys)

struct UnitState {
    UnitKey key = 0;
    RoadPosition position;
    bool available = true;
    std::uint64_t capabilities = 0; // bit mask defined by the caller (e.g. bit 0 = ALS)
};

class UnitIndex {
public:
    explicit UnitIndex(const Graph& graph);

    // Adds a unit or moves it / changes its state. The position must come from this graph.
    void update(const UnitState& state);
    // Changes only availability. False when the unit is unknown.
    bool set_available(UnitKey key, bool available);
    // Forgets a unit. False when it is unknown.
    bool remove(UnitKey key);

    std::size_t size() const { return slot_of_.size(); }
    const UnitState* find(UnitKey key) const;
    // Calls f(const UnitState&) for every unit.
    template <class F>
    void for_each(F&& f) const {
        for (const Slot& s : slots_) {
            if (s.alive) f(s.state);
        }
    }

    const Graph& graph() const { return *graph_; }

private:
    friend class NearestQuery;

    // Entry i belongs to slot i: its place in the list of the bucket its segment hashes to. A list
    // holds the entries of every segment that hashes to its bucket: readers skip the entries of
    // other segments.
    struct Entry {
        SegmentId segment = kInvalid; // kInvalid = unlinked
        std::uint32_t prev = kInvalid;
        std::uint32_t next = kInvalid;
    };
    struct Slot {
        UnitState state;
        bool alive = false;
    };

    std::uint32_t& bucket(SegmentId s) {
        return heads_[static_cast<std::uint32_t>(s * 0x9E37'79B1u) >> shift_];
    }
    void link(std::uint32_t slot, SegmentId s);
    void unlink(std::uint32_t slot);
    void grow_buckets(); // keeps at least two buckets per unit

    // First entry of the list that segment s's units are on (filter by Entry::segment), or
    // kInvalid at once when no unit is on s (one bit per segment: a search asks this for every
    // segment around every node it settles, nearly always of an empty segment).
    std::uint32_t first_on_segment(SegmentId s) const {
        if (!((occupied_[s >> 6] >> (s & 63)) & 1)) return kInvalid;
        return heads_[static_cast<std::uint32_t>(s * 0x9E37'79B1u) >> shift_];
    }

    const Graph* graph_;
    std::vector<Slot> slots_;
    std::vector<Entry> entries_;          // by slot
    std::vector<std::uint32_t> heads_;    // first entry per bucket; size a power of two
    std::uint32_t shift_ = 32;            // bucket of s = hash(s) >> shift_
    std::vector<std::uint64_t> occupied_; // by segment: some unit is on it
    std::vector<std::uint32_t> free_slots_;
    detail::SlotMap slot_of_; // key -> slot
};

} // namespace pingan::road
