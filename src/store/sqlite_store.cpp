#include "store/sqlite_store.hpp"

#include <unordered_map>

#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include "store/position_digest.hpp"
#include "store/sqlite.hpp"
#include "store/sqlite_projection.hpp"
#include "store/sqlite_schema.hpp"

namespace pingan::store {
namespace {

using base::Code;
using sqlite::Db;
using sqlite::SqliteError;
using sqlite::Stmt;

constexpr const char* kIncidentColumns =
    "id, number, status, category, priority, lat, lon, address, description, received_at, "
    "dispatched_at, on_scene_at, cleared_at, closed_at, disposition, merged_into, created_by, "
    "updated_at, has_caller, jurisdiction, patrol_area, location_kind, triage, likely_duplicates";

constexpr const char* kUnitColumns =
    "id, callsign, agency, type, capabilities, home_station, status, status_at, lat, lon, heading, "
    "speed, position_at, incident_id, assignment_id, home_jurisdiction";

constexpr const char* kAssignmentColumns =
    "id, incident_id, unit_id, dispatched_at, en_route_at, on_scene_at, cleared_at, dispatched_by, "
    "recommended_rank";

ops::Incident read_incident(const Stmt& s) {
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

ops::Unit read_unit(const Stmt& s) {
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

ops::Assignment read_assignment(const Stmt& s) {
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

EventRecord read_event(const Stmt& s) {
    return EventRecord{s.int64(0), s.int64(1), s.text(2), s.text(3),
                       s.text(4),  s.text(5),  s.text(6), s.text(7)};
}

void migrate(Db& db) {
    Stmt& version = db.prepare("PRAGMA user_version");
    version.step();
    const auto current = static_cast<std::size_t>(version.int64(0));
    version.reset();
    if (current > sqlite::kMigrations.size()) {
        throw SqliteError(SQLITE_MISMATCH,
                          fmt::format("database schema version {} is newer than this pingan ({})",
                                      current, sqlite::kMigrations.size()));
    }
    if (current == sqlite::kMigrations.size()) return;
    db.exec("BEGIN IMMEDIATE");
    try {
        for (std::size_t i = current; i < sqlite::kMigrations.size(); ++i) {
            db.exec(sqlite::kMigrations[i]);
        }
        // sql-composed: the version is a compile-time count; PRAGMA takes no parameters
        db.exec(fmt::format("PRAGMA user_version = {}", sqlite::kMigrations.size()));
        db.exec("COMMIT");
    } catch (...) {
        db.exec("ROLLBACK");
        throw;
    }
}

// A constraint failure inside one change becomes that change's error.
base::Error constraint_error(const SqliteError& e) {
    const std::string what = e.what();
    if (what.find("users.username") != std::string::npos) {
        return base::error(Code::duplicate_username, "username", "username: already in use");
    }
    if (what.find("units.callsign") != std::string::npos) {
        return base::error(Code::duplicate_callsign, "callsign", "callsign: already in use");
    }
    return base::error(Code::internal, fmt::format("store constraint failed: {}", what));
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

// The digest of breadcrumb rows [first_id, last_id] in id order (position_digest.hpp).
void digest_positions(Db& db, Id first_id, Id last_id, PositionDigester& d) {
    Stmt& s = db.prepare("SELECT id, unit_id, at, lat, lon, heading, speed FROM positions "
                         "WHERE id BETWEEN ? AND ? ORDER BY id");
    s.bind(1, first_id).bind(2, last_id);
    while (s.step())
        d.add(PositionRow{s.int64(0), s.int64(1), s.int64(2), s.real(3), s.real(4), s.opt_real(5),
                          s.opt_real(6)});
    s.reset();
}

// The id of the last breadcrumb a stored digest covers (0: none yet).
Id last_digested_position(Db& db) {
    Id last_id = 0;
    Stmt& last = db.prepare(
        "SELECT payload FROM events WHERE kind = 'positions.digest' ORDER BY seq DESC LIMIT 1");
    if (last.step()) {
        auto p = nlohmann::json::parse(last.text(0), nullptr, false);
        if (p.is_object()) last_id = p.value("last_id", Id{0});
    }
    last.reset();
    return last_id;
}

} // namespace

class SqliteStore::ReaderLease {
public:
    ReaderLease(SqliteStore& store, std::unique_ptr<Db> db) : store_(store), db_(std::move(db)) {}
    ~ReaderLease() {
        db_->reset_all();
        std::lock_guard lock(store_.readers_mutex_);
        store_.idle_readers_.push_back(std::move(db_));
    }
    ReaderLease(const ReaderLease&) = delete;
    ReaderLease& operator=(const ReaderLease&) = delete;
    Db* operator->() { return db_.get(); }
    Db& operator*() { return *db_; }

private:
    SqliteStore& store_;
    std::unique_ptr<Db> db_;
};

SqliteStore::SqliteStore(std::string path) : path_(std::move(path)) {}

SqliteStore::~SqliteStore() {
    // A store that only read (audit verify, a backup) leaves the file as it found it. What is
    // not folded now is read back from the breadcrumbs at the next open.
    if (!writer_ || !committed_) return;
    try {
        std::lock_guard lock(write_mutex_);
        writer_->prepare("BEGIN IMMEDIATE").run();
        fold_positions(*writer_);
        writer_->reset_all();
        writer_->prepare("COMMIT").run();
    } catch (const SqliteError&) {
        try {
            writer_->exec("ROLLBACK");
        } catch (const SqliteError&) {
        }
    }
}

// The breadcrumbs after the last digest, newest per unit, as commit() would have kept them.
void SqliteStore::read_unfolded_positions() {
    Db& db = *writer_;
    // Every open pays this (a CLI command too): without breadcrumbs, or with all of them
    // digested, the log's last digest is not looked for or nothing is read.
    Stmt& newest = db.prepare("SELECT COALESCE(MAX(id), 0) FROM positions");
    newest.step();
    const Id last_id = newest.int64(0);
    newest.reset();
    if (last_id == 0) return;
    const Id after = last_digested_position(db);
    if (after >= last_id) return;
    Stmt& rows = db.prepare("SELECT unit_id, at, lat, lon, heading, speed FROM positions "
                            "WHERE id > ? ORDER BY id");
    rows.bind(1, after);
    std::lock_guard lock(latest_mutex_);
    while (rows.step()) {
        const ops::Position p{
            {rows.real(2), rows.real(3)}, rows.opt_real(4), rows.opt_real(5), rows.int64(1)};
        keep_newest(rows.int64(0), p);
    }
    rows.reset();
}

// Writes the positions not yet folded into the units table, inside the caller's transaction;
// they count as folded once that commits (the caller marks them).
void SqliteStore::fold_positions(Db& db) {
    std::vector<PositionRecord> unfolded;
    {
        std::lock_guard lock(latest_mutex_);
        for (const auto& [id, latest] : latest_) {
            if (!latest.folded) unfolded.push_back(PositionRecord{id, latest.position});
        }
    }
    sqlite::update_latest_positions(db, unfolded);
}

void SqliteStore::keep_newest(Id unit, const ops::Position& p) {
    auto [it, inserted] = latest_.try_emplace(unit, Latest{p, false});
    if (!inserted && it->second.position.reported_at <= p.reported_at) it->second = {p, false};
}

void SqliteStore::overlay_latest(ops::Unit& unit) {
    std::lock_guard lock(latest_mutex_);
    auto it = latest_.find(unit.id);
    if (it == latest_.end()) return;
    if (!unit.position || unit.position->reported_at <= it->second.position.reported_at) {
        unit.position = it->second.position;
    }
}

base::Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path) {
    std::unique_ptr<SqliteStore> store(new SqliteStore(path));
    try {
        store->writer_ = std::make_unique<Db>(path, Db::Mode::read_write);
        Db& db = *store->writer_;
        db.exec("PRAGMA journal_mode = WAL");
        // FULL: in WAL mode the log is fsynced at every commit, so commit() returning means
        // the data survives a power cut, not only a process crash.
        db.exec("PRAGMA synchronous = FULL");
        db.exec("PRAGMA foreign_keys = OFF");
        migrate(db);
        store->read_unfolded_positions();
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "opening the store");
    }
    return store;
}

SqliteStore::ReaderLease SqliteStore::reader() {
    {
        std::lock_guard lock(readers_mutex_);
        if (!idle_readers_.empty()) {
            auto db = std::move(idle_readers_.back());
            idle_readers_.pop_back();
            return ReaderLease(*this, std::move(db));
        }
    }
    auto db = std::make_unique<Db>(path_, Db::Mode::read_only);
    return ReaderLease(*this, std::move(db));
}

base::Result<CommitResult> SqliteStore::commit(std::span<const Change> changes,
                                               std::int64_t expected_head) {
    std::lock_guard lock(write_mutex_);
    Db& db = *writer_;
    committed_ = true;
    CommitResult result;
    result.errors.resize(changes.size());
    result.ranges.resize(changes.size());
    try {
        db.prepare("BEGIN IMMEDIATE").run();
        // The head is read inside the transaction: another process (pingan user add) may
        // have appended since our last commit.
        std::int64_t seq = 0;
        std::string prev(kGenesisHash);
        Stmt& head = db.prepare("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1");
        if (head.step()) {
            seq = head.int64(0);
            prev = head.text(1);
        }
        head.reset();
        if (expected_head != kAnyHead && seq != expected_head) {
            db.exec("ROLLBACK");
            return stale_head_error(seq, expected_head);
        }

        LatestPositions latest; // the newest report per unit of this commit
        bool digested = false;  // a positions.digest event is stored: fold (see the header)
        for (std::size_t i = 0; i < changes.size(); ++i) {
            const Change& change = changes[i];
            const std::size_t records_before = result.records.size();
            const std::int64_t seq_before = seq;
            const std::string prev_before = prev;
            // A change of one statement needs no savepoint: SQLite undoes a statement that
            // fails on a constraint and keeps the transaction. A position report is one.
            const bool one_statement = change.events.empty() && change.side.size() == 1 &&
                                       std::holds_alternative<PositionRecord>(change.side[0]);
            if (!one_statement) db.prepare("SAVEPOINT change").run();
            try {
                for (const ops::Event& e : change.events) {
                    EventRecord r = chain_link(e, ++seq, prev);
                    db.prepare("INSERT INTO events(seq, at, actor, kind, subject, payload, "
                               "prev_hash, hash) VALUES(?,?,?,?,?,?,?,?)")
                        .bind(1, r.seq)
                        .bind(2, r.at)
                        .bind(3, r.actor)
                        .bind(4, r.kind)
                        .bind(5, r.subject)
                        .bind(6, r.payload)
                        .bind(7, r.prev_hash)
                        .bind(8, r.hash)
                        .run();
                    sqlite::project_event(db, e);
                    result.records.push_back(std::move(r));
                }
                for (const SideWrite& w : change.side)
                    sqlite::apply_side_write(db, w);
                if (!one_statement) db.prepare("RELEASE change").run();
                // Only positions of a change that stays move its unit.
                for (const SideWrite& w : change.side) {
                    if (const auto* p = std::get_if<PositionRecord>(&w)) latest.add(*p);
                }
                for (const ops::Event& e : change.events)
                    digested = digested || e.kind == "positions.digest";
            } catch (const SqliteError& e) {
                if (e.code != SQLITE_CONSTRAINT) throw;
                if (!one_statement) {
                    db.exec("ROLLBACK TO change");
                    db.exec("RELEASE change");
                }
                result.records.resize(records_before);
                seq = seq_before;
                prev = prev_before;
                result.errors[i] = constraint_error(e);
            }
            result.ranges[i] = {records_before, result.records.size()};
        }
        if (digested) {
            fold_positions(db);
            sqlite::update_latest_positions(db, latest.records);
        }
        db.reset_all();
        db.prepare("COMMIT").run();
        std::lock_guard latest_lock(latest_mutex_);
        for (const PositionRecord& p : latest.records)
            keep_newest(p.unit_id, p.position);
        if (digested) {
            for (auto& [id, l] : latest_)
                l.folded = true;
        }
    } catch (const SqliteError& e) {
        try {
            db.exec("ROLLBACK");
        } catch (const SqliteError&) {
            // SQLite may already have rolled back (e.g. SQLITE_FULL during COMMIT).
        }
        return sqlite::to_error(e, "committing events");
    } catch (const std::exception& e) {
        try {
            db.exec("ROLLBACK");
        } catch (const SqliteError&) {
        }
        return base::error(Code::internal, fmt::format("committing events: {}", e.what()));
    }
    return result;
}

base::Result<ops::BoardSnapshot> SqliteStore::load_board() {
    ops::BoardSnapshot snap;
    try {
        auto db = reader();
        Stmt& statuses = db->prepare("SELECT id, status FROM incidents");
        while (statuses.step()) {
            if (auto s = ops::parse_incident_status(statuses.text(1))) {
                snap.statuses.emplace_back(statuses.int64(0), *s);
            }
        }
        // sql-composed: the column list and the closed statuses are constants
        Stmt& open = db->prepare(fmt::format("SELECT {} FROM incidents WHERE status NOT IN "
                                             "('closed','diverted','merged','cancelled')",
                                             kIncidentColumns));
        while (open.step())
            snap.open_incidents.push_back(read_incident(open));
        // sql-composed: the column list is a compile-time constant; values are bound
        Stmt& units = db->prepare(fmt::format("SELECT {} FROM units", kUnitColumns));
        while (units.step()) {
            snap.units.push_back(read_unit(units));
            overlay_latest(snap.units.back());
        }
        // sql-composed: the column list is a compile-time constant; values are bound
        Stmt& active = db->prepare(
            fmt::format("SELECT {} FROM assignments WHERE cleared_at IS NULL", kAssignmentColumns));
        while (active.step())
            snap.active_assignments.push_back(read_assignment(active));
        auto max_of = [&](const char* table) {
            // sql-composed: table is one of the fixed names passed below
            Stmt& s = db->prepare(fmt::format("SELECT COALESCE(MAX(id), 0) FROM {}", table));
            s.step();
            return s.int64(0);
        };
        snap.max_incident_id = max_of("incidents");
        snap.max_unit_id = max_of("units");
        snap.max_assignment_id = max_of("assignments");
        snap.max_alert_id = max_of("alerts");
        Stmt& alerts = db->prepare("SELECT id, kind, key, incident_id, unit_id, message, raised_at "
                                   "FROM alerts WHERE resolved_at IS NULL");
        while (alerts.step()) {
            ops::Alert a;
            a.id = alerts.int64(0);
            a.kind = alerts.text(1);
            a.key = alerts.text(2);
            a.incident_id = alerts.opt_int64(3);
            a.unit_id = alerts.opt_int64(4);
            a.message = alerts.text(5);
            a.raised_at = alerts.int64(6);
            snap.open_alerts.push_back(std::move(a));
        }
        Stmt& numbers =
            db->prepare("SELECT CAST(substr(number, 1, 4) AS INTEGER), "
                        "MAX(CAST(substr(number, 6) AS INTEGER)) FROM incidents GROUP BY 1");
        while (numbers.step()) {
            snap.last_number_by_year.emplace_back(static_cast<int>(numbers.int64(0)),
                                                  numbers.int64(1));
        }
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "loading the board");
    }
    return snap;
}

base::Result<std::vector<EventRecord>> SqliteStore::events_after(std::int64_t seq, int limit) {
    std::vector<EventRecord> out;
    try {
        auto db = reader();
        Stmt& s = db->prepare("SELECT seq, at, actor, kind, subject, payload, prev_hash, hash "
                              "FROM events WHERE seq > ? ORDER BY seq LIMIT ?");
        s.bind(1, seq).bind(2, limit);
        while (s.step())
            out.push_back(read_event(s));
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "reading events");
    }
    return out;
}

base::Result<std::int64_t> SqliteStore::head_seq() {
    try {
        auto db = reader();
        Stmt& s = db->prepare("SELECT COALESCE(MAX(seq), 0) FROM events");
        s.step();
        return s.int64(0);
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "reading the head");
    }
}

