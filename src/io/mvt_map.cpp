#include "io/mvt_map.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

#include "io/mvt_encoder.hpp"

namespace pingan::io {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kMaxMercatorLat = 85.0511287798066;

// Web Mercator in "world units": x, y in 0..1 over the whole world, y down (north at 0).
struct World {
    double x = 0;
    double y = 0;
};

World to_world(geo::LatLon p) {
    const double lat = std::clamp(p.lat, -kMaxMercatorLat, kMaxMercatorLat) * kPi / 180.0;
    return {(p.lon + 180.0) / 360.0,
            (1.0 - std::log(std::tan(lat) + 1.0 / std::cos(lat)) / kPi) / 2.0};
}

geo::LatLon from_world(World w) {
    const double n = kPi - 2.0 * kPi * w.y;
    return {180.0 / kPi * std::atan(0.5 * (std::exp(n) - std::exp(-n))), w.x * 360.0 - 180.0};
}

using BPoint = bg::model::point<double, 2, bg::cs::cartesian>;
using BBox = bg::model::box<BPoint>;
using Entry = std::pair<BBox, std::uint32_t>;

// Tile coordinates before rounding.
struct Pt {
    double x;
    double y;
};

// Liang–Barsky: clips segment a-b to [lo, hi]^2; false when nothing is left.
bool clip_segment(Pt& a, Pt& b, double lo, double hi) {
    double t0 = 0, t1 = 1;
    const double dx = b.x - a.x, dy = b.y - a.y;
    const double p[4] = {-dx, dx, -dy, dy};
    const double q[4] = {a.x - lo, hi - a.x, a.y - lo, hi - a.y};
    for (int i = 0; i < 4; ++i) {
        if (p[i] == 0) {
            if (q[i] < 0) return false;
            continue;
        }
        const double t = q[i] / p[i];
        if (p[i] < 0) {
            t0 = std::max(t0, t);
        } else {
            t1 = std::min(t1, t);
        }
        if (t0 > t1) return false;
    }
    const Pt a0 = a;
    a = {a0.x + t0 * dx, a0.y + t0 * dy};
    b = {a0.x + t1 * dx, a0.y + t1 * dy};
    return true;
}

// Sutherland–Hodgman against one edge of the box.
template <class Inside, class Cross>
std::vector<Pt> clip_edge(const std::vector<Pt>& in, Inside inside, Cross cross) {
    std::vector<Pt> out;
    if (in.empty()) return out;
    out.reserve(in.size() + 4);
    Pt prev = in.back();
    bool prev_in = inside(prev);
    for (const Pt& cur : in) {
        const bool cur_in = inside(cur);
        if (cur_in) {
            if (!prev_in) out.push_back(cross(prev, cur));
            out.push_back(cur);
        } else if (prev_in) {
            out.push_back(cross(prev, cur));
        }
        prev = cur;
        prev_in = cur_in;
    }
    return out;
}

std::vector<Pt> clip_ring(std::vector<Pt> ring, double lo, double hi) {
    auto at_x = [](Pt a, Pt b, double x) {
        return Pt{x, a.y + (b.y - a.y) * (x - a.x) / (b.x - a.x)};
    };
    auto at_y = [](Pt a, Pt b, double y) {
        return Pt{a.x + (b.x - a.x) * (y - a.y) / (b.y - a.y), y};
    };
    ring = clip_edge(
        ring, [&](Pt p) { return p.x >= lo; }, [&](Pt a, Pt b) { return at_x(a, b, lo); });
    ring = clip_edge(
        ring, [&](Pt p) { return p.x <= hi; }, [&](Pt a, Pt b) { return at_x(a, b, hi); });
    ring = clip_edge(
        ring, [&](Pt p) { return p.y >= lo; }, [&](Pt a, Pt b) { return at_y(a, b, lo); });
    ring = clip_edge(
        ring, [&](Pt p) { return p.y <= hi; }, [&](Pt a, Pt b) { return at_y(a, b, hi); });
    return ring;
}

// Douglas–Peucker on integer tile points (keeps both ends).
void simplify(const TileLine& in, double tolerance, TileLine& out) {
    out.clear();
    if (in.size() <= 2 || tolerance <= 0) {
        out = in;
        return;
    }
    std::vector<char> keep(in.size(), 0);
    keep.front() = keep.back() = 1;
    std::vector<std::pair<std::size_t, std::size_t>> stack{{0, in.size() - 1}};
    const double tol2 = tolerance * tolerance;
    while (!stack.empty()) {
        const auto [first, last] = stack.back();
        stack.pop_back();
        const double ax = in[first].x, ay = in[first].y;
        const double dx = in[last].x - ax, dy = in[last].y - ay;
        const double len2 = dx * dx + dy * dy;
        double worst = -1;
        std::size_t worst_i = first;
        for (std::size_t i = first + 1; i < last; ++i) {
            const double px = in[i].x - ax, py = in[i].y - ay;
            double d2;
            if (len2 == 0) {
                d2 = px * px + py * py;
            } else {
                const double cross = px * dy - py * dx;
                d2 = cross * cross / len2;
            }
            if (d2 > worst) {
                worst = d2;
                worst_i = i;
            }
        }
        if (worst > tol2) {
            keep[worst_i] = 1;
            if (worst_i - first > 1) stack.emplace_back(first, worst_i);
            if (last - worst_i > 1) stack.emplace_back(worst_i, last);
        }
    }
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (keep[i]) out.push_back(in[i]);
    }
}

