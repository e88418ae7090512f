// Reads a camera register from CSV or GeoJSON text into cameras::Camera values, each checked
// with cameras::validate. A register with any bad camera is refused as a whole, so an import
// never half-replaces the cameras a console shows.
//
// CSV: a header naming the columns id,lat,lon,heading_deg,fov_deg,range_m,stream_kind,
// stream_url,owner,sharing (any order; other columns are ignored), one camera per record;
// blank lines are skipped. See CsvReader for quoting, BOM and line ends.
// GeoJSON: a FeatureCollection of Point features ([lon, lat], an altitude is ignored) whose
// properties hold the same fields but lat and lon: numbers as JSON numbers, the rest as
// strings; the id may instead be the feature's own "id" (string or integer), and a missing
// owner reads as empty.
//
// Problems name where and which field: "line 7: fov_deg: must be within (0, 360], not 400"
// (CSV: the physical line the record starts on) or "feature 3: stream_kind: missing"
// (GeoJSON: the index in the features array, from 0 as in read_boundaries). The Error's
// field is the column or property. A repeated id is refused, naming the first use; so is a
// register with no cameras.
#pragma once

#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "cameras/camera.hpp"

namespace pingan::io {

base::Result<std::vector<cameras::Camera>> read_cameras_csv(std::string_view text);
base::Result<std::vector<cameras::Camera>> read_cameras_geojson(std::string_view text);

} // namespace pingan::io
