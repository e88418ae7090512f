#include "road/graph.hpp"

#include <algorithm>
#include <array>

#include <fmt/core.h>

#include "road/detail/snap_index.hpp"

namespace pingan::road {

namespace {

constexpr std::array<std::string_view, kRoadClassCount> kClassNames = {
    "motorway",     "trunk",        "primary",        "secondary",     "tertiary",
    "unclassified", "residential",  "living_street",  "service",       "motorway_link",
    "trunk_link",   "primary_link", "secondary_link", "tertiary_link", "road",
};

} // namespace

std::string_view to_string(RoadClass road_class) {
    const auto i = static_cast<std::size_t>(road_class);
    return i < kClassNames.size() ? kClassNames[i] : std::string_view("road");
}

bool road_class_from_osm(std::string_view highway, RoadClass& out) {
    for (std::size_t i = 0; i < kClassNames.size(); ++i) {
        if (kClassNames[i] == highway) {
            out = static_cast<RoadClass>(i);
            return true;
        }
    }
    return false;
}

Graph::Graph() = default;
Graph::Graph(Graph&&) noexcept = default;
Graph& Graph::operator=(Graph&&) noexcept = default;
Graph::~Graph() = default;

Graph::Graph(GraphData data) : d_(std::move(data)) {
    init_derived();
}

void Graph::init_derived() {
    total_length_m_ = 0;
    for (float len : d_.seg_length_m)
        total_length_m_ += len;
    const std::size_t ranks = d_.up_first.empty() ? 0 : d_.up_first.size() - 1;
    ch_arcs_.clear();
    ch_arcs_.reserve(d_.up_arcs.size() + d_.down_arcs.size());
    ch_nodes_.assign(ranks + 1, ChNode{0, 0});
    for (std::size_t r = 0; r < ranks; ++r) {
        ch_nodes_[r].first = static_cast<std::uint32_t>(ch_arcs_.size());
        ch_arcs_.insert(ch_arcs_.end(), d_.down_arcs.begin() + d_.down_first[r],
                        d_.down_arcs.begin() + d_.down_first[r + 1]);
        ch_nodes_[r].mid = static_cast<std::uint32_t>(ch_arcs_.size());
        ch_arcs_.insert(ch_arcs_.end(), d_.up_arcs.begin() + d_.up_first[r],
                        d_.up_arcs.begin() + d_.up_first[r + 1]);
    }
    ch_nodes_[ranks].first = ch_nodes_[ranks].mid = static_cast<std::uint32_t>(ch_arcs_.size());
    seg_ends_.resize(d_.seg_tail.size());
    for (std::size_t s = 0; s < seg_ends_.size(); ++s) {
        seg_ends_[s] = {d_.seg_tail[s], d_.seg_head[s], d_.seg_fwd_ms[s], d_.seg_bwd_ms[s],
                        d_.seg_length_m[s]};
    }
    {
        const std::size_t n = d_.node_coord.size();
        std::vector<std::uint32_t> seg_count(n, 0);
        for (std::size_t s = 0; s < d_.seg_tail.size(); ++s) {
            ++seg_count[d_.seg_tail[s]];
            ++seg_count[d_.seg_head[s]];
        }
        reverse_nodes_.assign(n + 1, ReverseNode{0, 0});
        std::uint32_t at = 0;
        for (std::size_t v = 0; v < n; ++v) {
            reverse_nodes_[v].first = at;
            at += d_.first_in[v + 1] - d_.first_in[v];
            reverse_nodes_[v].mid = at;
            at += seg_count[v];
        }
        reverse_nodes_[n] = {at, at};
        reverse_items_.resize(at);
        std::vector<std::uint32_t> next(n);
        for (std::size_t v = 0; v < n; ++v) {
            std::uint32_t i = reverse_nodes_[v].first;
            for (std::uint32_t j = d_.first_in[v]; j < d_.first_in[v + 1]; ++j)
                reverse_items_[i++] = {d_.in_tail[j], d_.in_time_ms[j]};
            next[v] = reverse_nodes_[v].mid;
        }
        for (SegmentId s = 0; s < d_.seg_tail.size(); ++s) {
            reverse_items_[next[d_.seg_tail[s]]++] = {s, 0};
            reverse_items_[next[d_.seg_head[s]]++] = {s, 0};
        }
    }
    {
        std::vector<std::uint8_t> segments_at(d_.node_coord.size(), 0); // saturates at 2
        for (std::size_t s = 0; s < d_.seg_tail.size(); ++s) {
            for (const NodeId v : {d_.seg_tail[s], d_.seg_head[s]})
                segments_at[v] = static_cast<std::uint8_t>(std::min(2, segments_at[v] + 1));
        }
        entering_arcs_.resize(d_.in_tail.size());
        for (std::size_t j = 0; j < entering_arcs_.size(); ++j) {
            const NodeId tail = d_.in_tail[j];
            entering_arcs_[j] = {tail, d_.in_time_ms[j], d_.arc_seg[d_.in_arc[j]] >> 1,
                                 segments_at[tail] == 1};
        }
    }
    forward_arcs_.resize(d_.arc_head.size());
    for (std::size_t a = 0; a < forward_arcs_.size(); ++a)
        forward_arcs_[a] = {d_.arc_head[a], d_.arc_time_ms[a]};
    // The projection's origin is the middle of the graph's bounding box: errors of the
    // equirectangular projection stay far below snapping tolerances over a city.
    if (!d_.node_coord.empty()) {
        auto [lat_min, lat_max] =
            std::minmax_element(d_.node_coord.begin(), d_.node_coord.end(),
                                [](const Coord& a, const Coord& b) { return a.lat_e7 < b.lat_e7; });
        auto [lon_min, lon_max] =
            std::minmax_element(d_.node_coord.begin(), d_.node_coord.end(),
                                [](const Coord& a, const Coord& b) { return a.lon_e7 < b.lon_e7; });
        projection_ = geo::LocalProjection(
            {(lat_min->lat_e7 + static_cast<double>(lat_max->lat_e7)) * 0.5e-7,
             (lon_min->lon_e7 + static_cast<double>(lon_max->lon_e7)) * 0.5e-7});
    }
    snap_ = std::make_unique<detail::SnapIndex>(d_, projection_);
}

std::size_t Graph::shortcut_count() const {
    std::size_t n = 0;
    for (std::uint32_t u : d_.up_unpack)
        n += (u & kShortcutBit) != 0;
    for (std::uint32_t u : d_.down_unpack)
        n += (u & kShortcutBit) != 0;
    return n;
}

std::string_view Graph::name(SegmentId s) const {
    const std::uint32_t i = d_.seg_name[s];
    return std::string_view(d_.name_chars)
        .substr(d_.name_first[i], d_.name_first[i + 1] - d_.name_first[i]);
}

base::Result<RoadPosition> Graph::snap(geo::LatLon point, double radius_m) const {
    if (!geo::is_valid(point)) {
        return base::error(base::Code::field_invalid, "point",
                           fmt::format("coordinate {},{} is not a valid latitude,longitude",
                                       point.lat, point.lon));
    }
    if (!std::isfinite(radius_m) || radius_m < 0) {
        return base::error(base::Code::bad_argument, "radius_m",
                           "snapping radius must be a non-negative number of metres");
    }
    RoadPosition pos;
    if (snap_ && segment_count() > 0) pos = snap_->nearest(d_, point, radius_m);
    if (!pos.valid()) {
        return base::error(base::Code::off_road, "point",
                           fmt::format("no road within {:.0f} m of {:.6f},{:.6f}", radius_m,
                                       point.lat, point.lon));
    }
    return pos;
}

RoadPosition Graph::node_position(NodeId node) const {
    // Every node of a graph has an arc (strong connectivity), hence a segment.
    const std::uint32_t seg_code = d_.arc_seg[d_.first_out[node]];
    const SegmentId s = seg_code >> 1;
    RoadPosition pos;
    pos.segment = s;
    pos.offset_m = d_.seg_tail[s] == node ? 0.0 : static_cast<double>(d_.seg_length_m[s]);
    pos.point = node_latlon(node);
    return pos;
}

RoadPosition Graph::position_on(SegmentId segment, double offset_m) const {
    RoadPosition pos;
    pos.segment = segment;
    pos.offset_m = std::clamp(offset_m, 0.0, static_cast<double>(d_.seg_length_m[segment]));
    const std::uint32_t first = d_.seg_shape_first[segment];
    const std::uint32_t last = d_.seg_shape_first[segment + 1];
    std::uint32_t i = first;
    while (i + 2 < last && snap_->shape_offset_m(i + 1) <= pos.offset_m)
        ++i;
    const double a_off = snap_->shape_offset_m(i), b_off = snap_->shape_offset_m(i + 1);
    const double t =
        b_off > a_off ? std::clamp((pos.offset_m - a_off) / (b_off - a_off), 0.0, 1.0) : 0.0;
    const geo::LatLon a = d_.shape[i].latlon(), b = d_.shape[i + 1].latlon();
    pos.point = {a.lat + t * (b.lat - a.lat), a.lon + t * (b.lon - a.lon)};
    return pos;
}

std::vector<geo::LatLon> Graph::shape_between(SegmentId segment, double from_m, double to_m) const {
    std::vector<geo::LatLon> out;
    const bool reverse = from_m > to_m;
    const double lo = std::min(from_m, to_m), hi = std::max(from_m, to_m);
    out.push_back(position_on(segment, lo).point);
    const std::uint32_t first = d_.seg_shape_first[segment];
    const std::uint32_t last = d_.seg_shape_first[segment + 1];
    for (std::uint32_t i = first; i < last; ++i) {
        const double off = snap_->shape_offset_m(i);
        if (off > lo && off < hi) out.push_back(d_.shape[i].latlon());
    }
    out.push_back(position_on(segment, hi).point);
    if (reverse) std::reverse(out.begin(), out.end());
    return out;
}

namespace {

// The share of `whole` for span_m of a segment of length len (see Graph::part_time_ms).
TimeMs part_of(TimeMs whole, double len, double span_m) {
    if (span_m <= 0) return 0; // standing on a node: no direction needed
    if (whole == kNoTime) return kNoTime;
    const double frac = len > 0 ? std::min(1.0, span_m / len) : 1.0;
    return static_cast<TimeMs>(std::llround(whole * frac));
}

} // namespace

TimeMs Graph::part_time_ms(TimeMs whole, SegmentId s, double span_m) const {
    return part_of(whole, d_.seg_length_m[s], span_m);
}

int Graph::source_seeds(const RoadPosition& p, Seed out[2]) const {
    const SegmentEnds& e = seg_ends_[p.segment];
    const double len = e.length_m;
    int n = 0;
    const TimeMs to_head = part_of(e.fwd_ms, len, len - p.offset_m);
    const TimeMs to_tail = part_of(e.bwd_ms, len, p.offset_m);
    if (to_head != kNoTime) out[n++] = {e.head, to_head};
    if (to_tail != kNoTime) out[n++] = {e.tail, to_tail};
    return n;
}

int Graph::target_seeds(const RoadPosition& p, Seed out[2]) const {
    const SegmentEnds& e = seg_ends_[p.segment];
    const double len = e.length_m;
    int n = 0;
    const TimeMs from_tail = part_of(e.fwd_ms, len, p.offset_m);
    const TimeMs from_head = part_of(e.bwd_ms, len, len - p.offset_m);
    if (from_tail != kNoTime) out[n++] = {e.tail, from_tail};
    if (from_head != kNoTime) out[n++] = {e.head, from_head};
    return n;
}

TimeMs Graph::same_segment_time_ms(const RoadPosition& a, const RoadPosition& b) const {
    if (a.segment != b.segment) return kNoTime;
    const SegmentEnds& e = seg_ends_[a.segment];
    TimeMs best = kNoTime;
    if (b.offset_m >= a.offset_m) {
        best = std::min(best, part_of(e.fwd_ms, e.length_m, b.offset_m - a.offset_m));
    }
    if (b.offset_m <= a.offset_m) {
        best = std::min(best, part_of(e.bwd_ms, e.length_m, a.offset_m - b.offset_m));
    }
    return best;
}

} // namespace pingan::road
