#include "road/detail/snap_index.hpp"

#include <algorithm>
#include <iterator>
#include <limits>

namespace pingan::road::detail {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

SnapIndex::SnapIndex(const GraphData& d, const geo::LocalProjection& projection)
    : projection_(projection) {
    const std::size_t segments = d.seg_tail.size();
    shape_offset_m_.resize(d.shape.size());
    shape_seg_.resize(d.shape.size());
    std::vector<Value> pieces;
    pieces.reserve(d.shape.size());
    for (SegmentId s = 0; s < segments; ++s) {
        const std::uint32_t first = d.seg_shape_first[s];
        const std::uint32_t last = d.seg_shape_first[s + 1];
        double offset = 0;
        for (std::uint32_t i = first; i < last; ++i) {
            if (i > first) offset += geo::distance_m(d.shape[i - 1].latlon(), d.shape[i].latlon());
            shape_offset_m_[i] = static_cast<float>(offset);
            shape_seg_[i] = s;
            if (i + 1 < last) {
                const geo::LatLon a = d.shape[i].latlon();
                const geo::LatLon b = d.shape[i + 1].latlon();
                const double ax = projection.x_m(a), ay = projection.y_m(a);
                const double bx = projection.x_m(b), by = projection.y_m(b);
                pieces.emplace_back(Box{Point{std::min(ax, bx), std::min(ay, by)},
                                        Point{std::max(ax, bx), std::max(ay, by)}},
                                    i);
            }
        }
    }
    // The range constructor bulk-loads (packing), much faster than inserting one by one.
    rtree_ = decltype(rtree_)(pieces.begin(), pieces.end());
}

RoadPosition SnapIndex::nearest(const GraphData& d, geo::LatLon point, double radius_m) const {
    const double px = projection_.x_m(point), py = projection_.y_m(point);
    const Point query{px, py};
    double best_d2 = radius_m * radius_m;
    std::uint32_t best_piece = kInvalid;
    double best_t = 0;
    // The k pieces with the nearest bounding boxes; a piece left out is at least as far as the
    // k-th box, so the answer is final once the best exact distance is within that bound.
    // Otherwise k grows (rare: long diagonal pieces near the point).
    std::vector<Value> found;
    for (unsigned k = 16;; k *= 4) {
        found.clear();
        rtree_.query(bgi::nearest(query, k), std::back_inserter(found));
        double kth_box_d2 = 0;
        for (const Value& v : found) {
            const double box_d2 = bg::comparable_distance(query, v.first);
            kth_box_d2 = std::max(kth_box_d2, box_d2);
            if (box_d2 > best_d2) continue;
            const std::uint32_t i = v.second;
            const geo::LatLon a = d.shape[i].latlon();
            const geo::LatLon b = d.shape[i + 1].latlon();
            const double ax = projection_.x_m(a), ay = projection_.y_m(a);
            const double dx = projection_.x_m(b) - ax, dy = projection_.y_m(b) - ay;
            const double len2 = dx * dx + dy * dy;
            double t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0.0;
            t = std::clamp(t, 0.0, 1.0);
            const double ex = ax + t * dx - px, ey = ay + t * dy - py;
            const double d2 = ex * ex + ey * ey;
            // Ties (a junction shared by several pieces) go to the lowest piece index, so
            // that snapping is deterministic.
            if (d2 < best_d2 || (d2 == best_d2 && i < best_piece)) {
                best_d2 = d2;
                best_piece = i;
                best_t = t;
            }
        }
        if (found.size() < k || kth_box_d2 >= best_d2) break;
    }
    RoadPosition pos;
    if (best_piece == kInvalid) return pos;
    const SegmentId s = shape_seg_[best_piece];
    const double piece_len = shape_offset_m_[best_piece + 1] - shape_offset_m_[best_piece];
    pos.segment = s;
    pos.offset_m = std::clamp(shape_offset_m_[best_piece] + best_t * piece_len, 0.0,
                              static_cast<double>(d.seg_length_m[s]));
    const geo::LatLon a = d.shape[best_piece].latlon();
    const geo::LatLon b = d.shape[best_piece + 1].latlon();
    pos.point = {a.lat + best_t * (b.lat - a.lat), a.lon + best_t * (b.lon - a.lon)};
    pos.snap_distance_m = geo::distance_m(point, pos.point);
    return pos;
}

} // namespace pingan::road::detail
