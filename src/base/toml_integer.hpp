// An integer setting from a TOML file (toml++): an integer, or a float with an integral value
// that fits int64, as toml++'s value<int64_t>() reads it, but without its cast of an
// out-of-range float (1e40), which is undefined behaviour (found by fuzz_config_toml).
// A template on the node type, so that base does not depend on toml++.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>

namespace pingan::base {

template <class Node>
std::optional<std::int64_t> toml_integer(const Node& node) {
    if (auto i = node.template value_exact<std::int64_t>()) return *i;
    if (auto d = node.template value_exact<double>()) {
        const double limit = std::ldexp(1.0, 63); // 2^63: int64 is [-2^63, 2^63)
        if (std::isfinite(*d) && *d >= -limit && *d < limit && std::trunc(*d) == *d) {
            return static_cast<std::int64_t>(*d);
        }
    }
    return std::nullopt;
}

} // namespace pingan::base
