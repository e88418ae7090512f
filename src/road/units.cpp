#include "road/units.hpp"

namespace pingan::road {

UnitIndex::UnitIndex(const Graph& graph)
    : graph_(&graph), occupied_((graph.segment_count() + 63) / 64, 0) {
    grow_buckets();
}

void UnitIndex::grow_buckets() {
    std::uint32_t bits = 4;
    while ((std::size_t{1} << bits) < 2 * (slots_.size() + 1))
        ++bits;
    heads_.assign(std::size_t{1} << bits, kInvalid);
    shift_ = 32 - bits;
    for (std::uint32_t slot = 0; slot < entries_.size(); ++slot) {
        const SegmentId s = entries_[slot].segment;
        if (s != kInvalid) link(slot, s);
    }
}

void UnitIndex::link(std::uint32_t slot, SegmentId s) {
    std::uint32_t& head = bucket(s);
    Entry& e = entries_[slot];
    e.segment = s;
    e.prev = kInvalid;
    e.next = head;
    if (e.next != kInvalid) entries_[e.next].prev = slot;
    head = slot;
    occupied_[s >> 6] |= std::uint64_t{1} << (s & 63);
}

void UnitIndex::unlink(std::uint32_t slot) {
    Entry& e = entries_[slot];
    if (e.segment == kInvalid) return;
    if (e.prev != kInvalid) {
        entries_[e.prev].next = e.next;
    } else {
        bucket(e.segment) = e.next;
    }
    if (e.next != kInvalid) entries_[e.next].prev = e.prev;
    const SegmentId s = e.segment;
    e = Entry{};
    // The segment stays occupied while another unit's entry in the bucket is on it.
    for (std::uint32_t i = bucket(s); i != kInvalid; i = entries_[i].next) {
        if (entries_[i].segment == s) return;
    }
    occupied_[s >> 6] &= ~(std::uint64_t{1} << (s & 63));
}

void UnitIndex::update(const UnitState& state) {
    std::uint32_t slot = slot_of_.find(state.key);
    if (slot != detail::SlotMap::kAbsent) {
        if (entries_[slot].segment != state.position.segment) unlink(slot);
    } else {
        if (!free_slots_.empty()) {
            slot = free_slots_.back();
            free_slots_.pop_back();
        } else {
            slot = static_cast<std::uint32_t>(slots_.size());
            slots_.emplace_back();
            entries_.emplace_back();
            if (2 * slots_.size() > heads_.size()) grow_buckets();
        }
        slot_of_.set(state.key, slot);
    }
    slots_[slot].state = state;
    slots_[slot].alive = true;
    if (entries_[slot].segment == kInvalid) link(slot, state.position.segment);
}

bool UnitIndex::set_available(UnitKey key, bool available) {
    const std::uint32_t slot = slot_of_.find(key);
    if (slot == detail::SlotMap::kAbsent) return false;
    slots_[slot].state.available = available;
    return true;
}

bool UnitIndex::remove(UnitKey key) {
    const std::uint32_t slot = slot_of_.find(key);
    if (slot == detail::SlotMap::kAbsent) return false;
    unlink(slot);
    slots_[slot].alive = false;
    free_slots_.push_back(slot);
    slot_of_.erase(key);
    return true;
}

const UnitState* UnitIndex::find(UnitKey key) const {
    const std::uint32_t slot = slot_of_.find(key);
    return slot == detail::SlotMap::kAbsent ? nullptr : &slots_[slot].state;
}

} // namespace pingan::road
