// The console's base map as Mapbox Vector Tiles: roads from the loaded road graph (layer
// `roads`: lines with `class` and `name`), areas (layers `jurisdictions` and `patrol_areas`:
// polygons with `name`) and one label point per area (layer `area_labels`). Web Mercator
// (EPSG:3857) tiles in the XYZ scheme, extent 4096.
//
// What each zoom shows (fewer, simpler roads when zoomed out) is decided here; the encoding is
// mvt_encoder.hpp. Built once from immutable data, then `tile()` may be called from any number
// of threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "geo/boundary.hpp"
#include "geo/latlon.hpp"
#include "road/graph.hpp"

namespace pingan::io {

struct TileId {
    int z = 0;
    std::uint32_t x = 0;
    std::uint32_t y = 0;
};

inline constexpr int kMaxTileZoom = 22;
inline constexpr std::uint32_t kTileExtent = 4096;
inline constexpr std::int32_t kTileBuffer = 64; // tile units drawn beyond each edge (no seams)

// Whether z, x, y name a tile of the XYZ scheme (0 <= x, y < 2^z, z <= kMaxTileZoom).
bool valid_tile(const TileId& id);

// The lowest zoom at which a road of this class is drawn (motorways from 0, service roads 14).
int min_zoom(road::RoadClass road_class);

struct MapBounds {
    geo::LatLon south_west;
    geo::LatLon north_east;
    bool empty = true;
};

class MapTiler {
public:
    // `graph` may be null (no road layer); it must outlive the tiler. Only boundaries of the
    // layers "jurisdiction" and "patrol_area" are drawn.
    MapTiler(const road::Graph* graph, const std::vector<geo::Boundary>& boundaries);
    ~MapTiler();
    MapTiler(const MapTiler&) = delete;
    MapTiler& operator=(const MapTiler&) = delete;

    // The encoded tile; an empty string when nothing lies in it.
    std::string tile(const TileId& id) const;

    // Everything the tiler can draw (roads and areas).
    MapBounds bounds() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace pingan::io