base::Result<VerifyReport> SqliteStore::verify_chain() {
    VerifyReport report;
    try {
        auto db = reader();
        Stmt& s = db->prepare("SELECT seq, at, actor, kind, subject, payload, prev_hash, hash "
                              "FROM events ORDER BY seq");
        std::int64_t expected_seq = 1;
        std::string prev(kGenesisHash);
        while (s.step()) {
            EventRecord r = read_event(s);
            if (r.seq != expected_seq) {
                report.broken_seq = expected_seq;
                report.reason = r.seq > expected_seq
                                    ? fmt::format("event {} is missing (next stored is {})",
                                                  expected_seq, r.seq)
                                    : fmt::format("event {} is out of order", r.seq);
                break;
            }
            if (r.prev_hash != prev) {
                report.broken_seq = r.seq;
                report.reason = fmt::format("event {} ({} {}) does not link to event {}: its "
                                            "prev_hash differs from that event's hash",
                                            r.seq, r.kind, r.subject, r.seq - 1);
                break;
            }
            if (event_hash(r) != r.hash) {
                report.broken_seq = r.seq;
                report.reason = fmt::format("event {} ({} {}) was altered: its content no longer "
                                            "matches its hash",
                                            r.seq, r.kind, r.subject);
                break;
            }
            if (r.kind == "positions.digest") {
                auto p = nlohmann::json::parse(r.payload, nullptr, false);
                const Id first = p.is_object() ? p.value("first_id", Id{0}) : 0;
                const Id last = p.is_object() ? p.value("last_id", Id{0}) : 0;
                PositionDigester again;
                digest_positions(*db, first, last, again);
                auto digest = again.finish();
                if (!digest || digest->count != p.value("count", std::int64_t{0}) ||
                    !again.accepts(p.value("sha256", std::string()))) {
                    report.broken_seq = r.seq;
                    report.reason = fmt::format("event {} (positions.digest): breadcrumbs {} to {} "
                                                "were changed or removed since they were digested",
                                                r.seq, first, last);
                    break;
                }
                ++report.position_digests;
            }
            prev = r.hash;
            report.head_hash = r.hash;
            ++report.count;
            ++expected_seq;
        }
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "verifying the chain");
    }
    return report;
}

