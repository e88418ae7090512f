// Road network commands: import osm, route, nearest, coverage, export graph.
#include "cli/commands.hpp"

namespace pingan::cli {

void add_road_commands(CLI::App& /*app*/, Parents& /*parents*/, RunState& /*state*/) {}

} // namespace pingan::cli
