#include "store/pg_store.hpp"

#include <atomic>
#include <random>
#include <thread>
#include <unordered_map>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "store/pg.hpp"
#include "store/pg_projection.hpp"
#include "store/pg_schema.hpp"
#include "store/position_digest.hpp"

namespace pingan::store {
namespace {

using base::Code;
using pg::Conn;
using pg::Params;
using pg::PgError;
using pg::Row;
using pg::Rows;

// Rows read per query when walking the whole log or a digest range, so memory stays flat.
constexpr int kPage = 10000;

// Column lists as macros, so that every statement below is one string literal with
// parameters: no SQL text is put together at run time.
#define INCIDENT_COLUMNS                                                                           \
    "id, number, status, category, priority, lat, lon, address, description, received_at, "        \
    "dispatched_at, on_scene_at, cleared_at, closed_at, disposition, merged_into, created_by, "    \
    "updated_at, has_caller, jurisdiction, patrol_area, location_kind, triage, likely_duplicates"
#define UNIT_COLUMNS                                                                               \
    "id, callsign, agency, type, capabilities, home_station, status, status_at, lat, lon, "        \
    "heading, speed, position_at, incident_id, assignment_id, home_jurisdiction"
#define ASSIGNMENT_COLUMNS                                                                         \
    "id, incident_id, unit_id, dispatched_at, en_route_at, on_scene_at, cleared_at, "              \
    "dispatched_by, recommended_rank"
#define OUTBOX_COLUMNS                                                                             \
    "id, incident_id, kind, idempotency_key, body, status, attempts, next_attempt_at, "            \
    "last_error, remote_id, created_at, delivered_at"
#define ALERT_COLUMNS "id, kind, key, incident_id, unit_id, message, raised_at, resolved_at"
#define EVENT_COLUMNS "seq, at, actor, kind, subject, payload, prev_hash, hash"
#define CALLER_COLUMNS "incident_id, name, phone, recorded_at"

ops::Incident read_incident(const Row& s) {
    ops::Incident i;
    i.id = s.int64(0);
    i.number = s.text(1);
    i.status = ops::parse_incident_status(s.text(2)).value_or(ops::IncidentStatus::received);
    i.category = s.text(3);
    i.priority = static_cast<int>(s.int64(4));
    i.location = {s.real(5), s.real(6)};
    i.address = s.text(7);
    i.description = s.text(8);
    i.received_at = s.int64(9);
    i.dispatched_at = s.opt_int64(10);
    i.on_scene_at = s.opt_int64(11);
    i.cleared_at = s.opt_int64(12);
    i.closed_at = s.opt_int64(13);
    i.disposition = s.text(14);
    i.merged_into = s.opt_int64(15);
    i.created_by = s.text(16);
    i.updated_at = s.int64(17);
    i.has_caller = s.int64(18) != 0;
    i.jurisdiction = s.text(19);
    i.patrol_area = s.text(20);
    i.location_kind = s.text(21);
    i.triage = s.text(22);
    auto dups = nlohmann::json::parse(s.text(23), nullptr, false);
    if (dups.is_array()) {
        for (const auto& d : dups) {
            if (d.is_number_integer()) i.likely_duplicates.push_back(d.get<ops::Id>());
        }
    }
    return i;
}

ops::Unit read_unit(const Row& s) {
    ops::Unit u;
    u.id = s.int64(0);
    u.callsign = s.text(1);
    u.agency = ops::parse_agency(s.text(2)).value_or(ops::Agency::police);
    u.type = s.text(3);
    auto caps = nlohmann::json::parse(s.text(4), nullptr, false);
    if (caps.is_array()) {
        for (const auto& c : caps) {
            if (c.is_string()) u.capabilities.push_back(c.get<std::string>());
        }
    }
    u.home_station = s.text(5);
    u.status = ops::parse_unit_status(s.text(6)).value_or(ops::UnitStatus::available);
    u.status_at = s.int64(7);
    if (!s.is_null(8) && !s.is_null(9)) {
        ops::Position p;
        p.at = {s.real(8), s.real(9)};
        p.heading_deg = s.opt_real(10);
        p.speed_mps = s.opt_real(11);
        p.reported_at = s.opt_int64(12).value_or(0);
        u.position = p;
    }
    u.incident_id = s.opt_int64(13);
    u.assignment_id = s.opt_int64(14);
    u.home_jurisdiction = s.text(15);
    return u;
}

ops::Assignment read_assignment(const Row& s) {
    ops::Assignment a;
    a.id = s.int64(0);
    a.incident_id = s.int64(1);
    a.unit_id = s.int64(2);
    a.dispatched_at = s.int64(3);
    a.en_route_at = s.opt_int64(4);
    a.on_scene_at = s.opt_int64(5);
    a.cleared_at = s.opt_int64(6);
    a.dispatched_by = s.text(7);
    if (auto rank = s.opt_int64(8)) a.recommended_rank = static_cast<int>(*rank);
    return a;
}

ops::Alert read_alert(const Row& s) {
    ops::Alert a;
    a.id = s.int64(0);
    a.kind = s.text(1);
    a.key = s.text(2);
    a.incident_id = s.opt_int64(3);
    a.unit_id = s.opt_int64(4);
    a.message = s.text(5);
    a.raised_at = s.int64(6);
    a.resolved_at = s.opt_int64(7);
    return a;
}

OutboxItem read_outbox(const Row& s) {
    OutboxItem o;
    o.id = s.int64(0);
    o.incident_id = s.int64(1);
    o.kind = s.text(2);
    o.idempotency_key = s.text(3);
    o.body = s.text(4);
    o.status = s.text(5);
    o.attempts = static_cast<int>(s.int64(6));
    o.next_attempt_at = s.int64(7);
    o.last_error = s.text(8);
    o.remote_id = s.text(9);
    o.created_at = s.int64(10);
    o.delivered_at = s.opt_int64(11);
    return o;
}

EventRecord read_event(const Row& s) {
    return EventRecord{s.int64(0), s.int64(1), s.text(2), s.text(3),
                       s.text(4),  s.text(5),  s.text(6), s.text(7)};
}

CallerRecord read_caller(const Row& s) {
    return CallerRecord{s.int64(0), s.text(1), s.text(2), s.int64(3)};
}

UserRecord read_user(const Row& s) {
    return UserRecord{s.int64(0), s.text(1),       s.text(2),      s.text(3),
                      s.int64(4), s.int64(5) != 0, s.opt_int64(6), s.text(7)};
}

// Applies the migrations of `component` that schema_migrations does not record yet.
void apply(Conn& db, std::string_view component, std::span<const std::string_view> migrations) {
    Rows applied =
        db.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = $1",
                 Params().add(component));
    const auto current = static_cast<std::size_t>(applied.int64(0, 0));
    if (current > migrations.size()) {
        throw std::runtime_error(
            fmt::format("database schema version {} ({}) is newer than this pingan ({})", current,
                        component, migrations.size()));
    }
    for (std::size_t i = current; i < migrations.size(); ++i) {
        db.exec(migrations[i]);
        db.run("INSERT INTO schema_migrations(component, version) VALUES($1, $2)",
               Params().add(component).add(static_cast<std::int64_t>(i + 1)));
    }
}

// Migrates in one transaction under the migration lock. Returns whether PostGIS is there.
bool migrate(Conn& db) {
    db.exec("BEGIN");
    try {
        db.run("SELECT pg_advisory_xact_lock($1)", Params().add(pg::kMigrationLock));
        db.exec(pg::kMigrationsTable);
        apply(db, "core", pg::kMigrations);
        bool postgis = !db.query("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").empty();
        if (!postgis &&
            !db.query("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'").empty()) {
            // Needs the right to create it (superuser, or a database owner where the DBA
            // made it trusted); without it the store runs without the geometry columns.
            db.exec("SAVEPOINT postgis");
            try {
                db.exec("CREATE EXTENSION IF NOT EXISTS postgis");
                db.exec("RELEASE SAVEPOINT postgis");
                postgis = true;
            } catch (const PgError& e) {
                if (e.lost) throw;
                db.exec("ROLLBACK TO SAVEPOINT postgis");
                db.exec("RELEASE SAVEPOINT postgis");
            }
        }
        if (postgis) apply(db, "postgis", pg::kPostgisMigrations);
        db.exec("COMMIT");
        return postgis;
    } catch (...) {
        if (!db.lost()) {
            try {
                db.exec("ROLLBACK");
            } catch (const PgError&) {
            }
        }
        throw;
    }
}

// An integrity violation inside one change becomes that change's error.
base::Error constraint_error(const PgError& e) {
    if (e.constraint == "users_username_key") {
        return base::error(Code::duplicate_username, "username", "username: already in use");
    }
    if (e.constraint == "units_callsign_key") {
        return base::error(Code::duplicate_callsign, "callsign", "callsign: already in use");
    }
    return base::error(Code::internal, fmt::format("store constraint failed: {}", e.what()));
}

// The newest report per unit among the positions of one commit.
struct LatestPositions {
    std::vector<PositionRecord> records;
    std::unordered_map<Id, std::size_t> index;
    void add(const PositionRecord& p) {
        auto [it, inserted] = index.try_emplace(p.unit_id, records.size());
        if (inserted) {
            records.push_back(p);
        } else if (records[it->second].position.reported_at <= p.position.reported_at) {
            records[it->second] = p;
        }
    }
};

// The digest of breadcrumb rows [first_id, last_id] in id order (position_digest.hpp), read a
// page at a time.
void digest_positions(Conn& db, Id first_id, Id last_id, PositionDigester& d) {
    Id from = first_id;
    while (true) {
        Rows rows = db.query("SELECT id, unit_id, at, lat, lon, heading, speed FROM positions "
                             "WHERE id >= $1 AND id <= $2 ORDER BY id LIMIT $3",
                             Params().add(from).add(last_id).add(kPage));
        for (int r = 0; r < rows.size(); ++r) {
            d.add(PositionRow{rows.int64(r, 0), rows.int64(r, 1), rows.int64(r, 2), rows.real(r, 3),
                              rows.real(r, 4), rows.opt_real(r, 5), rows.opt_real(r, 6)});
            from = rows.int64(r, 0) + 1;
        }
        if (rows.size() < kPage) break;
    }
}

void setup_writer(Conn& c) {
    // Durable before commit() returns: raise `off` to `on`; keep a stronger server setting
    // (remote_write, remote_apply with synchronous standbys) as the DBA chose it.
    if (c.query("SELECT current_setting('synchronous_commit')").text(0, 0) == "off") {
        c.exec("SET synchronous_commit = on");
    }
}

void setup_reader(Conn& c) {
    c.exec("SET default_transaction_read_only = on");
}

} // namespace

