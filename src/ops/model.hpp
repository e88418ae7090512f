// The domain records: Incident, Unit, Assignment, and the Event every command produces.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/json_writer.hpp"
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
    bool has_caller = false;   // caller details exist (kept apart, role-gated)
    std::string jurisdiction;  // 辖区 by point-in-polygon at intake; empty: outside every one
    std::string patrol_area;   // 巡区, likewise
    std::string location_kind; // "residence", "road", "school", … as the call-taker chose
    std::string triage;        // JSON text: the triage suggestion and the decision; may be empty
    std::vector<Id> likely_duplicates; // open incidents it may repeat, found at intake
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
    std::string home_jurisdiction;   // the jurisdiction the unit belongs to
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
    std::optional<int> recommended_rank; // 1-based rank in the list shown; empty: not in it

    bool active() const { return !cleared_at.has_value(); }
};

// A unit's new status, as the projection needs it.
struct UnitStatusChange {
    Id id = 0;
    UnitStatus to = UnitStatus::available;
    TimeMs at = 0;
    std::optional<Id> incident_id;   // while assigned
    std::optional<Id> assignment_id; // while assigned
};

// A condition that needs attention: a call not dispatched in time, a unit not moving, a unit
// on scene unusually long, a hand-off to 12345 failing. One open alert per condition (key).
struct Alert {
    Id id = 0;
    std::string key;  // kind + subject, e.g. "not_dispatched/incident/12"
    std::string kind; // not_dispatched, not_en_route, not_on_scene, on_scene_long, handoff_failing
    std::optional<Id> incident_id;
    std::optional<Id> unit_id;
    std::string message;
    TimeMs raised_at = 0;
    std::optional<TimeMs> resolved_at;
};

// What an event changes, typed, so that projections need not parse the payload text.
// monostate: a log-only event (logins, reads of personal data, digests…).
using EventRecordData =
    std::variant<std::monostate, Incident, Unit, Assignment, UnitStatusChange, Alert>;

// A domain event before it is stored: the store adds seq, prev_hash and hash.
struct Event {
    TimeMs at = 0;
    std::string actor;    // user name of who caused it ("system" for automatic steps)
    std::string kind;     // e.g. "incident.created"
    std::string subject;  // e.g. "incident/12"
    std::string payload;  // compact JSON text; stored and hashed exactly as is
    EventRecordData data; // the same facts, typed, for projections

    // A log-only event whose payload is given as a JSON document.
    static Event log_only(TimeMs at, std::string actor, std::string kind, std::string subject,
                          const nlohmann::json& payload);
};

// JSON text shapes shared by events, the API and the store. The write_*_fields functions
// write the members of an object that is already open, so callers can add their own.
void write_fields(base::JsonWriter& w, const Incident& i);
void write_fields(base::JsonWriter& w, const Unit& u);
void write_fields(base::JsonWriter& w, const Assignment& a);
void write_position(base::JsonWriter& w, const Position& p);
std::string to_json_text(const Incident& i);
std::string to_json_text(const Unit& u);
std::string to_json_text(const Assignment& a);
std::string to_json_text(const Alert& a);

// The same as documents, for code off the hot path and for tests.
nlohmann::json to_json(const Incident& i);
nlohmann::json to_json(const Unit& u);
nlohmann::json to_json(const Assignment& a);
nlohmann::json to_json(const Position& p);

// Human incident number: year (in the centre's local time) and its sequence in that year.
std::string incident_number(int year, std::int64_t sequence);

} // namespace pingan::ops
