// The live set of units (vehicles) on the road graph: position, availability and capabilities.
// Positions change every second, so an update is O(1): it relinks the unit's entries in
// per-node and per-segment lists that NearestQuery reads; nothing is precomputed per unit.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

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

    // Entry k of slot i is entries_[3 * i + k]: k = 0, 1 are the unit's exits to the nodes it
    // can drive to (with the time to get there), k = 2 its membership of its segment's list.
    struct Entry {
        std::uint32_t list = kInvalid; // node (k < 2) or segment (k = 2); kInvalid = unlinked
        TimeMs time_ms = 0;
        std::uint32_t prev = kInvalid;
        std::uint32_t next = kInvalid;
    };
    struct Slot {
        UnitState state;
        bool alive = false;
    };

    void link(std::uint32_t entry, std::vector<std::uint32_t>& heads, std::uint32_t list,
              TimeMs time_ms);
    void unlink(std::uint32_t entry, std::vector<std::uint32_t>& heads);
    void unlink_all(std::uint32_t slot);

    const Graph* graph_;
    std::vector<Slot> slots_;
    std::vector<Entry> entries_;
    std::vector<std::uint32_t> node_head_;    // first entry at each node
    std::vector<std::uint32_t> segment_head_; // first entry on each segment
    std::vector<std::uint32_t> free_slots_;
    std::unordered_map<UnitKey, std::uint32_t> slot_of_;
};

} // namespace pingan::road
