#include "cameras/coverage.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <unordered_map>

#include <fmt/core.h>

namespace pingan::cameras {
namespace {

using detail::Cone;

constexpr double kMPerDegLat = geo::kEarthRadiusM * geo::kDegToRad; // as in geo::LocalProjection
constexpr double kRadToDeg = 1 / geo::kDegToRad;
// Slack that keeps the inclusive edges inclusive despite rounding: about 1e-9 rad on the cone's
// sides (0.3 µm at 300 m) and a relative 1e-9 on the range.
constexpr double kEdgeSlack = 1e-9;

// Bounding boxes grow by this much (metres, plus 1e-6 of the range) so that rounding in the
// conversions between the camera's plane, degrees and the grid's plane never loses a point
// the cone test accepts.
constexpr double kBoxMarginM = 1e-3;

// Longitude difference b - a in [-180, 180]: a cone may reach across the antimeridian.
double delta_lon(double a, double b) {
    double d = b - a;
    if (d > 180) {
        d -= 360;
    } else if (d < -180) {
        d += 360;
    }
    return d;
}

Cone make_cone(const Camera& c) {
    const double h = c.heading_deg * geo::kDegToRad;
    const double half = c.fov_deg / 2 * geo::kDegToRad;
    Cone k;
    k.lat = c.position.lat;
    k.lon = c.position.lon;
    k.m_per_deg_lon = kMPerDegLat * std::cos(c.position.lat * geo::kDegToRad);
    k.sin_h = std::sin(h);
    k.cos_h = std::cos(h);
    k.sin_half = std::sin(half);
    k.cos_half = std::cos(half);
    k.range2 = c.range_m * c.range_m * (1 + 2 * kEdgeSlack);
    return k;
}

// The cone test. dx, dy: the point in the camera's plane (metres east, north), set whenever
// the function returns true.
// With u = the point's component along the axis and v = across it, the angle off the axis is
// atan2(|v|, u), and for any half-angle in [0, 180°]
//     angle <= half  <=>  sin(half) * u - cos(half) * |v| >= 0      (= d * sin(half - angle)),
// one expression for narrow lenses, wide ones (> 180°) and domes, with no trigonometry per
// point and no square root.
inline bool covers(const Cone& k, geo::LatLon p, double& dx, double& dy) {
    dx = delta_lon(k.lon, p.lon) * k.m_per_deg_lon;
    dy = (p.lat - k.lat) * kMPerDegLat;
    if (!(dx * dx + dy * dy <= k.range2)) return false;
    const double u = dx * k.sin_h + dy * k.cos_h;
    const double v = dx * k.cos_h - dy * k.sin_h;
    const double abs_v = std::abs(v);
    // The slack is scaled by |u| + |v|, which lies within [d, 1.5 d]: an angle, not a length.
    return k.sin_half * u - k.cos_half * abs_v >= -kEdgeSlack * (std::abs(u) + abs_v);
}

// Distance, bearing, off-axis angle and score of a covered point.
Sight measure(const Cone& k, const Camera& c, double dx, double dy) {
    Sight s;
    s.distance_m = std::sqrt(dx * dx + dy * dy);
    if (s.distance_m == 0) {
        // On the camera itself: no bearing of its own; it is dead ahead.
        s.bearing_deg = c.heading_deg;
        s.off_axis_deg = 0;
    } else {
        s.bearing_deg = std::atan2(dx, dy) * kRadToDeg;
        if (s.bearing_deg < 0) s.bearing_deg += 360;
        if (s.bearing_deg >= 360) s.bearing_deg -= 360; // -1e-20 + 360 rounds to 360
        const double u = dx * k.sin_h + dy * k.cos_h;
        const double v = dx * k.cos_h - dy * k.sin_h;
        s.off_axis_deg = std::atan2(v, u) * kRadToDeg;
        if (s.off_axis_deg <= -180) s.off_axis_deg += 360;
    }
    s.score = s.distance_m / c.range_m;
    if (c.fov_deg < 360) s.score += 0.5 * std::abs(s.off_axis_deg) / (c.fov_deg / 2);
    return s;
}

// Smallest angle between two bearings, in [0, 180].
double angle_between_deg(double a, double b) {
    const double d = std::fmod(std::abs(a - b), 360.0);
    return d > 180 ? 360 - d : d;
}

struct Box {
    double x_lo, y_lo, x_hi, y_hi;
};

// The bounding box of a camera's cone in its own plane (metres), with the margin.
Box cone_box(const Camera& c) {
    const double r = c.range_m;
    Box b{0, 0, 0, 0}; // the apex
    auto add = [&b](double x, double y) {
        b.x_lo = std::min(b.x_lo, x);
        b.x_hi = std::max(b.x_hi, x);
        b.y_lo = std::min(b.y_lo, y);
        b.y_hi = std::max(b.y_hi, y);
    };
    if (c.fov_deg >= 360) {
        add(-r, -r);
        add(r, r);
    } else {
        const double half = c.fov_deg / 2;
        for (double edge : {c.heading_deg - half, c.heading_deg + half})
            add(r * std::sin(edge * geo::kDegToRad), r * std::cos(edge * geo::kDegToRad));
        // The arc bulges out to the compass points it passes.
        if (angle_between_deg(0, c.heading_deg) <= half) add(0, r);
        if (angle_between_deg(90, c.heading_deg) <= half) add(r, 0);
        if (angle_between_deg(180, c.heading_deg) <= half) add(0, -r);
        if (angle_between_deg(270, c.heading_deg) <= half) add(-r, 0);
    }
    const double m = kBoxMarginM + 1e-6 * r;
    return {b.x_lo - m, b.y_lo - m, b.x_hi + m, b.y_hi + m};
}

// Grid cells of a box along one axis, given the grid's origin and cell size: floor((v - v0) /
// cell), clamped. The same arithmetic places query points, so a point inside the box always
// lands in one of the box's cells.
double cell_coord(double v, double v0, double cell) {
    return std::floor((v - v0) / cell);
}

bool inside(const Viewport& view, bool wraps, geo::LatLon p) {
    if (p.lat < view.south_west.lat || p.lat > view.north_east.lat) return false;
    return wraps ? (p.lon >= view.south_west.lon || p.lon <= view.north_east.lon)
                 : (p.lon >= view.south_west.lon && p.lon <= view.north_east.lon);
}

} // namespace

std::optional<Sight> sight(const Camera& camera, geo::LatLon p) {
    if (!geo::is_valid(p)) return std::nullopt;
    const Cone k = make_cone(camera);
    double dx = 0, dy = 0;
    if (!covers(k, p, dx, dy)) return std::nullopt;
    return measure(k, camera, dx, dy);
}

base::Result<CameraIndex> CameraIndex::build(std::vector<Camera> cameras) {
    if (cameras.size() >= std::numeric_limits<std::uint32_t>::max()) {
        return base::error(base::Code::bad_argument, "cameras", "cameras: too many for one index");
    }
    std::unordered_map<std::string_view, std::size_t> seen;
    seen.reserve(cameras.size());
    for (std::size_t i = 0; i < cameras.size(); ++i) {
        const Camera& c = cameras[i];
        if (auto ok = validate(c); !ok) {
            base::Error e = ok.error();
            e.detail = fmt::format("camera {} ({}): {}", i, c.id, e.detail);
            return e;
        }
        const auto [it, fresh] = seen.emplace(c.id, i);
        if (!fresh) {
            return base::error(
                base::Code::field_invalid, "id",
                fmt::format("camera {} ({}): id: already used by camera {}", i, c.id, it->second));
        }
    }

    CameraIndex ix;
    ix.cameras_ = std::move(cameras);
    const std::size_t n = ix.cameras_.size();
    for (std::uint32_t i = 0; i < n; ++i)
        ix.by_id_.emplace(ix.cameras_[i].id, i);
    ix.cones_.reserve(n);
    for (const Camera& c : ix.cameras_)
        ix.cones_.push_back(make_cone(c));
    if (n == 0) return ix;

    // The grid's projection is centred on the set, so its own distortion stays small where
    // the cameras are; its bounding boxes are exact anyway (both planes are equirectangular, so
    // one maps to the other by scaling each axis).
    double lat_lo = 90, lat_hi = -90, lon_lo = 180, lon_hi = -180;
    for (const Camera& c : ix.cameras_) {
        lat_lo = std::min(lat_lo, c.position.lat);
        lat_hi = std::max(lat_hi, c.position.lat);
        lon_lo = std::min(lon_lo, c.position.lon);
        lon_hi = std::max(lon_hi, c.position.lon);
    }
    ix.projection_ = geo::LocalProjection({(lat_lo + lat_hi) / 2, (lon_lo + lon_hi) / 2});

    std::vector<Box> boxes(n); // in the grid's plane
    std::vector<std::uint32_t> gridded;
    gridded.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        const Camera& c = ix.cameras_[i];
        const Box b = cone_box(c);
        const double south = c.position.lat + b.y_lo / kMPerDegLat;
        const double north = c.position.lat + b.y_hi / kMPerDegLat;
        const double west = c.position.lon + b.x_lo / ix.cones_[i].m_per_deg_lon;
        const double east = c.position.lon + b.x_hi / ix.cones_[i].m_per_deg_lon;
        // Across the antimeridian or a pole (or degenerate at a pole): not in the grid.
        if (!(south >= -90 && north <= 90 && west >= -180 && east <= 180)) {
            ix.always_.push_back(i);
            continue;
        }
        boxes[i] = {ix.projection_.x_m({south, west}), ix.projection_.y_m({south, west}),
                    ix.projection_.x_m({north, east}), ix.projection_.y_m({north, east})};
        gridded.push_back(i);
    }
    if (gridded.empty()) {
        ix.off_grid_.resize(n);
        for (std::uint32_t i = 0; i < n; ++i)
            ix.off_grid_[i] = i;
        return ix;
    }

