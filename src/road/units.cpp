#include "road/units.hpp"

namespace pingan::road {

UnitIndex::UnitIndex(const Graph& graph)
    : graph_(&graph), node_head_(graph.node_count(), kInvalid),
      segment_head_(graph.segment_count(), kInvalid) {}

void UnitIndex::link(std::uint32_t entry, std::vector<std::uint32_t>& heads, std::uint32_t list,
                     TimeMs time_ms) {
    Entry& e = entries_[entry];
    e.list = list;
    e.time_ms = time_ms;
    e.prev = kInvalid;
    e.next = heads[list];
    if (e.next != kInvalid) entries_[e.next].prev = entry;
    heads[list] = entry;
}

void UnitIndex::unlink(std::uint32_t entry, std::vector<std::uint32_t>& heads) {
    Entry& e = entries_[entry];
    if (e.list == kInvalid) return;
    if (e.prev != kInvalid) {
        entries_[e.prev].next = e.next;
    } else {
        heads[e.list] = e.next;
    }
    if (e.next != kInvalid) entries_[e.next].prev = e.prev;
    e = Entry{};
}

void UnitIndex::unlink_all(std::uint32_t slot) {
    unlink(3 * slot, node_head_);
    unlink(3 * slot + 1, node_head_);
    unlink(3 * slot + 2, segment_head_);
}

void UnitIndex::update(const UnitState& state) {
    std::uint32_t slot;
    if (auto it = slot_of_.find(state.key); it != slot_of_.end()) {
        slot = it->second;
        unlink_all(slot);
    } else {
        if (!free_slots_.empty()) {
            slot = free_slots_.back();
            free_slots_.pop_back();
        } else {
            slot = static_cast<std::uint32_t>(slots_.size());
            slots_.emplace_back();
            entries_.resize(entries_.size() + 3);
        }
        slot_of_.emplace(state.key, slot);
    }
    slots_[slot].state = state;
    slots_[slot].alive = true;
    Seed seeds[2];
    const int n = graph_->source_seeds(state.position, seeds);
    for (int i = 0; i < n; ++i)
        link(3 * slot + i, node_head_, seeds[i].node, seeds[i].time_ms);
    link(3 * slot + 2, segment_head_, state.position.segment, 0);
}

bool UnitIndex::set_available(UnitKey key, bool available) {
    auto it = slot_of_.find(key);
    if (it == slot_of_.end()) return false;
    slots_[it->second].state.available = available;
    return true;
}

bool UnitIndex::remove(UnitKey key) {
    auto it = slot_of_.find(key);
    if (it == slot_of_.end()) return false;
    unlink_all(it->second);
    slots_[it->second].alive = false;
    free_slots_.push_back(it->second);
    slot_of_.erase(it);
    return true;
}

const UnitState* UnitIndex::find(UnitKey key) const {
    auto it = slot_of_.find(key);
    return it == slot_of_.end() ? nullptr : &slots_[it->second].state;
}

} // namespace pingan::road
