#include "analytics/grid.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pingan::analytics {

PointM GridSpec::to_metres(geo::LatLon p) const {
    const geo::LocalProjection proj = projection();
    return {proj.x_m(p), proj.y_m(p)};
}

geo::LatLon GridSpec::to_latlon(PointM p) const {
    return projection().to_latlon(p.x, p.y);
}

std::optional<std::size_t> GridSpec::cell_of(PointM p) const {
    const double fx = (p.x - x0_m) / cell_m;
    const double fy = (p.y - y0_m) / cell_m;
    if (!(fx >= 0 && fy >= 0 && fx < nx && fy < ny)) return std::nullopt;
    return index(static_cast<int>(fx), static_cast<int>(fy));
}

std::optional<GridSpec> grid_covering(std::span<const geo::LatLon> points, double cell_m,
                                      double margin_m) {
    double min_lat = std::numeric_limits<double>::infinity(), max_lat = -min_lat;
    double min_lon = min_lat, max_lon = -min_lat;
    std::size_t n = 0;
    for (const geo::LatLon& p : points) {
        if (!geo::is_valid(p)) continue;
        min_lat = std::min(min_lat, p.lat);
        max_lat = std::max(max_lat, p.lat);
        min_lon = std::min(min_lon, p.lon);
        max_lon = std::max(max_lon, p.lon);
        ++n;
    }
    if (n == 0 || !(cell_m > 0)) return std::nullopt;
    GridSpec g;
    g.cell_m = cell_m;
    g.projection_origin = {(min_lat + max_lat) / 2, (min_lon + max_lon) / 2};
    const geo::LocalProjection proj(g.projection_origin);
    const double x_min = proj.x_m({min_lat, min_lon}) - margin_m;
    const double x_max = proj.x_m({max_lat, max_lon}) + margin_m;
    const double y_min = proj.y_m({min_lat, min_lon}) - margin_m;
    const double y_max = proj.y_m({max_lat, max_lon}) + margin_m;
    g.nx = std::max(1, static_cast<int>(std::ceil((x_max - x_min) / cell_m)));
    g.ny = std::max(1, static_cast<int>(std::ceil((y_max - y_min) / cell_m)));
    // Centre the grid on the points' box so the margin is the same on both sides.
    g.x0_m = (x_min + x_max) / 2 - g.nx * cell_m / 2;
    g.y0_m = (y_min + y_max) / 2 - g.ny * cell_m / 2;
    return g;
}

std::vector<PointM> to_metres(const GridSpec& grid, std::span<const geo::LatLon> points) {
    const geo::LocalProjection proj = grid.projection();
    std::vector<PointM> out;
    out.reserve(points.size());
    for (const geo::LatLon& p : points)
        out.push_back({proj.x_m(p), proj.y_m(p)});
    return out;
}

std::vector<double> count_per_cell(const GridSpec& grid, std::span<const PointM> points,
                                   std::size_t* outside) {
    std::vector<double> counts(grid.cells(), 0.0);
    std::size_t out = 0;
    for (const PointM& p : points) {
        if (auto c = grid.cell_of(p)) {
            counts[*c] += 1;
        } else {
            ++out;
        }
    }
    if (outside != nullptr) *outside = out;
    return counts;
}

} // namespace pingan::analytics