base::Result<std::optional<PositionDigest>> SqliteStore::next_position_digest() {
    try {
        auto db = reader();
        const Id after = last_digested_position(*db);
        Stmt& head = db->prepare("SELECT COALESCE(MAX(id), 0) FROM positions");
        head.step();
        const Id newest = head.int64(0);
        if (newest <= after) return std::optional<PositionDigest>();
        PositionDigester d(PositionDigester::Forms::canonical);
        digest_positions(*db, after + 1, newest, d);
        return d.finish();
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "digesting positions");
    }
}

base::Result<std::vector<PositionRow>> SqliteStore::positions(const PositionQuery& q) {
    std::vector<PositionRow> out;
    try {
        auto db = reader();
        Stmt& s = db->prepare("SELECT id, unit_id, at, lat, lon, heading, speed FROM positions "
                              "WHERE at >= ?1 AND at < ?2 AND (?3 IS NULL OR unit_id = ?3) "
                              "AND (at > ?4 OR (at = ?4 AND id > ?5)) ORDER BY at, id LIMIT ?6");
        s.bind(1, std::max(q.from, q.after_at)).bind(2, q.to).bind(3, q.unit);
        s.bind(4, q.after_at).bind(5, q.after_id).bind(6, q.limit);
        while (s.step())
            out.push_back(PositionRow{s.int64(0), s.int64(1), s.int64(2), s.real(3), s.real(4),
                                      s.opt_real(5), s.opt_real(6)});
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "reading breadcrumbs");
    }
    return out;
}

