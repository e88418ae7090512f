#include "ops/status.hpp"

namespace pingan::ops {
namespace {

constexpr std::array<std::string_view, 8> kIncidentNames{
    "received", "dispatched", "on_scene", "cleared", "closed", "diverted", "merged", "cancelled"};
constexpr std::array<std::string_view, 6> kUnitNames{"available", "dispatched",     "en_route",
                                                     "on_scene",  "out_of_service", "off_duty"};
constexpr std::array<std::string_view, 3> kAgencyNames{"police", "fire", "ems"};

template <class Enum, std::size_t N>
std::optional<Enum> parse(const std::array<std::string_view, N>& names, std::string_view s) {
    for (std::size_t i = 0; i < N; ++i) {
        if (names[i] == s) return static_cast<Enum>(i);
    }
    return std::nullopt;
}

} // namespace

std::string_view to_string(IncidentStatus s) {
    return kIncidentNames[static_cast<std::size_t>(s)];
}
std::string_view to_string(UnitStatus s) {
    return kUnitNames[static_cast<std::size_t>(s)];
}
std::string_view to_string(Agency a) {
    return kAgencyNames[static_cast<std::size_t>(a)];
}

std::optional<IncidentStatus> parse_incident_status(std::string_view s) {
    return parse<IncidentStatus>(kIncidentNames, s);
}
std::optional<UnitStatus> parse_unit_status(std::string_view s) {
    return parse<UnitStatus>(kUnitNames, s);
}
std::optional<Agency> parse_agency(std::string_view s) {
    return parse<Agency>(kAgencyNames, s);
}

} // namespace pingan::ops
