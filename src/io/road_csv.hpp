// CSV for the road engine: the graph's edges for independent tools (pgRouting, networkx), and
// unit positions as `id,lat,lon` rows.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "geo/latlon.hpp"
#include "road/graph.hpp"

namespace pingan::io {

// One row per segment: id,source,target,cost_s,reverse_cost_s,length_m,x1,y1,x2,y2,road_class,name
// Costs are travel times in seconds (ms precision); -1 where the direction is closed (the
// pgRouting convention); source/target are node ids; x = longitude, y = latitude.
void write_graph_csv(const road::Graph& graph, std::ostream& out);

struct UnitRow {
    std::string id;
    geo::LatLon position;
    std::size_t line = 0; // 1-based line in the file
};

// Reads `id,lat,lon` (header required, columns in any order, extra columns ignored).
// bad_argument naming the line for malformed rows; io_error when unreadable.
base::Result<std::vector<UnitRow>> read_units_csv(const std::string& path);

} // namespace pingan::io