base::Result<std::optional<ops::Incident>> SqliteStore::incident(Id id) {
    try {
        auto db = reader();
        // sql-composed: the column list is a compile-time constant; values are bound
        Stmt& s =
            db->prepare(fmt::format("SELECT {} FROM incidents WHERE id = ?", kIncidentColumns));
        s.bind(1, id);
        if (s.step()) return std::optional<ops::Incident>(read_incident(s));
        return std::optional<ops::Incident>();
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "reading an incident");
    }
}

base::Result<std::vector<ops::Incident>> SqliteStore::incidents(const IncidentQuery& q) {
    std::vector<ops::Incident> out;
    try {
        auto db = reader();
        // Statuses are bound as one comma-framed text so the statement stays fixed.
        std::string wanted = ",";
        for (auto s : q.statuses)
            wanted += std::string(ops::to_string(s)) + ",";
        Stmt& s = db->prepare(fmt::format(
            "SELECT {} FROM incidents WHERE (?1 = ',' OR instr(?1, ',' || status || ',') > 0) "
            "AND id < ?2 ORDER BY id DESC LIMIT ?3",
            kIncidentColumns));
        s.bind(1, wanted).bind(2, q.before_id.value_or(INT64_MAX)).bind(3, q.limit);
        while (s.step())
            out.push_back(read_incident(s));
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "listing incidents");
    }
    return out;
}

