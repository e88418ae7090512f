// SQLite schema, as numbered migrations. A database records the last one applied in
// PRAGMA user_version; opening a database applies the missing ones in one transaction.
// Append migrations; never edit one that has shipped.
#pragma once

#include <array>
#include <string_view>

namespace pingan::store::sqlite {

inline constexpr std::array<std::string_view, 5> kMigrations = {
    // 1: event log, operational projections, users and sessions, caller details, breadcrumbs.
    R"sql(
CREATE TABLE events (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    kind      TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    payload   TEXT    NOT NULL,
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
);
CREATE INDEX events_subject ON events(subject, seq);

CREATE TABLE incidents (
    id            INTEGER PRIMARY KEY,
    number        TEXT    NOT NULL UNIQUE,
    status        TEXT    NOT NULL,
    category      TEXT    NOT NULL,
    priority      INTEGER NOT NULL,
    lat           REAL    NOT NULL,
    lon           REAL    NOT NULL,
    address       TEXT    NOT NULL,
    description   TEXT    NOT NULL,
    received_at   INTEGER NOT NULL,
    dispatched_at INTEGER,
    on_scene_at   INTEGER,
    cleared_at    INTEGER,
    closed_at     INTEGER,
    disposition   TEXT    NOT NULL,
    merged_into   INTEGER,
    created_by    TEXT    NOT NULL,
    updated_at    INTEGER NOT NULL,
    has_caller    INTEGER NOT NULL
);
CREATE INDEX incidents_status ON incidents(status, id);
CREATE INDEX incidents_received ON incidents(received_at);

CREATE TABLE units (
    id            INTEGER PRIMARY KEY,
    callsign      TEXT    NOT NULL UNIQUE,
    agency        TEXT    NOT NULL,
    type          TEXT    NOT NULL,
    capabilities  TEXT    NOT NULL,
    home_station  TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    status_at     INTEGER NOT NULL,
    lat           REAL,
    lon           REAL,
    heading       REAL,
    speed         REAL,
    position_at   INTEGER,
    incident_id   INTEGER,
    assignment_id INTEGER
);

CREATE TABLE assignments (
    id            INTEGER PRIMARY KEY,
    incident_id   INTEGER NOT NULL,
    unit_id       INTEGER NOT NULL,
    dispatched_at INTEGER NOT NULL,
    en_route_at   INTEGER,
    on_scene_at   INTEGER,
    cleared_at    INTEGER,
    dispatched_by TEXT    NOT NULL
);
CREATE INDEX assignments_incident ON assignments(incident_id);
CREATE INDEX assignments_active ON assignments(cleared_at) WHERE cleared_at IS NULL;

CREATE TABLE positions (
    id      INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    lat     REAL    NOT NULL,
    lon     REAL    NOT NULL,
    heading REAL,
    speed   REAL
);
-- Indexed by time only: appends touch one index page per commit, where (unit_id, at) touched
-- one per unit. A unit's track is read by time window, filtered by unit.
CREATE INDEX positions_at ON positions(at);

CREATE TABLE callers (
    incident_id INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    phone       TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    role          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    unit_id       INTEGER
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    username   TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    unit_id    INTEGER
);
)sql",
    // 2: historical incident records imported from city open data, for analytics and replay.
    // Kept apart from live incidents: an import is one event in the log, not one per row.
    R"sql(
CREATE TABLE incident_records (
    id              INTEGER PRIMARY KEY,
    source          TEXT    NOT NULL, -- data set, e.g. 'dc', or the mapping file's name
    source_key      TEXT    NOT NULL, -- row identity within the source (id column or row hash)
    received_at     INTEGER NOT NULL, -- UTC ms
    category        TEXT    NOT NULL, -- taxonomy code
    source_category TEXT    NOT NULL, -- the category as the source wrote it
    lat             REAL,
    lon             REAL,
    geocode_ok      INTEGER NOT NULL, -- 0: blank or far outside the map (kept, not mapped)
    jurisdiction    TEXT    NOT NULL DEFAULT '',
    patrol_area     TEXT    NOT NULL DEFAULT '',
    dispatched_at   INTEGER,
    en_route_at     INTEGER,
    on_scene_at     INTEGER,
    cleared_at      INTEGER,
    disposition     TEXT    NOT NULL DEFAULT '',
    time_resolution_s INTEGER NOT NULL DEFAULT 1, -- 86400: the source gives dates only
    import_seq      INTEGER, -- seq of the records.imported event of the import that wrote it
    UNIQUE (source, source_key)
);
CREATE INDEX incident_records_time ON incident_records(received_at);

-- The analytics facts of the imported records as column blocks (analytics::encode_facts, up to
-- 65,536 records each, sorted by time), written in the same transaction as the rows: loading
-- a million facts from these takes tens of milliseconds where reading the rows takes a second.
-- Derived data: rows are append-only, and when MAX(incident_records.id) differs from
-- MAX(last_record_id) here, readers fall back to the rows.
CREATE TABLE incident_fact_blocks (
    id                INTEGER PRIMARY KEY,
    source            TEXT    NOT NULL,
    import_seq        INTEGER NOT NULL,
    first_received_at INTEGER NOT NULL,
    last_received_at  INTEGER NOT NULL,
    count             INTEGER NOT NULL,
    last_record_id    INTEGER NOT NULL, -- highest incident_records.id in the block
    data              BLOB    NOT NULL
);
CREATE INDEX incident_fact_blocks_time ON incident_fact_blocks(first_received_at);
)sql",
    // 3: dispatch workflow: where incidents are, triage, duplicates, areas, alerts, the 12345
    // hand-off outbox, and the recommendations shown to dispatchers.
    R"sql(