class PgStore::ReaderLease {
public:
    ReaderLease(PgStore& store, std::unique_ptr<Conn> conn)
        : store_(store), conn_(std::move(conn)) {}
    ReaderLease(ReaderLease&& o) noexcept : store_(o.store_), conn_(std::move(o.conn_)) {}
    ~ReaderLease() {
        if (!conn_) return;
        // A method left early (an error mid-snapshot): end its transaction before reuse.
        if (!conn_->lost() && conn_->in_transaction()) {
            try {
                conn_->exec("ROLLBACK");
            } catch (const PgError&) {
            }
        }
        std::lock_guard lock(store_.readers_mutex_);
        store_.idle_readers_.push_back(std::move(conn_));
        store_.reader_returned_.notify_one();
    }
    ReaderLease(const ReaderLease&) = delete;
    ReaderLease& operator=(const ReaderLease&) = delete;
    ReaderLease& operator=(ReaderLease&&) = delete;
    Conn* operator->() { return conn_.get(); }
    Conn& operator*() { return *conn_; }

private:
    PgStore& store_;
    std::unique_ptr<Conn> conn_;
};

PgStore::PgStore(std::string uri) : uri_(std::move(uri)) {
    std::random_device random;
    writer_name_ = fmt::format("{:08x}{:08x}", random(), random());
}
PgStore::~PgStore() = default;