TilePoint quantise(Pt p) {
    return {static_cast<std::int32_t>(std::lround(p.x)),
            static_cast<std::int32_t>(std::lround(p.y))};
}

// Simplification tolerance in tile units: half a pixel of a 512-pixel tile while zoomed out,
// finer at the highest zooms where people read street corners.
double tolerance_for(int z) {
    return z >= 16 ? 1.0 : 4.0;
}

struct Area {
    std::string_view layer; // the MVT layer: "jurisdictions" or "patrol_areas"
    std::string name;
    std::vector<std::vector<World>> rings; // each exterior followed by its holes
    std::vector<bool> exterior;
    BBox box;
    World label; // where the name is written
};

} // namespace

bool valid_tile(const TileId& id) {
    if (id.z < 0 || id.z > kMaxTileZoom) return false;
    const std::uint64_t n = std::uint64_t{1} << id.z;
    return id.x < n && id.y < n;
}

int min_zoom(road::RoadClass c) {
    using road::RoadClass;
    switch (c) {
    case RoadClass::motorway:
    case RoadClass::trunk:
    case RoadClass::motorway_link:
    case RoadClass::trunk_link:
        return 0;
    case RoadClass::primary:
    case RoadClass::primary_link:
        return 8;
    case RoadClass::secondary:
    case RoadClass::secondary_link:
        return 10;
    case RoadClass::tertiary:
    case RoadClass::tertiary_link:
        return 11;
    case RoadClass::unclassified:
    case RoadClass::residential:
    case RoadClass::road:
        return 13;
    case RoadClass::living_street:
    case RoadClass::service:
        return 14;
    }
    return 14;
}

struct MapTiler::Impl {
    const road::Graph* graph = nullptr;
    std::vector<World> shape;                // every segment's shape, projected once
    std::vector<std::uint32_t> shape_first;  // segment s: shape[shape_first[s] .. [s+1])
    bgi::rtree<Entry, bgi::rstar<16>> roads; // segment boxes
    std::vector<Area> areas;
    bgi::rtree<Entry, bgi::rstar<16>> area_index;
    BBox all;
    bool any = false;

    void extend(const BBox& b) {
        if (!any) {
            all = b;
            any = true;
        } else {
            bg::expand(all, b);
        }
    }

    void add_roads(const TileId& id, MvtLayer& layer) const;
    void add_areas(const TileId& id, MvtLayer& jurisdictions, MvtLayer& patrol_areas,
                   MvtLayer& labels) const;
};

