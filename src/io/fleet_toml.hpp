// Reads a replay fleet (config/fleet/*.toml): posts with their units, call processing and
// turnout times, time on scene by category. Unknown keys, unknown category codes, missing or
// out-of-range values refuse the file with a message naming the key.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "sim/fleet.hpp"

namespace pingan::io {

// `name` is used in messages (the file name).
base::Result<sim::Fleet> parse_fleet(std::string_view toml_text, std::string_view name);
base::Result<sim::Fleet> load_fleet_file(const std::string& path);

} // namespace pingan::io