base::Result<std::unique_ptr<PgStore>> PgStore::open(const std::string& uri) {
    std::unique_ptr<PgStore> store(new PgStore(uri));
    try {
        store->writer_ = std::make_unique<Conn>(uri, setup_writer);
        store->postgis_ = migrate(*store->writer_);
    } catch (const PgError& e) {
        return pg::to_error(e, "opening the store");
    } catch (const std::exception& e) {
        return base::error(Code::internal, fmt::format("opening the store: {}", e.what()));
    }
    return store;
}

PgStore::ReaderLease PgStore::reader() {
    std::unique_lock lock(readers_mutex_);
    reader_returned_.wait(lock,
                          [&] { return !idle_readers_.empty() || readers_open_ < kMaxReaders; });
    if (!idle_readers_.empty()) {
        ReaderLease lease(*this, std::move(idle_readers_.back()));
        idle_readers_.pop_back();
        lock.unlock();
        lease->ensure(); // reconnects a connection that broke; on failure it goes back idle
        return lease;
    }
    ++readers_open_;
    lock.unlock();
    try {
        return ReaderLease(*this, std::make_unique<Conn>(uri_, setup_reader));
    } catch (...) {
        lock.lock();
        --readers_open_;
        reader_returned_.notify_one();
        throw;
    }
}

