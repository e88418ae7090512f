#include "road/coverage.hpp"

#include <algorithm>

#include "road/route.hpp"

namespace pingan::road {

Coverage::Coverage(const Graph& graph, TimeMs within_ms)
    : graph_(&graph), d_(&graph.data()), within_ms_(std::min<TimeMs>(within_ms, 0x7FFF'FFFE)) {
    const std::size_t n = graph.node_count(), s = graph.segment_count();
    label_.assign(n, kNone);
    seg_tail_rank_.resize(s);
    seg_head_rank_.resize(s);
    for (SegmentId i = 0; i < s; ++i) {
        seg_tail_rank_[i] = d_->rank[d_->seg_tail[i]];
        seg_head_rank_[i] = d_->rank[d_->seg_head[i]];
    }
    seg_hot_.resize(s);
    for (SegmentId i = 0; i < s; ++i) {
        const float len = d_->seg_length_m[i];
        const TimeMs f = d_->seg_fwd_ms[i], b = d_->seg_bwd_ms[i];
        seg_hot_[i] = {seg_tail_rank_[i], seg_head_rank_[i],
                       f == kNoTime ? 0.0f : len / static_cast<float>(f),
                       b == kNoTime ? 0.0f : len / static_cast<float>(b), len};
    }
    active_.assign((n + 63) / 64, 0);
    seg_covered_m_.assign(s, 0.0f);
    seg_first_unit_.assign(s, kInvalid);
    heap_.resize(n);
    mark_.resize(n, 0);
    seg_mark_.resize(s, 0);
}

void Coverage::set_label(std::uint32_t r, Label l) {
    if (journal_on_) label_journal_.emplace_back(r, label_[r]);
    label_[r] = l;
}

void Coverage::set_segment(SegmentId s, float covered) {
    if (journal_on_) seg_journal_.emplace_back(s, seg_covered_m_[s]);
    covered_m_ += static_cast<double>(covered) - seg_covered_m_[s];
    seg_covered_m_[s] = covered;
}

void Coverage::segment_pieces(SegmentId s, std::vector<std::pair<double, double>>& out) const {
    out.clear();
    const double len = d_->seg_length_m[s];
    const double T = within_ms_;
    const Label lt = label_[seg_tail_rank_[s]], lh = label_[seg_head_rank_[s]];
    const TimeMs fwd = d_->seg_fwd_ms[s], bwd = d_->seg_bwd_ms[s];
    if (lt != kNone && fwd != kNoTime) {
        out.emplace_back(0.0, len * std::min(1.0, (T - time_of(lt)) / fwd));
    }
    if (lh != kNone && bwd != kNoTime) {
        out.emplace_back(len - len * std::min(1.0, (T - time_of(lh)) / bwd), len);
    }
    for (std::uint32_t u = seg_first_unit_[s]; u != kInvalid; u = units_[u].seg_next) {
        const double p = units_[u].position.offset_m;
        if (fwd != kNoTime) out.emplace_back(p, std::min(len, p + len * std::min(1.0, T / fwd)));
        if (bwd != kNoTime) out.emplace_back(std::max(0.0, p - len * std::min(1.0, T / bwd)), p);
    }
    if (out.size() < 2) return;
    std::sort(out.begin(), out.end());
    std::size_t w = 0;
    for (std::size_t i = 1; i < out.size(); ++i) {
        if (out[i].first <= out[w].second) {
            out[w].second = std::max(out[w].second, out[i].second);
        } else {
            out[++w] = out[i];
        }
    }
    out.resize(w + 1);
}

double Coverage::segment_covered_m(SegmentId s) const {
    const double len = d_->seg_length_m[s];
    if (seg_first_unit_[s] == kInvalid) {
        // No unit on the segment: a prefix from the tail and a suffix from the head.
        const double T = within_ms_;
        const Label lt = label_[seg_tail_rank_[s]], lh = label_[seg_head_rank_[s]];
        const TimeMs fwd = d_->seg_fwd_ms[s], bwd = d_->seg_bwd_ms[s];
        double c = 0;
        if (lt != kNone && fwd != kNoTime) c += std::min(1.0, (T - time_of(lt)) / fwd);
        if (lh != kNone && bwd != kNoTime) c += std::min(1.0, (T - time_of(lh)) / bwd);
        return len * std::min(1.0, c);
    }
    std::vector<std::pair<double, double>> pieces;
    segment_pieces(s, pieces);
    double c = 0;
    for (const auto& [a, b] : pieces)
        c += b - a;
    return std::min(len, c);
}

void Coverage::refresh_segment(SegmentId s) {
    set_segment(s, static_cast<float>(segment_covered_m(s)));
}

void Coverage::refresh_segments_around(std::span<const NodeId> nodes) {
    seg_mark_.reset();
    const GraphData& d = *d_;
    for (NodeId x : nodes) {
        for (ArcId a = d.first_out[x]; a < d.first_out[x + 1]; ++a) {
            const SegmentId s = d.arc_seg[a] >> 1;
            if (!seg_mark_.has(s)) {
                seg_mark_.set(s, 1);
                refresh_segment(s);
            }
        }
        for (std::uint32_t i = d.first_in[x]; i < d.first_in[x + 1]; ++i) {
            const SegmentId s = d.arc_seg[d.in_arc[i]] >> 1;
            if (!seg_mark_.has(s)) {
                seg_mark_.set(s, 1);
                refresh_segment(s);
            }
        }
    }
}

std::uint32_t Coverage::new_slot(UnitKey key, const RoadPosition& position) {
    std::uint32_t slot;
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
    } else {
        slot = static_cast<std::uint32_t>(units_.size());
        units_.emplace_back();
    }
    units_[slot].key = key;
    slot_of_[key] = slot;
    place(slot, position);
    return slot;
}

void Coverage::place(std::uint32_t slot, const RoadPosition& position) {
    Unit& u = units_[slot];
    u.position = position;
    u.seed_count = graph_->source_seeds(position, u.seeds);
    u.alive = true;
    u.seg_next = seg_first_unit_[position.segment];
    seg_first_unit_[position.segment] = slot;
}

void Coverage::unplace(std::uint32_t slot) {
    Unit& u = units_[slot];
    u.alive = false;
    std::uint32_t* link = &seg_first_unit_[u.position.segment];
    while (*link != kInvalid && *link != slot)
        link = &units_[*link].seg_next;
    if (*link == slot) *link = u.seg_next;
    u.seg_next = kInvalid;
}

void Coverage::insert_labels(std::uint32_t slot) {
    const GraphData& d = *d_;
    const std::uint32_t* rank = d.rank.data();
    const TimeMs T = within_ms_;
    heap_.clear();
    region_.clear();
    const Unit& unit = units_[slot];
    for (int i = 0; i < unit.seed_count; ++i) {
        const Label l = (Label{unit.seeds[i].time_ms} << 32) | slot;
        const NodeId x = unit.seeds[i].node;
        if (unit.seeds[i].time_ms <= T && l < label_[rank[x]]) {
            set_label(rank[x], l);
            heap_.set(x, l);
        }
    }
    // Pruned Dijkstra: continue only where this unit strictly wins.
    while (!heap_.empty()) {
        const NodeId x = heap_.pop();
        const Label l = label_[rank[x]];
        region_.push_back(x);
        for (ArcId a = d.first_out[x]; a < d.first_out[x + 1]; ++a) {
            const Label c = l + (Label{d.arc_time_ms[a]} << 32);
            const NodeId y = d.arc_head[a];
            if (time_of(c) <= T && c < label_[rank[y]]) {
                set_label(rank[y], c);
                heap_.set(y, c);
            }
        }
    }
    refresh_segments_around(region_);
    refresh_segment(unit.position.segment);
}

void Coverage::remove_labels(std::uint32_t slot) {
    const GraphData& d = *d_;
    const std::uint32_t* rank = d.rank.data();
    const TimeMs T = within_ms_;
    const Unit& unit = units_[slot];
    // 1. The unit's region: nodes it owns, found from its seeds along owned nodes (the region
    //    is closed under shortest-path prefixes thanks to the (time, slot) tie-break).
    mark_.reset();
    region_.clear();
    stack_.clear();
    for (int i = 0; i < unit.seed_count; ++i) {
        const NodeId x = unit.seeds[i].node;
        const Label l = label_[rank[x]];
        if (l != kNone && slot_of(l) == slot && !mark_.has(x)) {
            mark_.set(x, 1);
            stack_.push_back(x);
        }
    }
    while (!stack_.empty()) {
        const NodeId x = stack_.back();
        stack_.pop_back();
        region_.push_back(x);
        for (ArcId a = d.first_out[x]; a < d.first_out[x + 1]; ++a) {
            const NodeId y = d.arc_head[a];
            const Label l = label_[rank[y]];
            if (l != kNone && slot_of(l) == slot && !mark_.has(y)) {
                mark_.set(y, 1);
                stack_.push_back(y);
            }
        }
    }
    for (NodeId x : region_)
        set_label(rank[x], kNone);
    // 2. Repair from the border of the region and from other units starting inside it.
    heap_.clear();
    for (NodeId x : region_) {
        Label best = kNone;
        for (std::uint32_t i = d.first_in[x]; i < d.first_in[x + 1]; ++i) {
            best = std::min(best, label_[rank[d.in_tail[i]]] + (Label{d.in_time_ms[i]} << 32));
        }
        if (time_of(best) <= T) {
            set_label(rank[x], best);
            heap_.set(x, best);
        }
    }
    for (std::uint32_t v = 0; v < units_.size(); ++v) {
        const Unit& other = units_[v];
        if (!other.alive || v == slot) continue;
        for (int i = 0; i < other.seed_count; ++i) {
            const NodeId x = other.seeds[i].node;
            if (!mark_.has(x) || other.seeds[i].time_ms > T) continue;
            const Label l = (Label{other.seeds[i].time_ms} << 32) | v;
            if (l < label_[rank[x]]) {
                set_label(rank[x], l);
                heap_.set(x, l);
            }
        }
    }
    while (!heap_.empty()) {
        const NodeId x = heap_.pop();
        const Label l = label_[rank[x]];
        for (ArcId a = d.first_out[x]; a < d.first_out[x + 1]; ++a) {
            const Label c = l + (Label{d.arc_time_ms[a]} << 32);
            const NodeId y = d.arc_head[a];
            if (time_of(c) <= T && c < label_[rank[y]]) {
                set_label(rank[y], c);
                heap_.set(y, c);
            }
        }
    }
    refresh_segments_around(region_);
}

void Coverage::set_unit(UnitKey key, const RoadPosition& position) {
    auto it = slot_of_.find(key);
    if (it == slot_of_.end()) {
        const std::uint32_t slot = new_slot(key, position);
        insert_labels(slot);
        return;
    }
    const std::uint32_t slot = it->second;
    const SegmentId old_segment = units_[slot].position.segment;
    unplace(slot);
    remove_labels(slot);
    refresh_segment(old_segment);
    place(slot, position);
    insert_labels(slot);
}

bool Coverage::remove_unit(UnitKey key) {
    auto it = slot_of_.find(key);
    if (it == slot_of_.end()) return false;
    const std::uint32_t slot = it->second;
    const SegmentId old_segment = units_[slot].position.segment;
    unplace(slot);
    remove_labels(slot);
    refresh_segment(old_segment);
    free_slots_.push_back(slot);
    slot_of_.erase(it);
    return true;
}

double Coverage::covered_m_without(UnitKey key) {
    auto it = slot_of_.find(key);
    if (it == slot_of_.end()) return covered_m_;
    const std::uint32_t slot = it->second;
    const double before = covered_m_;
    label_journal_.clear();
    seg_journal_.clear();
    journal_on_ = true;
    const SegmentId segment = units_[slot].position.segment;
    unplace(slot);
    remove_labels(slot);
    refresh_segment(segment);
    const double without = covered_m_;
    journal_on_ = false;
    for (auto j = label_journal_.rbegin(); j != label_journal_.rend(); ++j)
        label_[j->first] = j->second;
    for (auto j = seg_journal_.rbegin(); j != seg_journal_.rend(); ++j)
        seg_covered_m_[j->first] = j->second;
    covered_m_ = before;
    place(slot, units_[slot].position);
    return without;
}

void Coverage::phast() {
    const GraphData& d = *d_;
    const std::uint32_t n = static_cast<std::uint32_t>(label_.size());
    const TimeMs T = within_ms_;
    std::fill(label_.begin(), label_.end(), kNone);
    Label* label = label_.data();
    std::uint64_t* active = active_.data();
    for (std::uint32_t v = 0; v < units_.size(); ++v) {
        const Unit& u = units_[v];
        if (!u.alive) continue;
        for (int i = 0; i < u.seed_count; ++i) {
            const std::uint32_t r = d.rank[u.seeds[i].node];
            const Label l = (Label{u.seeds[i].time_ms} << 32) | v;
            if (u.seeds[i].time_ms <= T && l < label[r]) {
                label[r] = l;
                active[r >> 6] |= std::uint64_t{1} << (r & 63);
            }
        }
    }
    // Upward phase. The upward graph is acyclic and ordered by rank, so relaxing the reached
    // nodes in ascending rank settles each one after all its upward predecessors: the same
    // labels as a Dijkstra, without a heap. Pruned at T.
    const std::uint32_t* up_first = d.up_first.data();
    const ChArc* up = d.up_arcs.data();
    for (std::uint32_t w = 0; w < active_.size(); ++w) {
        while (active[w] != 0) {
            const std::uint32_t r =
                (w << 6) | static_cast<std::uint32_t>(__builtin_ctzll(active[w]));
            active[w] &= active[w] - 1;
            const Label l = label[r];
            for (std::uint32_t i = up_first[r]; i < up_first[r + 1]; ++i) {
                const Label c = l + (Label{up[i].weight} << 32);
                const std::uint32_t y = up[i].other; // > r: its bit is visited later
                if (time_of(c) <= T && c < label[y]) {
                    label[y] = c;
                    active[y >> 6] |= std::uint64_t{1} << (y & 63);
                }
            }
        }
    }
    // Downward sweep: every arc into r comes from a higher rank, already final.
    const std::uint32_t* down_first = d.down_first.data();
    const ChArc* down = d.down_arcs.data();
    for (std::uint32_t r = n; r-- > 0;) {
        Label best = label[r];
        for (std::uint32_t i = down_first[r]; i < down_first[r + 1]; ++i) {
            best = std::min(best, label[down[i].other] + (Label{down[i].weight} << 32));
        }
        label[r] = time_of(best) <= T ? best : kNone;
    }
}

void Coverage::full_segment_pass() {
    const Label* label = label_.data();
    const SegmentHot* hot = seg_hot_.data();
    const auto s_count = static_cast<SegmentId>(seg_hot_.size());
    const float T = static_cast<float>(within_ms_);
    double total = 0;
    for (SegmentId s = 0; s < s_count; ++s) {
        float c;
        if (seg_first_unit_[s] == kInvalid) {
            // Slack at each end times metres per ms of that direction; kNone has a time far
            // beyond T, so its slack is negative and clamps to 0.
            const SegmentHot& h = hot[s];
            const float from_tail = std::max(
                0.0f, (T - static_cast<float>(time_of(label[h.tail_rank]))) * h.fwd_m_per_ms);
            const float from_head = std::max(
                0.0f, (T - static_cast<float>(time_of(label[h.head_rank]))) * h.bwd_m_per_ms);
            c = std::min(h.length_m,
                         std::min(h.length_m, from_tail) + std::min(h.length_m, from_head));
        } else {
            c = static_cast<float>(segment_covered_m(s));
        }
        seg_covered_m_[s] = c;
        total += c;
    }
    covered_m_ = total;
}

void Coverage::assign(std::span<const std::pair<UnitKey, RoadPosition>> units) {
    for (std::uint32_t slot = 0; slot < units_.size(); ++slot) {
        if (units_[slot].alive) unplace(slot);
    }
    units_.clear();
    free_slots_.clear();
    slot_of_.clear();
    for (const auto& [key, position] : units) {
        if (auto it = slot_of_.find(key); it != slot_of_.end()) {
            unplace(it->second); // the last position of a repeated key wins
            place(it->second, position);
        } else {
            new_slot(key, position);
        }
    }
    phast();
    full_segment_pass();
}

TimeMs Coverage::time_ms(NodeId node) const {
    const Label l = label_[d_->rank[node]];
    return l == kNone ? kNoTime : time_of(l);
}

bool Coverage::owner(NodeId node, UnitKey& key) const {
    const Label l = label_[d_->rank[node]];
    if (l == kNone) return false;
    key = units_[slot_of(l)].key;
    return true;
}

std::vector<CoveredPiece> Coverage::pieces() const {
    std::vector<CoveredPiece> out;
    std::vector<std::pair<double, double>> p;
    for (SegmentId s = 0; s < seg_covered_m_.size(); ++s) {
        if (seg_covered_m_[s] <= 0 && seg_first_unit_[s] == kInvalid) continue;
        segment_pieces(s, p);
        for (const auto& [a, b] : p) {
            if (b > a) out.push_back({s, a, b});
        }
    }
    return out;
}

double Coverage::recount_m() const {
    double total = 0;
    for (SegmentId s = 0; s < seg_covered_m_.size(); ++s)
        total += static_cast<float>(segment_covered_m(s));
    return total;
}

std::vector<ArcId> Isochrone::cut_arcs() const {
    std::vector<ArcId> out;
    for (const ReachedArc& a : arcs) {
        if (!a.head_reached) out.push_back(a.arc);
    }
    return out;
}

Isochrone isochrone(const Graph& graph, const RoadPosition& start, TimeMs within_ms) {
    Isochrone iso;
    iso.within_ms = within_ms;
    iso.start = start;
    if (!start.valid()) return iso;
    const GraphData& d = graph.data();
    Seed seeds[2];
    const int n = graph.source_seeds(start, seeds);
    DijkstraQuery query(graph);
    query.run(std::span<const Seed>(seeds, static_cast<std::size_t>(n)), within_ms);
    const double T = within_ms;
    for (NodeId x : query.settled()) {
        const TimeMs tx = query.time_ms(x);
        for (ArcId a = d.first_out[x]; a < d.first_out[x + 1]; ++a) {
            const SegmentId s = d.arc_seg[a] >> 1;
            const double len = d.seg_length_m[s];
            const TimeMs w = d.arc_time_ms[a];
            const double reached = len * std::min(1.0, (T - tx) / w);
            iso.arcs.push_back(
                {a, tx, reached, tx + w <= within_ms, query.time_ms(d.arc_head[a]) != kNoTime});
        }
    }
    const SegmentId s = start.segment;
    const double len = d.seg_length_m[s], p = start.offset_m;
    if (d.seg_fwd_ms[s] != kNoTime) {
        iso.start_piece.push_back(
            {s, p, std::min(len, p + len * std::min(1.0, T / d.seg_fwd_ms[s]))});
    }
    if (d.seg_bwd_ms[s] != kNoTime) {
        iso.start_piece.push_back(
            {s, std::max(0.0, p - len * std::min(1.0, T / d.seg_bwd_ms[s])), p});
    }
    return iso;
}

} // namespace pingan::road
