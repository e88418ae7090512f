// OSM (PBF or XML, sorted or not) -> road graph, through road::GraphBuilder and a road::Profile.
// Two passes: ways first (keeping those the profile accepts and the node ids they need), then
// only those nodes, so that memory stays small and the file's order does not matter.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "io/osm_file.hpp"
#include "road/graph.hpp"
#include "road/graph_builder.hpp"
#include "road/profile.hpp"

namespace pingan::io {

struct OsmImportStats {
    std::size_t ways_read = 0;     // every way in the file
    std::size_t ways_routable = 0; // accepted by the profile
    std::size_t nodes_needed = 0;  // distinct nodes those ways reference
    std::size_t nodes_found = 0;   // of those, present in the file with a location
    road::BuildReport build;       // what the graph builder kept and dropped
};

struct OsmImport {
    road::Graph graph;
    OsmImportStats stats;
};

// Reads an OSM file and builds the graph. corrupt_file for unreadable, truncated or non-OSM
// content; io_error when the file cannot be opened; bad_argument when no road remains.
// `progress` (optional) receives human-readable stage messages.
base::Result<OsmImport> import_osm(const CheckedOsmFile& osm, const road::Profile& profile,
                                   const std::function<void(std::string_view)>& progress = {});
// The same, checking the file first (check_osm_file).
base::Result<OsmImport> import_osm(const std::string& path, const road::Profile& profile,
                                   const std::function<void(std::string_view)>& progress = {});

} // namespace pingan::io
