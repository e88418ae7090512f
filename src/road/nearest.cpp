#include "road/nearest.hpp"

#include <algorithm>

namespace pingan::road {

NearestQuery::NearestQuery(const Graph& graph) : graph_(&graph) {
    dist_.resize(graph.node_count(), kNoTime);
    heap_.resize(graph.node_count());
}

void NearestQuery::offer(const UnitIndex& units, std::uint32_t slot, TimeMs eta, std::size_t k) {
    if (eta >= unit_best_.get(slot)) return;
    unit_best_.set(slot, eta);
    const UnitKey key = units.slots_[slot].state.key;
    const NearestUnit item{key, eta};
    auto less = [](const NearestUnit& a, const NearestUnit& b) {
        return a.eta_ms != b.eta_ms ? a.eta_ms < b.eta_ms : a.key < b.key;
    };
    // A unit met again (through its other exit) replaces its older entry.
    auto old =
        std::find_if(top_.begin(), top_.end(), [&](const NearestUnit& u) { return u.key == key; });
    if (old != top_.end()) top_.erase(old);
    if (top_.size() >= k && !less(item, top_.back())) return;
    top_.insert(std::upper_bound(top_.begin(), top_.end(), item, less), item);
    if (top_.size() > k) top_.pop_back();
}

std::vector<NearestUnit> NearestQuery::nearest(const UnitIndex& units, const RoadPosition& incident,
                                               const NearestRequest& request) {
    top_.clear();
    settled_ = 0;
    if (request.k == 0 || !incident.valid()) return {};
    if (unit_best_.size() < units.slots_.size()) {
        unit_best_.resize(units.slots_.size() + 64, kNoTime);
    }
    unit_best_.reset();
    dist_.reset();
    heap_.clear();
    const std::size_t k = request.k;
    const TimeMs max_eta = request.max_eta_ms;
    auto eligible = [&](std::uint32_t slot) {
        const UnitState& s = units.slots_[slot].state;
        if (!units.slots_[slot].alive) return false;
        if (request.only_available && !s.available) return false;
        if ((s.capabilities & request.required_capabilities) != request.required_capabilities)
            return false;
        return !request.accept || request.accept(s);
    };

    // Units on the incident's own segment may drive straight there.
    for (std::uint32_t e = units.segment_head_[incident.segment]; e != kInvalid;
         e = units.entries_[e].next) {
        const std::uint32_t slot = e / 3;
        if (!eligible(slot)) continue;
        const TimeMs t = graph_->same_segment_time_ms(units.slots_[slot].state.position, incident);
        if (t <= max_eta) offer(units, slot, t, k);
    }
    Seed seeds[2];
    const int n = graph_->target_seeds(incident, seeds);
    for (int i = 0; i < n; ++i) {
        if (seeds[i].time_ms < dist_.get(seeds[i].node)) {
            dist_.set(seeds[i].node, seeds[i].time_ms);
            heap_.set(seeds[i].node, seeds[i].time_ms);
        }
    }
    while (!heap_.empty()) {
        const TimeMs dx = heap_.min_key();
        // Strictly greater: units tied with the k-th are still found, so that ties are broken
        // by key exactly as a full scan would.
        if (dx > max_eta || (top_.size() >= k && dx > top_.back().eta_ms)) break;
        const NodeId x = heap_.pop();
        ++settled_;
        for (std::uint32_t e = units.node_head_[x]; e != kInvalid; e = units.entries_[e].next) {
            const std::uint32_t slot = e / 3;
            const TimeMs eta = dx + units.entries_[e].time_ms;
            if (eta <= max_eta && eligible(slot)) offer(units, slot, eta, k);
        }
        for (const PackedArc *a = graph_->in_arcs_begin(x), *end = graph_->in_arcs_end(x); a != end;
             ++a) {
            const TimeMs dy = dx + a->time_ms;
            if (dy < dist_.get(a->other)) {
                dist_.set(a->other, dy);
                heap_.set(a->other, dy);
            }
        }
    }
    heap_.clear();
    return top_;
}

} // namespace pingan::road
