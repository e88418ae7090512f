// Loads a road::Profile from TOML (config/road_profile.toml documents the keys). Keys left out
// keep the built-in car values.
#pragma once

#include <string>

#include "base/result.hpp"
#include "road/profile.hpp"

namespace pingan::io {

base::Result<road::Profile> load_road_profile(const std::string& path);

} // namespace pingan::io