    double x_lo = boxes[gridded[0]].x_lo, x_hi = boxes[gridded[0]].x_hi;
    double y_lo = boxes[gridded[0]].y_lo, y_hi = boxes[gridded[0]].y_hi;
    std::vector<double> sides;
    sides.reserve(gridded.size());
    for (std::uint32_t i : gridded) {
        const Box& b = boxes[i];
        x_lo = std::min(x_lo, b.x_lo);
        x_hi = std::max(x_hi, b.x_hi);
        y_lo = std::min(y_lo, b.y_lo);
        y_hi = std::max(y_hi, b.y_hi);
        sides.push_back(std::max(b.x_hi - b.x_lo, b.y_hi - b.y_lo));
    }
    // Cell size: half the median cone box side, so a typical cone spans about 3 x 3 cells and a
    // query tests about twice the cameras whose boxes hold the point. Grown until the grid and
    // its lists stay linear in the number of cameras, whatever the mix of ranges and extent
    // (a few long-range cameras then cost a coarser grid, never quadratic memory).
    std::nth_element(sides.begin(), sides.begin() + sides.size() / 2, sides.end());
    double cell = std::max(1.0, sides[sides.size() / 2] / 2);
    const double width = x_hi - x_lo, height = y_hi - y_lo;
    const double max_cells = 4096.0 + 16.0 * static_cast<double>(gridded.size());
    const double max_entries = 1024.0 + 64.0 * static_cast<double>(gridded.size());
    auto spans = [&](const Box& b, double s) {
        return (std::floor((b.x_hi - x_lo) / s) - std::floor((b.x_lo - x_lo) / s) + 1) *
               (std::floor((b.y_hi - y_lo) / s) - std::floor((b.y_lo - y_lo) / s) + 1);
    };
    while (true) {
        const double cells = (std::floor(width / cell) + 1) * (std::floor(height / cell) + 1);
        double entries = 0;
        if (cells <= max_cells) {
            for (std::uint32_t i : gridded)
                entries += spans(boxes[i], cell);
        }
        if (cells <= max_cells && entries <= max_entries) break;
        cell *= 1.5;
    }
    ix.cell_m_ = cell;
    ix.x0_m_ = x_lo;
    ix.y0_m_ = y_lo;
    ix.nx_ = static_cast<std::size_t>(std::floor(width / cell)) + 1;
    ix.ny_ = static_cast<std::size_t>(std::floor(height / cell)) + 1;

