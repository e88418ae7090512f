#include "road/profile.hpp"

#include <algorithm>
#include <charconv>

namespace pingan::road {

namespace {

std::string_view find(std::span<const Tag> tags, std::string_view key) {
    for (const Tag& t : tags) {
        if (t.first == key) return t.second;
    }
    return {};
}

// Access values that shut cars out. `destination`, `customers`, `delivery`, `permissive`,
// `designated` and `yes` let them in.
bool denies(std::string_view v) {
    return v == "no" || v == "private" || v == "agricultural" || v == "forestry" || v == "psv" ||
           v == "bus" || v == "emergency" || v == "military" || v == "agricultural;forestry" ||
           v == "discouraged";
}

} // namespace

double parse_maxspeed_kmh(std::string_view v) {
    if (const auto semi = v.find(';'); semi != std::string_view::npos) v = v.substr(0, semi);
    while (!v.empty() && v.front() == ' ')
        v.remove_prefix(1);
    if (v.empty()) return 0;
    if (v == "walk") return 6;
    if (v == "none" || v == "signals" || v == "variable") return 0;
    if (const auto colon = v.find(':'); colon != std::string_view::npos) {
        // Implicit limits by zone type: "PT:urban", "DE:rural", "RU:motorway", ...
        const std::string_view zone = v.substr(colon + 1);
        if (zone == "urban" || zone == "zone30" || zone == "zone:30")
            return zone == "urban" ? 50 : 30;
        if (zone == "rural") return 90;
        if (zone == "trunk") return 100;
        if (zone == "motorway") return 120;
        if (zone == "living_street") return 10;
        return 0;
    }
    double number = 0;
    const char* begin = v.data();
    const char* end = v.data() + v.size();
    const auto [ptr, ec] = std::from_chars(begin, end, number);
    if (ec != std::errc() || number <= 0 || number > 300) return 0;
    std::string_view unit(ptr, static_cast<std::size_t>(end - ptr));
    while (!unit.empty() && unit.front() == ' ')
        unit.remove_prefix(1);
    if (unit.empty() || unit == "km/h" || unit == "kmh" || unit == "kph") return number;
    if (unit == "mph") return number * 1.609344;
    if (unit == "knots") return number * 1.852;
    return 0;
}

bool Profile::evaluate(std::span<const Tag> tags, WayRules& out) const {
    RoadClass road_class{};
    if (!road_class_from_osm(find(tags, "highway"), road_class)) return false;
    if (find(tags, "area") == "yes") return false;
    // The most specific access tag present decides.
    for (std::string_view key : {"motorcar", "motor_vehicle", "vehicle", "access"}) {
        const std::string_view v = find(tags, key);
        if (v.empty()) continue;
        if (denies(v)) return false;
        break;
    }
    bool forward = true, backward = true;
    const std::string_view oneway = find(tags, "oneway");
    const std::string_view junction = find(tags, "junction");
    if (road_class == RoadClass::motorway || road_class == RoadClass::motorway_link ||
        junction == "roundabout" || junction == "circular") {
        backward = false; // implied one-way unless tagged otherwise below
    }
    if (oneway == "yes" || oneway == "true" || oneway == "1") {
        backward = false;
    } else if (oneway == "-1" || oneway == "reverse") {
        forward = false;
        backward = true;
    } else if (oneway == "no" || oneway == "false" || oneway == "0") {
        forward = backward = true;
    } else if (oneway == "reversible" || oneway == "alternating") {
        return false; // direction changes with time of day: not routable without a schedule
    }

    double speed = speed_kmh[static_cast<std::size_t>(road_class)];
    if (use_maxspeed) {
        double posted = parse_maxspeed_kmh(find(tags, "maxspeed"));
        if (posted <= 0) {
            // Direction-specific limits: use the slower one for both directions.
            const double f = parse_maxspeed_kmh(find(tags, "maxspeed:forward"));
            const double b = parse_maxspeed_kmh(find(tags, "maxspeed:backward"));
            posted = f > 0 && b > 0 ? std::min(f, b) : std::max(f, b);
        }
        if (posted > 0) speed = posted * maxspeed_factor;
    }
    out.road_class = road_class;
    out.forward = forward;
    out.backward = backward;
    out.speed_kmh = std::clamp(speed, min_speed_kmh, max_speed_kmh);
    return forward || backward;
}

} // namespace pingan::road