ALTER TABLE incidents ADD COLUMN jurisdiction TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN patrol_area TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN location_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN triage TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN likely_duplicates TEXT NOT NULL DEFAULT '[]';
ALTER TABLE units ADD COLUMN home_jurisdiction TEXT NOT NULL DEFAULT '';
ALTER TABLE assignments ADD COLUMN recommended_rank INTEGER;

CREATE TABLE boundaries (
    id         INTEGER PRIMARY KEY,
    layer      TEXT NOT NULL,  -- 'jurisdiction' or 'patrol_area'
    name       TEXT NOT NULL,
    properties TEXT NOT NULL,  -- the feature's properties, JSON
    geometry   TEXT NOT NULL,  -- GeoJSON MultiPolygon, normalised
    UNIQUE (layer, name)
);

CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL, -- not_dispatched, not_en_route, not_on_scene, on_scene_long, handoff_failing
        key         TEXT    NOT NULL, -- the condition: kind + subject
    incident_id INTEGER,
    unit_id     INTEGER,
    message     TEXT    NOT NULL,
    raised_at   INTEGER NOT NULL,
    resolved_at INTEGER
);
-- One open alert per condition; a condition may recur after it was resolved.
CREATE UNIQUE INDEX alerts_open_key ON alerts(key) WHERE resolved_at IS NULL;

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    incident_id     INTEGER NOT NULL,
    kind            TEXT    NOT NULL, -- 'open311'
    idempotency_key TEXT    NOT NULL UNIQUE,
    body            TEXT    NOT NULL, -- the request as it will be sent
    status          TEXT    NOT NULL, -- pending, delivered, failed (gave up), manual (no endpoint)
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT    NOT NULL DEFAULT '',
    remote_id       TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

CREATE TABLE recommendations (
    incident_id INTEGER PRIMARY KEY,
    seq         INTEGER NOT NULL, -- the incident.recommended event holding this list
    computed_at INTEGER NOT NULL,
    items       TEXT    NOT NULL  -- JSON array as shown
);
)sql",
    // 4: attachments (photos of evidence items), stored once by the SHA-256 of their bytes; the
    // evidence.photo_attached event names the hash.
    R"sql(
CREATE TABLE blobs (
    sha256       TEXT    PRIMARY KEY, -- lower-case hex of the bytes
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL,    -- bytes
    bytes        BLOB    NOT NULL,
    stored_at    INTEGER NOT NULL
);
)sql",
    // 5: the team (station or squad, 派出所/中队) of an account and of its sessions; empty: centre
    // level. Supervisors of a team see that team's cases (docs/cases.md "Who sees what").
    R"sql(
ALTER TABLE users ADD COLUMN team TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN team TEXT NOT NULL DEFAULT '';
)sql",
};

} // namespace pingan::store::sqlite
