#include "store/sqlite_projection.hpp"

#include <fmt/core.h>

#include "store/sqlite.hpp"

namespace pingan::store::sqlite {
namespace {

using nlohmann::json;

std::optional<std::int64_t> time_field(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return base::parse_iso8601(it->get<std::string>());
}

std::optional<std::int64_t> int_field(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<std::int64_t>();
}

std::optional<double> real_field(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
}

void upsert_incident(Db& db, const json& p, base::TimeMs at) {
    db.prepare("INSERT INTO incidents(id, number, status, category, priority, lat, lon, address, "
               "description, received_at, dispatched_at, on_scene_at, cleared_at, closed_at, "
               "disposition, merged_into, created_by, updated_at, has_caller) "
               "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19) "
               "ON CONFLICT(id) DO UPDATE SET status=?3, category=?4, priority=?5, lat=?6, lon=?7, "
               "address=?8, description=?9, dispatched_at=?11, on_scene_at=?12, cleared_at=?13, "
               "closed_at=?14, disposition=?15, merged_into=?16, updated_at=?18, has_caller=?19")
        .bind(1, p.at("id").get<std::int64_t>())
        .bind(2, p.at("number").get<std::string>())
        .bind(3, p.at("status").get<std::string>())
        .bind(4, p.at("category").get<std::string>())
        .bind(5, p.at("priority").get<std::int64_t>())
        .bind(6, p.at("lat").get<double>())
        .bind(7, p.at("lon").get<double>())
        .bind(8, p.value("address", std::string()))
        .bind(9, p.value("description", std::string()))
        .bind(10, time_field(p, "received_at").value_or(at))
        .bind(11, time_field(p, "dispatched_at"))
        .bind(12, time_field(p, "on_scene_at"))
        .bind(13, time_field(p, "cleared_at"))
        .bind(14, time_field(p, "closed_at"))
        .bind(15, p.value("disposition", std::string()))
        .bind(16, int_field(p, "merged_into"))
        .bind(17, p.value("created_by", std::string()))
        .bind(18, time_field(p, "updated_at").value_or(at))
        .bind(19, static_cast<std::int64_t>(p.value("has_caller", false)))
        .run();
}

void insert_unit(Db& db, const json& p) {
    const json& pos = p.contains("position") ? p.at("position") : json(nullptr);
    const bool has_pos = pos.is_object();
    db.prepare("INSERT INTO units(id, callsign, agency, type, capabilities, home_station, status, "
               "status_at, lat, lon, heading, speed, position_at) "
               "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)")
        .bind(1, p.at("id").get<std::int64_t>())
        .bind(2, p.at("callsign").get<std::string>())
        .bind(3, p.at("agency").get<std::string>())
        .bind(4, p.value("type", std::string()))
        .bind(5, p.value("capabilities", json::array()).dump())
        .bind(6, p.value("home_station", std::string()))
        .bind(7, p.at("status").get<std::string>())
        .bind(8, time_field(p, "status_at").value_or(0))
        .bind(9, has_pos ? real_field(pos, "lat") : std::nullopt)
        .bind(10, has_pos ? real_field(pos, "lon") : std::nullopt)
        .bind(11, has_pos ? real_field(pos, "heading") : std::nullopt)
        .bind(12, has_pos ? real_field(pos, "speed") : std::nullopt)
        .bind(13, has_pos ? time_field(pos, "at") : std::nullopt)
        .run();
}

void update_unit_status(Db& db, const json& p, base::TimeMs at) {
    const std::string to = p.at("to").get<std::string>();
    const bool assigned = to == "dispatched" || to == "en_route" || to == "on_scene";
    db.prepare("UPDATE units SET status = ?2, status_at = ?3, incident_id = ?4, "
               "assignment_id = ?5 WHERE id = ?1")
        .bind(1, p.at("id").get<std::int64_t>())
        .bind(2, to)
        .bind(3, at)
        .bind(4, assigned ? int_field(p, "incident_id") : std::nullopt)
        .bind(5, assigned ? int_field(p, "assignment_id") : std::nullopt)
        .run();
}

void upsert_assignment(Db& db, const json& p) {
    db.prepare("INSERT INTO assignments(id, incident_id, unit_id, dispatched_at, en_route_at, "
               "on_scene_at, cleared_at, dispatched_by) VALUES(?1,?2,?3,?4,?5,?6,?7,?8) "
               "ON CONFLICT(id) DO UPDATE SET en_route_at=?5, on_scene_at=?6, cleared_at=?7")
        .bind(1, p.at("id").get<std::int64_t>())
        .bind(2, p.at("incident_id").get<std::int64_t>())
        .bind(3, p.at("unit_id").get<std::int64_t>())
        .bind(4, time_field(p, "dispatched_at").value_or(0))
        .bind(5, time_field(p, "en_route_at"))
        .bind(6, time_field(p, "on_scene_at"))
        .bind(7, time_field(p, "cleared_at"))
        .bind(8, p.value("dispatched_by", std::string()))
        .run();
}

} // namespace

void project_event(Db& db, const ops::Event& e) {
    const json& p = e.payload;
    if (e.kind == "incident.created" || e.kind == "incident.status") {
        upsert_incident(db, p, e.at);
    } else if (e.kind == "unit.created") {
        insert_unit(db, p);
    } else if (e.kind == "unit.status") {
        update_unit_status(db, p, e.at);
    } else if (e.kind == "assignment.created" || e.kind == "assignment.updated") {
        upsert_assignment(db, p);
    }
    // Other kinds (user.created, session.opened, caller.read, positions.digest …) are
    // log-only: their data, if any, arrives as side writes.
}

void apply_side_write(Db& db, const SideWrite& w) {
    if (const auto* u = std::get_if<UserWrite>(&w)) {
        db.prepare("INSERT INTO users(username, role, password_hash, created_at, unit_id) "
                   "VALUES(?,?,?,?,?)")
            .bind(1, u->username)
            .bind(2, u->role)
            .bind(3, u->password_hash)
            .bind(4, u->at)
            .bind(5, u->unit_id)
            .run();
    } else if (const auto* s = std::get_if<SessionWrite>(&w)) {
        if (s->revoke) {
            db.prepare("UPDATE sessions SET revoked_at = ? WHERE token_hash = ?")
                .bind(1, s->session.created_at)
                .bind(2, s->session.token_hash)
                .run();
        } else {
            db.prepare("INSERT INTO sessions(token_hash, username, role, created_at, expires_at, "
                       "unit_id) VALUES(?,?,?,?,?,?)")
                .bind(1, s->session.token_hash)
                .bind(2, s->session.username)
                .bind(3, s->session.role)
                .bind(4, s->session.created_at)
                .bind(5, s->session.expires_at)
                .bind(6, s->session.unit_id)
                .run();
        }
    } else if (const auto* c = std::get_if<CallerRecord>(&w)) {
        db.prepare("INSERT OR REPLACE INTO callers(incident_id, name, phone, recorded_at) "
                   "VALUES(?,?,?,?)")
            .bind(1, c->incident_id)
            .bind(2, c->name)
            .bind(3, c->phone)
            .bind(4, c->recorded_at)
            .run();
    } else if (const auto* pos = std::get_if<PositionRecord>(&w)) {
        const ops::Position& p = pos->position;
        db.prepare("INSERT INTO positions(unit_id, at, lat, lon, heading, speed) "
                   "VALUES(?,?,?,?,?,?)")
            .bind(1, pos->unit_id)
            .bind(2, p.reported_at)
            .bind(3, p.at.lat)
            .bind(4, p.at.lon)
            .bind(5, p.heading_deg)
            .bind(6, p.speed_mps)
            .run();
        db.prepare("UPDATE units SET lat = ?2, lon = ?3, heading = ?4, speed = ?5, "
                   "position_at = ?6 WHERE id = ?1 AND (position_at IS NULL OR position_at <= ?6)")
            .bind(1, pos->unit_id)
            .bind(2, p.at.lat)
            .bind(3, p.at.lon)
            .bind(4, p.heading_deg)
            .bind(5, p.speed_mps)
            .bind(6, p.reported_at)
            .run();
    }
}

} // namespace pingan::store::sqlite
