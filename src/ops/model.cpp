#include "ops/model.hpp"

#include <fmt/core.h>

namespace pingan::ops {

using base::JsonWriter;

std::string incident_number(int year, std::int64_t sequence) {
    return fmt::format("{:04d}-{:06d}", year, sequence);
}

Event Event::log_only(TimeMs at, std::string actor, std::string kind, std::string subject,
                      const nlohmann::json& payload) {
    return Event{at,
                 std::move(actor),
                 std::move(kind),
                 std::move(subject),
                 payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                 std::monostate{}};
}

void write_fields(JsonWriter& w, const Incident& i) {
    w.field("id", i.id)
        .field("number", i.number)
        .field("status", to_string(i.status))
        .field("category", i.category)
        .field("priority", i.priority)
        .field("lat", i.location.lat)
        .field("lon", i.location.lon)
        .field("address", i.address)
        .field("description", i.description)
        .time_field("received_at", i.received_at)
        .time_field("dispatched_at", i.dispatched_at)
        .time_field("on_scene_at", i.on_scene_at)
        .time_field("cleared_at", i.cleared_at)
        .time_field("closed_at", i.closed_at)
        .field("disposition", i.disposition)
        .field("merged_into", i.merged_into)
        .field("created_by", i.created_by)
        .time_field("updated_at", i.updated_at)
        .field("has_caller", i.has_caller)
        .field("jurisdiction", i.jurisdiction)
        .field("patrol_area", i.patrol_area)
        .field("location_kind", i.location_kind);
    w.key("triage");
    if (i.triage.empty()) {
        w.null();
    } else {
        w.raw(i.triage);
    }
    w.key("likely_duplicates").begin_array();
    for (Id d : i.likely_duplicates)
        w.value(d);
    w.end_array();
}

void write_position(JsonWriter& w, const Position& p) {
    w.begin_object()
        .field("lat", p.at.lat)
        .field("lon", p.at.lon)
        .time_field("at", p.reported_at)
        .field("heading", p.heading_deg)
        .field("speed", p.speed_mps)
        .end_object();
}

void write_fields(JsonWriter& w, const Unit& u) {
    w.field("id", u.id)
        .field("callsign", u.callsign)
        .field("agency", to_string(u.agency))
        .field("type", u.type);
    w.key("capabilities").begin_array();
    for (const auto& c : u.capabilities)
        w.value(c);
    w.end_array();
    w.field("home_station", u.home_station)
        .field("status", to_string(u.status))
        .time_field("status_at", u.status_at);
    w.key("position");
    if (u.position) {
        write_position(w, *u.position);
    } else {
        w.null();
    }
    w.field("incident_id", u.incident_id)
        .field("assignment_id", u.assignment_id)
        .field("home_jurisdiction", u.home_jurisdiction);
}

void write_fields(JsonWriter& w, const Assignment& a) {
    w.field("id", a.id)
        .field("incident_id", a.incident_id)
        .field("unit_id", a.unit_id)
        .time_field("dispatched_at", a.dispatched_at)
        .time_field("en_route_at", a.en_route_at)
        .time_field("on_scene_at", a.on_scene_at)
        .time_field("cleared_at", a.cleared_at)
        .field("dispatched_by", a.dispatched_by)
        .field("recommended_rank", a.recommended_rank);
}

namespace {

template <class T>
std::string text_of(const T& record) {
    std::string out;
    out.reserve(512);
    JsonWriter w(out);
    w.begin_object();
    write_fields(w, record);
    w.end_object();
    return out;
}

} // namespace

std::string to_json_text(const Incident& i) {
    return text_of(i);
}
std::string to_json_text(const Unit& u) {
    return text_of(u);
}
std::string to_json_text(const Assignment& a) {
    return text_of(a);
}

std::string to_json_text(const Alert& a) {
    std::string out;
    JsonWriter w(out);
    w.begin_object()
        .field("id", a.id)
        .field("kind", a.kind)
        .field("key", a.key)
        .field("incident_id", a.incident_id)
        .field("unit_id", a.unit_id)
        .field("message", a.message)
        .time_field("raised_at", a.raised_at)
        .time_field("resolved_at", a.resolved_at)
        .end_object();
    return out;
}

nlohmann::json to_json(const Incident& i) {
    return nlohmann::json::parse(to_json_text(i));
}
nlohmann::json to_json(const Unit& u) {
    return nlohmann::json::parse(to_json_text(u));
}
nlohmann::json to_json(const Assignment& a) {
    return nlohmann::json::parse(to_json_text(a));
}

nlohmann::json to_json(const Position& p) {
    std::string out;
    JsonWriter w(out);
    write_position(w, p);
    return nlohmann::json::parse(out);
}

} // namespace pingan::ops
