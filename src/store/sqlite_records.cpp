#include <algorithm>
#include <tuple>
#include <variant>

#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include "ops/model.hpp"
#include "store/hash_chain.hpp"
#include "store/records.hpp"
#include "store/sqlite.hpp"
#include "store/sqlite_store.hpp"

namespace pingan::store {
namespace {

using sqlite::Db;
using sqlite::SqliteError;
using sqlite::Stmt;

std::string_view column_view(sqlite3_stmt* s, int c) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, c));
    return p == nullptr ? std::string_view()
                        : std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(s, c)));
}

std::optional<base::TimeMs> column_time(sqlite3_stmt* s, int c) {
    if (sqlite3_column_type(s, c) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_int64(s, c);
}

// A statement prepared for one query (not cached: its text depends on the filters).
class Query {
public:
    Query(Db& db, const std::string& sql) : db_(db) {
        const int rc = sqlite3_prepare_v2(db.handle(), sql.c_str(), static_cast<int>(sql.size()),
                                          &stmt_, nullptr);
        if (rc != SQLITE_OK) {
            throw SqliteError(rc & 0xff, fmt::format("prepare: {}", sqlite3_errmsg(db.handle())));
        }
    }
    ~Query() { sqlite3_finalize(stmt_); }
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;
    sqlite3_stmt* get() { return stmt_; }
    bool step() {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw SqliteError(rc & 0xff, fmt::format("step: {}", sqlite3_errmsg(db_.handle())));
    }

private:
    Db& db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// WHERE clause and its parameters for a query on one of the two tables.
struct Filter {
    std::string sql;
    std::vector<std::variant<std::int64_t, std::string>> params;

    void bind(sqlite3_stmt* s) const {
        for (std::size_t i = 0; i < params.size(); ++i) {
            const int at = static_cast<int>(i) + 1;
            if (const auto* v = std::get_if<std::int64_t>(&params[i])) {
                sqlite3_bind_int64(s, at, *v);
            } else {
                const auto& t = std::get<std::string>(params[i]);
                sqlite3_bind_text(s, at, t.data(), static_cast<int>(t.size()), SQLITE_TRANSIENT);
            }
        }
    }
};

// The query's periods sorted and merged, so that one query per period, in order, yields the
// rows in received_at order. {nothing} stands for all time.
std::vector<std::optional<analytics::Period>> merged_periods(const RecordQuery& q) {
    if (q.periods.empty()) return {std::nullopt};
    std::vector<analytics::Period> p = q.periods;
    std::sort(p.begin(), p.end(), [](const auto& a, const auto& b) { return a.from < b.from; });
    std::vector<std::optional<analytics::Period>> out;
    for (const analytics::Period& x : p) {
        if (x.to <= x.from) continue;
        if (!out.empty() && x.from <= out.back()->to) {
            out.back()->to = std::max(out.back()->to, x.to);
        } else {
            out.emplace_back(x);
        }
    }
    return out;
}

Filter filter_of(const RecordQuery& q, const std::optional<analytics::Period>& period,
                 bool imported) {
    Filter f;
    std::vector<std::string> terms;
    if (period) {
        terms.emplace_back("received_at >= ? AND received_at < ?");
        f.params.emplace_back(period->from);
        f.params.emplace_back(period->to);
    }
    if (imported && !q.sources.empty()) {
        std::string in = "source IN (";
        for (std::size_t i = 0; i < q.sources.size(); ++i) {
            in += i == 0 ? "?" : ",?";
            f.params.emplace_back(q.sources[i]);
        }
        terms.push_back(in + ")");
    }
    for (std::size_t i = 0; i < terms.size(); ++i)
        f.sql += (i == 0 ? " WHERE " : " AND ") + terms[i];
    return f;
}

constexpr std::size_t kBlockRecords = 65'536;

// The column blocks of the records one import inserted (see migration 2).
void write_fact_blocks(Db& db, const RecordImport& batch,
                       std::vector<std::pair<std::size_t, std::int64_t>>& inserted,
                       std::int64_t import_seq) {
    std::stable_sort(inserted.begin(), inserted.end(), [&](const auto& a, const auto& b) {
        return batch.records[a.first].received_at < batch.records[b.first].received_at;
    });
    for (std::size_t start = 0; start < inserted.size(); start += kBlockRecords) {
        const std::size_t end = std::min(inserted.size(), start + kBlockRecords);
        analytics::IncidentFactsBuilder builder;
        builder.reserve(end - start);
        std::int64_t last_id = 0;
        for (std::size_t k = start; k < end; ++k) {
            builder.add(analytics::fact_of(batch.records[inserted[k].first]));
            last_id = std::max(last_id, inserted[k].second);
        }
        const analytics::IncidentFacts facts = builder.finish();
        const std::string data = analytics::encode_facts(facts);
        Query put(db, "INSERT INTO incident_fact_blocks(source, import_seq, first_received_at, "
                      "last_received_at, count, last_record_id, data) VALUES(?,?,?,?,?,?,?)");
        sqlite3_stmt* q = put.get();
        sqlite3_bind_text(q, 1, batch.source.data(), static_cast<int>(batch.source.size()),
                          SQLITE_TRANSIENT);
        sqlite3_bind_int64(q, 2, import_seq);
        sqlite3_bind_int64(q, 3, facts.received_at.front());
        sqlite3_bind_int64(q, 4, facts.received_at.back());
        sqlite3_bind_int64(q, 5, static_cast<std::int64_t>(facts.size()));
        sqlite3_bind_int64(q, 6, last_id);
        sqlite3_bind_blob64(q, 7, data.data(), data.size(), SQLITE_STATIC);
        put.step();
    }
}

class SqliteRecords final : public RecordStore {
public:
    explicit SqliteRecords(std::string path) : path_(std::move(path)) {
        db_ = std::make_unique<Db>(path_, Db::Mode::read_write);
        db_->exec("PRAGMA journal_mode = WAL");
        db_->exec("PRAGMA synchronous = FULL");
        db_->exec("PRAGMA foreign_keys = OFF");
    }

    base::Result<RecordImportResult> import_records(const RecordImport& batch,
                                                    const RecordProgress& progress) override;
    base::Result<analytics::IncidentFacts> load_facts(const RecordQuery& q) override;
    base::Result<std::vector<analytics::IncidentRecord>> records(const RecordQuery& q) override;
    base::Result<analytics::DataRange> data_range(const RecordQuery& q) override;

private:
    bool blocks_usable();
    // False when a block does not decode (the caller then reads the rows).
    bool load_blocks(const RecordQuery& q,
                     const std::vector<std::optional<analytics::Period>>& periods,
                     analytics::IncidentFactsBuilder& builder);
    bool load_rows(const RecordQuery& q,
                   const std::vector<std::optional<analytics::Period>>& periods,
                   analytics::IncidentFactsBuilder& builder);

    std::string path_;
    std::unique_ptr<Db> db_;
};

base::Result<RecordImportResult> SqliteRecords::import_records(const RecordImport& batch,
                                                               const RecordProgress& progress) {
    Db& db = *db_;
    RecordImportResult result;
    try {
        db.exec("BEGIN IMMEDIATE");
        // The event log's head is read inside the write transaction, as SqliteStore::commit
        // does, so a server appending at the same time is serialised behind us (or we behind
        // it) and the chain stays linear.
        std::int64_t seq = 0;
        std::string prev(kGenesisHash);
        Stmt& head = db.prepare("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1");
        if (head.step()) {
            seq = head.int64(0);
            prev = head.text(1);
        }
        head.reset();
        const std::int64_t event_seq = seq + 1;

        Stmt& insert = db.prepare(
            "INSERT OR IGNORE INTO incident_records(source, source_key, received_at, category, "
            "source_category, lat, lon, geocode_ok, jurisdiction, patrol_area, dispatched_at, "
            "en_route_at, on_scene_at, cleared_at, disposition, time_resolution_s, import_seq) "
            "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        const std::size_t total = batch.records.size();
        const std::size_t step = std::max<std::size_t>(total / 100, 1);
        std::vector<std::pair<std::size_t, std::int64_t>> inserted; // (record, rowid)
        for (std::size_t i = 0; i < total; ++i) {
            const analytics::IncidentRecord& r = batch.records[i];
            insert.reset();
            insert.bind(1, r.source).bind(2, r.source_key).bind(3, r.received_at);
            insert.bind(4, r.category).bind(5, r.source_category);
            if (r.location) {
                insert.bind(6, r.location->lat).bind(7, r.location->lon);
            } else {
                insert.bind_null(6).bind_null(7);
            }
            insert.bind(8, r.geocode_ok ? 1 : 0).bind(9, r.jurisdiction).bind(10, r.patrol_area);
            insert.bind(11, r.dispatched_at).bind(12, r.en_route_at).bind(13, r.on_scene_at);
            insert.bind(14, r.cleared_at).bind(15, r.disposition);
            insert.bind(16, static_cast<std::int64_t>(r.time_resolution_s)).bind(17, event_seq);
            insert.run();
            if (db.changes() > 0) {
                ++result.inserted;
                inserted.emplace_back(i, sqlite3_last_insert_rowid(db.handle()));
            } else {
                ++result.duplicates;
            }
            if (progress && (i % step == 0)) progress(i, total);
        }
        insert.reset();
        write_fact_blocks(db, batch, inserted, event_seq);

        const nlohmann::json payload = {
            {"file", batch.file_name},
            {"sha256", batch.file_sha256},
            {"source", batch.source},
            {"mapping", batch.mapping},
            {"rows_read", batch.rows_read},
            {"imported", result.inserted},
            {"duplicates", result.duplicates},
            {"rejected", batch.rejected},
            {"blank_location", batch.blank_location},
            {"bad_geocode", batch.bad_geocode},
        };
        const ops::Event e = ops::Event::log_only(batch.at, batch.actor, "records.imported",
                                                  "records/" + batch.source, payload);
        EventRecord r{event_seq, e.at, e.actor, e.kind, e.subject, e.payload, prev, ""};
        r.hash = event_hash(r);
        db.prepare("INSERT INTO events(seq, at, actor, kind, subject, payload, prev_hash, hash) "
                   "VALUES(?,?,?,?,?,?,?,?)")
            .bind(1, r.seq)
            .bind(2, r.at)
            .bind(3, r.actor)
            .bind(4, r.kind)
            .bind(5, r.subject)
            .bind(6, r.payload)
            .bind(7, r.prev_hash)
            .bind(8, r.hash)
            .run();
        db.reset_all();
        db.exec("COMMIT");
        result.event_seq = r.seq;
        result.event_hash = r.hash;
        if (progress) progress(total, total);
    } catch (const SqliteError& e) {
        try {
            db.exec("ROLLBACK");
        } catch (const SqliteError&) {
            // Already rolled back by SQLite (e.g. disk full during COMMIT).
        }
        return sqlite::to_error(e, "importing incident records");
    }
    return result;
}

bool SqliteRecords::blocks_usable() {
    // Rows are append-only and every import writes its blocks; a row written any other way
    // shows as a higher id than the blocks cover.
    Query q(*db_, "SELECT (SELECT MAX(id) FROM incident_records) IS "
                  "(SELECT MAX(last_record_id) FROM incident_fact_blocks)");
    return q.step() && sqlite3_column_int(q.get(), 0) == 1;
}

bool SqliteRecords::load_blocks(const RecordQuery& q,
                                const std::vector<std::optional<analytics::Period>>& periods,
                                analytics::IncidentFactsBuilder& builder) {
    for (const auto& period : periods) {
        Filter f;
        std::vector<std::string> terms;
        if (period) {
            terms.emplace_back("last_received_at >= ? AND first_received_at < ?");
            f.params.emplace_back(period->from);
            f.params.emplace_back(period->to);
        }
        if (!q.sources.empty()) {
            std::string in = "source IN (";
            for (std::size_t i = 0; i < q.sources.size(); ++i) {
                in += i == 0 ? "?" : ",?";
                f.params.emplace_back(q.sources[i]);
            }
            terms.push_back(in + ")");
        }
        for (std::size_t i = 0; i < terms.size(); ++i)
            f.sql += (i == 0 ? " WHERE " : " AND ") + terms[i];
        // sql-composed: filter_of() gives fixed text with ? placeholders
        Query blocks(*db_, "SELECT data FROM incident_fact_blocks" + f.sql +
                               " ORDER BY first_received_at, id");
        f.bind(blocks.get());
        while (blocks.step()) {
            const auto* p = static_cast<const char*>(sqlite3_column_blob(blocks.get(), 0));
            const auto n = static_cast<std::size_t>(sqlite3_column_bytes(blocks.get(), 0));
            auto part = analytics::decode_facts(std::string_view(p != nullptr ? p : "", n));
            if (!part) return false;
            const auto [b, e] = period ? part->range_of(*period)
                                       : std::pair<std::size_t, std::size_t>{0, part->size()};
            if (!builder.append(*part, b, e)) return false;
        }
    }
    return true;
}

bool SqliteRecords::load_rows(const RecordQuery& q,
                              const std::vector<std::optional<analytics::Period>>& periods,
                              analytics::IncidentFactsBuilder& builder) {
    std::int64_t expected = 0;
    for (const auto& period : periods) {
        const Filter fi = filter_of(q, period, true);
        // sql-composed: filter_of() gives fixed text with ? placeholders
        Query count(*db_, "SELECT COUNT(*) FROM incident_records" + fi.sql);
        fi.bind(count.get());
        if (count.step()) expected += sqlite3_column_int64(count.get(), 0);
    }
    builder.reserve(static_cast<std::size_t>(expected));
    for (const auto& period : periods) {
        // In received_at order through the index, so the builder need not sort.
        const Filter fi = filter_of(q, period, true);
        // sql-composed: filter_of() gives fixed text with ? placeholders
        Query rows(*db_, "SELECT received_at, category, jurisdiction, disposition, lat, lon, "
                         "geocode_ok, dispatched_at, en_route_at, on_scene_at, "
                         "time_resolution_s FROM incident_records" +
                             fi.sql + " ORDER BY received_at");
        fi.bind(rows.get());
        sqlite3_stmt* s = rows.get();
        while (rows.step()) {
            analytics::IncidentFact f;
            f.received_at = sqlite3_column_int64(s, 0);
            f.category = column_view(s, 1);
            f.jurisdiction = column_view(s, 2);
            f.disposition = column_view(s, 3);
            if (sqlite3_column_int(s, 6) != 0 && sqlite3_column_type(s, 4) != SQLITE_NULL) {
                f.location = geo::LatLon{sqlite3_column_double(s, 4), sqlite3_column_double(s, 5)};
            }
            f.dispatched_at = column_time(s, 7);
            f.en_route_at = column_time(s, 8);
            f.on_scene_at = column_time(s, 9);
            f.time_resolution_s = sqlite3_column_int(s, 10);
            if (!builder.add(f)) return false;
        }
    }
    return true;
}

base::Result<analytics::IncidentFacts> SqliteRecords::load_facts(const RecordQuery& q) {
    analytics::IncidentFactsBuilder builder;
    try {
        db_->exec("BEGIN"); // one snapshot for every query below
        const auto periods = merged_periods(q);
        if (!q.use_blocks || !blocks_usable() || !load_blocks(q, periods, builder)) {
            builder = analytics::IncidentFactsBuilder();
            if (!load_rows(q, periods, builder)) {
                db_->exec("ROLLBACK");
                return base::error(base::Code::bad_argument, "records",
                                   "more than 65,535 distinct categories or jurisdictions");
            }
        }
        if (q.include_live && q.sources.empty()) {
            for (const auto& period : periods) {
                // Live incidents: the first unit's en-route stamp comes from the assignments.
                const Filter fl = filter_of(q, period, false);
                Query live(*db_,
                           "SELECT received_at, category, disposition, lat, lon, dispatched_at, "
                           "(SELECT MIN(en_route_at) FROM assignments a WHERE a.incident_id = "
                           "i.id), on_scene_at, status FROM incidents i" +
                               fl.sql);
                fl.bind(live.get());
                sqlite3_stmt* l = live.get();
                while (live.step()) {
                    analytics::IncidentFact f;
                    f.received_at = sqlite3_column_int64(l, 0);
                    f.category = column_view(l, 1);
                    f.disposition = column_view(l, 2);
                    const geo::LatLon p{sqlite3_column_double(l, 3), sqlite3_column_double(l, 4)};
                    if (geo::is_valid(p)) f.location = p;
                    f.dispatched_at = column_time(l, 5);
                    f.en_route_at = column_time(l, 6);
                    f.on_scene_at = column_time(l, 7);
                    const std::string_view status = column_view(l, 8);
                    f.diverted = status == "diverted";
                    f.void_call = status == "merged" || status == "cancelled";
                    builder.add(f);
                }
            }
        }
        db_->exec("COMMIT");
    } catch (const SqliteError& e) {
        try {
            db_->exec("ROLLBACK");
        } catch (const SqliteError&) {
        }
        return sqlite::to_error(e, "loading incident records");
    }
    return builder.finish();
}

base::Result<std::vector<analytics::IncidentRecord>> SqliteRecords::records(const RecordQuery& q) {
    std::vector<analytics::IncidentRecord> out;
    try {
        for (const auto& period : merged_periods(q)) {
            const Filter fi = filter_of(q, period, true);
            // sql-composed: filter_of() gives fixed text with ? placeholders
            Query rows(
                *db_,
                "SELECT source, source_key, received_at, category, source_category, lat, lon, "
                "geocode_ok, jurisdiction, patrol_area, dispatched_at, en_route_at, "
                "on_scene_at, cleared_at, disposition, time_resolution_s FROM incident_records" +
                    fi.sql + " ORDER BY received_at, id");
            fi.bind(rows.get());
            sqlite3_stmt* s = rows.get();
            while (rows.step()) {
                analytics::IncidentRecord r;
                r.source = column_view(s, 0);
                r.source_key = column_view(s, 1);
                r.received_at = sqlite3_column_int64(s, 2);
                r.category = column_view(s, 3);
                r.source_category = column_view(s, 4);
                if (sqlite3_column_type(s, 5) != SQLITE_NULL &&
                    sqlite3_column_type(s, 6) != SQLITE_NULL) {
                    r.location =
                        geo::LatLon{sqlite3_column_double(s, 5), sqlite3_column_double(s, 6)};
                }
                r.geocode_ok = sqlite3_column_int(s, 7) != 0;
                r.jurisdiction = column_view(s, 8);
                r.patrol_area = column_view(s, 9);
                r.dispatched_at = column_time(s, 10);
                r.en_route_at = column_time(s, 11);
                r.on_scene_at = column_time(s, 12);
                r.cleared_at = column_time(s, 13);
                r.disposition = column_view(s, 14);
                r.time_resolution_s = sqlite3_column_int(s, 15);
                out.push_back(std::move(r));
            }
        }
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "reading incident records");
    }
    return out;
}

base::Result<analytics::DataRange> SqliteRecords::data_range(const RecordQuery& q) {
    analytics::DataRange r;
    auto add = [&](const std::string& table, const Filter& f) {
        // sql-composed: a fixed table name, and filter_of() text with ? placeholders
        Query query(*db_,
                    "SELECT COUNT(*), MIN(received_at), MAX(received_at) FROM " + table + f.sql);
        f.bind(query.get());
        if (!query.step()) return;
        r.count += static_cast<std::size_t>(sqlite3_column_int64(query.get(), 0));
        for (const auto& [column, slot, pick_min] : {std::tuple{1, &r.first_received_at, true},
                                                     std::tuple{2, &r.last_received_at, false}}) {
            if (auto t = column_time(query.get(), column)) {
                if (!*slot || (pick_min ? *t < **slot : *t > **slot)) *slot = t;
            }
        }
    };
    try {
        for (const auto& period : merged_periods(q)) {
            add("incident_records", filter_of(q, period, true));
            if (q.include_live && q.sources.empty()) add("incidents", filter_of(q, period, false));
        }
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "reading incident records");
    }
    return r;
}

} // namespace

base::Result<std::unique_ptr<RecordStore>> open_sqlite_records(const std::string& path) {
    // SqliteStore::open creates the file and applies the migrations (incident_records is
    // migration 2); the records keep a connection of their own.
    {
        auto store = SqliteStore::open(path);
        if (!store) return std::move(store).error();
    }
    try {
        return std::unique_ptr<RecordStore>(std::make_unique<SqliteRecords>(path));
    } catch (const SqliteError& e) {
        return sqlite::to_error(e, "opening the incident records");
    }
}

} // namespace pingan::store