base::Result<CommitResult> PgStore::commit(std::span<const Change> changes,
                                           std::int64_t expected_head) {
    std::lock_guard lock(write_mutex_);
    // First the whole batch in one pipeline (one round trip for all its statements). Should a
    // change break a constraint, the batch is rolled back and written again change by change,
    // each under a savepoint, so that only that change fails.
    for (const bool pipelined : {true, false}) {
        CommitResult result;
        result.errors.resize(changes.size());
        result.ranges.resize(changes.size());
        bool committing = false;
        try {
            writer_->ensure();
            Conn& db = *writer_;
            // READ COMMITTED, whatever the server default: each statement sees what committed
            // before it, so the head read after the lock is the head the last holder left.
            try {
                db.exec("BEGIN ISOLATION LEVEL READ COMMITTED");
            } catch (const PgError& e) {
                // The connection died while idle (restart, failover): nothing was sent yet, so
                // begin once more on a new one.
                if (!e.lost) throw;
                db.ensure();
                db.exec("BEGIN ISOLATION LEVEL READ COMMITTED");
            }
            db.run("SELECT pg_advisory_xact_lock($1)", Params().add(pg::kCommitLock));
            std::int64_t seq = 0;
            std::string prev(kGenesisHash);
            Rows head = db.query("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1");
            if (!head.empty()) {
                seq = head.int64(0, 0);
                prev = head.text(0, 1);
            }
            const std::int64_t head_before = seq;
            if (expected_head != kAnyHead && head_before != expected_head) {
                db.exec("ROLLBACK");
                return stale_head_error(head_before, expected_head);
            }

            if (pipelined) db.begin_pipeline();
            LatestPositions latest; // one units update per unit per commit, however many reports
            std::vector<const PositionRecord*> breadcrumbs; // of the changes that stay, in order
            for (std::size_t i = 0; i < changes.size(); ++i) {
                const Change& change = changes[i];
                const std::size_t records_before = result.records.size();
                const std::int64_t seq_before = seq;
                const std::string prev_before = prev;
                if (!pipelined) db.exec("SAVEPOINT change");
                try {
                    for (const ops::Event& e : change.events) {
                        EventRecord r = chain_link(e, ++seq, prev);
                        db.run("INSERT INTO events(seq, at, actor, kind, subject, payload, "
                               "prev_hash, hash) VALUES($1,$2,$3,$4,$5,$6,$7,$8)",
                               Params()
                                   .add(r.seq)
                                   .add(r.at)
                                   .add(r.actor)
                                   .add(r.kind)
                                   .add(r.subject)
                                   .add(r.payload)
                                   .add(r.prev_hash)
                                   .add(r.hash));
                        pg::project_event(db, e);
                        result.records.push_back(std::move(r));
                    }
                    for (const SideWrite& w : change.side) {
                        if (!std::holds_alternative<PositionRecord>(w)) pg::apply_side_write(db, w);
                    }
                    if (!pipelined) db.exec("RELEASE SAVEPOINT change");
                    // Only positions of a change that stays are stored and move their unit;
                    // all of the commit's go in at the end, in one statement.
                    for (const SideWrite& w : change.side) {
                        if (const auto* p = std::get_if<PositionRecord>(&w)) {
                            latest.add(*p);
                            breadcrumbs.push_back(p);
                        }
                    }
                } catch (const PgError& e) {
                    // Class 23: integrity constraint violation (unique, not null, check). A
                    // taken seq is not the change's fault: a writer bypassed the commit lock,
                    // and the batch fails whole rather than dropping the change.
                    if (pipelined || e.lost || !e.sqlstate.starts_with("23") ||
                        e.constraint == "events_pkey") {
                        throw;
                    }
                    db.exec("ROLLBACK TO SAVEPOINT change");
                    db.exec("RELEASE SAVEPOINT change");
                    result.records.resize(records_before);
                    seq = seq_before;
                    prev = prev_before;
                    result.errors[i] = constraint_error(e);
                }
                result.ranges[i] = {records_before, result.records.size()};
            }
            pg::insert_positions(db, breadcrumbs);
            pg::update_latest_positions(db, latest.records);
            // Delivered to listeners when (and only if) the transaction commits.
            if (seq > head_before) {
                db.run("SELECT pg_notify($1, $2)",
                       Params().add(kChannel).add(fmt::format("{} {}", seq, writer_name_)));
            }
            if (pipelined) db.end_pipeline(); // the first failure of the batch, if any
            committing = true;
            db.exec("COMMIT");
            return result;
        } catch (const PgError& e) {
            writer_->discard_pipeline();
            if (pipelined && !committing && !e.lost && e.sqlstate.starts_with("23") &&
                e.constraint != "events_pkey") {
                try {
                    writer_->exec("ROLLBACK");
                } catch (const PgError& rollback) {
                    return pg::to_error(rollback, "committing events");
                }
                continue; // change by change
            }
            // The connection broke during COMMIT: the transaction may have committed. If our
            // last event is there, it did (all or nothing), and the batch succeeded.
            if (committing && e.lost && !result.records.empty()) {
                try {
                    writer_->ensure();
                    const EventRecord& last = result.records.back();
                    if (!writer_
                             ->query("SELECT 1 FROM events WHERE seq = $1 AND hash = $2",
                                     Params().add(last.seq).add(last.hash))
                             .empty()) {
                        return result;
                    }
                } catch (const PgError&) {
                    // Still unreachable: the outcome is unknown and reported as unavailable.
                }
            }
            if (!writer_->lost()) {
                try {
                    writer_->exec("ROLLBACK");
                } catch (const PgError&) {
                }
            }
            return pg::to_error(e, "committing events");
        } catch (const std::exception& e) {
            writer_->discard_pipeline();
            if (!writer_->lost()) {
                try {
                    writer_->exec("ROLLBACK");
                } catch (const PgError&) {
                }
            }
            return base::error(Code::internal, fmt::format("committing events: {}", e.what()));
        }
    }
    return base::error(Code::internal, "committing events: no attempt was made");
}

template <class F>
auto PgStore::read(std::string_view what, F&& f)
    -> base::Result<std::invoke_result_t<F&, pg::Conn&>> {
    for (int attempt = 0;; ++attempt) {
        bool connected = false;
        try {
            auto db = reader();
            connected = true;
            return f(*db);
        } catch (const PgError& e) {
            // A pooled connection may have died while idle (server restart, failover, idle
            // timeout) and only says so now. Reads are safe to run again: once, on a new
            // connection; a server that is really gone fails that connection at once.
            if (e.lost && connected && attempt == 0) continue;
            return pg::to_error(e, what);
        }
    }
}