base::Result<std::vector<ops::Assignment>> SqliteStore::assignments_of(Id incident_id) {
    std::vector<ops::Assignment> out;
    try {
        auto db = reader();
        Stmt& s = db->prepare(fmt::format(
            "SELECT {} FROM assignments WHERE incident_id = ? ORDER BY id", kAssignmentColumns));
        s.bind(1, incident_id);
        while (s.step())
            out.push_back(read_assignment(s));
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "reading assignments");
    }
    return out;
}

base::Result<std::optional<ops::Unit>> SqliteStore::unit(Id id) {
    try {
        auto db = reader();
        // sql-composed: the column list is a compile-time constant; values are bound
        Stmt& s = db->prepare(fmt::format("SELECT {} FROM units WHERE id = ?", kUnitColumns));
        s.bind(1, id);
        if (!s.step()) return std::optional<ops::Unit>();
        ops::Unit u = read_unit(s);
        overlay_latest(u);
        return std::optional<ops::Unit>(std::move(u));
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "reading a unit");
    }
}

base::Result<std::vector<ops::Unit>> SqliteStore::units() {
    std::vector<ops::Unit> out;
    try {
        auto db = reader();
        // sql-composed: the column list is a compile-time constant; values are bound
        Stmt& s = db->prepare(fmt::format("SELECT {} FROM units ORDER BY id", kUnitColumns));
        while (s.step()) {
            out.push_back(read_unit(s));
            overlay_latest(out.back());
        }
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "listing units");
    }
    return out;
}

