#include "store/pg_projection.hpp"

#include <iterator>
#include <string>

#include <fmt/format.h>

#include "base/json_writer.hpp"
#include "store/pg.hpp"

namespace pingan::store::pg {
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

void upsert_incident(Conn& db, const ops::Incident& i) {
    db.run("INSERT INTO incidents(id, number, status, category, priority, lat, lon, address, "
           "description, received_at, dispatched_at, on_scene_at, cleared_at, closed_at, "
           "disposition, merged_into, created_by, updated_at, has_caller, jurisdiction, "
           "patrol_area, location_kind, triage, likely_duplicates) "
           "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,"
           "$22,$23,$24) "
           "ON CONFLICT(id) DO UPDATE SET status=$3, category=$4, priority=$5, lat=$6, lon=$7, "
           "address=$8, description=$9, dispatched_at=$11, on_scene_at=$12, cleared_at=$13, "
           "closed_at=$14, disposition=$15, merged_into=$16, updated_at=$18, has_caller=$19, "
           "jurisdiction=$20, patrol_area=$21, location_kind=$22, triage=$23, "
           "likely_duplicates=$24",
           Params()
               .add(i.id)
               .add(i.number)
               .add(ops::to_string(i.status))
               .add(i.category)
               .add(i.priority)
               .add(i.location.lat)
               .add(i.location.lon)
               .add(i.address)
               .add(i.description)
               .add(i.received_at)
               .add(i.dispatched_at)
               .add(i.on_scene_at)
               .add(i.cleared_at)
               .add(i.closed_at)
               .add(i.disposition)
               .add(i.merged_into)
               .add(i.created_by)
               .add(i.updated_at)
               .add(static_cast<std::int64_t>(i.has_caller))
               .add(i.jurisdiction)
               .add(i.patrol_area)
               .add(i.location_kind)
               .add(i.triage)
               .add(ids_json(i.likely_duplicates)));
}

void insert_unit(Conn& db, const ops::Unit& u) {
    std::string capabilities;
    base::JsonWriter w(capabilities);
    w.begin_array();
    for (const auto& c : u.capabilities)
        w.value(c);
    w.end_array();
    const ops::Position* p = u.position ? &*u.position : nullptr;
    db.run("INSERT INTO units(id, callsign, agency, type, capabilities, home_station, status, "
           "status_at, lat, lon, heading, speed, position_at, home_jurisdiction) "
           "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)",
           Params()
               .add(u.id)
               .add(u.callsign)
               .add(ops::to_string(u.agency))
               .add(u.type)
               .add(capabilities)
               .add(u.home_station)
               .add(ops::to_string(u.status))
               .add(u.status_at)
               .add(p != nullptr ? std::optional<double>(p->at.lat) : std::nullopt)
               .add(p != nullptr ? std::optional<double>(p->at.lon) : std::nullopt)
               .add(p != nullptr ? p->heading_deg : std::nullopt)
               .add(p != nullptr ? p->speed_mps : std::nullopt)
               .add(p != nullptr ? std::optional<std::int64_t>(p->reported_at) : std::nullopt)
               .add(u.home_jurisdiction));
}

void update_unit_status(Conn& db, const ops::UnitStatusChange& c) {
    db.run("UPDATE units SET status = $2, status_at = $3, incident_id = $4, "
           "assignment_id = $5 WHERE id = $1",
           Params()
               .add(c.id)
               .add(ops::to_string(c.to))
               .add(c.at)
               .add(c.incident_id)
               .add(c.assignment_id));
}

void upsert_assignment(Conn& db, const ops::Assignment& a) {
    db.run("INSERT INTO assignments(id, incident_id, unit_id, dispatched_at, en_route_at, "
           "on_scene_at, cleared_at, dispatched_by, recommended_rank) "
           "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9) "
           "ON CONFLICT(id) DO UPDATE SET en_route_at=$5, on_scene_at=$6, cleared_at=$7",
           Params()
               .add(a.id)
               .add(a.incident_id)
               .add(a.unit_id)
               .add(a.dispatched_at)
               .add(a.en_route_at)
               .add(a.on_scene_at)
               .add(a.cleared_at)
               .add(a.dispatched_by)
               .add(a.recommended_rank.has_value()
                        ? std::optional<std::int64_t>(*a.recommended_rank)
                        : std::nullopt));
}

void upsert_alert(Conn& db, const ops::Alert& a) {
    db.run("INSERT INTO alerts(id, kind, key, incident_id, unit_id, message, raised_at, "
           "resolved_at) VALUES($1,$2,$3,$4,$5,$6,$7,$8) "
           "ON CONFLICT(id) DO UPDATE SET resolved_at = $8",
           Params()
               .add(a.id)
               .add(a.kind)
               .add(a.key)
               .add(a.incident_id)
               .add(a.unit_id)
               .add(a.message)
               .add(a.raised_at)
               .add(a.resolved_at));
}

struct Projector {
    Conn& db;
    void operator()(std::monostate) const {} // log-only event
    void operator()(const ops::Incident& i) const { upsert_incident(db, i); }
    void operator()(const ops::Unit& u) const { insert_unit(db, u); }
    void operator()(const ops::Assignment& a) const { upsert_assignment(db, a); }
    void operator()(const ops::UnitStatusChange& c) const { update_unit_status(db, c); }
    void operator()(const ops::Alert& a) const { upsert_alert(db, a); }
};

} // namespace

