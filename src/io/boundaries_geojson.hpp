// Reads areas (jurisdictions, patrol areas) from GeoJSON: a FeatureCollection of Polygon and
// MultiPolygon features (holes allowed), each named by one of its properties.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.hpp"
#include "geo/boundary.hpp"

namespace pingan::io {

struct BoundaryFeature {
    std::string name;
    std::string properties;            // the feature's properties as JSON text
    geo::MultiPolygon shape;           // normalised
    std::vector<std::string> warnings; // shape problems that remain (e.g. edges crossing)
};

// Problems name the feature (by index and, when known, name) and the reason; a file with any
// bad feature is refused as a whole, so an import never half-replaces a layer. With `strict`,
// a feature with warnings is refused too.
// A normalised shape as a GeoJSON MultiPolygon geometry, and back.
std::string to_geojson_geometry(const geo::MultiPolygon& shape);
base::Result<geo::MultiPolygon> read_geojson_geometry(std::string_view geometry);

// The features array of a GeoJSON FeatureCollection (every reader of such files starts here),
// or corrupt_file naming "file": not JSON, or not a FeatureCollection with a features array.
base::Result<nlohmann::json> read_features(std::string_view text);

base::Result<std::vector<BoundaryFeature>>
read_boundaries(std::string_view geojson, std::string_view name_field, bool strict = false);

} // namespace pingan::io
