// GeoJSON (RFC 7946) for road results: a route line, covered road pieces, an isochrone.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "road/coverage.hpp"
#include "road/graph.hpp"
#include "road/route.hpp"

namespace pingan::io {

// A Feature with a LineString and properties eta_s, distance_m.
nlohmann::json route_geojson(const road::Route& route);
// A FeatureCollection with one MultiLineString of every covered piece, properties
// within_s, covered_m, total_m, share.
nlohmann::json coverage_geojson(const road::Graph& graph, const road::Coverage& coverage);
// A FeatureCollection: reached road as a MultiLineString, cut arcs as a second feature.
nlohmann::json isochrone_geojson(const road::Graph& graph, const road::Isochrone& iso);

} // namespace pingan::io
