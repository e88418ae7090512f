#include "ops/model.hpp"

#include <fmt/core.h>

namespace pingan::ops {
namespace {

nlohmann::json time_or_null(const std::optional<TimeMs>& t) {
    return t ? nlohmann::json(base::format_iso8601(*t)) : nlohmann::json(nullptr);
}

} // namespace

std::string incident_number(int year, std::int64_t sequence) {
    return fmt::format("{:04d}-{:06d}", year, sequence);
}

nlohmann::json to_json(const Incident& i) {
    return {
        {"id", i.id},
        {"number", i.number},
        {"status", to_string(i.status)},
        {"category", i.category},
        {"priority", i.priority},
        {"lat", i.location.lat},
        {"lon", i.location.lon},
        {"address", i.address},
        {"description", i.description},
        {"received_at", base::format_iso8601(i.received_at)},
        {"dispatched_at", time_or_null(i.dispatched_at)},
        {"on_scene_at", time_or_null(i.on_scene_at)},
        {"cleared_at", time_or_null(i.cleared_at)},
        {"closed_at", time_or_null(i.closed_at)},
        {"disposition", i.disposition},
        {"merged_into", i.merged_into ? nlohmann::json(*i.merged_into) : nlohmann::json(nullptr)},
        {"created_by", i.created_by},
        {"updated_at", base::format_iso8601(i.updated_at)},
        {"has_caller", i.has_caller},
    };
}

nlohmann::json to_json(const Position& p) {
    nlohmann::json j = {{"lat", p.at.lat},
                        {"lon", p.at.lon},
                        {"at", base::format_iso8601(p.reported_at)},
                        {"heading", nullptr},
                        {"speed", nullptr}};
    if (p.heading_deg) j["heading"] = *p.heading_deg;
    if (p.speed_mps) j["speed"] = *p.speed_mps;
    return j;
}

nlohmann::json to_json(const Unit& u) {
    nlohmann::json j = {
        {"id", u.id},
        {"callsign", u.callsign},
        {"agency", to_string(u.agency)},
        {"type", u.type},
        {"capabilities", u.capabilities},
        {"home_station", u.home_station},
        {"status", to_string(u.status)},
        {"status_at", base::format_iso8601(u.status_at)},
        {"position", u.position ? to_json(*u.position) : nlohmann::json(nullptr)},
        {"incident_id", u.incident_id ? nlohmann::json(*u.incident_id) : nlohmann::json(nullptr)},
        {"assignment_id",
         u.assignment_id ? nlohmann::json(*u.assignment_id) : nlohmann::json(nullptr)},
    };
    return j;
}

nlohmann::json to_json(const Assignment& a) {
    return {
        {"id", a.id},
        {"incident_id", a.incident_id},
        {"unit_id", a.unit_id},
        {"dispatched_at", base::format_iso8601(a.dispatched_at)},
        {"en_route_at", time_or_null(a.en_route_at)},
        {"on_scene_at", time_or_null(a.on_scene_at)},
        {"cleared_at", time_or_null(a.cleared_at)},
        {"dispatched_by", a.dispatched_by},
    };
}

} // namespace pingan::ops
