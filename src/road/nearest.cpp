#include "road/nearest.hpp"

#include <algorithm>

namespace pingan::road {

NearestQuery::NearestQuery(const Graph& graph) : graph_(&graph) {
    const std::uint32_t* first_in = graph.data().first_in.data();
    nodes_.resize(graph.node_count() + 1);
    for (std::size_t v = 0; v < nodes_.size(); ++v)
        nodes_[v] = {first_in[v], kNoTime};
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
    for (const NodeId x : touched_)
        nodes_[x].dist = kNoTime;
    touched_.clear();
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
    for (std::uint32_t slot = units.first_on_segment(incident.segment); slot != kInvalid;
         slot = units.entries_[slot].next) {
        if (units.entries_[slot].segment != incident.segment) continue; // shares the bucket
        if (!eligible(slot)) continue;
        const TimeMs t = graph_->same_segment_time_ms(units.slots_[slot].state.position, incident);
        if (t <= max_eta) offer(units, slot, t, k);
    }
    Node* nodes = nodes_.data();
    Seed seeds[2];
    const int n = graph_->target_seeds(incident, seeds);
    for (int i = 0; i < n; ++i) {
        Node& v = nodes[seeds[i].node];
        if (seeds[i].time_ms < v.dist) {
            if (v.dist == kNoTime) touched_.push_back(seeds[i].node);
            v.dist = seeds[i].time_ms;
            heap_.push(seeds[i].time_ms, seeds[i].node);
        }
    }
    const Graph::EnteringArc* arcs = graph_->entering_arcs();
    while (!heap_.empty()) {
        const TimeMs dx = heap_.min_key();
        // Strictly greater: units tied with the k-th are still found, so that ties are broken
        // by key exactly as a full scan would.
        if (dx > max_eta || (top_.size() >= k && dx > top_.back().eta_ms)) break;
        const NodeId x = heap_.pop().id;
        if (dx != nodes[x].dist) continue; // a stale entry: x was settled earlier, sooner
        ++settled_;
        for (std::uint32_t j = nodes[x].first, end = nodes[x + 1].first; j < end; ++j) {
            const Graph::EnteringArc& a = arcs[j];
            // Units on the arc's segment can leave it towards x: their exit there is a seed
            // exactly as a search from the unit would start (Graph::source_seeds).
            const SegmentId s = a.segment;
            for (std::uint32_t slot = units.first_on_segment(s); slot != kInvalid;
                 slot = units.entries_[slot].next) {
                if (units.entries_[slot].segment != s || !eligible(slot)) continue;
                Seed exits[2];
                const int m = graph_->source_seeds(units.slots_[slot].state.position, exits);
                for (int i = 0; i < m; ++i) {
                    const TimeMs eta = dx + exits[i].time_ms;
                    if (exits[i].node == x && eta <= max_eta) offer(units, slot, eta, k);
                }
            }
            if (a.tail_dead_end) continue;
            const NodeId y = a.tail;
            const TimeMs dy = dx + a.time_ms;
            // A node beyond the k-th unit found (or the limit) is never settled: not queued.
            const TimeMs bound = top_.size() >= k ? top_.back().eta_ms : max_eta;
            Node& ny = nodes[y];
            if (dy <= bound && dy < ny.dist) {
                if (ny.dist == kNoTime) touched_.push_back(y);
                ny.dist = dy;
                heap_.push(dy, y);
                __builtin_prefetch(&arcs[ny.first]); // read when y is settled
            }
        }
    }
    return top_;
}

} // namespace pingan::road
