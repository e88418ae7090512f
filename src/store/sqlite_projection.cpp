#include "store/sqlite_projection.hpp"

#include <fmt/core.h>

#include "base/json_writer.hpp"
#include "store/sqlite.hpp"

namespace pingan::store::sqlite {
namespace {

std::string ids_json(const std::vector<ops::Id>& ids) {
    std::string out;
    base::JsonWriter w(out);
    w.begin_array();
    for (ops::Id id : ids)
        w.value(id);
    w.end_array();
    return out;
}

void upsert_incident(Db& db, const ops::Incident& i) {
    db.prepare("INSERT INTO incidents(id, number, status, category, priority, lat, lon, address, "
               "description, received_at, dispatched_at, on_scene_at, cleared_at, closed_at, "
               "disposition, merged_into, created_by, updated_at, has_caller, jurisdiction, "
               "patrol_area, location_kind, triage, likely_duplicates) "
               "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,"
               "?22,?23,?24) "
               "ON CONFLICT(id) DO UPDATE SET status=?3, category=?4, priority=?5, lat=?6, lon=?7, "
               "address=?8, description=?9, dispatched_at=?11, on_scene_at=?12, cleared_at=?13, "
               "closed_at=?14, disposition=?15, merged_into=?16, updated_at=?18, has_caller=?19, "
               "jurisdiction=?20, patrol_area=?21, location_kind=?22, triage=?23, "
               "likely_duplicates=?24")
        .bind(1, i.id)
        .bind(2, i.number)
        .bind(3, ops::to_string(i.status))
        .bind(4, i.category)
        .bind(5, i.priority)
        .bind(6, i.location.lat)
        .bind(7, i.location.lon)
        .bind(8, i.address)
        .bind(9, i.description)
        .bind(10, i.received_at)
        .bind(11, i.dispatched_at)
        .bind(12, i.on_scene_at)
        .bind(13, i.cleared_at)
        .bind(14, i.closed_at)
        .bind(15, i.disposition)
        .bind(16, i.merged_into)
        .bind(17, i.created_by)
        .bind(18, i.updated_at)
        .bind(19, static_cast<std::int64_t>(i.has_caller))
        .bind(20, i.jurisdiction)
        .bind(21, i.patrol_area)
        .bind(22, i.location_kind)
        .bind(23, i.triage)
        .bind(24, ids_json(i.likely_duplicates))
        .run();
}

void insert_unit(Db& db, const ops::Unit& u) {
    std::string capabilities;
    base::JsonWriter w(capabilities);
    w.begin_array();
    for (const auto& c : u.capabilities)
        w.value(c);
    w.end_array();
    const ops::Position* p = u.position ? &*u.position : nullptr;
    db.prepare("INSERT INTO units(id, callsign, agency, type, capabilities, home_station, status, "
               "status_at, lat, lon, heading, speed, position_at, home_jurisdiction) "
               "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
        .bind(1, u.id)
        .bind(2, u.callsign)
        .bind(3, ops::to_string(u.agency))
        .bind(4, u.type)
        .bind(5, capabilities)
        .bind(6, u.home_station)
        .bind(7, ops::to_string(u.status))
        .bind(8, u.status_at)
        .bind(9, p != nullptr ? std::optional<double>(p->at.lat) : std::nullopt)
        .bind(10, p != nullptr ? std::optional<double>(p->at.lon) : std::nullopt)
        .bind(11, p != nullptr ? p->heading_deg : std::nullopt)
        .bind(12, p != nullptr ? p->speed_mps : std::nullopt)
        .bind(13, p != nullptr ? std::optional<std::int64_t>(p->reported_at) : std::nullopt)
        .bind(14, u.home_jurisdiction)
        .run();
}

void update_unit_status(Db& db, const ops::UnitStatusChange& c) {
    db.prepare("UPDATE units SET status = ?2, status_at = ?3, incident_id = ?4, "
               "assignment_id = ?5 WHERE id = ?1")
        .bind(1, c.id)
        .bind(2, ops::to_string(c.to))
        .bind(3, c.at)
        .bind(4, c.incident_id)
        .bind(5, c.assignment_id)
        .run();
}

void upsert_assignment(Db& db, const ops::Assignment& a) {
    db.prepare("INSERT INTO assignments(id, incident_id, unit_id, dispatched_at, en_route_at, "
               "on_scene_at, cleared_at, dispatched_by, recommended_rank) "
               "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9) "
               "ON CONFLICT(id) DO UPDATE SET en_route_at=?5, on_scene_at=?6, cleared_at=?7")
        .bind(1, a.id)
        .bind(2, a.incident_id)
        .bind(3, a.unit_id)
        .bind(4, a.dispatched_at)
        .bind(5, a.en_route_at)
        .bind(6, a.on_scene_at)
        .bind(7, a.cleared_at)
        .bind(8, a.dispatched_by)
        .bind(9, a.recommended_rank.has_value() ? std::optional<std::int64_t>(*a.recommended_rank)
                                                : std::nullopt)
        .run();
}

void upsert_alert(Db& db, const ops::Alert& a) {
    db.prepare("INSERT INTO alerts(id, kind, key, incident_id, unit_id, message, raised_at, "
               "resolved_at) VALUES(?1,?2,?3,?4,?5,?6,?7,?8) "
               "ON CONFLICT(id) DO UPDATE SET resolved_at = ?8")
        .bind(1, a.id)
        .bind(2, a.kind)
        .bind(3, a.key)
        .bind(4, a.incident_id)
        .bind(5, a.unit_id)
        .bind(6, a.message)
        .bind(7, a.raised_at)
        .bind(8, a.resolved_at)
        .run();
}

struct Projector {
    Db& db;
    void operator()(std::monostate) const {} // log-only event
    void operator()(const ops::Incident& i) const { upsert_incident(db, i); }
    void operator()(const ops::Unit& u) const { insert_unit(db, u); }
    void operator()(const ops::Assignment& a) const { upsert_assignment(db, a); }
    void operator()(const ops::UnitStatusChange& c) const { update_unit_status(db, c); }
    void operator()(const ops::Alert& a) const { upsert_alert(db, a); }
};

} // namespace

void project_event(Db& db, const ops::Event& e) {
    std::visit(Projector{db}, e.data);
}

void apply_side_write(Db& db, const SideWrite& w) {
    if (const auto* u = std::get_if<UserWrite>(&w)) {
        db.prepare("INSERT INTO users(username, role, password_hash, created_at, unit_id, team) "
                   "VALUES(?,?,?,?,?,?)")
            .bind(1, u->username)
            .bind(2, u->role)
            .bind(3, u->password_hash)
            .bind(4, u->at)
            .bind(5, u->unit_id)
            .bind(6, u->team)
            .run();
    } else if (const auto* s = std::get_if<SessionWrite>(&w)) {
        if (s->revoke) {
            db.prepare("UPDATE sessions SET revoked_at = ? WHERE token_hash = ?")
                .bind(1, s->session.created_at)
                .bind(2, s->session.token_hash)
                .run();
        } else {
            db.prepare("INSERT INTO sessions(token_hash, username, role, created_at, expires_at, "
                       "unit_id, team) VALUES(?,?,?,?,?,?,?)")
                .bind(1, s->session.token_hash)
                .bind(2, s->session.username)
                .bind(3, s->session.role)
                .bind(4, s->session.created_at)
                .bind(5, s->session.expires_at)
                .bind(6, s->session.unit_id)
                .bind(7, s->session.team)
                .run();
        }
    } else if (const auto* a = std::get_if<UserAccessWrite>(&w)) {
        if (a->disabled) {
            db.prepare("UPDATE users SET disabled = ? WHERE username = ?")
                .bind(1, static_cast<std::int64_t>(*a->disabled))
                .bind(2, a->username)
                .run();
        }
        if (a->end_sessions) {
            db.prepare("UPDATE sessions SET revoked_at = ? WHERE username = ? AND revoked_at IS "
                       "NULL")
                .bind(1, a->at)
                .bind(2, a->username)
                .run();
        }
    } else if (const auto* purge = std::get_if<CallerPurge>(&w)) {
        Stmt& del = db.prepare("DELETE FROM callers WHERE incident_id = ?");
        for (Id id : purge->incident_ids) {
            del.reset();
            del.bind(1, id);
            del.run();
        }
    } else if (const auto* c = std::get_if<CallerRecord>(&w)) {
        db.prepare("INSERT OR REPLACE INTO callers(incident_id, name, phone, recorded_at) "
                   "VALUES(?,?,?,?)")
            .bind(1, c->incident_id)
            .bind(2, c->name)
            .bind(3, c->phone)
            .bind(4, c->recorded_at)
            .run();
    } else if (const auto* layer = std::get_if<BoundaryLayerWrite>(&w)) {
        db.prepare("DELETE FROM boundaries WHERE layer = ?").bind(1, layer->layer).run();
        for (const BoundaryRow& r : layer->rows) {
            db.prepare("INSERT INTO boundaries(layer, name, properties, geometry) VALUES(?,?,?,?)")
                .bind(1, layer->layer)
                .bind(2, r.name)
                .bind(3, r.properties)
                .bind(4, r.geometry)
                .run();
        }
    } else if (const auto* o = std::get_if<OutboxWrite>(&w)) {
        const OutboxItem& it = o->item;
        if (o->insert) {
            db.prepare("INSERT INTO outbox(incident_id, kind, idempotency_key, body, status, "
                       "attempts, next_attempt_at, last_error, remote_id, created_at, "
                       "delivered_at) VALUES(?,?,?,?,?,?,?,?,?,?,?)")
                .bind(1, it.incident_id)
                .bind(2, it.kind)
                .bind(3, it.idempotency_key)
                .bind(4, it.body)
                .bind(5, it.status)
                .bind(6, it.attempts)
                .bind(7, it.next_attempt_at)
                .bind(8, it.last_error)
                .bind(9, it.remote_id)
                .bind(10, it.created_at)
                .bind(11, it.delivered_at)
                .run();
        } else {
            db.prepare("UPDATE outbox SET status = ?2, attempts = ?3, next_attempt_at = ?4, "
                       "last_error = ?5, remote_id = ?6, delivered_at = ?7 WHERE id = ?1")
                .bind(1, it.id)
                .bind(2, it.status)
                .bind(3, it.attempts)
                .bind(4, it.next_attempt_at)
                .bind(5, it.last_error)
                .bind(6, it.remote_id)
                .bind(7, it.delivered_at)
                .run();
        }
    } else if (const auto* rec = std::get_if<RecommendationWrite>(&w)) {
        db.prepare("INSERT INTO recommendations(incident_id, seq, computed_at, items) "
                   "VALUES(?1, 0, ?2, ?3) ON CONFLICT(incident_id) DO UPDATE SET "
                   "computed_at = ?2, items = ?3")
            .bind(1, rec->incident_id)
            .bind(2, rec->computed_at)
            .bind(3, rec->items)
            .run();
    } else if (const auto* b = std::get_if<Blob>(&w)) {
        // Stored once: the same bytes attached again keep the first row.
        db.prepare("INSERT INTO blobs(sha256, content_type, size, bytes, stored_at) "
                   "VALUES(?,?,?,?,?) ON CONFLICT(sha256) DO NOTHING")
            .bind(1, b->sha256)
            .bind(2, b->content_type)
            .bind(3, static_cast<std::int64_t>(b->bytes.size()))
            .bind_blob(4, b->bytes)
            .bind(5, b->stored_at)
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
    }
}

void update_latest_positions(Db& db, const std::vector<PositionRecord>& latest) {
    for (const PositionRecord& pos : latest) {
        const ops::Position& p = pos.position;
        db.prepare("UPDATE units SET lat = ?2, lon = ?3, heading = ?4, speed = ?5, "
                   "position_at = ?6 WHERE id = ?1 AND (position_at IS NULL OR position_at <= ?6)")
            .bind(1, pos.unit_id)
            .bind(2, p.at.lat)
            .bind(3, p.at.lon)
            .bind(4, p.heading_deg)
            .bind(5, p.speed_mps)
            .bind(6, p.reported_at)
            .run();
    }
}

} // namespace pingan::store::sqlite