MapTiler::MapTiler(const road::Graph* graph, const std::vector<geo::Boundary>& boundaries)
    : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    m.graph = graph;
    if (graph != nullptr) {
        const std::size_t n = graph->segment_count();
        m.shape_first.reserve(n + 1);
        m.shape.reserve(graph->data().shape.size());
        std::vector<Entry> boxes;
        boxes.reserve(n);
        for (road::SegmentId s = 0; s < n; ++s) {
            m.shape_first.push_back(static_cast<std::uint32_t>(m.shape.size()));
            double x0 = 2, y0 = 2, x1 = -1, y1 = -1;
            for (const road::Coord& c : graph->shape(s)) {
                const World w = to_world(c.latlon());
                m.shape.push_back(w);
                x0 = std::min(x0, w.x);
                y0 = std::min(y0, w.y);
                x1 = std::max(x1, w.x);
                y1 = std::max(y1, w.y);
            }
            if (x1 >= x0) boxes.emplace_back(BBox{{x0, y0}, {x1, y1}}, s);
        }
        m.shape_first.push_back(static_cast<std::uint32_t>(m.shape.size()));
        for (const Entry& e : boxes)
            m.extend(e.first);
        m.roads = bgi::rtree<Entry, bgi::rstar<16>>(boxes.begin(), boxes.end());
    }
    std::vector<Entry> area_boxes;
    for (const geo::Boundary& b : boundaries) {
        std::string_view layer;
        if (b.layer == "jurisdiction") {
            layer = "jurisdictions";
        } else if (b.layer == "patrol_area") {
            layer = "patrol_areas";
        } else {
            continue;
        }
        Area a;
        a.layer = layer;
        a.name = b.name;
        double x0 = 2, y0 = 2, x1 = -1, y1 = -1;
        double best_area = -1;
        for (const geo::Polygon& poly : b.shape) {
            auto add_ring = [&](const geo::Ring& ring, bool exterior) {
                std::vector<World> w;
                w.reserve(ring.size());
                for (const geo::LatLon& p : ring) {
                    w.push_back(to_world(p));
                    x0 = std::min(x0, w.back().x);
                    y0 = std::min(y0, w.back().y);
                    x1 = std::max(x1, w.back().x);
                    y1 = std::max(y1, w.back().y);
                }
                a.rings.push_back(std::move(w));
                a.exterior.push_back(exterior);
            };
            add_ring(poly.outer, true);
            for (const geo::Ring& hole : poly.holes)
                add_ring(hole, false);
            // Label at the centroid of the largest part, or inside it when the part is concave
            // enough for its centroid to fall outside.
            geo::MultiPolygon single{poly};
            const double area = geo::area_m2(single);
            if (area > best_area && !poly.outer.empty()) {
                best_area = area;
                double cx = 0, cy = 0, sum = 0;
                const auto& r = poly.outer;
                for (std::size_t i = 0; i < r.size(); ++i) {
                    const auto& p = r[i];
                    const auto& q = r[(i + 1) % r.size()];
                    const double cr = p.lon * q.lat - q.lon * p.lat;
                    sum += cr;
                    cx += (p.lon + q.lon) * cr;
                    cy += (p.lat + q.lat) * cr;
                }
                geo::LatLon c = r.front();
                if (sum != 0) c = {cy / (3 * sum), cx / (3 * sum)};
                if (!geo::contains(single, c)) c = r.front();
                a.label = to_world(c);
            }
        }
        if (x1 < x0) continue;
        a.box = BBox{{x0, y0}, {x1, y1}};
        m.extend(a.box);
        area_boxes.emplace_back(a.box, static_cast<std::uint32_t>(m.areas.size()));
        m.areas.push_back(std::move(a));
    }
    m.area_index = bgi::rtree<Entry, bgi::rstar<16>>(area_boxes.begin(), area_boxes.end());
}

MapTiler::~MapTiler() = default;

MapBounds MapTiler::bounds() const {
    MapBounds b;
    if (!impl_->any) return b;
    const geo::LatLon nw =
        from_world({impl_->all.min_corner().get<0>(), impl_->all.min_corner().get<1>()});
    const geo::LatLon se =
        from_world({impl_->all.max_corner().get<0>(), impl_->all.max_corner().get<1>()});
    b.south_west = {se.lat, nw.lon};
    b.north_east = {nw.lat, se.lon};
    b.empty = false;
    return b;
}

namespace {

// Converts world units to this tile's coordinates.
struct TileFrame {
    double scale; // tile units per world unit
    double x0, y0;
    Pt operator()(World w) const { return {(w.x - x0) * scale, (w.y - y0) * scale}; }
};

TileFrame frame_of(const TileId& id) {
    const double n = std::ldexp(1.0, id.z);
    return {n * kTileExtent, id.x / n, id.y / n};
}

BBox query_box(const TileId& id) {
    const double n = std::ldexp(1.0, id.z);
    const double pad = static_cast<double>(kTileBuffer) / kTileExtent / n;
    return {{id.x / n - pad, id.y / n - pad}, {(id.x + 1) / n + pad, (id.y + 1) / n + pad}};
}

} // namespace

