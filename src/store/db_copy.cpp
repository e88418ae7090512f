#include "store/db_copy.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string_view>

#include <fmt/core.h>

#include "store/open_store.hpp"
#include "store/pg.hpp"
#include "store/pg_schema.hpp"
#include "store/sqlite.hpp"

namespace pingan::store {
namespace {

using base::Code;

enum class Kind { integer, real, text, blob };

struct Column {
    std::string_view name;
    Kind kind;
};

struct Table {
    std::string_view name;
    bool serial;                 // PostgreSQL assigns `id` from a BIGSERIAL sequence
    std::vector<Column> columns; // the first one is the primary key (rows are read in its order)
};

constexpr Kind I = Kind::integer;
constexpr Kind R = Kind::real;
constexpr Kind T = Kind::text;
constexpr Kind B = Kind::blob;

// Every table of migrations 1-5 (sqlite_schema.hpp, pg_schema.hpp), with every column both
// schemas give it. PostgreSQL's PostGIS columns are generated from these and not copied;
// schema_migrations is the target's own.
const std::vector<Table>& copy_tables() {
    static const std::vector<Table> tables = {
        {"events",
         false,
         {{"seq", I},
          {"at", I},
          {"actor", T},
          {"kind", T},
          {"subject", T},
          {"payload", T},
          {"prev_hash", T},
          {"hash", T}}},
        {"incidents", false, {{"id", I},
                              {"number", T},
                              {"status", T},
                              {"category", T},
                              {"priority", I},
                              {"lat", R},
                              {"lon", R},
                              {"address", T},
                              {"description", T},
                              {"received_at", I},
                              {"dispatched_at", I},
                              {"on_scene_at", I},
                              {"cleared_at", I},
                              {"closed_at", I},
                              {"disposition", T},
                              {"merged_into", I},
                              {"created_by", T},
                              {"updated_at", I},
                              {"has_caller", I},
                              {"jurisdiction", T},
                              {"patrol_area", T},
                              {"location_kind", T},
                              {"triage", T},
                              {"likely_duplicates", T}}},
        {"units",
         false,
         {{"id", I},
          {"callsign", T},
          {"agency", T},
          {"type", T},
          {"capabilities", T},
          {"home_station", T},
          {"status", T},
          {"status_at", I},
          {"lat", R},
          {"lon", R},
          {"heading", R},
          {"speed", R},
          {"position_at", I},
          {"incident_id", I},
          {"assignment_id", I},
          {"home_jurisdiction", T}}},
        {"assignments",
         false,
         {{"id", I},
          {"incident_id", I},
          {"unit_id", I},
          {"dispatched_at", I},
          {"en_route_at", I},
          {"on_scene_at", I},
          {"cleared_at", I},
          {"dispatched_by", T},
          {"recommended_rank", I}}},
        {"positions",
         true,
         {{"id", I},
          {"unit_id", I},
          {"at", I},
          {"lat", R},
          {"lon", R},
          {"heading", R},
          {"speed", R}}},
        {"callers", false, {{"incident_id", I}, {"name", T}, {"phone", T}, {"recorded_at", I}}},
        {"users",
         true,
         {{"id", I},
          {"username", T},
          {"role", T},
          {"password_hash", T},
          {"created_at", I},
          {"disabled", I},
          {"unit_id", I},
          {"team", T}}},
        {"sessions",
         false,
         {{"token_hash", T},
          {"username", T},
          {"role", T},
          {"created_at", I},
          {"expires_at", I},
          {"revoked_at", I},
          {"unit_id", I},
          {"team", T}}},
        {"incident_records",
         true,
         {{"id", I},
          {"source", T},
          {"source_key", T},
          {"received_at", I},
          {"category", T},
          {"source_category", T},
          {"lat", R},
          {"lon", R},
          {"geocode_ok", I},
          {"jurisdiction", T},
          {"patrol_area", T},
          {"dispatched_at", I},
          {"en_route_at", I},
          {"on_scene_at", I},
          {"cleared_at", I},
          {"disposition", T},
          {"time_resolution_s", I},
          {"import_seq", I}}},
        {"incident_fact_blocks",
         true,
         {{"id", I},
          {"source", T},
          {"import_seq", I},
          {"first_received_at", I},
          {"last_received_at", I},
          {"count", I},
          {"last_record_id", I},
          {"data", B}}},
        {"boundaries",
         true,
         {{"id", I}, {"layer", T}, {"name", T}, {"properties", T}, {"geometry", T}}},
        {"alerts",
         false,
         {{"id", I},
          {"kind", T},
          {"key", T},
          {"incident_id", I},
          {"unit_id", I},
          {"message", T},
          {"raised_at", I},
          {"resolved_at", I}}},
        {"outbox",
         true,
         {{"id", I},
          {"incident_id", I},
          {"kind", T},
          {"idempotency_key", T},
          {"body", T},
          {"status", T},
          {"attempts", I},
          {"next_attempt_at", I},
          {"last_error", T},
          {"remote_id", T},
          {"created_at", I},
          {"delivered_at", I}}},
        {"recommendations",
         false,
         {{"incident_id", I}, {"seq", I}, {"computed_at", I}, {"items", T}}},
        {"blobs",
         false,
         {{"sha256", T}, {"content_type", T}, {"size", I}, {"bytes", B}, {"stored_at", I}}},
    };
    return tables;
}

// One field of a row: NULL, or the value in the member its column's kind names.
struct Value {
    bool null = true;
    std::int64_t integer = 0;
    double real = 0;
    std::string bytes; // text or blob
};
using TableRow = std::vector<Value>;
using RowSink = std::function<void(const TableRow&)>;

std::string column_list(const Table& t) {
    std::string out;
    for (const Column& c : t.columns) {
        if (!out.empty()) out += ", ";
        out += c.name;
    }
    return out;
}

struct Head {
    std::int64_t seq = 0;
    std::string hash{kGenesisHash};
};

// One side of the copy. Methods throw the backend's error type; copy_database catches.
class Endpoint {
public:
    virtual ~Endpoint() = default;
    // The table's columns as the database has them (generated columns left out).
    virtual std::set<std::string> columns_of(const Table& t) = 0;
    virtual bool has_rows(const Table& t) = 0;
    virtual Head head() = 0;
    virtual void begin_read() = 0;
    virtual void read(const Table& t, const RowSink& sink) = 0;
    virtual void end_read() = 0;
    virtual void begin_write() = 0;
    virtual void insert(const Table& t, const TableRow& row) = 0;
    virtual void commit_write() = 0;
    virtual void rollback() = 0;
};

class SqliteEndpoint final : public Endpoint {
public:
    explicit SqliteEndpoint(const std::string& path) : db_(path, sqlite::Db::Mode::read_write) {}