base::Result<ops::BoardSnapshot> PgStore::load_board() {
    return read("loading the board", [](Conn& db) {
        ops::BoardSnapshot snap;
        // One snapshot for all of it: a board from several moments would not be consistent.
        db.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        {
            Rows rows = db.query("SELECT id, status FROM incidents");
            for (int r = 0; r < rows.size(); ++r) {
                if (auto s = ops::parse_incident_status(rows.text(r, 1))) {
                    snap.statuses.emplace_back(rows.int64(r, 0), *s);
                }
            }
        }
        {
            Rows rows = db.query("SELECT " INCIDENT_COLUMNS " FROM incidents WHERE status NOT IN "
                                 "('closed','diverted','merged','cancelled')");
            for (int r = 0; r < rows.size(); ++r)
                snap.open_incidents.push_back(read_incident(Row(rows, r)));
        }
        {
            Rows rows = db.query("SELECT " UNIT_COLUMNS " FROM units");
            for (int r = 0; r < rows.size(); ++r)
                snap.units.push_back(read_unit(Row(rows, r)));
        }
        {
            Rows rows =
                db.query("SELECT " ASSIGNMENT_COLUMNS " FROM assignments WHERE cleared_at IS NULL");
            for (int r = 0; r < rows.size(); ++r)
                snap.active_assignments.push_back(read_assignment(Row(rows, r)));
        }
        {
            Rows rows = db.query("SELECT (SELECT COALESCE(MAX(id), 0) FROM incidents), "
                                 "(SELECT COALESCE(MAX(id), 0) FROM units), "
                                 "(SELECT COALESCE(MAX(id), 0) FROM assignments), "
                                 "(SELECT COALESCE(MAX(id), 0) FROM alerts)");
            snap.max_incident_id = rows.int64(0, 0);
            snap.max_unit_id = rows.int64(0, 1);
            snap.max_assignment_id = rows.int64(0, 2);
            snap.max_alert_id = rows.int64(0, 3);
        }
        {
            Rows rows = db.query("SELECT " ALERT_COLUMNS " FROM alerts WHERE resolved_at IS NULL");
            for (int r = 0; r < rows.size(); ++r)
                snap.open_alerts.push_back(read_alert(Row(rows, r)));
        }
        {
            // Numbers are "YYYY-NNNNNN"; anything else is not counted (SQLite reads it as 0).
            Rows rows = db.query("SELECT CAST(substr(number, 1, 4) AS BIGINT), "
                                 "MAX(CAST(substr(number, 6) AS BIGINT)) FROM incidents "
                                 "WHERE number ~ '^[0-9]{4}-[0-9]{1,18}$' GROUP BY 1 ORDER BY 1");
            for (int r = 0; r < rows.size(); ++r) {
                snap.last_number_by_year.emplace_back(static_cast<int>(rows.int64(r, 0)),
                                                      rows.int64(r, 1));
            }
        }
        db.exec("COMMIT");
        return snap;
    });
}

base::Result<std::vector<EventRecord>> PgStore::events_after(std::int64_t seq, int limit) {
    return read("reading events", [&](Conn& db) {
        std::vector<EventRecord> out;
        Rows rows = db.query("SELECT " EVENT_COLUMNS " FROM events WHERE seq > $1 "
                             "ORDER BY seq LIMIT $2",
                             Params().add(seq).add(limit));
        for (int r = 0; r < rows.size(); ++r)
            out.push_back(read_event(Row(rows, r)));
        return out;
    });
}

base::Result<std::int64_t> PgStore::head_seq() {
    return read("reading the head", [](Conn& db) {
        return db.query("SELECT COALESCE(MAX(seq), 0) FROM events").int64(0, 0);
    });
}

namespace {

// The checks of verify_chain() on one stored event; false (and the report says why) when the
// chain breaks here.
bool check_event(Conn& db, const EventRecord& r, std::int64_t expected_seq, const std::string& prev,
                 VerifyReport& report) {
    if (r.seq != expected_seq) {
        report.broken_seq = expected_seq;
        report.reason =
            r.seq > expected_seq
                ? fmt::format("event {} is missing (next stored is {})", expected_seq, r.seq)
                : fmt::format("event {} is out of order", r.seq);
        return false;
    }
    if (r.prev_hash != prev) {
        report.broken_seq = r.seq;
        report.reason = fmt::format("event {} ({} {}) does not link to event {}: its "
                                    "prev_hash differs from that event's hash",
                                    r.seq, r.kind, r.subject, r.seq - 1);
        return false;
    }
    if (event_hash(r) != r.hash) {
        report.broken_seq = r.seq;
        report.reason = fmt::format("event {} ({} {}) was altered: its content no longer "
                                    "matches its hash",
                                    r.seq, r.kind, r.subject);
        return false;
    }
    if (r.kind == "positions.digest") {
        auto p = nlohmann::json::parse(r.payload, nullptr, false);
        const Id first = p.is_object() ? p.value("first_id", Id{0}) : 0;
        const Id last = p.is_object() ? p.value("last_id", Id{0}) : 0;
        PositionDigester again;
        digest_positions(db, first, last, again);
        auto digest = again.finish();
        if (!digest || !p.is_object() || digest->count != p.value("count", std::int64_t{0}) ||
            !again.accepts(p.value("sha256", std::string()))) {
            report.broken_seq = r.seq;
            report.reason = fmt::format("event {} (positions.digest): breadcrumbs {} to {} were "
                                        "changed or removed since they were digested",
                                        r.seq, first, last);
            return false;
        }
        ++report.position_digests;
    }
    return true;
}

} // namespace

