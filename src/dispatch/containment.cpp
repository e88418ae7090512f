#include "dispatch/containment.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "road/route.hpp"
#include "road/table.hpp"

namespace pingan::dispatch {

namespace {

using road::ArcId;
using road::kInvalid;
using road::kNoTime;
using road::NodeId;
using road::TimeMs;

// Lower is more important: a link ranks with its road, unknown classes last.
int importance(road::RoadClass c) {
    using road::RoadClass;
    switch (c) {
    case RoadClass::motorway:
    case RoadClass::motorway_link:
        return 0;
    case RoadClass::trunk:
    case RoadClass::trunk_link:
        return 1;
    case RoadClass::primary:
    case RoadClass::primary_link:
        return 2;
    case RoadClass::secondary:
    case RoadClass::secondary_link:
        return 3;
    case RoadClass::tertiary:
    case RoadClass::tertiary_link:
        return 4;
    case RoadClass::unclassified:
        return 5;
    case RoadClass::residential:
        return 6;
    case RoadClass::living_street:
        return 7;
    case RoadClass::service:
        return 8;
    case RoadClass::road:
        return 9;
    }
    return 9;
}

struct Exit {
    NodeId node;
    TimeMs escape_ms;
    std::vector<ArcId> arcs;
};

// Maximum flow for small flow values (a few hundred checkpoints at most) on a big network:
// augmenting paths found by depth-first search (Ford-Fulkerson). Each search runs outwards
// along the arcs in the order they were added (the Dijkstra order, away from the incident) and
// usually meets the sink after a few hundred nodes, where a breadth-first (Dinic) phase would
// sweep the whole network each time: measured 5x faster on Porto (bench_dispatch).
class MaxFlow {
public:
    static constexpr std::int32_t kInfinite = 1 << 30;

    explicit MaxFlow(std::uint32_t nodes) : first_(nodes, kNone), seen_(nodes, 0), via_(nodes) {}

    void add(std::uint32_t from, std::uint32_t to, std::int32_t capacity) {
        edges_.push_back({to, capacity, first_[from]});
        first_[from] = static_cast<std::uint32_t>(edges_.size() - 1);
        edges_.push_back({from, 0, first_[to]});
        first_[to] = static_cast<std::uint32_t>(edges_.size() - 1);
    }

    std::int64_t run(std::uint32_t s, std::uint32_t t) {
        std::int64_t flow = 0;
        while (search(s, t)) {
            std::int32_t f = kInfinite;
            for (std::uint32_t v = t; v != s; v = edges_[via_[v] ^ 1].to)
                f = std::min(f, edges_[via_[v]].capacity);
            for (std::uint32_t v = t; v != s; v = edges_[via_[v] ^ 1].to) {
                edges_[via_[v]].capacity -= f;
                edges_[via_[v] ^ 1].capacity += f;
            }
            flow += f;
        }
        return flow;
    }

    // After run(): whether a node is still reachable from the source in the residual graph.
    bool on_source_side(std::uint32_t v) const { return seen_[v] == stamp_; }

private:
    static constexpr std::uint32_t kNone = 0xFFFF'FFFFu;
    struct Edge {
        std::uint32_t to;
        std::int32_t capacity;
        std::uint32_t next;
    };

    // Depth-first search for a path with capacity left; via_ holds each node's entering edge.
    // Marks every node it visits with this search's stamp, so the last (failed) search leaves
    // exactly the source side marked.
    bool search(std::uint32_t s, std::uint32_t t) {
        ++stamp_;
        stack_.assign(1, s);
        seen_[s] = stamp_;
        while (!stack_.empty()) {
            const std::uint32_t v = stack_.back();
            stack_.pop_back();
            for (std::uint32_t e = first_[v]; e != kNone; e = edges_[e].next) {
                const std::uint32_t w = edges_[e].to;
                if (edges_[e].capacity <= 0 || seen_[w] == stamp_) continue;
                seen_[w] = stamp_;
                via_[w] = e;
                if (w == t) return true;
                stack_.push_back(w);
            }
        }
        return false;
    }