    std::set<std::string> columns_of(const Table& t) override {
        std::set<std::string> out;
        auto& s = db_.prepare("SELECT name FROM pragma_table_info(?)");
        s.bind(1, t.name);
        while (s.step())
            out.insert(s.text(0));
        s.reset();
        return out;
    }
    bool has_rows(const Table& t) override {
        // sql-composed: the table name comes from the constant copy_tables() list.
        auto& s = db_.prepare("SELECT EXISTS (SELECT 1 FROM " + std::string(t.name) + ")");
        s.step();
        const bool any = s.int64(0) != 0;
        s.reset();
        return any;
    }
    Head head() override {
        Head h;
        auto& s = db_.prepare("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1");
        if (s.step()) h = {s.int64(0), s.text(1)};
        s.reset();
        return h;
    }
    // A deferred transaction: its first read fixes the snapshot every later read sees.
    void begin_read() override { db_.exec("BEGIN"); }
    void read(const Table& t, const RowSink& sink) override {
        // sql-composed: columns and table come from the constant copy_tables() list.
        auto& s = db_.prepare("SELECT " + column_list(t) + " FROM " + std::string(t.name) +
                              " ORDER BY " + std::string(t.columns[0].name));
        TableRow row(t.columns.size());
        while (s.step()) {
            for (std::size_t i = 0; i < t.columns.size(); ++i) {
                const int c = static_cast<int>(i);
                Value& v = row[i];
                v.null = s.is_null(c);
                if (v.null) continue;
                switch (t.columns[i].kind) {
                case Kind::integer:
                    v.integer = s.int64(c);
                    break;
                case Kind::real:
                    v.real = s.real(c);
                    break;
                case Kind::text:
                    v.bytes = s.text(c);
                    break;
                case Kind::blob:
                    v.bytes = s.blob(c);
                    break;
                }
            }
            sink(row);
        }
        s.reset();
    }
    void end_read() override { db_.exec("COMMIT"); }
    void begin_write() override { db_.exec("BEGIN IMMEDIATE"); }
    void insert(const Table& t, const TableRow& row) override {
        std::string marks;
        for (std::size_t i = 0; i < t.columns.size(); ++i)
            marks += i == 0 ? "?" : ", ?";
        // sql-composed: columns and table from the constant list; values are bound below.
        auto& s = db_.prepare("INSERT INTO " + std::string(t.name) + "(" + column_list(t) +
                              ") VALUES(" + marks + ")");
        for (std::size_t i = 0; i < t.columns.size(); ++i) {
            const int p = static_cast<int>(i) + 1;
            const Value& v = row[i];
            if (v.null) {
                s.bind_null(p);
                continue;
            }
            switch (t.columns[i].kind) {
            case Kind::integer:
                s.bind(p, v.integer);
                break;
            case Kind::real:
                s.bind(p, v.real);
                break;
            case Kind::text:
                s.bind(p, std::string_view(v.bytes));
                break;
            case Kind::blob:
                s.bind_blob(p, v.bytes);
                break;
            }
        }
        s.run();
    }
    void commit_write() override { db_.exec("COMMIT"); }
    void rollback() override {
        db_.reset_all();
        try {
            db_.exec("ROLLBACK");
        } catch (const sqlite::SqliteError&) {
        }
    }

private:
    sqlite::Db db_;
};

std::string hex_bytes(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out = "\\x";
    for (unsigned char c : bytes) {
        out += kDigits[c >> 4];
        out += kDigits[c & 0xf];
    }
    return out;
}

// bytea in PostgreSQL's hex output format ("\x0a1b…").
std::string unhex_bytes(std::string_view text) {
    std::string out;
    if (!text.starts_with("\\x")) return out;
    auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    for (std::size_t i = 2; i + 1 < text.size(); i += 2)
        out += static_cast<char>(nibble(text[i]) << 4 | nibble(text[i + 1]));
    return out;
}

class PgEndpoint final : public Endpoint {
public:
    explicit PgEndpoint(const std::string& uri) : db_(uri) {}

