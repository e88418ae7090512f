// The domain records: Incident, Unit, Assignment, and the Event every command produces.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/time.hpp"
#include "geo/latlon.hpp"
#include "ops/status.hpp"

namespace pingan::ops {

using base::TimeMs;
using Id = std::int64_t;

struct Incident {
    Id id = 0;
    std::string number; // human number per year, "2026-000123"
    IncidentStatus status = IncidentStatus::received;
    std::string category; // taxonomy code
    int priority = 3;     // 1 (most urgent) .. 4
    geo::LatLon location;
    std::string address;
    std::string description;
    TimeMs received_at = 0; // NFPA 1221 "call received": creation on the call-taker's console
    std::optional<TimeMs> dispatched_at; // first unit assigned
    std::optional<TimeMs> on_scene_at;   // first unit arrived
    std::optional<TimeMs> cleared_at;    // last unit left
    std::optional<TimeMs> closed_at;     // terminal status reached
    std::string disposition;             // outcome recorded on close
    std::optional<Id> merged_into;       // set when status == merged
    std::string created_by;              // user name of the call-taker
    TimeMs updated_at = 0;
    bool has_caller = false; // caller details exist (kept apart, role-gated)
};

struct Position {
    geo::LatLon at;
    std::optional<double> heading_deg; // 0 = north, clockwise
    std::optional<double> speed_mps;
    TimeMs reported_at = 0;
};

struct Unit {
    Id id = 0;
    std::string callsign; // unique, e.g. "PA-101"
    Agency agency = Agency::police;
    std::string type;                      // e.g. "patrol_car", "engine", "ambulance"
    std::vector<std::string> capabilities; // e.g. "k9", "als", "ladder"
    std::string home_station;
    UnitStatus status = UnitStatus::available;
    TimeMs status_at = 0;
    std::optional<Position> position;
    std::optional<Id> incident_id;   // current incident while assigned
    std::optional<Id> assignment_id; // current assignment while assigned
};

// One unit on one incident, with NFPA 1221 time stamps (dispatched, en route, on scene, cleared).
struct Assignment {
    Id id = 0;
    Id incident_id = 0;
    Id unit_id = 0;
    TimeMs dispatched_at = 0;
    std::optional<TimeMs> en_route_at;
    std::optional<TimeMs> on_scene_at;
    std::optional<TimeMs>
        cleared_at; // set when the unit is released; the assignment is then closed
    std::string dispatched_by;

    bool active() const { return !cleared_at.has_value(); }
};

// A domain event before it is stored: the store adds seq, prev_hash and hash.
struct Event {
    TimeMs at = 0;
    std::string actor;   // user name of who caused it ("system" for automatic steps)
    std::string kind;    // e.g. "incident.created"
    std::string subject; // e.g. "incident/12"
    nlohmann::json payload;
};

// JSON shapes shared by events, the API and the store.
nlohmann::json to_json(const Incident& i);
nlohmann::json to_json(const Unit& u);
nlohmann::json to_json(const Assignment& a);
nlohmann::json to_json(const Position& p);

// Human incident number: year (in the centre's local time) and its sequence in that year.
std::string incident_number(int year, std::int64_t sequence);

} // namespace pingan::ops
