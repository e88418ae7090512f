// pingan: the single command-line program. `pingan --help` lists every sub-command.
#include <cstdio>
#include <exception>

#include <fmt/core.h>

#include "cli/commands.hpp"

#ifndef PINGAN_VERSION
#define PINGAN_VERSION "0.0.0"
#endif

namespace pingan::cli {

int fail_input(const std::string& message) {
    fmt::print(stderr, "pingan: error: {}\n", message);
    return kExitBadInput;
}

int fail(const base::Error& e) {
    return fail_input(e.detail.empty() ? std::string(e.slug()) : e.detail);
}

} // namespace pingan::cli

int main(int argc, char** argv) {
    using namespace pingan::cli;
    CLI::App app{"pingan — public-safety command and dispatch platform"};
    app.set_version_flag("--version", std::string("pingan ") + PINGAN_VERSION);
    app.require_subcommand(1);

    RunState state;
    Parents parents;
    parents.import =
        app.add_subcommand("import", "Import road networks, boundaries or incident records");
    parents.import->require_subcommand(1);
    parents.export_ = app.add_subcommand("export", "Export data for independent tools");
    parents.export_->require_subcommand(1);

    add_server_commands(app, parents, state);
    add_admin_commands(app, parents, state);
    add_road_commands(app, parents, state);
    add_stream_command(app, state);
    add_geo_commands(app, parents, state);
    add_analytics_commands(app, parents, state);
    add_custody_commands(app, state);
    add_db_commands(app, state);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e); // prints help, version or the parse error
        return code == 0 ? kExitOk : kExitBadInput;
    } catch (const std::exception& e) {
        fmt::print(stderr, "pingan: error: {}\n", e.what());
        return kExitFailed;
    }
    return state.exit_code;
}
