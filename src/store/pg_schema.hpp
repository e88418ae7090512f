// PostgreSQL schema, as numbered migrations recorded in the table schema_migrations
// (component, version). Core migration N holds the same tables and columns as SQLite
// migration N (sqlite_schema.hpp), in PostgreSQL's dialect: BIGINT for INTEGER, DOUBLE
// PRECISION for REAL, BYTEA for BLOB, BIGSERIAL where SQLite assigns the rowid.
//
// The "postgis" migrations add derived geometry columns (generated from lat/lon and from the
// GeoJSON text, so no write path changes) and are applied only where CREATE EXTENSION postgis
// succeeds; the store never reads them, so it works the same without PostGIS.
//
// Opening a database applies the missing migrations in one transaction that first takes
// pg_advisory_xact_lock(kMigrationLock): two processes starting at once apply them once.
// Append migrations; never edit one that has shipped.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace pingan::store::pg {

// Advisory lock keys (one 64-bit key space per database): "pingan" in ASCII, then a suffix.
// Passed as parameters to pg_advisory_xact_lock(); operators may watch them in pg_locks.
inline constexpr std::int64_t kMigrationLock = 0x70696e67616e01; // schema migrations
inline constexpr std::int64_t kCommitLock = 0x70696e67616e02;    // appends to the event chain

inline constexpr std::string_view kMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
    component  TEXT        NOT NULL, -- 'core', or 'postgis' where PostGIS is installed
    version    BIGINT      NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (component, version)
);
)sql";

inline constexpr std::array<std::string_view, 5> kMigrations = {
    // 1: event log, operational projections, users and sessions, caller details, breadcrumbs.
    R"sql(
CREATE TABLE events (
    seq       BIGINT PRIMARY KEY,
    at        BIGINT NOT NULL,
    actor     TEXT   NOT NULL,
    kind      TEXT   NOT NULL,
    subject   TEXT   NOT NULL,
    payload   TEXT   NOT NULL,
    prev_hash TEXT   NOT NULL,
    hash      TEXT   NOT NULL
);
CREATE INDEX events_subject ON events(subject, seq);
CREATE INDEX events_kind ON events(kind, seq);

CREATE TABLE incidents (
    id            BIGINT PRIMARY KEY,
    number        TEXT             NOT NULL UNIQUE,
    status        TEXT             NOT NULL,
    category      TEXT             NOT NULL,
    priority      BIGINT           NOT NULL,
    lat           DOUBLE PRECISION NOT NULL,
    lon           DOUBLE PRECISION NOT NULL,
    address       TEXT             NOT NULL,
    description   TEXT             NOT NULL,
    received_at   BIGINT           NOT NULL,
    dispatched_at BIGINT,
    on_scene_at   BIGINT,
    cleared_at    BIGINT,
    closed_at     BIGINT,
    disposition   TEXT             NOT NULL,
    merged_into   BIGINT,
    created_by    TEXT             NOT NULL,
    updated_at    BIGINT           NOT NULL,
    has_caller    BIGINT           NOT NULL
);
CREATE INDEX incidents_status ON incidents(status, id);
CREATE INDEX incidents_received ON incidents(received_at);
CREATE INDEX incidents_merged_into ON incidents(merged_into) WHERE merged_into IS NOT NULL;

CREATE TABLE units (
    id            BIGINT PRIMARY KEY,
    callsign      TEXT             NOT NULL UNIQUE,
    agency        TEXT             NOT NULL,
    type          TEXT             NOT NULL,
    capabilities  TEXT             NOT NULL,
    home_station  TEXT             NOT NULL,
    status        TEXT             NOT NULL,
    status_at     BIGINT           NOT NULL,
    lat           DOUBLE PRECISION,
    lon           DOUBLE PRECISION,
    heading       DOUBLE PRECISION,
    speed         DOUBLE PRECISION,
    position_at   BIGINT,
    incident_id   BIGINT,
    assignment_id BIGINT
);

CREATE TABLE assignments (
    id            BIGINT PRIMARY KEY,
    incident_id   BIGINT NOT NULL,
    unit_id       BIGINT NOT NULL,
    dispatched_at BIGINT NOT NULL,
    en_route_at   BIGINT,
    on_scene_at   BIGINT,
    cleared_at    BIGINT,
    dispatched_by TEXT   NOT NULL
);
CREATE INDEX assignments_incident ON assignments(incident_id);
CREATE INDEX assignments_active ON assignments(cleared_at) WHERE cleared_at IS NULL;

-- Ids come from a sequence, and every insert happens under the commit lock, so ids are
-- assigned and committed in the same order: a digest of [first_id, last_id] never misses a
-- row committed later with a smaller id.
CREATE TABLE positions (
    id      BIGSERIAL PRIMARY KEY,
    unit_id BIGINT           NOT NULL,
    at      BIGINT           NOT NULL,
    lat     DOUBLE PRECISION NOT NULL,
    lon     DOUBLE PRECISION NOT NULL,
    heading DOUBLE PRECISION,
    speed   DOUBLE PRECISION
);
CREATE INDEX positions_at ON positions(at);

CREATE TABLE callers (
    incident_id BIGINT PRIMARY KEY,
    name        TEXT   NOT NULL,
    phone       TEXT   NOT NULL,
    recorded_at BIGINT NOT NULL
);

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    username      TEXT   NOT NULL UNIQUE,
    role          TEXT   NOT NULL,
    password_hash TEXT   NOT NULL,
    created_at    BIGINT NOT NULL,
    disabled      BIGINT NOT NULL DEFAULT 0,
    unit_id       BIGINT
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    username   TEXT   NOT NULL,
    role       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    unit_id    BIGINT
);
)sql",
    // 2: historical incident records imported from city open data, for analytics and replay.
    R"sql(
