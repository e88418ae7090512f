// Boost 1.74 rescales coordinates to long long for is_valid and intersects (its "robustness"
// policy) and then multiplies them without an overflow check: a ring with one far-flung vertex
// overflows (fuzz_geojson found it; tests/fuzz-corpus/geojson/). Newer Boost no longer
// rescales by default. This is the only file that runs Boost's overlay algorithms, so the
// switch is set here, before any Boost.Geometry header.
#define BOOST_GEOMETRY_NO_ROBUSTNESS

#include "geo/boundary.hpp"

#include <map>

#include <boost/geometry.hpp>
#include <boost/geometry/geometries/box.hpp>
#include <boost/geometry/geometries/multi_polygon.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/geometry/geometries/polygon.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <fmt/core.h>

namespace pingan::geo {
namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using BgPoint = bg::model::d2::point_xy<double>; // x = lon, y = lat (degrees)
using BgPolygon = bg::model::polygon<BgPoint>;   // clockwise outer ring by Boost's default
using BgMulti = bg::model::multi_polygon<BgPolygon>;
using BgBox = bg::model::box<BgPoint>;

BgMulti to_bg(const MultiPolygon& shape) {
    BgMulti out;
    for (const Polygon& p : shape) {
        BgPolygon bp;
        for (const LatLon& v : p.outer)
            bp.outer().emplace_back(v.lon, v.lat);
        for (const Ring& h : p.holes) {
            bp.inners().emplace_back();
            for (const LatLon& v : h)
                bp.inners().back().emplace_back(v.lon, v.lat);
        }
        out.push_back(std::move(bp));
    }
    return out;
}

Ring from_bg(const bg::model::ring<BgPoint>& r) {
    Ring out;
    out.reserve(r.size());
    for (const BgPoint& p : r)
        out.push_back({p.y(), p.x()});
    return out;
}

MultiPolygon from_bg(const BgMulti& m) {
    MultiPolygon out;
    for (const BgPolygon& p : m) {
        Polygon poly;
        poly.outer = from_bg(p.outer());
        for (const auto& h : p.inners())
            poly.holes.push_back(from_bg(h));
        out.push_back(std::move(poly));
    }
    return out;
}

std::string failure_words(bg::validity_failure_type f) {
    switch (f) {
    case bg::failure_few_points:
        return "a ring has fewer than three distinct points";
    case bg::failure_wrong_topological_dimension:
        return "it is not an area";
    case bg::failure_spikes:
        return "a ring doubles back on itself (spike)";
    case bg::failure_duplicate_points:
        return "a ring repeats a point";
    case bg::failure_not_closed:
        return "a ring is not closed";
    case bg::failure_self_intersections:
        return "its edges cross each other (self-intersection)";
    case bg::failure_wrong_orientation:
        return "a ring runs the wrong way";
    case bg::failure_interior_rings_outside:
        return "a hole lies outside its polygon";
    case bg::failure_nested_interior_rings:
        return "holes are nested in holes";
    case bg::failure_disconnected_interior:
        return "holes cut the polygon apart";
    case bg::failure_intersecting_interiors:
        return "polygons of the same area overlap";
    case bg::failure_wrong_corner_order:
        return "a box has its corners in the wrong order";
    case bg::failure_invalid_coordinate:
        return "a coordinate is not a number";
    default:
        return "it is not a valid polygon";
    }
}

} // namespace

base::Result<std::vector<std::string>> normalise(MultiPolygon& shape) {
    if (shape.empty())
        return base::error(base::Code::field_invalid, "geometry", "geometry: no polygon");
    for (const Polygon& p : shape) {
        if (p.outer.size() < 3) {
            return base::error(base::Code::field_invalid, "geometry",
                               "geometry: a ring has fewer than three points");
        }
        auto check = [](const Ring& r) -> base::Status {
            for (const LatLon& v : r) {
                if (!is_valid(v)) {
                    return base::error(base::Code::field_invalid, "geometry",
                                       fmt::format("geometry: coordinate {},{} is out of range "
                                                   "(GeoJSON order is longitude, latitude)",
                                                   v.lon, v.lat));
                }
            }
            return {};
        };
        if (auto ok = check(p.outer); !ok) return ok.error();
        for (const Ring& h : p.holes) {
            if (auto ok = check(h); !ok) return ok.error();
        }
    }
    BgMulti m = to_bg(shape);
    bg::correct(m);
    bg::unique(m);
    bg::remove_spikes(m);
    bg::correct(m);
    std::vector<std::string> warnings;
    bg::validity_failure_type failure = bg::no_failure;
    if (!bg::is_valid(m, failure)) {
        // A figure-eight "corrects" into a wrongly oriented ring; name the real problem.
        if (failure == bg::failure_wrong_orientation || bg::intersects(m)) {
            failure = bg::failure_self_intersections;
        }
        warnings.push_back(failure_words(failure));
    }
    shape = from_bg(m);
    for (const Polygon& p : shape) {
        if (p.outer.size() < 3) {
            return base::error(base::Code::field_invalid, "geometry",
                               "geometry: a ring has fewer than three distinct points");
        }
    }
    return warnings;
}

