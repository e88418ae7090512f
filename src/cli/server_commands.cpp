// pingan serve
#include "cli/commands.hpp"

namespace pingan::cli {

void add_server_commands(CLI::App& /*app*/, Parents& /*parents*/, RunState& /*state*/) {}

} // namespace pingan::cli
