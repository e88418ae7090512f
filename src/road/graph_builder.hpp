// Builds a Graph from nodes and ways in any order (OSM import, ASCII test maps, generators).
// Ways are split at junctions into segments; references to unknown nodes break a way into the
// pieces that can be built; only the largest strongly connected component is kept, so that
// every snapped position can reach every other; then the contraction hierarchy is computed.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.hpp"
#include "road/graph.hpp"
#include "road/profile.hpp"

namespace pingan::road {

// What a build kept and dropped; the import command prints it as its JSON summary.
struct BuildReport {
    std::size_t ways = 0;              // ways given to the builder
    std::size_t ways_unusable = 0;     // no two consecutive known nodes
    std::size_t missing_node_refs = 0; // references to nodes never given
    std::size_t nodes = 0;             // junctions kept
    std::size_t segments = 0;          // segments kept
    std::size_t arcs = 0;              // directed arcs kept
    std::size_t shortcuts = 0;         // contraction hierarchy shortcuts
    std::size_t dropped_nodes = 0;     // junctions outside the largest strongly connected part
    std::size_t dropped_segments = 0;  // segments outside it
    double dropped_length_m = 0;       // their length
    double kept_length_m = 0;
};

class GraphBuilder {
public:
    explicit GraphBuilder(std::string profile_name = "car")
        : profile_name_(std::move(profile_name)) {}

    // A node that ways may reference. Ids are any 64-bit numbers (OSM ids); order is free.
    void add_node(std::int64_t node_id, geo::LatLon position);
    // A drivable way through the given nodes, in order. `rules` come from Profile::evaluate or
    // are written directly by tests.
    void add_way(std::int64_t way_id, const WayRules& rules, std::string_view name,
                 std::span<const std::int64_t> node_ids);

    std::size_t node_count() const { return nodes_.size(); }
    std::size_t way_count() const { return ways_.size(); }

    // Builds the graph. `progress` (optional) is told the name of each stage as it starts.
    // Fails with bad_argument when nothing routable remains.
    base::Result<Graph> build(BuildReport* report = nullptr,
                              const std::function<void(std::string_view)>& progress = {});

private:
    struct Way {
        std::int64_t id;
        WayRules rules;
        std::uint32_t name;
        std::uint32_t first_ref;
        std::uint32_t ref_count;
    };

    std::string profile_name_;
    std::vector<std::pair<std::int64_t, Coord>> nodes_;
    std::vector<Way> ways_;
    std::vector<std::int64_t> refs_;
    std::unordered_map<std::string, std::uint32_t> name_index_;
    std::vector<std::string> names_{""}; // name 0 = unnamed
};

} // namespace pingan::road
