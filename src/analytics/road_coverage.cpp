#include "analytics/road_coverage.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <thread>

#include <fmt/core.h>

#include "road/route.hpp"

namespace pingan::analytics {

DemandSet snap_demand(const road::Graph& graph, std::span<const geo::LatLon> incidents,
                      double snap_radius_m, double merge_m) {
    DemandSet out;
    out.incidents = incidents.size();
    // (segment, offset bucket) -> demand index; ordered so the result does not depend on
    // hashing.
    std::map<std::pair<road::SegmentId, std::int64_t>, std::uint32_t> index;
    for (const geo::LatLon& p : incidents) {
        auto pos = graph.snap(p, snap_radius_m);
        if (!pos) {
            ++out.off_road;
            continue;
        }
        const auto bucket = static_cast<std::int64_t>(std::floor(pos->offset_m / merge_m));
        auto [it, inserted] = index.try_emplace({pos->segment, bucket},
                                                static_cast<std::uint32_t>(out.positions.size()));
        if (inserted) {
            // The point of the first incident in the bucket stands for all of them (within
            // merge_m along the same road).
            out.positions.push_back(*pos);
            out.weights.push_back(1.0);
        } else {
            out.weights[it->second] += 1.0;
        }
    }
    return out;
}

std::vector<road::NodeId> candidate_sites(const road::Graph& graph, std::size_t count,
                                          geo::LatLon south_west, geo::LatLon north_east) {
    const geo::LocalProjection proj(
        {(south_west.lat + north_east.lat) / 2, (south_west.lon + north_east.lon) / 2});
    struct Node {
        road::NodeId id;
        double x, y;
    };
    std::vector<Node> nodes;
    for (road::NodeId v = 0; v < graph.node_count(); ++v) {
        const geo::LatLon p = graph.node_latlon(v);
        if (p.lat < south_west.lat || p.lat > north_east.lat || p.lon < south_west.lon ||
            p.lon > north_east.lon) {
            continue;
        }
        nodes.push_back({v, proj.x_m(p), proj.y_m(p)});
    }
    if (nodes.empty() || count == 0) return {};
    if (nodes.size() <= count) {
        std::vector<road::NodeId> all;
        for (const Node& n : nodes)
            all.push_back(n.id);
        return all;
    }
    const double x0 = proj.x_m(south_west), y0 = proj.y_m(south_west);
    auto pick = [&](double cell) {
        std::map<std::pair<std::int64_t, std::int64_t>, std::pair<double, road::NodeId>> best;
        for (const Node& n : nodes) {
            const auto cx = static_cast<std::int64_t>(std::floor((n.x - x0) / cell));
            const auto cy = static_cast<std::int64_t>(std::floor((n.y - y0) / cell));
            const double dx = n.x - (x0 + (cx + 0.5) * cell), dy = n.y - (y0 + (cy + 0.5) * cell);
            const double d2 = dx * dx + dy * dy;
            auto [it, inserted] = best.try_emplace({cx, cy}, d2, n.id);
            if (!inserted &&
                (d2 < it->second.first || (d2 == it->second.first && n.id < it->second.second))) {
                it->second = {d2, n.id};
            }
        }
        std::vector<road::NodeId> out;
        for (const auto& [key, v] : best)
            out.push_back(v.second);
        std::sort(out.begin(), out.end());
        return out;
    };
    // The number of occupied cells falls as cells grow: bisect the cell size (log scale).
    double lo = 1.0, hi = 1e6;
    std::vector<road::NodeId> result = pick(hi);
    for (int i = 0; i < 40; ++i) {
        const double mid = std::sqrt(lo * hi);
        std::vector<road::NodeId> got = pick(mid);
        if (got.size() > count) {
            lo = mid;
        } else {
            hi = mid;
            result = std::move(got);
            if (result.size() == count) break;
        }
    }
    return result;
}

CoverageRelation build_coverage_relation(const road::Graph& graph,
                                         std::span<const road::RoadPosition> sites,
                                         const DemandSet& demand, road::TimeMs within_ms,
                                         int threads) {
    const std::size_t nd = demand.positions.size();
    // Demand points by the junctions they are reached from, with the time from there.
    struct Entry {
        std::uint32_t demand;
        road::TimeMs time_ms;
    };
    std::vector<std::uint32_t> node_first(graph.node_count() + 1, 0);
    std::vector<std::pair<road::NodeId, Entry>> flat;
    std::vector<std::uint32_t> seg_first(graph.segment_count() + 1, 0);
    std::vector<std::pair<road::SegmentId, std::uint32_t>> on_segment;
    for (std::size_t d = 0; d < nd; ++d) {
        road::Seed seeds[2];
        const int k = graph.target_seeds(demand.positions[d], seeds);
        for (int i = 0; i < k; ++i)
            flat.push_back({seeds[i].node, {static_cast<std::uint32_t>(d), seeds[i].time_ms}});
        on_segment.emplace_back(demand.positions[d].segment, static_cast<std::uint32_t>(d));
    }
    std::vector<Entry> by_node(flat.size());
    for (const auto& [node, e] : flat)
        ++node_first[node + 1];
    for (std::size_t v = 0; v < graph.node_count(); ++v)
        node_first[v + 1] += node_first[v];
    {
        std::vector<std::uint32_t> fill(node_first.begin(), node_first.end() - 1);
        for (const auto& [node, e] : flat)
            by_node[fill[node]++] = e;
    }
    std::vector<std::uint32_t> by_segment(on_segment.size());
    for (const auto& [seg, d] : on_segment)
        ++seg_first[seg + 1];
    for (std::size_t s = 0; s < graph.segment_count(); ++s)
        seg_first[s + 1] += seg_first[s];
    {
        std::vector<std::uint32_t> fill(seg_first.begin(), seg_first.end() - 1);
        for (const auto& [seg, d] : on_segment)
            by_segment[fill[seg]++] = d;
    }

    std::vector<std::vector<std::uint32_t>> reach(sites.size());
    auto work = [&](std::size_t begin, std::size_t end) {
        road::DijkstraQuery query(graph);
        std::vector<std::uint32_t> stamp(nd, 0);
        std::uint32_t now = 0;
        for (std::size_t s = begin; s < end; ++s) {
            ++now;
            std::vector<std::uint32_t>& out = reach[s];
            road::Seed seeds[2];
            const int k = graph.source_seeds(sites[s], seeds);
            query.run(std::span<const road::Seed>(seeds, static_cast<std::size_t>(k)), within_ms);
            for (road::NodeId v : query.settled()) {
                const road::TimeMs tv = query.time_ms(v);
                for (std::uint32_t i = node_first[v]; i < node_first[v + 1]; ++i) {
                    const Entry& e = by_node[i];
                    if (stamp[e.demand] != now &&
                        static_cast<std::uint64_t>(tv) + e.time_ms <= within_ms) {
                        stamp[e.demand] = now;
                        out.push_back(e.demand);
                    }
                }
            }
            // Demand on the site's own segment, reached without passing a junction.
            const road::SegmentId seg = sites[s].segment;
            for (std::uint32_t i = seg_first[seg]; i < seg_first[seg + 1]; ++i) {
                const std::uint32_t d = by_segment[i];
                if (stamp[d] != now &&
                    graph.same_segment_time_ms(sites[s], demand.positions[d]) <= within_ms) {
                    stamp[d] = now;
                    out.push_back(d);
                }
            }
            std::sort(out.begin(), out.end());
        }
    };
    const std::size_t n_threads = std::clamp<std::size_t>(
        static_cast<std::size_t>(std::max(threads, 1)), 1, std::max<std::size_t>(sites.size(), 1));
    if (n_threads == 1) {
        work(0, sites.size());
    } else {
        std::vector<std::thread> pool;
        const std::size_t chunk = (sites.size() + n_threads - 1) / n_threads;
        for (std::size_t t = 0; t < n_threads; ++t) {
            const std::size_t b = std::min(sites.size(), t * chunk);
            const std::size_t e = std::min(sites.size(), b + chunk);
            pool.emplace_back(work, b, e);
        }
        for (auto& th : pool)
            th.join();
    }
    CoverageRelation rel;
    rel.demand_count = nd;
    for (const auto& r : reach)
        rel.add_site(r);
    return rel;
}

base::Result<PostPlan> plan_posts(const road::Graph& graph, std::span<const geo::LatLon> incidents,
                                  const PostPlanRequest& request) {
    PostPlan plan;
    plan.request = request;
    plan.incidents = incidents.size();
    const DemandSet demand = snap_demand(graph, incidents, request.snap_radius_m, request.merge_m);
    plan.off_road = demand.off_road;
    plan.demand_points = demand.positions.size();
    if (demand.positions.empty()) {
        return base::error(base::Code::bad_argument, "incidents",
                           fmt::format("none of the {} incidents lies within {} m of a road of "
                                       "the graph",
                                       incidents.size(), request.snap_radius_m));
    }
    geo::LatLon sw{90, 180}, ne{-90, -180};
    for (const road::RoadPosition& p : demand.positions) {
        sw = {std::min(sw.lat, p.point.lat), std::min(sw.lon, p.point.lon)};
        ne = {std::max(ne.lat, p.point.lat), std::max(ne.lon, p.point.lon)};
    }
    const std::vector<road::NodeId> nodes = candidate_sites(graph, request.candidates, sw, ne);
    plan.candidate_count = nodes.size();
    if (nodes.size() < request.units) {
        return base::error(
            base::Code::bad_argument, "units",
            fmt::format("only {} candidate sites for {} posts", nodes.size(), request.units));
    }
    std::vector<road::RoadPosition> sites;
    sites.reserve(nodes.size());
    for (road::NodeId v : nodes)
        sites.push_back(graph.node_position(v));
    const CoverageRelation rel =
        build_coverage_relation(graph, sites, demand, request.within_ms, request.threads);
    plan.relation_size = rel.demand.size();
    MclpParams params;
    params.facilities = request.units;
    params.swap = request.swap;
    auto solved = solve_mclp(rel, demand.weights, params);
    if (!solved) return std::move(solved).error();
    plan.result = std::move(solved).value();
    for (std::uint32_t s : plan.result.sites) {
        plan.posts.push_back(nodes[s]);
        plan.post_locations.push_back(graph.node_latlon(nodes[s]));
    }
    return plan;
}

} // namespace pingan::analytics