    std::vector<Edge> edges_;
    std::vector<std::uint32_t> first_;
    std::vector<std::uint32_t> seen_;
    std::vector<std::uint32_t> via_;
    std::vector<std::uint32_t> stack_;
    std::uint32_t stamp_ = 0;
};

// The fewest junctions beyond T that every way out of the area passes through: a minimum
// vertex cut between the area (reached within T) and the ring beyond T + depth, over the
// junctions in between and the first ones past that ring. Cutting at the area's own exits is
// always possible, so the cut never has more junctions than there are exits; where streets
// converge (a bridge, a ring road, a motorway ramp) it has far fewer. Each is returned with the
// escaping vehicle's earliest arrival and the arcs by which it is entered from the area's side.
std::vector<Exit> find_exits(const road::Graph& graph, const road::RoadPosition& incident,
                             TimeMs within_ms, TimeMs depth_ms, std::size_t& reached) {
    const road::GraphData& d = graph.data();
    road::Seed seeds[2];
    const int n = graph.source_seeds(incident, seeds);
    road::DijkstraQuery query(graph);
    const TimeMs outer_ms = within_ms + std::min(depth_ms, kNoTime - 1 - within_ms);
    query.run(std::span<const road::Seed>(seeds, static_cast<std::size_t>(n)), outer_ms);
    auto inside = [&](NodeId v) { return query.time_ms(v) <= within_ms; };
    auto settled = [&](NodeId v) { return query.time_ms(v) != kNoTime; };

    // Candidates: junctions past T that are reached within T + depth or entered from them.
    std::vector<std::uint32_t> index(graph.node_count(), kInvalid);
    std::vector<Exit> cand;
    auto candidate = [&](NodeId v) {
        if (index[v] == kInvalid) {
            index[v] = static_cast<std::uint32_t>(cand.size());
            cand.push_back({v, query.time_ms(v), {}});
        }
        return index[v];
    };
    reached = 0;
    for (NodeId x : query.settled()) {
        if (inside(x))
            ++reached;
        else
            candidate(x);
        for (ArcId a = d.first_out[x]; a < d.first_out[x + 1]; ++a) {
            const NodeId h = d.arc_head[a];
            if (inside(h)) continue;
            Exit& e = cand[candidate(h)];
            if (!settled(h))
                e.escape_ms = std::min(e.escape_ms, query.time_ms(x) + d.arc_time_ms[a]);
        }
    }
    if (cand.empty()) return {};

    // Flow network: 0 the area, 1 beyond, and per candidate i an entry 2 + 2i and an exit
    // 3 + 2i joined by capacity 1 (a junction is sealed by one checkpoint).
    const std::uint32_t source = 0, sink = 1;
    auto in = [](std::uint32_t i) { return 2 + 2 * i; };
    auto out = [](std::uint32_t i) { return 3 + 2 * i; };
    MaxFlow flow(static_cast<std::uint32_t>(2 + 2 * cand.size()));
    std::vector<char> from_area(cand.size());
    for (std::uint32_t i = 0; i < cand.size(); ++i)
        flow.add(in(i), out(i), 1);
    for (NodeId x : query.settled()) {
        for (ArcId a = d.first_out[x]; a < d.first_out[x + 1]; ++a) {
            const NodeId h = d.arc_head[a];
            if (inside(h)) continue;
            const std::uint32_t j = index[h];
            if (!inside(x)) {
                flow.add(out(index[x]), in(j), MaxFlow::kInfinite);
            } else if (!from_area[j]) {
                from_area[j] = 1;
                flow.add(source, in(j), MaxFlow::kInfinite);
            }
        }
    }
    // Past the ring, a junction leads on unless its every arc goes back into the area (a
    // cul-de-sac at the edge, which seals nothing).
    for (std::uint32_t i = 0; i < cand.size(); ++i) {
        const NodeId v = cand[i].node;
        if (settled(v)) continue;
        for (ArcId a = d.first_out[v]; a < d.first_out[v + 1]; ++a) {
            if (!inside(d.arc_head[a])) {
                flow.add(out(i), sink, MaxFlow::kInfinite);
                break;
            }
        }
    }
    flow.run(source, sink);

    std::vector<Exit> exits;
    for (std::uint32_t i = 0; i < cand.size(); ++i) {
        if (flow.on_source_side(in(i)) && !flow.on_source_side(out(i)))
            exits.push_back(std::move(cand[i]));
    }
    // The arcs by which each cut junction is entered from the side of the area.
    for (Exit& e : exits) {
        for (std::uint32_t k = d.first_in[e.node]; k < d.first_in[e.node + 1]; ++k) {
            const NodeId x = d.in_tail[k];
            if (inside(x) || (settled(x) && flow.on_source_side(out(index[x]))))
                e.arcs.push_back(d.in_arc[k]);
        }
    }
    std::sort(exits.begin(), exits.end(), [](const Exit& a, const Exit& b) {
        return a.escape_ms != b.escape_ms ? a.escape_ms < b.escape_ms : a.node < b.node;
    });
    return exits;
}

// Greedy merge in order of escape time: an exit within the radius of an earlier checkpoint's
// junction joins it. A grid of radius-sized cells finds the candidates (3 x 3 cells).
std::vector<Checkpoint> merge_exits(const road::Graph& graph, const std::vector<Exit>& exits,
                                    double radius_m) {
    const road::GraphData& d = graph.data();
    const geo::LocalProjection& proj = graph.projection();
    const double cell = std::max(radius_m, 1.0);
    auto key = [](std::int64_t cx, std::int64_t cy) {
        return static_cast<std::uint64_t>(cx) * 0x9E37'79B9'7F4A'7C15ULL ^
               static_cast<std::uint64_t>(cy);
    };
    std::unordered_multimap<std::uint64_t, std::size_t> grid; // cell -> checkpoint
    std::vector<Checkpoint> out;
    std::vector<std::pair<double, double>> xy; // of each checkpoint's junction
    for (const Exit& e : exits) {
        const geo::LatLon p = graph.node_latlon(e.node);
        const double x = proj.x_m(p), y = proj.y_m(p);
        const auto cx = static_cast<std::int64_t>(std::floor(x / cell));
        const auto cy = static_cast<std::int64_t>(std::floor(y / cell));
        std::size_t into = out.size();
        for (std::int64_t dx = -1; dx <= 1 && into == out.size(); ++dx) {
            for (std::int64_t dy = -1; dy <= 1; ++dy) {
                auto [lo, hi] = grid.equal_range(key(cx + dx, cy + dy));
                for (auto it = lo; it != hi; ++it) {
                    const auto [qx, qy] = xy[it->second];
                    if (std::hypot(qx - x, qy - y) <= radius_m) into = std::min(into, it->second);
                }
            }
        }
        if (into == out.size()) {
            Checkpoint c;
            c.node = e.node;
            c.point = p;
            c.escape_ms = e.escape_ms;
            out.push_back(std::move(c));
            xy.emplace_back(x, y);
            grid.emplace(key(cx, cy), into);
        }
        Checkpoint& c = out[into];
        c.exits.push_back(e.node);
        for (ArcId a : e.arcs) {
            c.cut_arcs.push_back(a);
            const road::RoadClass rc = d.seg_class[d.arc_seg[a] >> 1];
            if (importance(rc) < importance(c.road_class)) c.road_class = rc;
        }
    }
    return out;
}

// Maximum matching of units to checkpoints over the feasible pairs, starting from the greedy
// one (fastest pairs first) and augmenting along alternating paths (Kuhn), so that a unit that
// is first at two checkpoints leaves one to the next best only when that staffs one more.
void staff(std::vector<Checkpoint>& checkpoints, std::span<const ContainmentUnit> units,
           const road::TimeTable& eta, TimeMs elapsed_ms, std::size_t alternatives) {
    const std::size_t nu = units.size(), nc = checkpoints.size();
    auto feasible = [&](std::size_t u, std::size_t c) {
        const TimeMs t = eta.at(u, c);
        return t != kNoTime && std::uint64_t{elapsed_ms} + t < checkpoints[c].escape_ms;
    };
    // Candidates per checkpoint, by (ETA, key).
    std::vector<std::vector<std::size_t>> cand(nc);
    for (std::size_t c = 0; c < nc; ++c) {
        for (std::size_t u = 0; u < nu; ++u) {
            const TimeMs t = eta.at(u, c);
            if (t < checkpoints[c].best_eta_ms) checkpoints[c].best_eta_ms = t;
            if (feasible(u, c)) cand[c].push_back(u);
        }
        std::sort(cand[c].begin(), cand[c].end(), [&](std::size_t a, std::size_t b) {
            return eta.at(a, c) != eta.at(b, c) ? eta.at(a, c) < eta.at(b, c)
                                                : units[a].key < units[b].key;
        });
    }
    constexpr std::size_t kNone = static_cast<std::size_t>(-1);
    std::vector<std::size_t> unit_at(nc, kNone), at_unit(nu, kNone);
    // Greedy: every feasible pair by ETA.
    std::vector<std::pair<std::size_t, std::size_t>> pairs; // (checkpoint, unit)
    for (std::size_t c = 0; c < nc; ++c) {
        for (std::size_t u : cand[c])
            pairs.emplace_back(c, u);
    }
    std::sort(pairs.begin(), pairs.end(), [&](const auto& a, const auto& b) {
        const TimeMs ta = eta.at(a.second, a.first), tb = eta.at(b.second, b.first);
        if (ta != tb) return ta < tb;
        if (checkpoints[a.first].escape_ms != checkpoints[b.first].escape_ms)
            return checkpoints[a.first].escape_ms < checkpoints[b.first].escape_ms;
        return units[a.second].key < units[b.second].key;
    });
    for (const auto& [c, u] : pairs) {
        if (unit_at[c] == kNone && at_unit[u] == kNone) {
            unit_at[c] = u;
            at_unit[u] = c;
        }
    }
    // Augment: an unstaffed checkpoint takes a unit whose checkpoint can be re-staffed.
    std::vector<char> seen(nc);
    auto augment = [&](auto&& self, std::size_t c) -> bool {
        for (std::size_t u : cand[c]) {
            const std::size_t other = at_unit[u];
            if (other != kNone && seen[other]) continue;
            if (other != kNone) seen[other] = 1;
            if (other == kNone || self(self, other)) {
                unit_at[c] = u;
                at_unit[u] = c;
                return true;
            }
        }
        return false;
    };
    for (std::size_t c = 0; c < nc; ++c) {
        if (unit_at[c] != kNone || cand[c].empty()) continue;
        std::fill(seen.begin(), seen.end(), 0);
        seen[c] = 1;
        augment(augment, c);
    }
    for (std::size_t c = 0; c < nc; ++c) {
        Checkpoint& cp = checkpoints[c];
        if (unit_at[c] != kNone)
            cp.staffed = StaffingOption{units[unit_at[c]].key, eta.at(unit_at[c], c)};
        for (std::size_t u : cand[c]) {
            if (cp.alternatives.size() >= alternatives) break;
            if (u != unit_at[c]) cp.alternatives.push_back({units[u].key, eta.at(u, c)});
        }
    }
}

} // namespace

ContainmentPlan plan_containment(const road::Graph& graph, const road::RoadPosition& incident,
                                 std::span<const ContainmentUnit> units,
                                 const ContainmentRequest& request) {
    ContainmentPlan plan;
    plan.escape_ms = request.escape_ms;
    plan.elapsed_ms = request.elapsed_ms;
    if (!incident.valid()) return plan;
    plan.depth_ms = request.depth_ms != 0 ? request.depth_ms : request.escape_ms / 4;
    const std::vector<Exit> exits =
        find_exits(graph, incident, request.escape_ms, plan.depth_ms, plan.reached_nodes);
    plan.checkpoints = merge_exits(graph, exits, request.merge_radius_m);
    if (plan.checkpoints.empty()) return plan;

    std::vector<road::RoadPosition> sources, targets;
    sources.reserve(units.size());
    for (const ContainmentUnit& u : units)
        sources.push_back(u.position);
    targets.reserve(plan.checkpoints.size());
    for (const Checkpoint& c : plan.checkpoints)
        targets.push_back(graph.node_position(c.node));
    road::TableQuery table(graph);
    staff(plan.checkpoints, units, table.table(sources, targets), request.elapsed_ms,
          request.alternatives);
    return plan;
}

std::size_t ContainmentPlan::staffed() const {
    return static_cast<std::size_t>(std::count_if(checkpoints.begin(), checkpoints.end(),
                                                  [](const Checkpoint& c) { return c.staffed; }));
}

} // namespace pingan::dispatch