base::Result<std::optional<CallerRecord>> SqliteStore::caller(Id incident_id) {
    try {
        auto db = reader();
        Stmt& s = db->prepare(
            "SELECT incident_id, name, phone, recorded_at FROM callers WHERE incident_id = ?");
        s.bind(1, incident_id);
        if (s.step()) {
            return std::optional<CallerRecord>(
                CallerRecord{s.int64(0), s.text(1), s.text(2), s.int64(3)});
        }
        return std::optional<CallerRecord>();
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "reading caller details");
    }
}

base::Result<std::optional<UserRecord>> SqliteStore::user(std::string_view username) {
    try {
        auto db = reader();
        Stmt& s = db->prepare("SELECT id, username, role, password_hash, created_at, disabled, "
                              "unit_id, team FROM users WHERE username = ?");
        s.bind(1, username);
        if (s.step()) {
            return std::optional<UserRecord>(UserRecord{s.int64(0), s.text(1), s.text(2), s.text(3),
                                                        s.int64(4), s.int64(5) != 0, s.opt_int64(6),
                                                        s.text(7)});
        }
        return std::optional<UserRecord>();
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "reading a user");
    }
}

base::Result<std::vector<UserRecord>> SqliteStore::users() {
    std::vector<UserRecord> out;
    try {
        auto db = reader();
        Stmt& s = db->prepare("SELECT id, username, role, '', created_at, disabled, unit_id, "
                              "team FROM users ORDER BY id");
        while (s.step()) {
            out.push_back(UserRecord{s.int64(0), s.text(1), s.text(2), s.text(3), s.int64(4),
                                     s.int64(5) != 0, s.opt_int64(6), s.text(7)});
        }
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "listing users");
    }
    return out;
}