void MapTiler::Impl::add_roads(const TileId& id, MvtLayer& layer) const {
    if (graph == nullptr) return;
    const TileFrame f = frame_of(id);
    const double lo = -kTileBuffer, hi = kTileExtent + kTileBuffer;
    const double tol = tolerance_for(id.z);
    std::vector<Entry> hits;
    roads.query(bgi::intersects(query_box(id)), std::back_inserter(hits));
    // Drawn in segment order so that a tile's bytes do not depend on the R-tree's layout.
    std::sort(hits.begin(), hits.end(),
              [](const Entry& a, const Entry& b) { return a.second < b.second; });
    // One feature per road class and name, holding every piece of that road in the tile. A
    // segment is only the road between two junctions: a feature each repeated the same tags for
    // every piece, and the browser's map worker took each piece as a feature of its own.
    struct Road {
        road::RoadClass cls;
        std::string_view name;
        std::vector<TileLine> lines;
    };
    std::vector<Road> roads_in_tile;
    std::unordered_map<std::string_view, std::vector<std::size_t>> by_name; // -> roads_in_tile
    std::vector<TileLine> lines;
    TileLine run, simple;
    for (const Entry& e : hits) {
        const road::SegmentId s = e.second;
        const road::RoadClass cls = graph->road_class(s);
        if (id.z < min_zoom(cls)) continue;
        // A segment smaller than the simplification tolerance is a dot at this zoom: its
        // neighbours' round line caps cover it. Skipping these halves the zoomed-out tiles.
        if (id.z < 16) {
            const double w =
                (e.first.max_corner().get<0>() - e.first.min_corner().get<0>()) * f.scale;
            const double h =
                (e.first.max_corner().get<1>() - e.first.min_corner().get<1>()) * f.scale;
            if (w < tol && h < tol) continue;
        }
        lines.clear();
        run.clear();
        const std::uint32_t first = shape_first[s], last = shape_first[s + 1];
        for (std::uint32_t i = first; i + 1 < last; ++i) {
            Pt a = f(shape[i]), b = f(shape[i + 1]);
            if (!clip_segment(a, b, lo, hi)) {
                if (!run.empty()) lines.push_back(std::move(run));
                run.clear();
                continue;
            }
            const TilePoint qa = quantise(a), qb = quantise(b);
            if (run.empty() || !(run.back() == qa)) {
                if (!run.empty()) lines.push_back(std::move(run));
                run.clear();
                run.push_back(qa);
            }
            if (!(run.back() == qb)) run.push_back(qb);
        }
        if (!run.empty()) lines.push_back(std::move(run));
        run.clear();
        if (lines.empty()) continue;
        const std::string_view name = graph->name(s);
        std::vector<std::size_t>& same_name = by_name[name];
        auto it = std::find_if(same_name.begin(), same_name.end(),
                               [&](std::size_t k) { return roads_in_tile[k].cls == cls; });
        if (it == same_name.end()) {
            same_name.push_back(roads_in_tile.size());
            roads_in_tile.push_back({cls, name, {}});
            it = same_name.end() - 1;
        }
        std::vector<TileLine>& into = roads_in_tile[*it].lines;
        for (TileLine& l : lines) {
            simplify(l, tol, simple);
            into.push_back(simple);
        }
    }
    // In the order of each road's first segment, so a tile's bytes stay the same run to run.
    for (const Road& r : roads_in_tile)
        layer.add_lines(r.lines, {{"class", road::to_string(r.cls)}, {"name", r.name}});
}

void MapTiler::Impl::add_areas(const TileId& id, MvtLayer& jurisdictions, MvtLayer& patrol_areas,
                               MvtLayer& labels) const {
    if (areas.empty()) return;
    const TileFrame f = frame_of(id);
    const double lo = -kTileBuffer, hi = kTileExtent + kTileBuffer;
    const double tol = tolerance_for(id.z);
    std::vector<Entry> hits;
    area_index.query(bgi::intersects(query_box(id)), std::back_inserter(hits));
    std::sort(hits.begin(), hits.end(),
              [](const Entry& a, const Entry& b) { return a.second < b.second; });
    std::vector<TileLine> rings;
    std::vector<Pt> pts;
    TileLine q, simple;
    for (const Entry& e : hits) {
        const Area& a = areas[e.second];
        rings.clear();
        for (const auto& ring : a.rings) {
            pts.clear();
            for (const World& w : ring)
                pts.push_back(f(w));
            pts = clip_ring(std::move(pts), lo, hi);
            q.clear();
            for (const Pt& p : pts) {
                const TilePoint t = quantise(p);
                if (q.empty() || !(q.back() == t)) q.push_back(t);
            }
            if (!q.empty()) q.push_back(q.front()); // closed for simplification
            simplify(q, tol, simple);
            rings.push_back(simple);
        }
        MvtLayer& layer = a.layer == "jurisdictions" ? jurisdictions : patrol_areas;
        layer.add_polygon(rings, a.exterior, {{"name", a.name}});
        const Pt l = f(a.label);
        if (l.x >= 0 && l.x < kTileExtent && l.y >= 0 && l.y < kTileExtent) {
            labels.add_point(quantise(l), {{"name", a.name}, {"layer", a.layer}});
        }
    }
}

std::string MapTiler::tile(const TileId& id) const {
    if (!valid_tile(id)) return {};
    std::vector<MvtLayer> layers;
    layers.reserve(4);
    layers.emplace_back("patrol_areas", kTileExtent);
    layers.emplace_back("jurisdictions", kTileExtent);
    layers.emplace_back("roads", kTileExtent);
    layers.emplace_back("area_labels", kTileExtent);
    impl_->add_areas(id, layers[1], layers[0], layers[3]);
    impl_->add_roads(id, layers[2]);
    bool any = false;
    for (const MvtLayer& l : layers)
        any = any || !l.empty();
    return any ? encode_tile(layers) : std::string();
}

} // namespace pingan::io
