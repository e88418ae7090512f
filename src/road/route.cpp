#include "road/route.hpp"

#include <algorithm>

#include <fmt/core.h>

namespace pingan::road {

namespace {

constexpr std::uint32_t kNone = kInvalid;

// Index of the CSR row that holds entry i.
std::uint32_t row_of(const std::vector<std::uint32_t>& first, std::uint32_t i) {
    return static_cast<std::uint32_t>(std::upper_bound(first.begin(), first.end(), i) -
                                      first.begin()) -
           1;
}

// Entry of row r whose other end is `other` (rows are sorted by other end).
std::uint32_t find_arc(const std::vector<std::uint32_t>& first, const std::vector<ChArc>& arcs,
                       std::uint32_t r, std::uint32_t other) {
    const auto begin = arcs.begin() + first[r], end = arcs.begin() + first[r + 1];
    const auto it = std::lower_bound(begin, end, other,
                                     [](const ChArc& a, std::uint32_t o) { return a.other < o; });
    return it != end && it->other == other ? static_cast<std::uint32_t>(it - arcs.begin()) : kNone;
}

} // namespace

geo::LatLon Route::point_at(TimeMs elapsed_ms) const {
    if (points.empty()) return {};
    if (elapsed_ms >= eta_ms) return points.back();
    const auto it = std::upper_bound(point_time_ms.begin(), point_time_ms.end(), elapsed_ms);
    const std::size_t i = static_cast<std::size_t>(it - point_time_ms.begin());
    if (i == 0) return points.front();
    if (i >= points.size()) return points.back();
    const TimeMs t0 = point_time_ms[i - 1], t1 = point_time_ms[i];
    const double t = t1 > t0 ? static_cast<double>(elapsed_ms - t0) / (t1 - t0) : 0.0;
    return {points[i - 1].lat + t * (points[i].lat - points[i - 1].lat),
            points[i - 1].lon + t * (points[i].lon - points[i - 1].lon)};
}

RouteQuery::RouteQuery(const Graph& graph) : graph_(&graph), d_(&graph.data()) {
    const std::size_t n = graph.node_count();
    labels_.assign(n, Label{kNoTime, kNoTime});
    fwd_pred_.assign(n, kNone);
    bwd_pred_.assign(n, kNone);
    fwd_heap_.resize(n);
    bwd_heap_.resize(n);
}

namespace {

// Stall-on-demand (Geisberger et al. 2008): a node settled at time d is not on a shortest
// up-down path when some higher neighbour x already offers d(x) + w(x, node) < d through one of
// its arcs towards the node. `time` picks the direction's label. Unreached labels are kNoTime;
// the sum is taken in 64 bits so that they never wrap into a false stall.
template <class Labels, class Time>
bool stalled(const ChArc* arcs, std::uint32_t lo, std::uint32_t hi, TimeMs d, const Labels* labels,
             Time time) {
    for (std::uint32_t i = lo; i < hi; ++i) {
        if (std::uint64_t{time(labels[arcs[i].other])} + arcs[i].weight < d) return true;
    }
    return false;
}

} // namespace

template <bool kPath>
TimeMs RouteQuery::search(const Seed* sources, int source_count, const Seed* targets,
                          int target_count) {
    Label* labels = labels_.data();
    for (const std::uint32_t r : touched_)
        labels[r] = {kNoTime, kNoTime};
    touched_.clear();
    fwd_heap_.clear();
    bwd_heap_.clear();
    meet_ = kNone;
    settled_ = 0;
    // A label is recorded in touched_ when it first leaves {kNoTime, kNoTime}.
    auto touch = [&](std::uint32_t r) {
        if ((labels[r].fwd & labels[r].bwd) == kNoTime) touched_.push_back(r);
    };
    const std::uint32_t* rank = d_->rank.data();
    for (int i = 0; i < source_count; ++i) {
        const std::uint32_t r = rank[sources[i].node];
        if (sources[i].time_ms < labels[r].fwd) {
            touch(r);
            labels[r].fwd = sources[i].time_ms;
            fwd_pred_[r] = kNone;
            fwd_heap_.set(r, sources[i].time_ms);
        }
    }
    for (int i = 0; i < target_count; ++i) {
        const std::uint32_t r = rank[targets[i].node];
        if (targets[i].time_ms < labels[r].bwd) {
            touch(r);
            labels[r].bwd = targets[i].time_ms;
            bwd_pred_[r] = kNone;
            bwd_heap_.set(r, targets[i].time_ms);
        }
    }
    const ChArc* arcs = graph_->ch_arcs();
    const Graph::ChNode* nodes = graph_->ch_nodes();
    auto fwd_of = [](const Label& l) { return l.fwd; };
    auto bwd_of = [](const Label& l) { return l.bwd; };
    TimeMs best = kNoTime;
    for (;;) {
        // Each direction stops once its queue's minimum cannot improve the best meeting.
        const TimeMs f_min = fwd_heap_.empty() ? kNoTime : fwd_heap_.min_key();
        const TimeMs b_min = bwd_heap_.empty() ? kNoTime : bwd_heap_.min_key();
        if (std::min(f_min, b_min) >= best) break;
        ++settled_;
        if (f_min <= b_min) {
            const std::uint32_t r = fwd_heap_.pop();
            const TimeMs d = f_min;
            if (labels[r].bwd != kNoTime && d + labels[r].bwd < best) {
                best = d + labels[r].bwd;
                meet_ = r;
            }
            const std::uint32_t lo = nodes[r].first, m = nodes[r].mid, hi = nodes[r + 1].first;
            if (stalled(arcs, lo, m, d, labels, fwd_of)) continue;
            for (std::uint32_t i = m; i < hi; ++i) {
                const std::uint32_t y = arcs[i].other;
                const TimeMs nd = d + arcs[i].weight;
                if (nd < labels[y].fwd) {
                    touch(y);
                    labels[y].fwd = nd;
                    if constexpr (kPath) fwd_pred_[y] = d_->up_first[r] + (i - m);
                    fwd_heap_.set(y, nd);
                }
            }
        } else {
            const std::uint32_t r = bwd_heap_.pop();
            const TimeMs d = b_min;
            if (labels[r].fwd != kNoTime && d + labels[r].fwd < best) {
                best = d + labels[r].fwd;
                meet_ = r;
            }
            const std::uint32_t lo = nodes[r].first, m = nodes[r].mid, hi = nodes[r + 1].first;
            if (stalled(arcs, m, hi, d, labels, bwd_of)) continue;
            for (std::uint32_t i = lo; i < m; ++i) {
                const std::uint32_t y = arcs[i].other;
                const TimeMs nd = d + arcs[i].weight;
                if (nd < labels[y].bwd) {
                    touch(y);
                    labels[y].bwd = nd;
                    if constexpr (kPath) bwd_pred_[y] = d_->down_first[r] + (i - lo);
                    bwd_heap_.set(y, nd);
                }
            }
        }
    }
    return best;
}

TimeMs RouteQuery::eta_ms(NodeId from, NodeId to) {
    const Seed s{from, 0}, t{to, 0};
    return search<false>(&s, 1, &t, 1);
}

TimeMs RouteQuery::eta_ms(const RoadPosition& from, const RoadPosition& to) {
    Seed s[2], t[2];
    const int ns = graph_->source_seeds(from, s);
    const int nt = graph_->target_seeds(to, t);
    const TimeMs direct = graph_->same_segment_time_ms(from, to);
    const TimeMs via = search<false>(s, ns, t, nt);
    return std::min(direct, via);
}

void RouteQuery::unpack(std::uint32_t a, std::uint32_t b, std::uint32_t value,
                        std::vector<ArcId>& out) const {
    if (!(value & kShortcutBit)) {
        out.push_back(value);
        return;
    }
    // Shortcut a -> b via m: a -> m is stored at m going down, m -> b at m going up.
    const std::uint32_t m = value & ~kShortcutBit;
    const std::uint32_t first = find_arc(d_->down_first, d_->down_arcs, m, a);
    const std::uint32_t second = find_arc(d_->up_first, d_->up_arcs, m, b);
    unpack(a, m, d_->down_unpack[first], out);
    unpack(m, b, d_->up_unpack[second], out);
}

std::vector<ArcId> RouteQuery::arc_path() const {
    std::vector<ArcId> arcs;
    if (meet_ == kNone) return arcs;
    // Forward half, collected from the meeting node back to the source seed.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> half; // (lower rank, arc index)
    std::uint32_t x = meet_;
    while (fwd_pred_[x] != kNone) {
        const std::uint32_t i = fwd_pred_[x];
        const std::uint32_t r = row_of(d_->up_first, i);
        half.emplace_back(r, i);
        x = r;
    }
    for (auto it = half.rbegin(); it != half.rend(); ++it) {
        unpack(it->first, d_->up_arcs[it->second].other, d_->up_unpack[it->second], arcs);
    }
    x = meet_;
    while (bwd_pred_[x] != kNone) {
        const std::uint32_t i = bwd_pred_[x];
        const std::uint32_t r = row_of(d_->down_first, i);
        unpack(x, r, d_->down_unpack[i], arcs);
        x = r;
    }
    return arcs;
}

Route RouteQuery::assemble(const RoadPosition& from, const RoadPosition& to, NodeId first,
                           NodeId last, const std::vector<ArcId>& arcs, TimeMs start_ms,
                           TimeMs end_ms) const {
    const GraphData& d = *d_;
    Route route;
    auto add_step = [&](SegmentId s, double from_m, double to_m, TimeMs t) {
        if (from_m == to_m && t == 0) return;
        route.steps.push_back({s, to_m < from_m, from_m, to_m, t});
    };
    const SegmentId s0 = from.segment;
    add_step(s0, from.offset_m, first == d.seg_head[s0] ? d.seg_length_m[s0] : 0.0, start_ms);
    for (ArcId a : arcs) {
        const SegmentId s = d.arc_seg[a] >> 1;
        const bool rev = d.arc_seg[a] & 1;
        add_step(s, rev ? d.seg_length_m[s] : 0.0, rev ? 0.0 : d.seg_length_m[s], d.arc_time_ms[a]);
    }
    const SegmentId s1 = to.segment;
    add_step(s1, last == d.seg_tail[s1] ? 0.0 : d.seg_length_m[s1], to.offset_m, end_ms);

    TimeMs t = 0;
    double dist = 0;
    route.points.push_back(from.point);
    route.point_time_ms.push_back(0);
    route.point_distance_m.push_back(0);
    for (const RouteStep& step : route.steps) {
        const std::vector<geo::LatLon> pts =
            graph_->shape_between(step.segment, step.from_m, step.to_m);
        const double step_len = std::abs(step.to_m - step.from_m);
        double along = 0;
        for (std::size_t i = 1; i < pts.size(); ++i) {
            along += geo::distance_m(pts[i - 1], pts[i]);
            const double share = step_len > 0 ? std::min(1.0, along / step_len) : 1.0;
            route.points.push_back(pts[i]);
            route.point_time_ms.push_back(t +
                                          static_cast<TimeMs>(std::llround(step.time_ms * share)));
            route.point_distance_m.push_back(dist + std::min(along, step_len));
        }
        t += step.time_ms;
        dist += step_len;
        route.point_time_ms.back() = t;
        route.point_distance_m.back() = dist;
    }
    route.eta_ms = t;
    route.distance_m = dist;
    return route;
}

base::Result<Route> RouteQuery::route(const RoadPosition& from, const RoadPosition& to) {
    if (!from.valid() || !to.valid() || from.segment >= graph_->segment_count() ||
        to.segment >= graph_->segment_count()) {
        return base::error(base::Code::bad_argument, "position",
                           "road position is not on this graph");
    }
    Seed s[2], t[2];
    const int ns = graph_->source_seeds(from, s);
    const int nt = graph_->target_seeds(to, t);
    const TimeMs direct = graph_->same_segment_time_ms(from, to);
    const TimeMs via = search<true>(s, ns, t, nt);
    if (direct == kNoTime && via == kNoTime) {
        return base::error(base::Code::unreachable, "to", "no route between the two positions");
    }
    if (direct <= via) {
        // A single step on the shared segment.
        Route r;
        const std::vector<geo::LatLon> pts =
            graph_->shape_between(from.segment, from.offset_m, to.offset_m);
        const double len = std::abs(to.offset_m - from.offset_m);
        r.steps.push_back(
            {from.segment, to.offset_m < from.offset_m, from.offset_m, to.offset_m, direct});
        double along = 0;
        for (std::size_t i = 0; i < pts.size(); ++i) {
            if (i > 0) along += geo::distance_m(pts[i - 1], pts[i]);
            r.points.push_back(pts[i]);
            const double share = len > 0 ? std::min(1.0, along / len) : 1.0;
            r.point_time_ms.push_back(static_cast<TimeMs>(std::llround(direct * share)));
            r.point_distance_m.push_back(std::min(along, len));
        }
        r.point_time_ms.back() = direct;
        r.point_distance_m.back() = len;
        r.eta_ms = direct;
        r.distance_m = len;
        return r;
    }
    // The seeds at both ends of the best path.
    std::uint32_t x = meet_;
    while (fwd_pred_[x] != kNone)
        x = row_of(d_->up_first, fwd_pred_[x]);
    const NodeId first = d_->node_at_rank[x];
    const TimeMs start_ms = fwd_time(x);
    x = meet_;
    while (bwd_pred_[x] != kNone)
        x = row_of(d_->down_first, bwd_pred_[x]);
    const NodeId last = d_->node_at_rank[x];
    const TimeMs end_ms = bwd_time(x);
    Route r = assemble(from, to, first, last, arc_path(), start_ms, end_ms);
    return r;
}

base::Result<Route> RouteQuery::route(NodeId from, NodeId to) {
    if (from >= graph_->node_count() || to >= graph_->node_count()) {
        return base::error(base::Code::bad_argument, "node", "node id is not on this graph");
    }
    return route(graph_->node_position(from), graph_->node_position(to));
}

DijkstraQuery::DijkstraQuery(const Graph& graph) : graph_(&graph), d_(&graph.data()) {
    dist_.resize(graph.node_count(), kNoTime);
    pred_.resize(graph.node_count(), kNone);
    heap_.resize(graph.node_count());
}

TimeMs DijkstraQuery::eta_ms(NodeId from, NodeId to) {
    return eta_ms(graph_->node_position(from), graph_->node_position(to));
}

TimeMs DijkstraQuery::eta_ms(const RoadPosition& from, const RoadPosition& to) {
    Seed s[2], t[2];
    const int ns = graph_->source_seeds(from, s);
    const int nt = graph_->target_seeds(to, t);
    TimeMs best = graph_->same_segment_time_ms(from, to);
    dist_.reset();
    heap_.clear();
    for (int i = 0; i < ns; ++i) {
        if (s[i].time_ms < dist_.get(s[i].node)) {
            dist_.set(s[i].node, s[i].time_ms);
            heap_.set(s[i].node, s[i].time_ms);
        }
    }
    while (!heap_.empty() && heap_.min_key() < best) {
        const NodeId u = heap_.pop();
        const TimeMs du = dist_.get(u);
        for (int i = 0; i < nt; ++i) {
            if (t[i].node == u) best = std::min(best, du + t[i].time_ms);
        }
        for (ArcId a = d_->first_out[u]; a < d_->first_out[u + 1]; ++a) {
            const TimeMs dv = du + d_->arc_time_ms[a];
            if (dv < dist_.get(d_->arc_head[a])) {
                dist_.set(d_->arc_head[a], dv);
                heap_.set(d_->arc_head[a], dv);
            }
        }
    }
    heap_.clear();
    return best;
}

void DijkstraQuery::run(std::span<const Seed> seeds, TimeMs limit_ms, bool reverse) {
    dist_.reset();
    pred_.reset();
    heap_.clear();
    settled_.clear();
    for (const Seed& s : seeds) {
        if (s.time_ms <= limit_ms && s.time_ms < dist_.get(s.node)) {
            dist_.set(s.node, s.time_ms);
            heap_.set(s.node, s.time_ms);
        }
    }
    const GraphData& d = *d_;
    while (!heap_.empty()) {
        const NodeId u = heap_.pop();
        const TimeMs du = dist_.get(u);
        settled_.push_back(u);
        if (!reverse) {
            for (ArcId a = d.first_out[u]; a < d.first_out[u + 1]; ++a) {
                const TimeMs dv = du + d.arc_time_ms[a];
                const NodeId v = d.arc_head[a];
                if (dv <= limit_ms && dv < dist_.get(v)) {
                    dist_.set(v, dv);
                    pred_.set(v, a);
                    heap_.set(v, dv);
                }
            }
        } else {
            for (std::uint32_t i = d.first_in[u]; i < d.first_in[u + 1]; ++i) {
                const TimeMs dv = du + d.in_time_ms[i];
                const NodeId v = d.in_tail[i];
                if (dv <= limit_ms && dv < dist_.get(v)) {
                    dist_.set(v, dv);
                    pred_.set(v, d.in_arc[i]);
                    heap_.set(v, dv);
                }
            }
        }
    }
}

} // namespace pingan::road
