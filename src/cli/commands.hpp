// Sub-command registration for the `pingan` program. Each family lives in its own file and
// adds its sub-commands to the app; main.cpp only wires them together.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "store/open_store.hpp"

namespace pingan::cli {

// Help of every --db option: both backends are named the same way (store/open_store.hpp).
inline constexpr const char* kDbHelp =
    "database: a SQLite file (created if missing) or a postgresql://user@host:port/db URI";

// For commands that only read a store: why `db` cannot be one (a SQLite file that does not
// exist, which opening would create), or nothing. A PostgreSQL URI is checked by connecting.
inline std::optional<std::string> missing_db(const std::string& db) {
    const auto where = store::locate_store(db);
    if (where.backend == store::Backend::sqlite && !std::filesystem::exists(where.target))
        return "--db: no file at " + where.target;
    return std::nullopt;
}

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
void add_custody_commands(CLI::App& app, RunState& state); // custody verify
void add_db_commands(CLI::App& app, RunState& state);      // db migrate, backup, restore, copy

// Prints "pingan: error: <message>" to stderr and returns kExitBadInput.
int fail_input(const std::string& message);
// fail_input with the error's detail (its slug when it has none).
int fail(const base::Error& e);

} // namespace pingan::cli