void project_event(Conn& db, const ops::Event& e) {
    std::visit(Projector{db}, e.data);
}

void apply_side_write(Conn& db, const SideWrite& w) {
    if (const auto* u = std::get_if<UserWrite>(&w)) {
        db.run("INSERT INTO users(username, role, password_hash, created_at, unit_id, team) "
               "VALUES($1,$2,$3,$4,$5,$6)",
               Params()
                   .add(u->username)
                   .add(u->role)
                   .add(u->password_hash)
                   .add(u->at)
                   .add(u->unit_id)
                   .add(u->team));
    } else if (const auto* s = std::get_if<SessionWrite>(&w)) {
        if (s->revoke) {
            db.run("UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2",
                   Params().add(s->session.created_at).add(s->session.token_hash));
        } else {
            db.run("INSERT INTO sessions(token_hash, username, role, created_at, expires_at, "
                   "unit_id, team) VALUES($1,$2,$3,$4,$5,$6,$7)",
                   Params()
                       .add(s->session.token_hash)
                       .add(s->session.username)
                       .add(s->session.role)
                       .add(s->session.created_at)
                       .add(s->session.expires_at)
                       .add(s->session.unit_id)
                       .add(s->session.team));
        }
    } else if (const auto* a = std::get_if<UserAccessWrite>(&w)) {
        if (a->disabled) {
            db.run("UPDATE users SET disabled = $1 WHERE username = $2",
                   Params().add(static_cast<std::int64_t>(*a->disabled)).add(a->username));
        }
        if (a->end_sessions) {
            db.run("UPDATE sessions SET revoked_at = $1 WHERE username = $2 AND revoked_at IS NULL",
                   Params().add(a->at).add(a->username));
        }
    } else if (const auto* purge = std::get_if<CallerPurge>(&w)) {
        for (Id id : purge->incident_ids)
            db.run("DELETE FROM callers WHERE incident_id = $1", Params().add(id));
    } else if (const auto* c = std::get_if<CallerRecord>(&w)) {
        // Replaces the incident's caller, as SQLite's INSERT OR REPLACE.
        db.run("INSERT INTO callers(incident_id, name, phone, recorded_at) VALUES($1,$2,$3,$4) "
               "ON CONFLICT(incident_id) DO UPDATE SET name = $2, phone = $3, recorded_at = $4",
               Params().add(c->incident_id).add(c->name).add(c->phone).add(c->recorded_at));
    } else if (const auto* layer = std::get_if<BoundaryLayerWrite>(&w)) {
        db.run("DELETE FROM boundaries WHERE layer = $1", Params().add(layer->layer));
        for (const BoundaryRow& r : layer->rows) {
            db.run("INSERT INTO boundaries(layer, name, properties, geometry) "
                   "VALUES($1,$2,$3,$4)",
                   Params().add(layer->layer).add(r.name).add(r.properties).add(r.geometry));
        }
    } else if (const auto* o = std::get_if<OutboxWrite>(&w)) {
        const OutboxItem& it = o->item;
        if (o->insert) {
            db.run("INSERT INTO outbox(incident_id, kind, idempotency_key, body, status, "
                   "attempts, next_attempt_at, last_error, remote_id, created_at, "
                   "delivered_at) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
                   Params()
                       .add(it.incident_id)
                       .add(it.kind)
                       .add(it.idempotency_key)
                       .add(it.body)
                       .add(it.status)
                       .add(it.attempts)
                       .add(it.next_attempt_at)
                       .add(it.last_error)
                       .add(it.remote_id)
                       .add(it.created_at)
                       .add(it.delivered_at));
        } else {
            db.run("UPDATE outbox SET status = $2, attempts = $3, next_attempt_at = $4, "
                   "last_error = $5, remote_id = $6, delivered_at = $7 WHERE id = $1",
                   Params()
                       .add(it.id)
                       .add(it.status)
                       .add(it.attempts)
                       .add(it.next_attempt_at)
                       .add(it.last_error)
                       .add(it.remote_id)
                       .add(it.delivered_at));
        }
    } else if (const auto* rec = std::get_if<RecommendationWrite>(&w)) {
        db.run("INSERT INTO recommendations(incident_id, seq, computed_at, items) "
               "VALUES($1, 0, $2, $3) ON CONFLICT(incident_id) DO UPDATE SET "
               "computed_at = $2, items = $3",
               Params().add(rec->incident_id).add(rec->computed_at).add(rec->items));
    } else if (const auto* b = std::get_if<Blob>(&w)) {
        // Stored once: the same bytes attached again keep the first row.
        db.run("INSERT INTO blobs(sha256, content_type, size, bytes, stored_at) "
               "VALUES($1,$2,$3,$4,$5) ON CONFLICT(sha256) DO NOTHING",
               Params()
                   .add(b->sha256)
                   .add(b->content_type)
                   .add(static_cast<std::int64_t>(b->bytes.size()))
                   .add(pg::bytea_hex(b->bytes))
                   .add(b->stored_at));
    } else if (const auto* pos = std::get_if<PositionRecord>(&w)) {
        insert_positions(db, {pos});
    }
}