namespace {

// Crossing test of one ring (closed or not). Points on an edge set `on_edge`.
bool ring_crossings(const Ring& r, LatLon p, bool& on_edge) {
    bool inside = false;
    const std::size_t n = r.size();
    for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
        const LatLon& a = r[i];
        const LatLon& b = r[j];
        // On the segment a-b?
        const double cross = (b.lon - a.lon) * (p.lat - a.lat) - (b.lat - a.lat) * (p.lon - a.lon);
        if (std::abs(cross) < 1e-12 && p.lon >= std::min(a.lon, b.lon) - 1e-12 &&
            p.lon <= std::max(a.lon, b.lon) + 1e-12 && p.lat >= std::min(a.lat, b.lat) - 1e-12 &&
            p.lat <= std::max(a.lat, b.lat) + 1e-12) {
            on_edge = true;
        }
        if ((a.lat > p.lat) != (b.lat > p.lat)) {
            const double x = a.lon + (p.lat - a.lat) * (b.lon - a.lon) / (b.lat - a.lat);
            if (p.lon < x) inside = !inside;
        }
    }
    return inside;
}

} // namespace

bool contains(const MultiPolygon& shape, LatLon p) {
    bool inside = false;
    for (const Polygon& poly : shape) {
        bool on_edge = false;
        bool in = ring_crossings(poly.outer, p, on_edge);
        for (const Ring& h : poly.holes) {
            if (ring_crossings(h, p, on_edge)) in = !in;
        }
        if (on_edge) return true;
        if (in) inside = !inside;
    }
    return inside;
}

double area_m2(const MultiPolygon& shape) {
    if (shape.empty() || shape[0].outer.empty()) return 0;
    const LocalProjection proj(shape[0].outer[0]);
    double total = 0;
    auto ring_area = [&](const Ring& r) {
        double a = 0;
        for (std::size_t i = 0; i + 1 < r.size(); ++i) {
            a += proj.x_m(r[i]) * proj.y_m(r[i + 1]) - proj.x_m(r[i + 1]) * proj.y_m(r[i]);
        }
        return std::abs(a) / 2;
    };
    for (const Polygon& p : shape) {
        total += ring_area(p.outer);
        for (const Ring& h : p.holes)
            total -= ring_area(h);
    }
    return total;
}

struct BoundaryIndex::Impl {
    struct Entry {
        Boundary boundary;
        double area = 0;
    };
    using Tree = bgi::rtree<std::pair<BgBox, std::size_t>, bgi::rstar<16>>;
    std::vector<Entry> entries;
    std::map<std::string, Tree, std::less<>> trees; // per layer
};

BoundaryIndex::BoundaryIndex() : impl_(std::make_unique<Impl>()) {}
BoundaryIndex::~BoundaryIndex() = default;
BoundaryIndex::BoundaryIndex(BoundaryIndex&&) noexcept = default;
BoundaryIndex& BoundaryIndex::operator=(BoundaryIndex&&) noexcept = default;

void BoundaryIndex::add(Boundary b) {
    Impl::Entry e;
    e.area = area_m2(b.shape);
    const BgBox box = bg::return_envelope<BgBox>(to_bg(b.shape));
    e.boundary = std::move(b);
    impl_->trees[e.boundary.layer].insert({box, impl_->entries.size()});
    impl_->entries.push_back(std::move(e));
}

const Boundary* BoundaryIndex::locate(std::string_view layer, LatLon p) const {
    auto tree = impl_->trees.find(layer);
    if (tree == impl_->trees.end()) return nullptr;
    const BgPoint point(p.lon, p.lat);
    const Impl::Entry* best = nullptr; // the smallest containing area
    for (auto it = tree->second.qbegin(bgi::intersects(point)); it != tree->second.qend(); ++it) {
        const Impl::Entry& e = impl_->entries[it->second];
        if ((best == nullptr || e.area < best->area) && contains(e.boundary.shape, p)) best = &e;
    }
    return best != nullptr ? &best->boundary : nullptr;
}

std::size_t BoundaryIndex::size() const {
    return impl_->entries.size();
}

std::vector<std::string> BoundaryIndex::layers() const {
    std::vector<std::string> out;
    for (const auto& [name, tree] : impl_->trees)
        out.push_back(name);
    return out;
}

} // namespace pingan::geo