    // Cells of a box, clamped to the grid against rounding at its rim.
    struct Span {
        std::size_t x_lo, x_hi, y_lo, y_hi;
    };
    auto span_of = [&ix](const Box& b) {
        auto clamp = [](double v, std::size_t count) {
            return static_cast<std::size_t>(std::clamp(v, 0.0, static_cast<double>(count - 1)));
        };
        return Span{clamp(cell_coord(b.x_lo, ix.x0_m_, ix.cell_m_), ix.nx_),
                    clamp(cell_coord(b.x_hi, ix.x0_m_, ix.cell_m_), ix.nx_),
                    clamp(cell_coord(b.y_lo, ix.y0_m_, ix.cell_m_), ix.ny_),
                    clamp(cell_coord(b.y_hi, ix.y0_m_, ix.cell_m_), ix.ny_)};
    };
    // Counting pass, prefix sums, filling pass (cameras in ascending order within a cell).
    ix.cone_first_.assign(ix.nx_ * ix.ny_ + 1, 0);
    for (std::uint32_t i : gridded) {
        const Span s = span_of(boxes[i]);
        for (std::size_t y = s.y_lo; y <= s.y_hi; ++y) {
            for (std::size_t x = s.x_lo; x <= s.x_hi; ++x)
                ++ix.cone_first_[y * ix.nx_ + x + 1];
        }
    }
    for (std::size_t c = 1; c < ix.cone_first_.size(); ++c)
        ix.cone_first_[c] += ix.cone_first_[c - 1];
    ix.cone_cells_.resize(ix.cone_first_.back());
    std::vector<std::uint32_t> fill(ix.cone_first_.begin(), ix.cone_first_.end() - 1);
    for (std::uint32_t i : gridded) {
        const Span s = span_of(boxes[i]);
        for (std::size_t y = s.y_lo; y <= s.y_hi; ++y) {
            for (std::size_t x = s.x_lo; x <= s.x_hi; ++x)
                ix.cone_cells_[fill[y * ix.nx_ + x]++] = i;
        }
    }

