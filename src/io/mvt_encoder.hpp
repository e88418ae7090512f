// Mapbox Vector Tile 2.1 encoding (https://github.com/mapbox/vector-tile-spec/tree/master/2.1):
// layers of features whose geometry is already in tile coordinates (0..extent, y down).
// Pure encoding with protozero; what goes into a tile (clipping, simplification, zoom filters)
// is decided by the caller (mvt_map.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pingan::io {

struct TilePoint {
    std::int32_t x = 0;
    std::int32_t y = 0;
    friend bool operator==(const TilePoint&, const TilePoint&) = default;
};
using TileLine = std::vector<TilePoint>;

// MVT geometry types (vector_tile.proto GeomType).
enum class MvtGeomType : std::uint32_t { point = 1, linestring = 2, polygon = 3 };

class MvtLayer {
public:
    MvtLayer(std::string name, std::uint32_t extent) : name_(std::move(name)), extent_(extent) {}

    // One feature with string properties. Lines of fewer than two points are skipped; the
    // feature is dropped when nothing is left. Returns whether a feature was added.
    bool add_lines(const std::vector<TileLine>& lines,
                   const std::vector<std::pair<std::string_view, std::string_view>>& properties);
    // One polygon feature: rings in order, each exterior ring followed by its holes. Winding is
    // fixed here (exterior positive area in tile coordinates, holes negative, spec 4.3.4.4).
    // Rings with fewer than three distinct points or zero area are skipped.
    bool add_polygon(const std::vector<TileLine>& rings, const std::vector<bool>& is_exterior,
                     const std::vector<std::pair<std::string_view, std::string_view>>& properties);
    // One point feature.
    void add_point(TilePoint p,
                   const std::vector<std::pair<std::string_view, std::string_view>>& properties);

    bool empty() const { return features_.empty(); }
    std::size_t feature_count() const { return features_.size(); }
    const std::string& name() const { return name_; }

    // Appends the encoded Layer message (without the Tile field tag) to `out`.
    void encode(std::string& out) const;

private:
    struct Feature {
        MvtGeomType type;
        std::vector<std::uint32_t> tags;     // key index, value index pairs
        std::vector<std::uint32_t> geometry; // command integers and zigzag parameters
    };
    std::vector<std::uint32_t>
    tags_for(const std::vector<std::pair<std::string_view, std::string_view>>& properties);

    std::string name_;
    std::uint32_t extent_;
    std::vector<std::string> keys_;
    std::vector<std::string> values_; // string values only: our properties are names and classes
    std::map<std::string, std::uint32_t, std::less<>> key_index_;
    std::map<std::string, std::uint32_t, std::less<>> value_index_;
    std::vector<Feature> features_;
};

// A whole tile: its non-empty layers, encoded in the order added.
std::string encode_tile(const std::vector<MvtLayer>& layers);

// Signed area (shoelace, tile coordinates) times two; positive means exterior in MVT terms.
std::int64_t ring_area2(const TileLine& ring);

} // namespace pingan::io
