#include "io/road_geojson.hpp"

namespace pingan::io {

namespace {

nlohmann::json line(const std::vector<geo::LatLon>& points) {
    nlohmann::json coords = nlohmann::json::array();
    for (const geo::LatLon& p : points)
        coords.push_back({p.lon, p.lat});
    return coords;
}

} // namespace

nlohmann::json route_geojson(const road::Route& route) {
    return {{"type", "Feature"},
            {"geometry", {{"type", "LineString"}, {"coordinates", line(route.points)}}},
            {"properties", {{"eta_s", route.eta_s()}, {"distance_m", route.distance_m}}}};
}

nlohmann::json coverage_geojson(const road::Graph& graph, const road::Coverage& coverage) {
    nlohmann::json lines = nlohmann::json::array();
    for (const road::CoveredPiece& p : coverage.pieces()) {
        lines.push_back(line(graph.shape_between(p.segment, p.from_m, p.to_m)));
    }
    nlohmann::json feature = {{"type", "Feature"},
                              {"geometry", {{"type", "MultiLineString"}, {"coordinates", lines}}},
                              {"properties",
                               {{"within_s", coverage.within_ms() / 1000.0},
                                {"covered_m", coverage.covered_m()},
                                {"total_m", coverage.total_m()},
                                {"share", coverage.share()}}}};
    return {{"type", "FeatureCollection"}, {"features", nlohmann::json::array({feature})}};
}

nlohmann::json isochrone_geojson(const road::Graph& graph, const road::Isochrone& iso) {
    const road::GraphData& d = graph.data();
    nlohmann::json reached = nlohmann::json::array(), cut = nlohmann::json::array();
    for (const road::CoveredPiece& p : iso.start_piece) {
        if (p.to_m > p.from_m)
            reached.push_back(line(graph.shape_between(p.segment, p.from_m, p.to_m)));
    }
    for (const road::ReachedArc& a : iso.arcs) {
        const road::SegmentId s = d.arc_seg[a.arc] >> 1;
        const bool rev = d.arc_seg[a.arc] & 1;
        const double len = graph.length_m(s);
        const double from = rev ? len : 0.0;
        const double to = rev ? len - a.reached_m : a.reached_m;
        if (a.reached_m > 0) reached.push_back(line(graph.shape_between(s, from, to)));
        if (!a.head_reached) cut.push_back(line(graph.shape_between(s, 0.0, len)));
    }
    return {{"type", "FeatureCollection"},
            {"features",
             {{{"type", "Feature"},
               {"geometry", {{"type", "MultiLineString"}, {"coordinates", reached}}},
               {"properties", {{"kind", "reached"}, {"within_s", iso.within_ms / 1000.0}}}},
              {{"type", "Feature"},
               {"geometry", {{"type", "MultiLineString"}, {"coordinates", cut}}},
               {"properties", {{"kind", "cut"}}}}}}};
}

} // namespace pingan::io
