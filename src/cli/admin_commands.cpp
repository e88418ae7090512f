// pingan user …, pingan audit …
#include "cli/commands.hpp"

namespace pingan::cli {

void add_admin_commands(CLI::App& /*app*/, Parents& /*parents*/, RunState& /*state*/) {}

} // namespace pingan::cli