base::Result<VerifyReport> PgStore::verify_chain() {
    return read("verifying the chain", [](Conn& db) {
        VerifyReport report;
        // Events and breadcrumbs from one snapshot, so a digest is checked against the rows
        // as they were when its event was read.
        db.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        std::int64_t expected_seq = 1;
        std::string prev(kGenesisHash);
        bool intact = true;
        while (intact) {
            Rows rows = db.query("SELECT " EVENT_COLUMNS " FROM events WHERE seq > $1 "
                                 "ORDER BY seq LIMIT $2",
                                 Params().add(expected_seq - 1).add(kPage));
            for (int i = 0; i < rows.size() && intact; ++i) {
                EventRecord r = read_event(Row(rows, i));
                intact = check_event(db, r, expected_seq, prev, report);
                if (!intact) break;
                prev = r.hash;
                report.head_hash = r.hash;
                ++report.count;
                ++expected_seq;
            }
            if (rows.size() < kPage) break;
        }
        db.exec("COMMIT");
        return report;
    });
}

base::Result<std::optional<PositionDigest>> PgStore::next_position_digest() {
    return read("digesting positions", [](Conn& db) {
        db.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        Id after = 0;
        Rows last = db.query(
            "SELECT payload FROM events WHERE kind = 'positions.digest' ORDER BY seq DESC LIMIT 1");
        if (!last.empty()) {
            auto p = nlohmann::json::parse(last.text(0, 0), nullptr, false);
            if (p.is_object()) after = p.value("last_id", Id{0});
        }
        const Id newest = db.query("SELECT COALESCE(MAX(id), 0) FROM positions").int64(0, 0);
        std::optional<PositionDigest> d;
        if (newest > after) {
            PositionDigester digester(PositionDigester::Forms::canonical);
            digest_positions(db, after + 1, newest, digester);
            d = digester.finish();
        }
        db.exec("COMMIT");
        return d;
    });
}

base::Result<std::vector<PositionRow>> PgStore::positions(const PositionQuery& q) {
    return read("reading breadcrumbs", [&](Conn& db) {
        Rows rows = db.query("SELECT id, unit_id, at, lat, lon, heading, speed FROM positions "
                             "WHERE at >= $1 AND at < $2 AND ($3::bigint IS NULL OR unit_id = $3) "
                             "AND (at > $4 OR (at = $4 AND id > $5)) ORDER BY at, id LIMIT $6",
                             Params()
                                 .add(std::max(q.from, q.after_at))
                                 .add(q.to)
                                 .add(q.unit)
                                 .add(q.after_at)
                                 .add(q.after_id)
                                 .add(q.limit));
        std::vector<PositionRow> out;
        for (int r = 0; r < rows.size(); ++r)
            out.push_back(PositionRow{rows.int64(r, 0), rows.int64(r, 1), rows.int64(r, 2),
                                      rows.real(r, 3), rows.real(r, 4), rows.opt_real(r, 5),
                                      rows.opt_real(r, 6)});
        return out;
    });
}

base::Result<std::optional<ops::Incident>> PgStore::incident(Id id) {
    return read("reading an incident", [&](Conn& db) {
        Rows rows =
            db.query("SELECT " INCIDENT_COLUMNS " FROM incidents WHERE id = $1", Params().add(id));
        std::optional<ops::Incident> out;
        if (!rows.empty()) out = read_incident(Row(rows, 0));
        return out;
    });
}

base::Result<std::vector<ops::Incident>> PgStore::incidents(const IncidentQuery& q) {
    return read("listing incidents", [&](Conn& db) {
        // Statuses are bound as one comma-framed text so the statement stays fixed.
        std::string wanted = ",";
        for (auto s : q.statuses)
            wanted += std::string(ops::to_string(s)) + ",";
        Rows rows =
            db.query("SELECT " INCIDENT_COLUMNS " FROM incidents WHERE ($1::text = ',' OR "
                     "strpos($1::text, ',' || status || ',') > 0) AND id < $2 "
                     "ORDER BY id DESC LIMIT $3",
                     Params().add(wanted).add(q.before_id.value_or(INT64_MAX)).add(q.limit));
        std::vector<ops::Incident> out;
        for (int r = 0; r < rows.size(); ++r)
            out.push_back(read_incident(Row(rows, r)));
        return out;
    });
}

base::Result<std::vector<ops::Assignment>> PgStore::assignments_of(Id incident_id) {
    return read("reading assignments", [&](Conn& db) {
        Rows rows = db.query("SELECT " ASSIGNMENT_COLUMNS " FROM assignments "
                             "WHERE incident_id = $1 ORDER BY id",
                             Params().add(incident_id));
        std::vector<ops::Assignment> out;
        for (int r = 0; r < rows.size(); ++r)
            out.push_back(read_assignment(Row(rows, r)));
        return out;
    });
}

