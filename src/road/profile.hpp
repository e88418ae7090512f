// A vehicle profile: which OSM ways a vehicle may use, in which directions, and how fast.
// The car profile is built in; other profiles (e.g. emergency vehicles) are the same table with
// other numbers, loaded from config/road_profile.toml by the io module.
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "road/graph.hpp"

namespace pingan::road {

using Tag = std::pair<std::string_view, std::string_view>; // OSM key, value

// How one way may be driven. Produced by Profile::evaluate, consumed by GraphBuilder.
struct WayRules {
    RoadClass road_class = RoadClass::road;
    bool forward = true;  // along the way's node order
    bool backward = true; // against it
    double speed_kmh = 0; // > 0
};

struct Profile {
    std::string name = "car";
    // Free-flow speed by class when the way has no usable maxspeed (urban car defaults).
    std::array<double, kRoadClassCount> speed_kmh = {
        100, // motorway
        80,  // trunk
        55,  // primary
        45,  // secondary
        40,  // tertiary
        30,  // unclassified
        25,  // residential
        10,  // living_street
        15,  // service: kept (driveways, yards, hospital access) but slow
        60,  // motorway_link
        50,  // trunk_link
        40,  // primary_link
        35,  // secondary_link
        30,  // tertiary_link
        20,  // road
    };
    bool use_maxspeed = true;     // take `maxspeed` when it parses
    double maxspeed_factor = 0.9; // share of the posted limit a vehicle averages
    double max_speed_kmh = 130;   // upper bound after every rule
    double min_speed_kmh = 5;     // lower bound after every rule

    // The built-in car profile.
    static Profile car() { return Profile{}; }

    // Rules for a way with these tags, or false when the vehicle may not use it (not a road
    // for cars, access=no/private, motor_vehicle=no, area=yes, reversible oneway, ...).
    bool evaluate(std::span<const Tag> tags, WayRules& out) const;
};

// Parses an OSM `maxspeed` value into km/h: "50", "50 km/h", "30 mph", "PT:urban", "walk".
// Returns 0 when the value carries no usable number ("none", "signals", garbage).
double parse_maxspeed_kmh(std::string_view value);

} // namespace pingan::road