namespace {

// Columns of positions as PostgreSQL array literals ("{1,2,NULL}"), so that any number of
// rows goes in one statement through unnest(): a statement per report cost the writer a
// round of parsing and planning each.
struct PositionColumns {
    std::string unit_id = "{", at = "{", lat = "{", lon = "{", heading = "{", speed = "{";

    void add(const PositionRecord& r) {
        const ops::Position& p = r.position;
        const bool first = unit_id.size() == 1;
        const char* sep = first ? "" : ",";
        fmt::format_to(std::back_inserter(unit_id), "{}{}", sep, r.unit_id);
        fmt::format_to(std::back_inserter(at), "{}{}", sep, p.reported_at);
        fmt::format_to(std::back_inserter(lat), "{}{}", sep, p.at.lat);
        fmt::format_to(std::back_inserter(lon), "{}{}", sep, p.at.lon);
        add_optional(heading, sep, p.heading_deg);
        add_optional(speed, sep, p.speed_mps);
    }
    static void add_optional(std::string& col, const char* sep, const std::optional<double>& v) {
        if (v) {
            fmt::format_to(std::back_inserter(col), "{}{}", sep, *v);
        } else {
            fmt::format_to(std::back_inserter(col), "{}NULL", sep);
        }
    }
    Params params() const {
        return Params()
            .add(unit_id + "}")
            .add(at + "}")
            .add(lat + "}")
            .add(lon + "}")
            .add(heading + "}")
            .add(speed + "}");
    }
};

} // namespace

void insert_positions(Conn& db, const std::vector<const PositionRecord*>& positions) {
    if (positions.empty()) return;
    PositionColumns c;
    for (const PositionRecord* p : positions)
        c.add(*p);
    db.run("INSERT INTO positions(unit_id, at, lat, lon, heading, speed) "
           "SELECT unit_id, at, lat, lon, heading, speed FROM unnest($1::bigint[], $2::bigint[], "
           "$3::float8[], $4::float8[], $5::float8[], $6::float8[]) WITH ORDINALITY "
           "AS r(unit_id, at, lat, lon, heading, speed, n) ORDER BY n",
           c.params());
}

void update_latest_positions(Conn& db, const std::vector<PositionRecord>& latest) {
    if (latest.empty()) return;
    PositionColumns c;
    for (const PositionRecord& p : latest)
        c.add(p);
    db.run("UPDATE units u SET lat = r.lat, lon = r.lon, heading = r.heading, speed = r.speed, "
           "position_at = r.at FROM unnest($1::bigint[], $2::bigint[], $3::float8[], "
           "$4::float8[], $5::float8[], $6::float8[]) AS r(id, at, lat, lon, heading, speed) "
           "WHERE u.id = r.id AND (u.position_at IS NULL OR u.position_at <= r.at)",
           c.params());
}

} // namespace pingan::store::pg