    std::set<std::string> columns_of(const Table& t) override {
        std::set<std::string> out;
        pg::Rows rows = db_.query("SELECT column_name FROM information_schema.columns "
                                  "WHERE table_schema = current_schema() AND table_name = $1 "
                                  "AND is_generated = 'NEVER'",
                                  pg::Params().add(t.name));
        for (int r = 0; r < rows.size(); ++r)
            out.insert(rows.text(r, 0));
        return out;
    }
    bool has_rows(const Table& t) override {
        // sql-composed: the table name comes from the constant copy_tables() list.
        return db_.query("SELECT EXISTS (SELECT 1 FROM " + std::string(t.name) + ")").boolean(0, 0);
    }
    Head head() override {
        Head h;
        pg::Rows rows = db_.query("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1");
        if (!rows.empty()) h = {rows.int64(0, 0), rows.text(0, 1)};
        return h;
    }
    void begin_read() override { db_.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }
    // A page at a time in key order, so memory stays flat on large tables.
    void read(const Table& t, const RowSink& sink) override {
        const std::string key(t.columns[0].name);
        // sql-composed: columns, table and key come from the constant copy_tables() list.
        const std::string first = "SELECT " + column_list(t) + " FROM " + std::string(t.name) +
                                  " ORDER BY " + key + " LIMIT $1";
        // sql-composed: as above; the last key read is a bound parameter.
        const std::string next = "SELECT " + column_list(t) + " FROM " + std::string(t.name) +
                                 " WHERE " + key + " > $1 ORDER BY " + key + " LIMIT $2";
        constexpr int kPage = 5000;
        std::optional<std::string> after;
        TableRow row(t.columns.size());
        while (true) {
            pg::Rows rows = after ? db_.query(next, pg::Params().add(*after).add(kPage))
                                  : db_.query(first, pg::Params().add(kPage));
            for (int r = 0; r < rows.size(); ++r) {
                for (std::size_t i = 0; i < t.columns.size(); ++i) {
                    const int c = static_cast<int>(i);
                    Value& v = row[i];
                    v.null = rows.is_null(r, c);
                    if (v.null) continue;
                    switch (t.columns[i].kind) {
                    case Kind::integer:
                        v.integer = rows.int64(r, c);
                        break;
                    case Kind::real:
                        v.real = rows.real(r, c);
                        break;
                    case Kind::text:
                        v.bytes = rows.text(r, c);
                        break;
                    case Kind::blob:
                        v.bytes = unhex_bytes(rows.text(r, c));
                        break;
                    }
                }
                sink(row);
                after = rows.text(r, 0);
            }
            if (rows.size() < kPage) break;
        }
    }
    void end_read() override { db_.exec("COMMIT"); }
    void begin_write() override {
        db_.exec("BEGIN ISOLATION LEVEL READ COMMITTED");
        // The commit lock: no server appends to the chain while the copy fills it.
        db_.run("SELECT pg_advisory_xact_lock($1)", pg::Params().add(pg::kCommitLock));
    }
    void insert(const Table& t, const TableRow& row) override {
        std::string marks;
        for (std::size_t i = 0; i < t.columns.size(); ++i)
            marks += fmt::format("{}${}", i == 0 ? "" : ", ", i + 1);
        // sql-composed: columns and table from the constant list; values are parameters.
        const std::string sql =
            "INSERT INTO " + std::string(t.name) + "(" + column_list(t) + ") VALUES(" + marks + ")";
        pg::Params p;
        for (std::size_t i = 0; i < t.columns.size(); ++i) {
            const Value& v = row[i];
            if (v.null) {
                p.add_null();
                continue;
            }
            switch (t.columns[i].kind) {
            case Kind::integer:
                p.add(v.integer);
                break;
            case Kind::real:
                p.add(v.real);
                break;
            case Kind::text:
                p.add(v.bytes);
                break;
            case Kind::blob:
                p.add(hex_bytes(v.bytes));
                break;
            }
        }
        db_.run(sql, p);
    }
    void commit_write() override {
        for (const Table& t : copy_tables()) {
            if (!t.serial) continue;
            // sql-composed: the table name comes from the constant copy_tables() list. The next
            // id handed out is one past the largest copied (1 on an empty table).
            db_.query("SELECT setval(pg_get_serial_sequence('" + std::string(t.name) +
                      "', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM " + std::string(t.name));
        }
        db_.exec("COMMIT");
    }
    void rollback() override {
        if (db_.lost()) return;
        try {
            db_.exec("ROLLBACK");
        } catch (const pg::PgError&) {
        }
    }

private:
    pg::Conn db_;
};

base::Error bad_copy_argument(std::string field, std::string detail) {
    return base::error(Code::bad_argument, std::move(field), std::move(detail));
}

// Opens `db` as a store (which migrates it to this pingan's schema), then as an endpoint.
base::Result<std::unique_ptr<Endpoint>> open_endpoint(const std::string& db,
                                                      const std::string& option, bool must_exist) {
    const StoreLocation where = locate_store(db);
    std::error_code ec;
    if (where.backend == Backend::sqlite && must_exist &&
        !std::filesystem::is_regular_file(where.target, ec)) {
        return bad_copy_argument(option, fmt::format("{}: no file at {}", option, where.target));
    }
    {
        auto store = open_store(db);
        if (!store) {
            auto e = std::move(store).error();
            if (e.code == Code::unavailable || e.code == Code::corrupt_file) {
                e.field = option;
                e.detail = fmt::format("{}: {}", option, e.detail);
                return e;
            }
            return base::error(e.code, option, fmt::format("{}: {}", option, e.detail));
        }
    }
    try {
        if (where.backend == Backend::postgres) {
            return std::unique_ptr<Endpoint>(std::make_unique<PgEndpoint>(where.target));
        }
        return std::unique_ptr<Endpoint>(std::make_unique<SqliteEndpoint>(where.target));
    } catch (const pg::PgError& e) {
        return pg::to_error(e, option);
    } catch (const sqlite::SqliteError& e) {
        return sqlite::to_error(e, option);
    }
}

// Both databases hold exactly the columns of the copy list.
base::Status check_columns(Endpoint& db, const std::string& option) {
    for (const Table& t : copy_tables()) {
        std::set<std::string> expected;
        for (const Column& c : t.columns)
            expected.emplace(c.name);
        const std::set<std::string> actual = db.columns_of(t);
        if (actual == expected) continue;
        std::string extra;
        for (const auto& name : actual) {
            if (!expected.contains(name)) extra += (extra.empty() ? "" : ", ") + name;
        }
        std::string missing;
        for (const auto& name : expected) {
            if (!actual.contains(name)) missing += (missing.empty() ? "" : ", ") + name;
        }
        return base::error(Code::internal, option,
                           fmt::format("{}: table {} does not match the copy list of this pingan "
                                       "(extra columns: {}; missing: {})",
                                       option, t.name, extra.empty() ? "none" : extra,
                                       missing.empty() ? "none" : missing));
    }
    return {};
}

base::Result<CopyReport> run_copy(Endpoint& source, Endpoint& target) {
    CopyReport report;
    if (auto ok = check_columns(source, "--from"); !ok) return ok.error();
    if (auto ok = check_columns(target, "--to"); !ok) return ok.error();
    target.begin_write();
    std::string filled;
    for (const Table& t : copy_tables()) {
        if (target.has_rows(t)) {
            filled = t.name;
            break;
        }
    }
    if (!filled.empty()) {
        const Head there = target.head();
        target.rollback();
        source.begin_read();
        const Head here = source.head();
        source.end_read();
        if (there.seq == here.seq && there.hash == here.hash) {
            report.already_copied = true;
            report.head_seq = here.seq;
            report.head_hash = here.hash;
            return report;
        }
        return bad_copy_argument(
            "--to", fmt::format("--to: the database is not empty (table {} has rows; its "
                                "head is event {}); copy into an empty database",
                                filled, there.seq));
    }
    source.begin_read();
    for (const Table& t : copy_tables()) {
        std::int64_t n = 0;
        source.read(t, [&](const TableRow& row) {
            target.insert(t, row);
            ++n;
        });
        report.rows.emplace_back(std::string(t.name), n);
    }
    source.end_read();
    target.commit_write();
    return report;
}

} // namespace

base::Result<CopyReport> copy_database(const std::string& from, const std::string& to) {
    const StoreLocation a = locate_store(from);
    const StoreLocation b = locate_store(to);
    std::error_code ec;
    const bool same =
        a.backend == b.backend &&
        (a.target == b.target ||
         (a.backend == Backend::sqlite && std::filesystem::equivalent(a.target, b.target, ec)));
    if (same) return bad_copy_argument("--to", "--to: names the same database as --from");
    auto source = open_endpoint(from, "--from", true);
    if (!source) return std::move(source).error();
    auto target = open_endpoint(to, "--to", false);
    if (!target) return std::move(target).error();
    base::Result<CopyReport> copied = base::error(Code::internal, "not copied");
    try {
        copied = run_copy(**source, **target);
    } catch (const pg::PgError& e) {
        (*target)->rollback();
        return pg::to_error(e, "copying");
    } catch (const sqlite::SqliteError& e) {
        (*target)->rollback();
        return sqlite::to_error(e, "copying");
    }
    if (!copied || copied->already_copied) return copied;
    source->reset();
    target->reset();
    auto store = open_store(to);
    if (!store) return std::move(store).error();
    auto verified = (*store)->verify_chain();
    if (!verified) return std::move(verified).error();
    if (verified->broken_seq) {
        return base::error(Code::corrupt_file, "--to",
                           fmt::format("--to: the copied chain breaks at event {}: {}",
                                       *verified->broken_seq, verified->reason));
    }
    copied->head_seq = verified->count;
    copied->head_hash = verified->head_hash;
    copied->position_digests = verified->position_digests;
    return copied;
}

} // namespace pingan::store
