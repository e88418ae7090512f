#include "road/coverage.hpp"

#include <algorithm>

#include "road/route.hpp"

namespace pingan::road {

Coverage::Coverage(const Graph& graph, TimeMs within_ms)
    : graph_(&graph), d_(&graph.data()), within_ms_(std::min<TimeMs>(within_ms, 0x7FFF'FFFE)) {
    const std::size_t n = graph.node_count(), s = graph.segment_count();
    label_.assign(n, kNone);
    rank_label_.assign(n, kNone);
    seg_hot_.resize(s);
    for (SegmentId i = 0; i < s; ++i) {
        const float len = d_->seg_length_m[i];
        const TimeMs f = d_->seg_fwd_ms[i], b = d_->seg_bwd_ms[i];
        seg_hot_[i] = {d_->seg_tail[i], d_->seg_head[i],
                       f == kNoTime ? 0.0f : len / static_cast<float>(f),
                       b == kNoTime ? 0.0f : len / static_cast<float>(b), len};
    }
    sweep_arcs_.reserve(d_->down_arcs.size());
    for (std::size_t r = n; r-- > 0;) {
        for (std::uint32_t i = d_->down_first[r]; i < d_->down_first[r + 1]; ++i) {
            sweep_arcs_.push_back(
                {static_cast<std::uint32_t>(r), d_->down_arcs[i].other, d_->down_arcs[i].weight});
        }
    }
    active_.assign((n + 63) / 64, 0);
    seg_covered_m_.assign(s, 0.0f);
    seg_first_unit_.assign(s, kInvalid);
    mark_.resize(n);
    seg_mark_.resize(s);
    seg_has_unit_.assign((s + 63) / 64, 0);
}

void Coverage::set_label(NodeId x, Label l) {
    if (journal_on_) label_journal_.emplace_back(x, label_[x]);
    label_[x] = l;
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
    const Label lt = label_[d_->seg_tail[s]], lh = label_[d_->seg_head[s]];
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

namespace {

// Written so that they compile to minss / maxss (std::min and std::max may become branches,
// which mispredict on coverage boundaries).
inline float min_of(float a, float b) {
    return a < b ? a : b;
}
inline float pos_of(float x) {
    return x > 0.0f ? x : 0.0f;
}

} // namespace

float Coverage::free_covered_m(const SegmentHot& h) const {
    // Slack at each end times metres per ms of that direction; kNone has a time far beyond T,
    // so its slack is negative and clamps to 0. The full pass and incremental updates both
    // measure here, so they agree to the bit.
    // Times are below 2^31 (kNone's is 2^31 - 1): converting them as signed is exact and
    // cheaper than an unsigned conversion.
    const float t_limit = static_cast<float>(within_ms_);
    const auto time_f = [](Label l) {
        return static_cast<float>(static_cast<std::int32_t>(l >> 32));
    };
    const float from_tail = (t_limit - time_f(label_[h.tail])) * h.fwd_m_per_ms;
    const float from_head = (t_limit - time_f(label_[h.head])) * h.bwd_m_per_ms;
    return min_of(h.length_m,
                  min_of(h.length_m, pos_of(from_tail)) + min_of(h.length_m, pos_of(from_head)));
}

double Coverage::segment_covered_m(SegmentId s) const {
    // No unit on the segment: a prefix from the tail and a suffix from the head.
    if (!((seg_has_unit_[s >> 6] >> (s & 63)) & 1)) return free_covered_m(seg_hot_[s]);
    const double len = d_->seg_length_m[s];
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
    seg_mark_.clear();
    const Graph::ReverseNode* at = graph_->reverse_nodes();
    const PackedArc* items = graph_->reverse_items();
    for (NodeId x : nodes) {
        for (std::uint32_t i = at[x].mid; i < at[x + 1].first; ++i) {
            const SegmentId s = items[i].other; // the segments with an end at x
            if (!seg_mark_.insert(s)) continue;
            // Most segments have no unit on them: measured here, without the general case's call.
            if ((seg_has_unit_[s >> 6] >> (s & 63)) & 1) {
                refresh_segment(s);
            } else {
                set_segment(s, free_covered_m(seg_hot_[s]));
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
    seg_has_unit_[position.segment >> 6] |= std::uint64_t{1} << (position.segment & 63);
}

void Coverage::unplace(std::uint32_t slot) {
    Unit& u = units_[slot];
    u.alive = false;
    std::uint32_t* link = &seg_first_unit_[u.position.segment];
    while (*link != kInvalid && *link != slot)
        link = &units_[*link].seg_next;
    if (*link == slot) *link = u.seg_next;
    u.seg_next = kInvalid;
    const SegmentId s = u.position.segment;
    if (seg_first_unit_[s] == kInvalid) seg_has_unit_[s >> 6] &= ~(std::uint64_t{1} << (s & 63));
}

void Coverage::relabel(std::uint32_t slot, std::span<const Seed> old_seeds, bool present) {
    const GraphData& d = *d_;
    const PackedArc* out = graph_->forward_arcs();
    const std::uint32_t* first_out = d.first_out.data();
    const Graph::ReverseNode* in_at = graph_->reverse_nodes();
    const PackedArc* in = graph_->reverse_items();
    Label* label = label_.data();
    const TimeMs T = within_ms_;
    // 1. The unit's old region: nodes it owns, found from its old seeds along owned nodes (the
    //    region is closed under shortest-path prefixes thanks to the (time, slot) tie-break).
    mark_.clear();
    region_.clear();
    stack_.clear();
    for (const Seed& seed : old_seeds) {
        const NodeId x = seed.node;
        const Label l = label[x];
        if (l != kNone && slot_of(l) == slot && mark_.insert(x)) stack_.push_back(x);
    }
    while (!stack_.empty()) {
        const NodeId x = stack_.back();
        stack_.pop_back();
        region_.push_back(x);
        for (const PackedArc* a = out + first_out[x]; a != out + first_out[x + 1]; ++a) {
            const Label l = label[a->other];
            if (l != kNone && slot_of(l) == slot && mark_.insert(a->other)) {
                stack_.push_back(a->other);
                __builtin_prefetch(out + first_out[a->other]); // read when it is popped
            }
        }
    }
    // 2. One Dijkstra repairs the region and adds the unit's new region: seeded from the
    //    region's border (labels outside it, the unmarked nodes, are exact for the other units;
    //    the region's own are cleared on the way), from other units starting inside it, and
    //    from the unit's new seeds wherever they strictly win. The queue orders by time only; a
    //    node whose label improves at the same time (a lower slot) is queued again and its
    //    second pop relaxes the better label.
    heap_.clear();
    auto offer = [&](NodeId x, Label l) {
        if (time_of(l) <= T && l < label[x]) {
            set_label(x, l);
            heap_.push(time_of(l), x);
        }
    };
    // The region's nodes lie all over memory: their entering arcs are fetched a few nodes ahead.
    const std::size_t region_size = region_.size();
    for (std::size_t k = 0; k < region_size; ++k) {
        if (k + 16 < region_size) __builtin_prefetch(&in_at[region_[k + 16]]);
        if (k + 8 < region_size) __builtin_prefetch(&in[in_at[region_[k + 8]].first]);
        const NodeId x = region_[k];
        Label best = kNone;
        for (std::uint32_t i = in_at[x].first; i < in_at[x].mid; ++i) {
            const Label via = label[in[i].other] + (Label{in[i].time_ms} << 32);
            best = mark_.has(in[i].other) ? best : std::min(best, via);
        }
        set_label(x, kNone);
        offer(x, best);
    }
    if (!region_.empty()) {
        for (std::uint32_t v = 0; v < units_.size(); ++v) {
            const Unit& other = units_[v];
            if (!other.alive || v == slot) continue;
            for (int i = 0; i < other.seed_count; ++i) {
                if (!mark_.has(other.seeds[i].node)) continue;
                offer(other.seeds[i].node, (Label{other.seeds[i].time_ms} << 32) | v);
            }
        }
    }
    if (present) {
        const Unit& unit = units_[slot];
        for (int i = 0; i < unit.seed_count; ++i)
            offer(unit.seeds[i].node, (Label{unit.seeds[i].time_ms} << 32) | slot);
    }
    while (!heap_.empty()) {
        const auto [t, x] = heap_.pop();
        const Label l = label[x];
        if (t != time_of(l)) continue;             // stale: x got a better time since
        if (mark_.insert(x)) region_.push_back(x); // changed outside the old region
        for (const PackedArc* a = out + first_out[x]; a != out + first_out[x + 1]; ++a)
            offer(a->other, l + (Label{a->time_ms} << 32));
    }
    refresh_segments_around(region_);
}

void Coverage::set_unit(UnitKey key, const RoadPosition& position) {
    auto it = slot_of_.find(key);
    if (it == slot_of_.end()) {
        const std::uint32_t slot = new_slot(key, position);
        relabel(slot, {}, true);
        refresh_segment(position.segment);
        return;
    }
    const std::uint32_t slot = it->second;
    const Unit old = units_[slot];
    unplace(slot);
    place(slot, position);
    relabel(slot, std::span<const Seed>(old.seeds, static_cast<std::size_t>(old.seed_count)), true);
    refresh_segment(old.position.segment);
    refresh_segment(position.segment);
}

bool Coverage::remove_unit(UnitKey key) {
    auto it = slot_of_.find(key);
    if (it == slot_of_.end()) return false;
    const std::uint32_t slot = it->second;
    const Unit& unit = units_[slot];
    unplace(slot);
    relabel(slot, std::span<const Seed>(unit.seeds, static_cast<std::size_t>(unit.seed_count)),
            false);
    refresh_segment(unit.position.segment);
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
    const Unit& unit = units_[slot];
    unplace(slot);
    relabel(slot, std::span<const Seed>(unit.seeds, static_cast<std::size_t>(unit.seed_count)),
            false);
    refresh_segment(unit.position.segment);
    const double without = covered_m_;
    journal_on_ = false;
    for (auto j = label_journal_.rbegin(); j != label_journal_.rend(); ++j)
        label_[j->first] = j->second;
    for (auto j = seg_journal_.rbegin(); j != seg_journal_.rend(); ++j)
        seg_covered_m_[j->first] = j->second;
    covered_m_ = before;
    place(slot, unit.position);
    return without;
}

void Coverage::phast() {
    const GraphData& d = *d_;
    const TimeMs T = within_ms_;
    std::fill(rank_label_.begin(), rank_label_.end(), kNone);
    Label* label = rank_label_.data();
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
    // Downward sweep: every arc into a rank comes from a higher rank, final by the time the
    // descending sweep reaches it. Labels beyond T are cut to kNone afterwards: they only grow
    // along arcs, so they never make a label within T, and they cannot overflow (a label is at
    // most kNone, whose time is 2^31 - 1, and arc weights are below 2^31).
    for (const SweepArc& a : sweep_arcs_) {
        const Label c = label[a.from] + (Label{a.weight} << 32);
        Label& to = label[a.to];
        to = c < to ? c : to;
    }
    // Into node order, which is what everything after the sweep reads: the segments (in order
    // of their tail) and the incremental repairs (along arcs) then find neighbours' labels in
    // nearby cache lines.
    const std::uint32_t* rank = d.rank.data();
    Label* by_node = label_.data();
    for (std::size_t x = 0, n = label_.size(); x < n; ++x) {
        const Label l = label[rank[x]];
        by_node[x] = time_of(l) <= T ? l : kNone;
    }

    // Segments: slack at each end times metres per ms of that direction; kNone has a time far
    // beyond T, so its slack is negative and clamps to 0.
    const SegmentHot* hot = seg_hot_.data();
    float* covered = seg_covered_m_.data();
    const auto s_count = static_cast<SegmentId>(seg_hot_.size());
    auto measure = [&](SegmentId s) {
        const float c = free_covered_m(hot[s]);
        covered[s] = c;
        return static_cast<double>(c);
    };
    // Four sums, so that the additions do not wait for each other.
    double sum[4] = {0, 0, 0, 0};
    SegmentId s = 0;
    for (; s + 4 <= s_count; s += 4) {
        sum[0] += measure(s);
        sum[1] += measure(s + 1);
        sum[2] += measure(s + 2);
        sum[3] += measure(s + 3);
    }
    for (; s < s_count; ++s)
        sum[0] += measure(s);
    const double total = (sum[0] + sum[1]) + (sum[2] + sum[3]);
    covered_m_ = total;
    // Segments with units on them: the stretches around the units, too.
    seg_mark_.clear();
    for (const Unit& u : units_) {
        const SegmentId on = u.position.segment;
        if (!u.alive || !seg_mark_.insert(on)) continue;
        const float c = static_cast<float>(segment_covered_m(on));
        covered_m_ += static_cast<double>(c) - covered[on];
        covered[on] = c;
    }
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
}

TimeMs Coverage::time_ms(NodeId node) const {
    const Label l = label_[node];
    return l == kNone ? kNoTime : time_of(l);
}

bool Coverage::owner(NodeId node, UnitKey& key) const {
    const Label l = label_[node];
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
