// The state machines of incidents and units, as tables. Every allowed transition is one row;
// anything else is refused with Code::invalid_transition.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace pingan::ops {

enum class IncidentStatus : std::uint8_t {
    received,   // call taken, not yet dispatched
    dispatched, // at least one unit assigned, none on scene
    on_scene,   // at least one unit arrived
    cleared,    // every unit left the scene; awaiting disposition
    closed,     // disposition recorded (terminal)
    diverted,   // handed to the 12345 city service line (terminal)
    merged,     // duplicate of another incident (terminal)
    cancelled,  // no response needed any more (terminal)
};

enum class UnitStatus : std::uint8_t {
    available,
    dispatched, // assigned to an incident, not yet moving
    en_route,
    on_scene,
    out_of_service,
    off_duty,
};

enum class Agency : std::uint8_t { police, fire, ems };

// Incident lifecycle. "dispatched -> received" happens when the last assigned unit is recalled
// before anyone arrived: the call goes back to the pending queue instead of being lost.
inline constexpr std::array<std::pair<IncidentStatus, IncidentStatus>, 10> kIncidentTransitions{{
    {IncidentStatus::received, IncidentStatus::dispatched},
    {IncidentStatus::received, IncidentStatus::diverted},
    {IncidentStatus::received, IncidentStatus::merged},
    {IncidentStatus::received, IncidentStatus::cancelled},
    {IncidentStatus::dispatched, IncidentStatus::on_scene},
    {IncidentStatus::dispatched, IncidentStatus::received},
    {IncidentStatus::dispatched, IncidentStatus::cancelled},
    {IncidentStatus::on_scene, IncidentStatus::cleared},
    {IncidentStatus::cleared, IncidentStatus::closed},
    {IncidentStatus::cleared, IncidentStatus::dispatched}, // a cleared call flares up again
}};

// Unit lifecycle. "-> dispatched" only through a dispatch command, which creates the assignment.
inline constexpr std::array<std::pair<UnitStatus, UnitStatus>, 13> kUnitTransitions{{
    {UnitStatus::available, UnitStatus::dispatched},
    {UnitStatus::available, UnitStatus::out_of_service},
    {UnitStatus::available, UnitStatus::off_duty},
    {UnitStatus::dispatched, UnitStatus::en_route},
    {UnitStatus::dispatched, UnitStatus::on_scene},
    {UnitStatus::dispatched, UnitStatus::available},
    {UnitStatus::en_route, UnitStatus::on_scene},
    {UnitStatus::en_route, UnitStatus::available},
    {UnitStatus::on_scene, UnitStatus::available},
    {UnitStatus::out_of_service, UnitStatus::available},
    {UnitStatus::out_of_service, UnitStatus::off_duty},
    {UnitStatus::off_duty, UnitStatus::available},
    {UnitStatus::off_duty, UnitStatus::out_of_service},
}};

constexpr bool allowed(IncidentStatus from, IncidentStatus to) {
    for (const auto& [f, t] : kIncidentTransitions) {
        if (f == from && t == to) return true;
    }
    return false;
}

constexpr bool allowed(UnitStatus from, UnitStatus to) {
    for (const auto& [f, t] : kUnitTransitions) {
        if (f == from && t == to) return true;
    }
    return false;
}

// Terminal incidents leave the Board; only their status is remembered.
constexpr bool is_terminal(IncidentStatus s) {
    return s == IncidentStatus::closed || s == IncidentStatus::diverted ||
           s == IncidentStatus::merged || s == IncidentStatus::cancelled;
}

// A unit with an active assignment.
constexpr bool is_assigned(UnitStatus s) {
    return s == UnitStatus::dispatched || s == UnitStatus::en_route || s == UnitStatus::on_scene;
}

std::string_view to_string(IncidentStatus s);
std::string_view to_string(UnitStatus s);
std::string_view to_string(Agency a);
std::optional<IncidentStatus> parse_incident_status(std::string_view s);
std::optional<UnitStatus> parse_unit_status(std::string_view s);
std::optional<Agency> parse_agency(std::string_view s);

inline constexpr std::array kAllIncidentStatuses{
    IncidentStatus::received, IncidentStatus::dispatched, IncidentStatus::on_scene,
    IncidentStatus::cleared,  IncidentStatus::closed,     IncidentStatus::diverted,
    IncidentStatus::merged,   IncidentStatus::cancelled};
inline constexpr std::array kAllUnitStatuses{UnitStatus::available,      UnitStatus::dispatched,
                                             UnitStatus::en_route,       UnitStatus::on_scene,
                                             UnitStatus::out_of_service, UnitStatus::off_duty};

} // namespace pingan::ops
