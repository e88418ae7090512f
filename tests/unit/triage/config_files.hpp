// The shipped configuration files, read from the source tree.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace pingan::test {

inline std::string read_config(const std::string& name) {
    std::ifstream in(std::string(PINGAN_SOURCE_DIR) + "/config/" + name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace pingan::test
