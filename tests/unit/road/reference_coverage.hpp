// Covered road length by its definition (docs/road.md), from a plain multi-source Dijkstra:
// the reference the coverage engine is compared with on drawn maps and on real cities.
#pragma once

#include <span>
#include <utility>
#include <vector>

#include "road/graph.hpp"
#include "road/units.hpp"

namespace pingan::road::testing {

// Metres of road reachable within `within` from the units; `node_time` receives the Dijkstra
// time of every junction (kNoTime beyond the limit).
double reference_covered_m(const Graph& g, std::span<const std::pair<UnitKey, RoadPosition>> units,
                           TimeMs within, std::vector<TimeMs>& node_time);

} // namespace pingan::road::testing