base::Result<std::optional<ops::Unit>> PgStore::unit(Id id) {
    return read("reading a unit", [&](Conn& db) {
        Rows rows = db.query("SELECT " UNIT_COLUMNS " FROM units WHERE id = $1", Params().add(id));
        std::optional<ops::Unit> out;
        if (!rows.empty()) out = read_unit(Row(rows, 0));
        return out;
    });
}

base::Result<std::vector<ops::Unit>> PgStore::units() {
    return read("listing units", [](Conn& db) {
        Rows rows = db.query("SELECT " UNIT_COLUMNS " FROM units ORDER BY id");
        std::vector<ops::Unit> out;
        for (int r = 0; r < rows.size(); ++r)
            out.push_back(read_unit(Row(rows, r)));
        return out;
    });
}

base::Result<std::optional<CallerRecord>> PgStore::caller(Id incident_id) {
    return read("reading caller details", [&](Conn& db) {
        Rows rows = db.query("SELECT " CALLER_COLUMNS " FROM callers WHERE incident_id = $1",
                             Params().add(incident_id));
        std::optional<CallerRecord> out;
        if (!rows.empty()) out = read_caller(Row(rows, 0));
        return out;
    });
}

base::Result<std::optional<UserRecord>> PgStore::user(std::string_view username) {
    return read("reading a user", [&](Conn& db) {
        Rows rows = db.query("SELECT id, username, role, password_hash, created_at, disabled, "
                             "unit_id, team FROM users WHERE username = $1",
                             Params().add(username));
        std::optional<UserRecord> out;
        if (!rows.empty()) out = read_user(Row(rows, 0));
        return out;
    });
}

base::Result<std::vector<UserRecord>> PgStore::users() {
    return read("listing users", [](Conn& db) {
        // The password hash stays in the database: a listing never carries it.
        Rows rows = db.query("SELECT id, username, role, '', created_at, disabled, unit_id, "
                             "team FROM users ORDER BY id");
        std::vector<UserRecord> out;
        for (int r = 0; r < rows.size(); ++r)
            out.push_back(read_user(Row(rows, r)));
        return out;
    });
}

base::Result<std::vector<SessionRecord>> PgStore::live_sessions(base::TimeMs now) {
    return read("reading sessions", [&](Conn& db) {
        Rows rows = db.query("SELECT token_hash, username, role, created_at, expires_at, unit_id, "
                             "team FROM sessions WHERE revoked_at IS NULL AND expires_at > $1",
                             Params().add(now));
        std::vector<SessionRecord> out;
        for (int r = 0; r < rows.size(); ++r) {
            out.push_back(SessionRecord{rows.text(r, 0), rows.text(r, 1), rows.text(r, 2),
                                        rows.int64(r, 3), rows.int64(r, 4), rows.opt_int64(r, 5),
                                        rows.text(r, 6)});
        }
        return out;
    });
}

base::Result<std::vector<BoundaryRow>> PgStore::boundaries() {
    return read("reading boundaries", [](Conn& db) {
        // COLLATE "C": the byte order SQLite uses, whatever the database's collation.
        Rows rows = db.query("SELECT layer, name, properties, geometry FROM boundaries "
                             "ORDER BY layer COLLATE \"C\", name COLLATE \"C\"");
        std::vector<BoundaryRow> out;
        for (int r = 0; r < rows.size(); ++r) {
            out.push_back(
                BoundaryRow{rows.text(r, 0), rows.text(r, 1), rows.text(r, 2), rows.text(r, 3)});
        }
        return out;
    });
}

base::Result<std::vector<ops::Alert>> PgStore::alerts(bool open_only, int limit) {
    return read("reading alerts", [&](Conn& db) {
        Rows rows = db.query("SELECT " ALERT_COLUMNS " FROM alerts WHERE ($1::bigint = 0 OR "
                             "resolved_at IS NULL) ORDER BY id DESC LIMIT $2",
                             Params().add(static_cast<std::int64_t>(open_only)).add(limit));
        std::vector<ops::Alert> out;
        for (int r = 0; r < rows.size(); ++r)
            out.push_back(read_alert(Row(rows, r)));
        return out;
    });
}

base::Result<std::vector<OutboxItem>> PgStore::due_outbox(base::TimeMs now, int limit) {
    return read("reading the outbox", [&](Conn& db) {
        Rows rows = db.query("SELECT " OUTBOX_COLUMNS " FROM outbox WHERE status = 'pending' AND "
                             "next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2",
                             Params().add(now).add(limit));
        std::vector<OutboxItem> out;
        for (int r = 0; r < rows.size(); ++r)
            out.push_back(read_outbox(Row(rows, r)));
        return out;
    });
}

base::Result<std::optional<OutboxItem>> PgStore::outbox_of(Id incident_id) {
    return read("reading the outbox", [&](Conn& db) {
        Rows rows = db.query("SELECT " OUTBOX_COLUMNS " FROM outbox WHERE incident_id = $1 "
                             "ORDER BY id DESC LIMIT 1",
                             Params().add(incident_id));
        std::optional<OutboxItem> out;
        if (!rows.empty()) out = read_outbox(Row(rows, 0));
        return out;
    });
}

