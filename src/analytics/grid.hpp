// A regular grid of square cells for place-based analyses (kernel density, Gi*). Cells are
// laid out in a local metric projection (geo::LocalProjection) centred on the area, so a
// cell is cell_m × cell_m metres on the ground within a city's extent.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "geo/latlon.hpp"

namespace pingan::analytics {

// A position in grid metres: x east, y north of the projection origin.
struct PointM {
    double x = 0;
    double y = 0;
};

struct GridSpec {
    geo::LatLon projection_origin; // centre of the local projection
    double x0_m = 0;               // west edge of column 0, metres east of the origin
    double y0_m = 0;               // south edge of row 0, metres north of the origin
    double cell_m = 100;           // side of a cell
    int nx = 0;                    // columns (west to east)
    int ny = 0;                    // rows (south to north)

    std::size_t cells() const {
        return static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny);
    }
    // Cells are stored row-major: index = iy * nx + ix.
    std::size_t index(int ix, int iy) const {
        return static_cast<std::size_t>(iy) * static_cast<std::size_t>(nx) +
               static_cast<std::size_t>(ix);
    }
    geo::LocalProjection projection() const { return geo::LocalProjection(projection_origin); }
    PointM to_metres(geo::LatLon p) const;
    geo::LatLon to_latlon(PointM p) const;
    PointM cell_centre_m(int ix, int iy) const {
        return {x0_m + (ix + 0.5) * cell_m, y0_m + (iy + 0.5) * cell_m};
    }
    geo::LatLon cell_centre(int ix, int iy) const { return to_latlon(cell_centre_m(ix, iy)); }
    // Cell holding a point, or nothing outside the grid.
    std::optional<std::size_t> cell_of(PointM p) const;
};

// The smallest grid of cell_m cells that covers every point with margin_m to spare, or nothing
// when there are no valid points. The caller checks nx·ny against its own limit.
std::optional<GridSpec> grid_covering(std::span<const geo::LatLon> points, double cell_m,
                                      double margin_m);

// Points converted to grid metres.
std::vector<PointM> to_metres(const GridSpec& grid, std::span<const geo::LatLon> points);

// Number of points per cell (points outside the grid are counted in *outside).
std::vector<double> count_per_cell(const GridSpec& grid, std::span<const PointM> points,
                                   std::size_t* outside = nullptr);

} // namespace pingan::analytics