    // Positions: each camera in the one cell it stands in, or in off_grid_.
    std::vector<std::size_t> position_cell(n);
    ix.position_first_.assign(ix.nx_ * ix.ny_ + 1, 0);
    for (std::uint32_t i = 0; i < n; ++i) {
        const geo::LatLon p = ix.cameras_[i].position;
        if (ix.cell_of(ix.projection_.x_m(p), ix.projection_.y_m(p), position_cell[i])) {
            ++ix.position_first_[position_cell[i] + 1];
        } else {
            position_cell[i] = std::numeric_limits<std::size_t>::max();
            ix.off_grid_.push_back(i);
        }
    }
    for (std::size_t c = 1; c < ix.position_first_.size(); ++c)
        ix.position_first_[c] += ix.position_first_[c - 1];
    ix.position_cells_.resize(ix.position_first_.back());
    fill.assign(ix.position_first_.begin(), ix.position_first_.end() - 1);
    for (std::uint32_t i = 0; i < n; ++i) {
        if (position_cell[i] != std::numeric_limits<std::size_t>::max())
            ix.position_cells_[fill[position_cell[i]]++] = {ix.cameras_[i].position, i};
    }
    return ix;
}

bool CameraIndex::cell_of(double x_m, double y_m, std::size_t& cell) const {
    const double fx = cell_coord(x_m, x0_m_, cell_m_);
    const double fy = cell_coord(y_m, y0_m_, cell_m_);
    // Written as !(inside) so that NaN lands outside.
    if (!(fx >= 0 && fx < static_cast<double>(nx_) && fy >= 0 && fy < static_cast<double>(ny_)))
        return false;
    cell = static_cast<std::size_t>(fy) * nx_ + static_cast<std::size_t>(fx);
    return true;
}

void CameraIndex::rank(std::vector<CoveringCamera>& out) const {
    std::sort(out.begin(), out.end(), [this](const CoveringCamera& a, const CoveringCamera& b) {
        if (a.sight.score != b.sight.score) return a.sight.score < b.sight.score;
        return cameras_[a.camera].id < cameras_[b.camera].id;
    });
}

std::vector<CoveringCamera> CameraIndex::covering(geo::LatLon p) const {
    std::vector<CoveringCamera> out;
    covering(p, out);
    return out;
}

void CameraIndex::covering(geo::LatLon p, std::vector<CoveringCamera>& out) const {
    out.clear();
    if (!geo::is_valid(p)) return;
    double dx = 0, dy = 0;
    auto test = [&](std::uint32_t i) {
        if (covers(cones_[i], p, dx, dy))
            out.push_back({i, measure(cones_[i], cameras_[i], dx, dy)});
    };
    std::size_t cell = 0;
    if (nx_ > 0 && cell_of(projection_.x_m(p), projection_.y_m(p), cell)) {
        for (std::uint32_t k = cone_first_[cell]; k < cone_first_[cell + 1]; ++k)
            test(cone_cells_[k]);
    }
    for (std::uint32_t i : always_)
        test(i);
    rank(out);
}

void CameraIndex::covering_scan(geo::LatLon p, std::vector<CoveringCamera>& out) const {
    out.clear();
    if (!geo::is_valid(p)) return;
    double dx = 0, dy = 0;
    for (std::uint32_t i = 0; i < cones_.size(); ++i) {
        if (covers(cones_[i], p, dx, dy))
            out.push_back({i, measure(cones_[i], cameras_[i], dx, dy)});
    }
    rank(out);
}

