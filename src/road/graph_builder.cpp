#include "road/graph_builder.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/core.h>

#include "road/detail/contraction.hpp"

namespace pingan::road {

namespace {

// Index along a Hilbert curve of a point on a 65536 x 65536 grid (Wikipedia's xy2d).
std::uint64_t hilbert_index(std::uint32_t x, std::uint32_t y) {
    std::uint64_t d = 0;
    for (std::uint32_t s = 1u << 15; s > 0; s >>= 1) {
        const std::uint32_t rx = (x & s) ? 1 : 0;
        const std::uint32_t ry = (y & s) ? 1 : 0;
        d += static_cast<std::uint64_t>(s) * s * ((3 * rx) ^ ry);
        if (ry == 0) {
            if (rx == 1) {
                x = 0xFFFF - x;
                y = 0xFFFF - y;
            }
            std::swap(x, y);
        }
    }
    return d;
}

// Strongly connected components (Tarjan, iterative). Returns the component of every node.
std::vector<std::uint32_t> strong_components(std::uint32_t n,
                                             const std::vector<std::uint32_t>& first,
                                             const std::vector<std::uint32_t>& head,
                                             std::uint32_t& component_count) {
    constexpr std::uint32_t kUnset = kInvalid;
    std::vector<std::uint32_t> index(n, kUnset), low(n, 0), comp(n, kUnset);
    std::vector<std::uint8_t> on_stack(n, 0);
    std::vector<std::uint32_t> stack;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> calls; // node, next arc
    std::uint32_t counter = 0;
    component_count = 0;
    for (std::uint32_t root = 0; root < n; ++root) {
        if (index[root] != kUnset) continue;
        index[root] = low[root] = counter++;
        stack.push_back(root);
        on_stack[root] = 1;
        calls.emplace_back(root, first[root]);
        while (!calls.empty()) {
            auto& [v, it] = calls.back();
            if (it < first[v + 1]) {
                const std::uint32_t w = head[it++];
                if (index[w] == kUnset) {
                    index[w] = low[w] = counter++;
                    stack.push_back(w);
                    on_stack[w] = 1;
                    calls.emplace_back(w, first[w]);
                } else if (on_stack[w]) {
                    low[v] = std::min(low[v], index[w]);
                }
                continue;
            }
            const std::uint32_t done = v;
            calls.pop_back();
            if (low[done] == index[done]) {
                std::uint32_t x;
                do {
                    x = stack.back();
                    stack.pop_back();
                    on_stack[x] = 0;
                    comp[x] = component_count;
                } while (x != done);
                ++component_count;
            }
            if (!calls.empty()) {
                const std::uint32_t parent = calls.back().first;
                low[parent] = std::min(low[parent], low[done]);
            }
        }
    }
    return comp;
}

TimeMs travel_time_ms(double length_m, double speed_kmh) {
    const double ms = length_m / (speed_kmh / 3.6) * 1000.0;
    // At least 1 ms: searches rely on strictly positive arc weights.
    return static_cast<TimeMs>(std::max<long long>(1, std::llround(ms)));
}

} // namespace

void GraphBuilder::add_node(std::int64_t node_id, geo::LatLon position) {
    nodes_.emplace_back(node_id, Coord::from(position));
}

void GraphBuilder::add_way(std::int64_t way_id, const WayRules& rules, std::string_view name,
                           std::span<const std::int64_t> node_ids) {
    std::uint32_t name_id = 0;
    if (!name.empty()) {
        auto [it, inserted] =
            name_index_.emplace(std::string(name), static_cast<std::uint32_t>(names_.size()));
        if (inserted) names_.emplace_back(name);
        name_id = it->second;
    }
    ways_.push_back({way_id, rules, name_id, static_cast<std::uint32_t>(refs_.size()),
                     static_cast<std::uint32_t>(node_ids.size())});
    refs_.insert(refs_.end(), node_ids.begin(), node_ids.end());
}

base::Result<Graph> GraphBuilder::build(BuildReport* report,
                                        const std::function<void(std::string_view)>& progress) {
    BuildReport rep;
    rep.ways = ways_.size();
    auto stage = [&](std::string_view s) {
        if (progress) progress(s);
    };

    // 1. Node lookup: sorted by id, first occurrence wins for duplicate ids.
    stage("resolving node references");
    std::stable_sort(nodes_.begin(), nodes_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    nodes_.erase(std::unique(nodes_.begin(), nodes_.end(),
                             [](const auto& a, const auto& b) { return a.first == b.first; }),
                 nodes_.end());
    const auto node_count0 = static_cast<std::uint32_t>(nodes_.size());
    auto lookup = [&](std::int64_t id) -> std::uint32_t {
        auto it = std::lower_bound(nodes_.begin(), nodes_.end(), id,
                                   [](const auto& a, std::int64_t v) { return a.first < v; });
        if (it == nodes_.end() || it->first != id) return kInvalid;
        return static_cast<std::uint32_t>(it - nodes_.begin());
    };

    // 2. Runs: maximal stretches of a way whose nodes are all known.
    struct Run {
        std::uint32_t way, first, count; // into run_nodes
    };
    std::vector<std::uint32_t> run_nodes;
    std::vector<Run> runs;
    run_nodes.reserve(refs_.size());
    for (std::uint32_t w = 0; w < ways_.size(); ++w) {
        const Way& way = ways_[w];
        const std::size_t runs_before = runs.size();
        auto start = static_cast<std::uint32_t>(run_nodes.size());
        auto close = [&] {
            const auto count = static_cast<std::uint32_t>(run_nodes.size()) - start;
            if (count >= 2) {
                runs.push_back({w, start, count});
            } else {
                run_nodes.resize(start);
            }
            start = static_cast<std::uint32_t>(run_nodes.size());
        };
        for (std::uint32_t i = 0; i < way.ref_count; ++i) {
            const std::uint32_t idx = lookup(refs_[way.first_ref + i]);
            if (idx == kInvalid) {
                ++rep.missing_node_refs;
                close();
                continue;
            }
            if (run_nodes.size() > start && run_nodes.back() == idx) continue; // repeated node
            run_nodes.push_back(idx);
        }
        close();
        if (runs.size() == runs_before) ++rep.ways_unusable;
    }

    // 3. Junctions: nodes used twice or more, and the ends of every run.
    stage("splitting ways at junctions");
    std::vector<std::uint8_t> junction(node_count0, 0);
    {
        std::vector<std::uint8_t> uses(node_count0, 0);
        for (const Run& r : runs) {
            for (std::uint32_t i = 0; i < r.count; ++i) {
                auto& u = uses[run_nodes[r.first + i]];
                u = static_cast<std::uint8_t>(std::min(2, u + 1));
            }
            uses[run_nodes[r.first]] = 2;
            uses[run_nodes[r.first + r.count - 1]] = 2;
        }
        for (std::uint32_t i = 0; i < node_count0; ++i)
            junction[i] = uses[i] >= 2;
        // A piece that starts and ends at the same junction (a closed way) is split in the
        // middle, so that no segment is a loop. Its interior nodes are used once only, so
        // this cannot create another loop.
        for (const Run& r : runs) {
            std::uint32_t piece_start = 0;
            for (std::uint32_t k = 1; k < r.count; ++k) {
                if (!junction[run_nodes[r.first + k]]) continue;
                if (run_nodes[r.first + k] == run_nodes[r.first + piece_start]) {
                    junction[run_nodes[r.first + (piece_start + k) / 2]] = 1;
                }
                piece_start = k;
            }
        }
    }

    // 4. Segments between consecutive junctions of each run, on temporary junction ids.
    std::vector<std::uint32_t> jid(node_count0, kInvalid);
    std::uint32_t junctions = 0;
    for (std::uint32_t i = 0; i < node_count0; ++i) {
        if (junction[i]) jid[i] = junctions++;
    }
    struct TmpSeg {
        std::uint32_t tail, head;   // temporary junction ids
        std::uint32_t first, count; // shape: run_nodes[first .. first+count)
        std::uint32_t way;
        double length_m;
        TimeMs fwd_ms, bwd_ms;
    };
    std::vector<TmpSeg> segs;
    for (const Run& r : runs) {
        const Way& way = ways_[r.way];
        std::uint32_t piece_start = 0;
        double length = 0;
        for (std::uint32_t k = 1; k < r.count; ++k) {
            const std::uint32_t a = run_nodes[r.first + k - 1], b = run_nodes[r.first + k];
            length += geo::distance_m(nodes_[a].second.latlon(), nodes_[b].second.latlon());
            if (!junction[b]) continue;
            TmpSeg s{};
            s.tail = jid[run_nodes[r.first + piece_start]];
            s.head = jid[b];
            s.first = r.first + piece_start;
            s.count = k - piece_start + 1;
            s.way = r.way;
            // Lengths are summed in float, the precision kept in the file, so that offsets
            // computed at load time agree with the stored length.
            s.length_m = length;
            s.fwd_ms = way.rules.forward ? travel_time_ms(length, way.rules.speed_kmh) : kNoTime;
            s.bwd_ms = way.rules.backward ? travel_time_ms(length, way.rules.speed_kmh) : kNoTime;
            segs.push_back(s);
            piece_start = k;
            length = 0;
        }
    }

    // 5. The largest strongly connected component on the temporary ids.
    stage("finding the largest strongly connected component");
    std::vector<std::uint32_t> keep_comp;
    std::uint32_t largest = 0;
    {
        std::vector<std::uint32_t> first(junctions + 1, 0), head;
        for (const TmpSeg& s : segs) {
            if (s.fwd_ms != kNoTime) ++first[s.tail + 1];
            if (s.bwd_ms != kNoTime) ++first[s.head + 1];
        }
        std::partial_sum(first.begin(), first.end(), first.begin());
        head.resize(first[junctions]);
        std::vector<std::uint32_t> fill(first.begin(), first.end() - 1);
        for (const TmpSeg& s : segs) {
            if (s.fwd_ms != kNoTime) head[fill[s.tail]++] = s.head;
            if (s.bwd_ms != kNoTime) head[fill[s.head]++] = s.tail;
        }
        std::uint32_t comps = 0;
        keep_comp = strong_components(junctions, first, head, comps);
        std::vector<std::uint32_t> size(comps, 0);
        for (std::uint32_t c : keep_comp)
            ++size[c];
        for (std::uint32_t c = 1; c < comps; ++c) {
            if (size[c] > size[largest]) largest = c;
        }
        if (comps == 0) {
            return base::error(base::Code::bad_argument, "input",
                               fmt::format("no drivable road could be built from {} ways and {} "
                                           "nodes",
                                           ways_.size(), nodes_.size()));
        }
    }

    // 6. Final node ids along a Hilbert curve.
    stage("ordering nodes");
    std::vector<std::uint32_t> kept; // temporary junction ids kept
    std::vector<std::uint32_t> junction_node(junctions);
    for (std::uint32_t i = 0; i < node_count0; ++i) {
        if (jid[i] != kInvalid) junction_node[jid[i]] = i;
    }
    for (std::uint32_t j = 0; j < junctions; ++j) {
        if (keep_comp[j] == largest) kept.push_back(j);
    }
    rep.dropped_nodes = junctions - kept.size();
    if (kept.size() < 2) {
        return base::error(base::Code::bad_argument, "input",
                           "no two junctions are connected in both directions: nothing routable");
    }
    {
        std::int32_t lat0 = INT32_MAX, lat1 = INT32_MIN, lon0 = INT32_MAX, lon1 = INT32_MIN;
        for (std::uint32_t j : kept) {
            const Coord c = nodes_[junction_node[j]].second;
            lat0 = std::min(lat0, c.lat_e7), lat1 = std::max(lat1, c.lat_e7);
            lon0 = std::min(lon0, c.lon_e7), lon1 = std::max(lon1, c.lon_e7);
        }
        const double lat_span = std::max(1.0, static_cast<double>(lat1) - lat0);
        const double lon_span = std::max(1.0, static_cast<double>(lon1) - lon0);
        std::vector<std::uint64_t> key(junctions, 0);
        for (std::uint32_t j : kept) {
            const Coord c = nodes_[junction_node[j]].second;
            const auto x = static_cast<std::uint32_t>((c.lon_e7 - static_cast<double>(lon0)) /
                                                      lon_span * 65535.0);
            const auto y = static_cast<std::uint32_t>((c.lat_e7 - static_cast<double>(lat0)) /
                                                      lat_span * 65535.0);
            key[j] = hilbert_index(x, y);
        }
        std::sort(kept.begin(), kept.end(), [&](std::uint32_t a, std::uint32_t b) {
            return key[a] != key[b] ? key[a] < key[b] : a < b;
        });
    }
    std::vector<NodeId> final_id(junctions, kInvalid);
    for (std::uint32_t i = 0; i < kept.size(); ++i)
        final_id[kept[i]] = i;
    const auto n = static_cast<std::uint32_t>(kept.size());

    // 7. Segments inside the component, ordered by tail for locality.
    std::vector<std::uint32_t> seg_order;
    for (std::uint32_t i = 0; i < segs.size(); ++i) {
        if (final_id[segs[i].tail] != kInvalid && final_id[segs[i].head] != kInvalid) {
            seg_order.push_back(i);
            rep.kept_length_m += segs[i].length_m;
        } else {
            ++rep.dropped_segments;
            rep.dropped_length_m += segs[i].length_m;
        }
    }
    std::sort(seg_order.begin(), seg_order.end(), [&](std::uint32_t a, std::uint32_t b) {
        const NodeId ta = final_id[segs[a].tail], tb = final_id[segs[b].tail];
        if (ta != tb) return ta < tb;
        return final_id[segs[a].head] < final_id[segs[b].head];
    });

    stage("writing arrays");
    GraphData d;
    d.profile_name = profile_name_;
    d.node_coord.resize(n);
    d.node_osm_id.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        d.node_coord[i] = nodes_[junction_node[kept[i]]].second;
        d.node_osm_id[i] = nodes_[junction_node[kept[i]]].first;
    }
    const auto s_count = static_cast<std::uint32_t>(seg_order.size());
    d.seg_tail.resize(s_count);
    d.seg_head.resize(s_count);
    d.seg_fwd_ms.resize(s_count);
    d.seg_bwd_ms.resize(s_count);
    d.seg_length_m.resize(s_count);
    d.seg_class.resize(s_count);
    d.seg_name.resize(s_count);
    d.seg_way_id.resize(s_count);
    d.seg_shape_first.resize(s_count + 1);
    std::vector<std::uint32_t> name_remap(names_.size(), kInvalid);
    std::vector<std::string_view> used_names{""};
    name_remap[0] = 0;
    for (std::uint32_t i = 0; i < s_count; ++i) {
        const TmpSeg& s = segs[seg_order[i]];
        const Way& way = ways_[s.way];
        d.seg_tail[i] = final_id[s.tail];
        d.seg_head[i] = final_id[s.head];
        d.seg_fwd_ms[i] = s.fwd_ms;
        d.seg_bwd_ms[i] = s.bwd_ms;
        d.seg_class[i] = way.rules.road_class;
        if (name_remap[way.name] == kInvalid) {
            name_remap[way.name] = static_cast<std::uint32_t>(used_names.size());
            used_names.push_back(names_[way.name]);
        }
        d.seg_name[i] = name_remap[way.name];
        d.seg_way_id[i] = way.id;
        d.seg_shape_first[i] = static_cast<std::uint32_t>(d.shape.size());
        float length = 0;
        for (std::uint32_t k = 0; k < s.count; ++k) {
            d.shape.push_back(nodes_[run_nodes[s.first + k]].second);
            if (k > 0) {
                // Same formula and precision as the snapping index's offsets.
                length += static_cast<float>(
                    geo::distance_m(d.shape[d.shape.size() - 2].latlon(), d.shape.back().latlon()));
            }
        }
        d.seg_length_m[i] = length;
    }
    d.seg_shape_first[s_count] = static_cast<std::uint32_t>(d.shape.size());
    d.name_first.push_back(0);
    for (std::string_view name : used_names) {
        d.name_chars.append(name);
        d.name_first.push_back(static_cast<std::uint32_t>(d.name_chars.size()));
    }

    // 8. Forward and reverse CSR.
    d.first_out.assign(n + 1, 0);
    for (std::uint32_t s = 0; s < s_count; ++s) {
        if (d.seg_fwd_ms[s] != kNoTime) ++d.first_out[d.seg_tail[s] + 1];
        if (d.seg_bwd_ms[s] != kNoTime) ++d.first_out[d.seg_head[s] + 1];
    }
    std::partial_sum(d.first_out.begin(), d.first_out.end(), d.first_out.begin());
    const std::uint32_t m = d.first_out[n];
    d.arc_head.resize(m);
    d.arc_time_ms.resize(m);
    d.arc_seg.resize(m);
    {
        std::vector<std::uint32_t> fill(d.first_out.begin(), d.first_out.end() - 1);
        for (std::uint32_t s = 0; s < s_count; ++s) {
            if (d.seg_fwd_ms[s] != kNoTime) {
                const std::uint32_t a = fill[d.seg_tail[s]]++;
                d.arc_head[a] = d.seg_head[s];
                d.arc_time_ms[a] = d.seg_fwd_ms[s];
                d.arc_seg[a] = s << 1;
            }
            if (d.seg_bwd_ms[s] != kNoTime) {
                const std::uint32_t a = fill[d.seg_head[s]]++;
                d.arc_head[a] = d.seg_tail[s];
                d.arc_time_ms[a] = d.seg_bwd_ms[s];
                d.arc_seg[a] = (s << 1) | 1;
            }
        }
    }
    d.first_in.assign(n + 1, 0);
    for (std::uint32_t a = 0; a < m; ++a)
        ++d.first_in[d.arc_head[a] + 1];
    std::partial_sum(d.first_in.begin(), d.first_in.end(), d.first_in.begin());
    d.in_tail.resize(m);
    d.in_time_ms.resize(m);
    d.in_arc.resize(m);
    {
        std::vector<std::uint32_t> fill(d.first_in.begin(), d.first_in.end() - 1);
        for (NodeId u = 0; u < n; ++u) {
            for (ArcId a = d.first_out[u]; a < d.first_out[u + 1]; ++a) {
                const std::uint32_t i = fill[d.arc_head[a]]++;
                d.in_tail[i] = u;
                d.in_time_ms[i] = d.arc_time_ms[a];
                d.in_arc[i] = a;
            }
        }
    }

    stage("contracting (contraction hierarchy)");
    detail::build_contraction_hierarchy(d);

    rep.nodes = n;
    rep.segments = s_count;
    rep.arcs = m;
    Graph graph(std::move(d));
    rep.shortcuts = graph.shortcut_count();
    if (report) *report = rep;
    return graph;
}

} // namespace pingan::road