base::Result<std::vector<SessionRecord>> SqliteStore::live_sessions(base::TimeMs now) {
    std::vector<SessionRecord> out;
    try {
        auto db = reader();
        Stmt& s =
            db->prepare("SELECT token_hash, username, role, created_at, expires_at, "
                        "unit_id, team FROM sessions WHERE revoked_at IS NULL AND expires_at > ?");
        s.bind(1, now);
        while (s.step()) {
            out.push_back(SessionRecord{s.text(0), s.text(1), s.text(2), s.int64(3), s.int64(4),
                                        s.opt_int64(5), s.text(6)});
        }
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "reading sessions");
    }
    return out;
}

} // namespace pingan::store

namespace pingan::store {

base::Result<std::vector<BoundaryRow>> SqliteStore::boundaries() {
    std::vector<BoundaryRow> out;
    try {
        auto db = reader();
        Stmt& s = db->prepare(
            "SELECT layer, name, properties, geometry FROM boundaries ORDER BY layer, name");
        while (s.step())
            out.push_back(BoundaryRow{s.text(0), s.text(1), s.text(2), s.text(3)});
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "reading boundaries");
    }
    return out;
}

} // namespace pingan::store

namespace pingan::store {
namespace {

OutboxItem read_outbox(const sqlite::Stmt& s) {
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

constexpr const char* kOutboxColumns =
    "id, incident_id, kind, idempotency_key, body, status, attempts, next_attempt_at, "
    "last_error, remote_id, created_at, delivered_at";

} // namespace

base::Result<std::vector<ops::Alert>> SqliteStore::alerts(bool open_only, int limit) {
    std::vector<ops::Alert> out;
    try {
        auto db = reader();
        Stmt& s = db->prepare("SELECT id, kind, key, incident_id, unit_id, message, raised_at, "
                              "resolved_at FROM alerts WHERE (?1 = 0 OR resolved_at IS NULL) "
                              "ORDER BY id DESC LIMIT ?2");
        s.bind(1, static_cast<std::int64_t>(open_only)).bind(2, limit);
        while (s.step()) {
            ops::Alert a;
            a.id = s.int64(0);
            a.kind = s.text(1);
            a.key = s.text(2);
            a.incident_id = s.opt_int64(3);
            a.unit_id = s.opt_int64(4);
            a.message = s.text(5);
            a.raised_at = s.int64(6);
            a.resolved_at = s.opt_int64(7);
            out.push_back(std::move(a));
        }
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "reading alerts");
    }
    return out;
}

base::Result<std::vector<OutboxItem>> SqliteStore::due_outbox(base::TimeMs now, int limit) {
    std::vector<OutboxItem> out;
    try {
        auto db = reader();
        // sql-composed: the column list is a compile-time constant; values are bound
        Stmt& s = db->prepare(fmt::format("SELECT {} FROM outbox WHERE status = 'pending' AND "
                                          "next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
                                          kOutboxColumns));
        s.bind(1, now).bind(2, limit);
        while (s.step())
            out.push_back(read_outbox(s));
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "reading the outbox");
    }
    return out;
}

