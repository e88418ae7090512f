#include "io/road_profile.hpp"

#include <fmt/core.h>
#include <toml++/toml.h>

namespace pingan::io {

base::Result<road::Profile> load_road_profile(const std::string& path) {
    toml::table t;
    try {
        t = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        return base::error(base::Code::bad_argument, "profile",
                           fmt::format("{}: {}", path, e.description()));
    }
    road::Profile p = road::Profile::car();
    if (auto v = t["name"].value<std::string>()) p.name = *v;
    if (auto v = t["use_maxspeed"].value<bool>()) p.use_maxspeed = *v;
    if (auto v = t["maxspeed_factor"].value<double>()) p.maxspeed_factor = *v;
    if (auto v = t["max_speed_kmh"].value<double>()) p.max_speed_kmh = *v;
    if (auto v = t["min_speed_kmh"].value<double>()) p.min_speed_kmh = *v;
    if (const toml::table* speeds = t["speed_kmh"].as_table()) {
        for (const auto& [key, value] : *speeds) {
            road::RoadClass c{};
            if (!road::road_class_from_osm(key.str(), c)) {
                return base::error(
                    base::Code::bad_argument, "profile",
                    fmt::format("{}: unknown road class speed_kmh.{}", path, key.str()));
            }
            const auto kmh = value.value<double>();
            if (!kmh || *kmh <= 0) {
                return base::error(
                    base::Code::bad_argument, "profile",
                    fmt::format("{}: speed_kmh.{} must be a positive number", path, key.str()));
            }
            p.speed_kmh[static_cast<std::size_t>(c)] = *kmh;
        }
    }
    if (!(p.maxspeed_factor > 0) || !(p.min_speed_kmh > 0) || p.max_speed_kmh < p.min_speed_kmh) {
        return base::error(base::Code::bad_argument, "profile",
                           fmt::format("{}: speeds and factors must be positive", path));
    }
    return p;
}

} // namespace pingan::io