CREATE TABLE incident_records (
    id                BIGSERIAL PRIMARY KEY,
    source            TEXT   NOT NULL, -- data set, e.g. 'dc', or the mapping file's name
    source_key        TEXT   NOT NULL, -- row identity within the source (id column or row hash)
    received_at       BIGINT NOT NULL, -- UTC ms
    category          TEXT   NOT NULL, -- taxonomy code
    source_category   TEXT   NOT NULL, -- the category as the source wrote it
    lat               DOUBLE PRECISION,
    lon               DOUBLE PRECISION,
    geocode_ok        BIGINT NOT NULL, -- 0: blank or far outside the map (kept, not mapped)
    jurisdiction      TEXT   NOT NULL DEFAULT '',
    patrol_area       TEXT   NOT NULL DEFAULT '',
    dispatched_at     BIGINT,
    en_route_at       BIGINT,
    on_scene_at       BIGINT,
    cleared_at        BIGINT,
    disposition       TEXT   NOT NULL DEFAULT '',
    time_resolution_s BIGINT NOT NULL DEFAULT 1, -- 86400: the source gives dates only
    import_seq        BIGINT, -- seq of the records.imported event of the import that wrote it
    UNIQUE (source, source_key)
);
CREATE INDEX incident_records_time ON incident_records(received_at);

