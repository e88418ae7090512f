// Sub-command registration for the `pingan` program. Each family lives in its own file and
// adds its sub-commands to the app; main.cpp only wires them together.
#pragma once

#include <CLI/CLI.hpp>

namespace pingan::cli {

// Exit codes shared by every sub-command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;   // the command ran and found a problem (e.g. broken chain)
inline constexpr int kExitBadInput = 2; // bad arguments or unusable input files

// The selected sub-command stores its exit code here.
struct RunState {
    int exit_code = kExitOk;
};

// Parent commands shared by several families, e.g. `pingan import osm` and `pingan import
// boundaries`.
struct Parents {
    CLI::App* import = nullptr;  // pingan import …
    CLI::App* export_ = nullptr; // pingan export …
};

void add_server_commands(CLI::App& app, Parents& parents, RunState& state); // serve
void add_admin_commands(CLI::App& app, Parents& parents, RunState& state);  // user, audit
// import osm, route, nearest, coverage, export graph
void add_road_commands(CLI::App& app, Parents& parents, RunState& state);
void add_stream_command(CLI::App& app, RunState& state);                 // stream
void add_geo_commands(CLI::App& app, Parents& parents, RunState& state); // import boundaries
// import incidents, report compstat, hotspots, plan posts, replay
void add_analytics_commands(CLI::App& app, Parents& parents, RunState& state);

// Prints "pingan: error: <message>" to stderr and returns kExitBadInput.
int fail_input(const std::string& message);

} // namespace pingan::cli