void CameraIndex::scan_viewport(const Viewport& view, bool wraps, InView& out) const {
    geo::LatLon centre{(view.south_west.lat + view.north_east.lat) / 2,
                       (view.south_west.lon + view.north_east.lon) / 2};
    if (wraps) {
        centre.lon += 180; // the middle of west..180..east
        if (centre.lon > 180) centre.lon -= 360;
    }
    const double m_per_deg_lon = kMPerDegLat * std::cos(centre.lat * geo::kDegToRad);
    // Squared distances here; in_view takes the roots of the few it keeps.
    auto offer = [&](geo::LatLon p, std::uint32_t i) {
        if (!inside(view, wraps, p)) return;
        const double dx = delta_lon(centre.lon, p.lon) * m_per_deg_lon;
        const double dy = (p.lat - centre.lat) * kMPerDegLat;
        out.cameras.push_back({i, dx * dx + dy * dy});
    };
    if (wraps || nx_ == 0) {
        // A viewport across the antimeridian is rare enough to scan for.
        for (std::uint32_t i = 0; i < cameras_.size(); ++i)
            offer(cameras_[i].position, i);
        return;
    }
    // Corners in the grid's plane; x and y grow with longitude and latitude, so every camera
    // inside the viewport lies in the cells between them.
    auto clamp = [](double v, std::size_t count) {
        return static_cast<std::size_t>(std::clamp(v, 0.0, static_cast<double>(count - 1)));
    };
    const double fx_lo = cell_coord(projection_.x_m(view.south_west), x0_m_, cell_m_);
    const double fx_hi = cell_coord(projection_.x_m(view.north_east), x0_m_, cell_m_);
    const double fy_lo = cell_coord(projection_.y_m(view.south_west), y0_m_, cell_m_);
    const double fy_hi = cell_coord(projection_.y_m(view.north_east), y0_m_, cell_m_);
    if (fx_hi >= 0 && fx_lo < static_cast<double>(nx_) && fy_hi >= 0 &&
        fy_lo < static_cast<double>(ny_)) {
        const std::size_t x_lo = clamp(fx_lo, nx_), x_hi = clamp(fx_hi, nx_);
        const std::size_t y_lo = clamp(fy_lo, ny_), y_hi = clamp(fy_hi, ny_);
        // Cells are row-major, so one row's cells x_lo..x_hi are one run of entries.
        std::size_t upper = 0;
        for (std::size_t y = y_lo; y <= y_hi; ++y)
            upper += position_first_[y * nx_ + x_hi + 1] - position_first_[y * nx_ + x_lo];
        out.cameras.reserve(upper + off_grid_.size());
        for (std::size_t y = y_lo; y <= y_hi; ++y) {
            const std::uint32_t end = position_first_[y * nx_ + x_hi + 1];
            for (std::uint32_t k = position_first_[y * nx_ + x_lo]; k < end; ++k)
                offer(position_cells_[k].position, position_cells_[k].camera);
        }
    }
    for (std::uint32_t i : off_grid_)
        offer(cameras_[i].position, i);
}

InView CameraIndex::in_view(const Viewport& view, std::size_t limit) const {
    InView out;
    if (!geo::is_valid(view.south_west) || !geo::is_valid(view.north_east) ||
        view.south_west.lat > view.north_east.lat) {
        return out;
    }
    scan_viewport(view, view.south_west.lon > view.north_east.lon, out);
    out.total = out.cameras.size();
    // distance_m holds squared distances until the roots are taken below.
    auto closer = [this](const CameraInView& a, const CameraInView& b) {
        if (a.distance_m != b.distance_m) return a.distance_m < b.distance_m;
        return cameras_[a.camera].id < cameras_[b.camera].id;
    };
    if (out.cameras.size() > limit) {
        // Selection, then a sort of the few kept: a partial_sort's heap would be replaced at
        // almost every step here, as cells come in rows towards the centre.
        const auto keep = out.cameras.begin() + static_cast<std::ptrdiff_t>(limit);
        if (limit > 0) std::nth_element(out.cameras.begin(), keep - 1, out.cameras.end(), closer);
        out.cameras.resize(limit);
        std::sort(out.cameras.begin(), out.cameras.end(), closer);
    } else {
        std::sort(out.cameras.begin(), out.cameras.end(), closer);
    }
    for (CameraInView& c : out.cameras)
        c.distance_m = std::sqrt(c.distance_m);
    return out;
}

const Camera* CameraIndex::find(std::string_view id) const {
    auto it = by_id_.find(std::string(id));
    return it == by_id_.end() ? nullptr : &cameras_[it->second];
}

std::vector<std::string> CameraIndex::stream_origins() const {
    std::vector<std::string> out;
    for (const Camera& c : cameras_) {
        if (auto origin = stream_origin(c)) out.push_back(*origin);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

} // namespace pingan::cameras