-- Analytics facts of the imported records as column blocks (see sqlite_schema.hpp).
CREATE TABLE incident_fact_blocks (
    id                BIGSERIAL PRIMARY KEY,
    source            TEXT   NOT NULL,
    import_seq        BIGINT NOT NULL,
    first_received_at BIGINT NOT NULL,
    last_received_at  BIGINT NOT NULL,
    count             BIGINT NOT NULL,
    last_record_id    BIGINT NOT NULL, -- highest incident_records.id in the block
    data              BYTEA  NOT NULL
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
ALTER TABLE assignments ADD COLUMN recommended_rank BIGINT;

CREATE TABLE boundaries (
    id         BIGSERIAL PRIMARY KEY,
    layer      TEXT NOT NULL, -- 'jurisdiction' or 'patrol_area'
    name       TEXT NOT NULL,
    properties TEXT NOT NULL, -- the feature's properties, JSON
    geometry   TEXT NOT NULL, -- GeoJSON MultiPolygon, normalised
    UNIQUE (layer, name)
);

CREATE TABLE alerts (
    id          BIGINT PRIMARY KEY,
    kind        TEXT   NOT NULL, -- not_dispatched, not_en_route, not_on_scene, on_scene_long, handoff_failing
    key         TEXT   NOT NULL, -- the condition: kind + subject
    incident_id BIGINT,
    unit_id     BIGINT,
    message     TEXT   NOT NULL,
    raised_at   BIGINT NOT NULL,
    resolved_at BIGINT
);
-- One open alert per condition; a condition may recur after it was resolved.
CREATE UNIQUE INDEX alerts_open_key ON alerts(key) WHERE resolved_at IS NULL;

CREATE TABLE outbox (
    id              BIGSERIAL PRIMARY KEY,
    incident_id     BIGINT NOT NULL,
    kind            TEXT   NOT NULL, -- 'open311'
    idempotency_key TEXT   NOT NULL UNIQUE,
    body            TEXT   NOT NULL, -- the request as it will be sent
    status          TEXT   NOT NULL, -- pending, delivered, failed (gave up), manual (no endpoint)
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT   NOT NULL DEFAULT '',
    remote_id       TEXT   NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    delivered_at    BIGINT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_incident ON outbox(incident_id, id);

CREATE TABLE recommendations (
    incident_id BIGINT PRIMARY KEY,
    seq         BIGINT NOT NULL, -- the incident.recommended event holding this list
    computed_at BIGINT NOT NULL,
    items       TEXT   NOT NULL  -- JSON array as shown
);
)sql",
    // 4: attachments (photos of evidence items), stored once by the SHA-256 of their bytes; the
    // evidence.photo_attached event names the hash.
    R"sql(
CREATE TABLE blobs (
    sha256       TEXT   PRIMARY KEY, -- lower-case hex of the bytes
    content_type TEXT   NOT NULL,
    size         BIGINT NOT NULL,    -- bytes
    bytes        BYTEA  NOT NULL,
    stored_at    BIGINT NOT NULL
);
)sql",
    // 5: the team (station or squad, 派出所/中队) of an account and of its sessions; empty: centre
    // level. Supervisors of a team see that team's cases (docs/cases.md "Who sees what").
    R"sql(
ALTER TABLE users ADD COLUMN team TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN team TEXT NOT NULL DEFAULT '';
)sql",
};

// Derived geometry for spatial queries in SQL (PostGIS, QGIS, reports). Generated columns: the
// store writes lat/lon and GeoJSON as without PostGIS, and the server keeps them in step.
inline constexpr std::array<std::string_view, 1> kPostgisMigrations = {
    R"sql(
ALTER TABLE incidents ADD COLUMN geom geometry(Point, 4326)
    GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED;
CREATE INDEX incidents_geom ON incidents USING gist (geom);
ALTER TABLE units ADD COLUMN geom geometry(Point, 4326)
    GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED;
ALTER TABLE incident_records ADD COLUMN geom geometry(Point, 4326)
    GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED;
CREATE INDEX incident_records_geom ON incident_records USING gist (geom);
-- A boundary whose GeoJSON PostGIS cannot read as polygons keeps its text (what pingan uses)
-- and gets no geometry, rather than failing the commit it arrives in.
CREATE FUNCTION pingan_multipolygon(geojson TEXT) RETURNS geometry
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
    RETURN ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(geojson), 4326))::geometry(MultiPolygon, 4326);
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END $$;
ALTER TABLE boundaries ADD COLUMN geom geometry(MultiPolygon, 4326)
    GENERATED ALWAYS AS (pingan_multipolygon(geometry)) STORED;
CREATE INDEX boundaries_geom ON boundaries USING gist (geom);
)sql",
};

} // namespace pingan::store::pg