base::Result<std::optional<RecommendationWrite>> PgStore::recommendation_of(Id incident_id) {
    return read("reading recommendations", [&](Conn& db) {
        Rows rows = db.query("SELECT incident_id, computed_at, items FROM recommendations "
                             "WHERE incident_id = $1",
                             Params().add(incident_id));
        std::optional<RecommendationWrite> out;
        if (!rows.empty()) {
            out = RecommendationWrite{rows.int64(0, 0), rows.int64(0, 1), rows.text(0, 2)};
        }
        return out;
    });
}

base::Result<std::vector<CallerRecord>> PgStore::callers_of(const std::vector<Id>& ids) {
    return read("reading caller details", [&](Conn& db) {
        std::vector<CallerRecord> out;
        for (Id id : ids) {
            Rows rows = db.query("SELECT " CALLER_COLUMNS " FROM callers WHERE incident_id = $1",
                                 Params().add(id));
            for (int r = 0; r < rows.size(); ++r)
                out.push_back(read_caller(Row(rows, r)));
        }
        return out;
    });
}

base::Result<std::vector<Id>> PgStore::callers_recorded_before(base::TimeMs before, int limit) {
    return read("reading caller details due for deletion", [&](Conn& db) {
        Rows rows = db.query("SELECT incident_id FROM callers WHERE recorded_at < $1 "
                             "ORDER BY recorded_at, incident_id LIMIT $2",
                             Params().add(before).add(limit));
        std::vector<Id> out;
        for (int r = 0; r < rows.size(); ++r)
            out.push_back(rows.int64(r, 0));
        return out;
    });
}

base::Result<std::vector<Id>> PgStore::merged_into(Id incident_id) {
    return read("reading merged incidents", [&](Conn& db) {
        Rows rows = db.query("SELECT id FROM incidents WHERE merged_into = $1 ORDER BY id",
                             Params().add(incident_id));
        std::vector<Id> out;
        for (int r = 0; r < rows.size(); ++r)
            out.push_back(rows.int64(r, 0));
        return out;
    });
}

base::Result<std::optional<Id>> PgStore::incident_by_number(std::string_view number) {
    return read("reading an incident by number", [&](Conn& db) {
        Rows rows = db.query("SELECT id FROM incidents WHERE number = $1", Params().add(number));
        std::optional<Id> out;
        if (!rows.empty()) out = rows.int64(0, 0);
        return out;
    });
}

base::Result<std::optional<Blob>> PgStore::blob(std::string_view sha256) {
    return read("reading a blob", [&](Conn& db) -> std::optional<Blob> {
        Rows rows = db.query("SELECT sha256, content_type, bytes, stored_at FROM blobs "
                             "WHERE sha256 = $1",
                             Params().add(sha256));
        if (rows.empty()) return std::nullopt;
        auto bytes = pg::bytea_bytes(rows.text(0, 2));
        if (!bytes) {
            throw pg::PgError("blob " + std::string(sha256) + ": bytes not in bytea hex format",
                              "XX001", false);
        }
        return Blob{rows.text(0, 0), rows.text(0, 1), std::move(*bytes), rows.int64(0, 3)};
    });
}

namespace {

// LISTENs on its own connection; reconnects by itself, and then reports a gap (0), since
// notifications sent while it was away are lost.
class PgHeadWatch final : public HeadWatch {
public:
    PgHeadWatch(std::string uri, std::string own_writer, std::function<void(std::int64_t)> heard)
        : uri_(std::move(uri)), own_writer_(std::move(own_writer)), heard_(std::move(heard)),
          thread_([this] { run(); }) {}
    ~PgHeadWatch() override {
        stopping_ = true;
        thread_.join();
    }

private:
    void run() {
        std::unique_ptr<Conn> conn;
        bool connected_before = false;
        while (!stopping_) {
            try {
                if (!conn) {
                    conn = std::make_unique<Conn>(uri_,
                                                  [](Conn& c) { c.exec("LISTEN pingan_events"); });
                    if (connected_before) heard_(0);
                    connected_before = true;
                }
                conn->ensure();
                auto note = conn->wait_notification(250);
                if (!note) continue;
                // "<seq> <writer>": another writer's head, or an older payload without one.
                const std::string& payload = note->second;
                const std::size_t space = payload.find(' ');
                if (space != std::string::npos && payload.substr(space + 1) == own_writer_) {
                    continue;
                }
                heard_(std::strtoll(payload.c_str(), nullptr, 10));
            } catch (const PgError&) {
                // The database is away (restart, failover): try again shortly.
                conn.reset();
                for (int i = 0; i < 10 && !stopping_; ++i)
                    std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        }
    }

    std::string uri_;
    std::string own_writer_;
    std::function<void(std::int64_t)> heard_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

} // namespace

std::unique_ptr<HeadWatch> PgStore::watch_heads(std::function<void(std::int64_t)> on_foreign_head) {
    return std::make_unique<PgHeadWatch>(uri_, writer_name_, std::move(on_foreign_head));
}

} // namespace pingan::store
