// A fleet for replay: the posts units start from and return to, the units, and the times a
// call takes besides driving (call processing, turnout, service on scene by category).
// Plain data; io/fleet_toml reads it from config/fleet/*.toml.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.hpp"
#include "geo/latlon.hpp"
#include "ops/status.hpp"

namespace pingan::sim {

using base::TimeMs;

struct Post {
    std::string name;
    geo::LatLon location;
};

struct FleetUnit {
    std::string callsign;
    std::size_t post = 0; // index into Fleet::posts: where it starts and returns to
    ops::Agency agency = ops::Agency::police;
    std::vector<std::string> capabilities;
};

struct Fleet {
    std::string name;
    std::vector<Post> posts;
    std::vector<FleetUnit> units;
    // NFPA 1221 call processing: call received -> ready to dispatch (first unit assigned).
    TimeMs call_processing_ms = 60'000;
    // NFPA 1710/1221 turnout: unit dispatched -> wheels rolling. Added to road travel time.
    TimeMs turnout_ms = 60'000;
    // Time on scene by taxonomy code or group (a code wins over its group), and otherwise.
    std::map<std::string, TimeMs, std::less<>> service_ms;
    TimeMs service_default_ms = 30 * 60'000;
    // A call's time on scene is drawn uniformly from mean × [1 − spread, 1 + spread].
    double service_spread = 0.5;

    // Mean time on scene of a category: its code, else its group, else the default.
    TimeMs service_mean_ms(std::string_view category) const;
};

} // namespace pingan::sim