base::Result<std::optional<OutboxItem>> SqliteStore::outbox_of(Id incident_id) {
    try {
        auto db = reader();
        // sql-composed: the column list is a compile-time constant; values are bound
        Stmt& s = db->prepare(
            fmt::format("SELECT {} FROM outbox WHERE incident_id = ? ORDER BY id DESC LIMIT 1",
                        kOutboxColumns));
        s.bind(1, incident_id);
        if (s.step()) return std::optional<OutboxItem>(read_outbox(s));
        return std::optional<OutboxItem>();
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "reading the outbox");
    }
}

base::Result<std::optional<RecommendationWrite>> SqliteStore::recommendation_of(Id incident_id) {
    try {
        auto db = reader();
        Stmt& s = db->prepare(
            "SELECT incident_id, computed_at, items FROM recommendations WHERE incident_id = ?");
        s.bind(1, incident_id);
        if (s.step()) {
            return std::optional<RecommendationWrite>(
                RecommendationWrite{s.int64(0), s.int64(1), s.text(2)});
        }
        return std::optional<RecommendationWrite>();
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "reading recommendations");
    }
}

base::Result<std::vector<CallerRecord>> SqliteStore::callers_of(const std::vector<Id>& ids) {
    std::vector<CallerRecord> out;
    try {
        auto db = reader();
        Stmt& s = db->prepare(
            "SELECT incident_id, name, phone, recorded_at FROM callers WHERE incident_id = ?");
        for (Id id : ids) {
            s.reset();
            s.bind(1, id);
            while (s.step())
                out.push_back(CallerRecord{s.int64(0), s.text(1), s.text(2), s.int64(3)});
        }
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "reading caller details");
    }
    return out;
}

} // namespace pingan::store

namespace pingan::store {

base::Result<std::vector<Id>> SqliteStore::callers_recorded_before(base::TimeMs before, int limit) {
    std::vector<Id> out;
    try {
        auto db = reader();
        Stmt& s = db->prepare("SELECT incident_id FROM callers WHERE recorded_at < ? "
                              "ORDER BY recorded_at, incident_id LIMIT ?");
        s.bind(1, before);
        s.bind(2, static_cast<std::int64_t>(limit));
        while (s.step())
            out.push_back(s.int64(0));
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "reading caller details due for deletion");
    }
    return out;
}

base::Result<std::vector<Id>> SqliteStore::merged_into(Id incident_id) {
    std::vector<Id> out;
    try {
        auto db = reader();
        Stmt& s = db->prepare("SELECT id FROM incidents WHERE merged_into = ? ORDER BY id");
        s.bind(1, incident_id);
        while (s.step())
            out.push_back(s.int64(0));
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "reading merged incidents");
    }
    return out;
}

base::Result<std::optional<Id>> SqliteStore::incident_by_number(std::string_view number) {
    try {
        auto db = reader();
        Stmt& s = db->prepare("SELECT id FROM incidents WHERE number = ?");
        s.bind(1, number);
        if (s.step()) return std::optional<Id>(s.int64(0));
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "reading an incident by number");
    }
    return std::optional<Id>();
}

base::Result<std::optional<Blob>> SqliteStore::blob(std::string_view sha256) {
    try {
        auto db = reader();
        Stmt& s = db->prepare(
            "SELECT sha256, content_type, bytes, stored_at FROM blobs WHERE sha256 = ?");
        s.bind(1, sha256);
        std::optional<Blob> out;
        if (s.step()) out = Blob{s.text(0), s.text(1), s.blob(2), s.int64(3)};
        s.reset(); // megabytes of bytes: do not keep the read open
        return out;
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "reading a blob");
    }
}

} // namespace pingan::store
