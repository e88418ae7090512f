// The coverage relation of the maximal covering location problem on the road network: which
// demand points (historical incidents, snapped to the road) a unit posted at each candidate
// site reaches within T, by driving time on the road graph (one bounded Dijkstra per site,
// post -> incident direction, one-way streets respected).
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "analytics/mclp.hpp"
#include "base/result.hpp"
#include "geo/latlon.hpp"
#include "road/graph.hpp"

namespace pingan::analytics {

// Demand points: incident locations snapped to the road; incidents on the same segment within
// merge_m of each other become one point with their count as weight.
struct DemandSet {
    std::vector<road::RoadPosition> positions;
    std::vector<double> weights;
    std::size_t incidents = 0; // given
    std::size_t off_road = 0;  // farther than the snapping radius from any road (left out)
};

DemandSet snap_demand(const road::Graph& graph, std::span<const geo::LatLon> incidents,
                      double snap_radius_m = 200, double merge_m = 10);

// About `count` junctions spread evenly over the box (south-west, north-east corners): the
// junctions in the box are bucketed into square cells, the cell size chosen so that about
// `count` cells hold a junction, and each cell contributes the junction nearest its centre.
std::vector<road::NodeId> candidate_sites(const road::Graph& graph, std::size_t count,
                                          geo::LatLon south_west, geo::LatLon north_east);

// Site s reaches demand d when the driving time from sites[s] to demand d is <= within_ms.
// `threads` searches run in parallel (each with its own query object).
CoverageRelation build_coverage_relation(const road::Graph& graph,
                                         std::span<const road::RoadPosition> sites,
                                         const DemandSet& demand, road::TimeMs within_ms,
                                         int threads = 1);

// The whole planning question, as the CLI and the API ask it: choose `units` posts among
// candidate junctions so that as many historical incidents as possible are reached within T.
struct PostPlanRequest {
    std::size_t units = 10;
    road::TimeMs within_ms = 300'000;
    std::size_t candidates = 2000; // candidate sites spread over the incidents' box
    double snap_radius_m = 200;    // incidents farther from a road are left out
    double merge_m = 10;           // demand aggregation along a segment
    int threads = 1;
    bool swap = true;
};

struct PostPlan {
    PostPlanRequest request;
    std::vector<road::NodeId> posts; // chosen junctions
    std::vector<geo::LatLon> post_locations;
    MclpResult result; // covered weight = incidents reached within T
    std::size_t incidents = 0;
    std::size_t off_road = 0;
    std::size_t demand_points = 0;
    std::size_t candidate_count = 0;
    std::size_t relation_size = 0; // (site, demand point) pairs within T
};

// bad_argument when no incident is near a road or fewer candidate sites than units exist.
base::Result<PostPlan> plan_posts(const road::Graph& graph, std::span<const geo::LatLon> incidents,
                                  const PostPlanRequest& request);

} // namespace pingan::analytics
