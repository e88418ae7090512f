// Reads a patrol plan (必巡区域/线路/点位) from one GeoJSON FeatureCollection:
// - Polygon / MultiPolygon features are patrol areas: properties id (required) and name;
// - Point features are required points: properties id and area_id (required), name,
//   radius_m, min_dwell_s, min_visits (defaults as in patrol::RequiredPoint) and windows, a
//   list of daily local windows such as ["08:00-10:00", "20:00-22:00"];
// - LineString features with property kind "route" are required routes: the same properties
//   as a point, and one required point at each vertex (repeated vertices dropped), with id
//   "<id>#<n>" and name "<name> #<n>" for n = 1, 2, … along the line, route_id = id and
//   route_seq = n; every vertex takes the route's radius, dwell, visits and windows.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "patrol/plan.hpp"

namespace pingan::io {

struct PatrolPlanFile {
    patrol::Plan plan;                 // validated (patrol::validate)
    std::vector<std::string> warnings; // shape problems left after normalising, points outside
                                       // their area: the plan works, but someone should look
};

// A file with any bad feature is refused as a whole; the error names the feature by index
// (from 0, as in the file) and, when known, id, then the field and the reason.
base::Result<PatrolPlanFile> read_patrol_plan(std::string_view geojson, int utc_offset_minutes = 0);

} // namespace pingan::io
