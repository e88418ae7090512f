// Historical incident records in PostgreSQL: the RecordStore of sqlite_records.cpp on the
// tables of core migration 2 (pg_schema.hpp), with the same contract (records.hpp). An import
// appends its event under the commit lock, as PgStore::commit does, so the chain stays one.
// Rows travel in chunks as array parameters (unnest), and are read back a page at a time.
#include <algorithm>
#include <limits>
#include <mutex>
#include <unordered_map>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "ops/model.hpp"
#include "store/hash_chain.hpp"
#include "store/pg.hpp"
#include "store/pg_schema.hpp"
#include "store/pg_store.hpp"
#include "store/records.hpp"

namespace pingan::store {
namespace {

using pg::bytea_bytes;
using pg::bytea_hex;
using pg::Conn;
using pg::Params;
using pg::PgError;
using pg::Rows;

constexpr std::size_t kBlockRecords = 65'536; // as SQLite: the same blocks on both backends
constexpr std::size_t kInsertChunk = 5'000;   // records per INSERT
constexpr int kReadPage = 50'000;             // rows per SELECT when reading records back

constexpr std::int64_t kMinTime = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMaxTime = std::numeric_limits<std::int64_t>::max();

// A PostgreSQL array literal ({"a","b",NULL}) sent as one text parameter: values are quoted
// for the array syntax and never become SQL.
class ArrayParam {
public:
    void add(std::string_view v) {
        separate();
        text_ += '"';
        for (char c : v) {
            if (c == '"' || c == '\\') text_ += '\\';
            text_ += c;
        }
        text_ += '"';
    }
    void add(std::int64_t v) {
        separate();
        text_ += std::to_string(v);
    }
    void add(double v) {
        separate();
        text_ += fmt::format("{}", v);
    }
    void add_null() {
        separate();
        text_ += "NULL";
    }
    template <class T>
    void add(const std::optional<T>& v) {
        if (v) {
            add(*v);
        } else {
            add_null();
        }
    }
    std::string finish() const { return text_ + "}"; }

private:
    void separate() {
        if (text_.size() > 1) text_ += ',';
    }
    std::string text_ = "{";
};

std::optional<std::string> sources_param(const RecordQuery& q) {
    if (q.sources.empty()) return std::nullopt;
    ArrayParam a;
    for (const auto& s : q.sources)
        a.add(s);
    return a.finish();
}

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

std::int64_t from_of(const std::optional<analytics::Period>& p) {
    return p ? p->from : kMinTime;
}
std::int64_t to_of(const std::optional<analytics::Period>& p) {
    return p ? p->to : kMaxTime;
}

// Inserts the records (skipping stored ones), returning (record index, id) of those inserted.
std::vector<std::pair<std::size_t, std::int64_t>> insert_records(Conn& db,
                                                                 const RecordImport& batch,
                                                                 std::int64_t import_seq,
                                                                 const RecordProgress& progress) {
    std::vector<std::pair<std::size_t, std::int64_t>> inserted;
    const std::size_t total = batch.records.size();
    for (std::size_t start = 0; start < total; start += kInsertChunk) {
        const std::size_t end = std::min(total, start + kInsertChunk);
        ArrayParam source, key, received, category, source_category, lat, lon, geocode_ok,
            jurisdiction, patrol_area, dispatched, en_route, on_scene, cleared, disposition,
            resolution;
        // The first occurrence of each (source, source_key) in the chunk is the one inserted.
        std::unordered_map<std::string, std::size_t> index;
        for (std::size_t i = start; i < end; ++i) {
            const analytics::IncidentRecord& r = batch.records[i];
            index.try_emplace(r.source + '\0' + r.source_key, i);
            source.add(r.source);
            key.add(r.source_key);
            received.add(r.received_at);
            category.add(r.category);
            source_category.add(r.source_category);
            lat.add(r.location ? std::optional<double>(r.location->lat) : std::nullopt);
            lon.add(r.location ? std::optional<double>(r.location->lon) : std::nullopt);
            geocode_ok.add(std::int64_t{r.geocode_ok ? 1 : 0});
            jurisdiction.add(r.jurisdiction);
            patrol_area.add(r.patrol_area);
            dispatched.add(r.dispatched_at);
            en_route.add(r.en_route_at);
            on_scene.add(r.on_scene_at);
            cleared.add(r.cleared_at);
            disposition.add(r.disposition);
            resolution.add(static_cast<std::int64_t>(r.time_resolution_s));
        }
        Rows rows = db.query(
            "INSERT INTO incident_records(source, source_key, received_at, category, "
            "source_category, lat, lon, geocode_ok, jurisdiction, patrol_area, dispatched_at, "
            "en_route_at, on_scene_at, cleared_at, disposition, time_resolution_s, import_seq) "
            "SELECT source, source_key, received_at, category, source_category, lat, lon, "
            "geocode_ok, jurisdiction, patrol_area, dispatched_at, en_route_at, on_scene_at, "
            "cleared_at, disposition, time_resolution_s, $17 FROM unnest($1::text[], "
            "$2::text[], $3::bigint[], $4::text[], $5::text[], $6::float8[], $7::float8[], "
            "$8::bigint[], $9::text[], $10::text[], $11::bigint[], $12::bigint[], $13::bigint[], "
            "$14::bigint[], $15::text[], $16::bigint[]) WITH ORDINALITY AS u(source, source_key, "
            "received_at, category, source_category, lat, lon, geocode_ok, jurisdiction, "
            "patrol_area, dispatched_at, en_route_at, on_scene_at, cleared_at, disposition, "
            "time_resolution_s, n) ORDER BY n "
            "ON CONFLICT (source, source_key) DO NOTHING RETURNING id, source, source_key",
            Params()
                .add(source.finish())
                .add(key.finish())
                .add(received.finish())
                .add(category.finish())
                .add(source_category.finish())
                .add(lat.finish())
                .add(lon.finish())
                .add(geocode_ok.finish())
                .add(jurisdiction.finish())
                .add(patrol_area.finish())
                .add(dispatched.finish())
                .add(en_route.finish())
                .add(on_scene.finish())
                .add(cleared.finish())
                .add(disposition.finish())
                .add(resolution.finish())
                .add(import_seq));
        for (int r = 0; r < rows.size(); ++r) {
            auto it = index.find(rows.text(r, 1) + '\0' + rows.text(r, 2));
            if (it != index.end()) inserted.emplace_back(it->second, rows.int64(r, 0));
        }
        if (progress) progress(end, total);
    }
    return inserted;
}

// The column blocks of the records one import inserted (see migration 2).
void write_fact_blocks(Conn& db, const RecordImport& batch,
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
        db.run("INSERT INTO incident_fact_blocks(source, import_seq, first_received_at, "
               "last_received_at, count, last_record_id, data) VALUES($1,$2,$3,$4,$5,$6,$7)",
               Params()
                   .add(batch.source)
                   .add(import_seq)
                   .add(facts.received_at.front())
                   .add(facts.received_at.back())
                   .add(static_cast<std::int64_t>(facts.size()))
                   .add(last_id)
                   .add(bytea_hex(analytics::encode_facts(facts))));
    }
}

class PgRecords final : public RecordStore {
public:
    explicit PgRecords(const std::string& uri) : db_(uri) {}

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
    void load_live(const std::vector<std::optional<analytics::Period>>& periods,
                   analytics::IncidentFactsBuilder& builder);
    void rollback_quietly() {
        if (db_.lost() || !db_.in_transaction()) return;
        try {
            db_.exec("ROLLBACK");
        } catch (const PgError&) {
        }
    }

    std::mutex mutex_; // one connection: one call at a time
    Conn db_;
};

base::Result<RecordImportResult> PgRecords::import_records(const RecordImport& batch,
                                                           const RecordProgress& progress) {
    std::lock_guard lock(mutex_);
    RecordImportResult result;
    try {
        db_.ensure();
        db_.exec("BEGIN ISOLATION LEVEL READ COMMITTED");
        // The chain's head under the commit lock, as PgStore::commit reads it: servers
        // appending at the same time wait for this import, or it for them.
        db_.run("SELECT pg_advisory_xact_lock($1)", Params().add(pg::kCommitLock));
        std::int64_t seq = 0;
        std::string prev(kGenesisHash);
        Rows head = db_.query("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1");
        if (!head.empty()) {
            seq = head.int64(0, 0);
            prev = head.text(0, 1);
        }
        const std::int64_t event_seq = seq + 1;

        auto inserted = insert_records(db_, batch, event_seq, progress);
        result.inserted = inserted.size();
        result.duplicates = batch.records.size() - inserted.size();
        write_fact_blocks(db_, batch, inserted, event_seq);

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
        db_.run("INSERT INTO events(seq, at, actor, kind, subject, payload, prev_hash, hash) "
                "VALUES($1,$2,$3,$4,$5,$6,$7,$8)",
                Params()
                    .add(r.seq)
                    .add(r.at)
                    .add(r.actor)
                    .add(r.kind)
                    .add(r.subject)
                    .add(r.payload)
                    .add(r.prev_hash)
                    .add(r.hash));
        db_.run("SELECT pg_notify($1, $2)",
                Params().add(PgStore::kChannel).add(std::to_string(r.seq)));
        db_.exec("COMMIT");
        result.event_seq = r.seq;
        result.event_hash = r.hash;
    } catch (const PgError& e) {
        rollback_quietly();
        return pg::to_error(e, "importing incident records");
    }
    return result;
}

bool PgRecords::blocks_usable() {
    // Rows are append-only and every import writes its blocks; a row written any other way
    // shows as a higher id than the blocks cover.
    return db_
        .query("SELECT (SELECT MAX(id) FROM incident_records) IS NOT DISTINCT FROM "
               "(SELECT MAX(last_record_id) FROM incident_fact_blocks)")
        .boolean(0, 0);
}

bool PgRecords::load_blocks(const RecordQuery& q,
                            const std::vector<std::optional<analytics::Period>>& periods,
                            analytics::IncidentFactsBuilder& builder) {
    const auto sources = sources_param(q);
    for (const auto& period : periods) {
        // Ids first, then one block at a time: a block is megabytes.
        Rows ids = db_.query("SELECT id FROM incident_fact_blocks WHERE last_received_at >= $1 "
                             "AND first_received_at < $2 AND ($3::text[] IS NULL OR "
                             "source = ANY($3::text[])) ORDER BY first_received_at, id",
                             Params().add(from_of(period)).add(to_of(period)).add(sources));
        for (int i = 0; i < ids.size(); ++i) {
            Rows block = db_.query("SELECT data FROM incident_fact_blocks WHERE id = $1",
                                   Params().add(ids.int64(i, 0)));
            if (block.empty()) return false;
            auto bytes = bytea_bytes(block.text(0, 0));
            if (!bytes) return false;
            auto part = analytics::decode_facts(*bytes);
            if (!part) return false;
            const auto [b, e] = period ? part->range_of(*period)
                                       : std::pair<std::size_t, std::size_t>{0, part->size()};
            if (!builder.append(*part, b, e)) return false;
        }
    }
    return true;
}

bool PgRecords::load_rows(const RecordQuery& q,
                          const std::vector<std::optional<analytics::Period>>& periods,
                          analytics::IncidentFactsBuilder& builder) {
    const auto sources = sources_param(q);
    std::int64_t expected = 0;
    for (const auto& period : periods) {
        expected += db_.query("SELECT COUNT(*) FROM incident_records WHERE received_at >= $1 "
                              "AND received_at < $2 AND ($3::text[] IS NULL OR "
                              "source = ANY($3::text[]))",
                              Params().add(from_of(period)).add(to_of(period)).add(sources))
                        .int64(0, 0);
    }
    builder.reserve(static_cast<std::size_t>(expected));
    for (const auto& period : periods) {
        // In (received_at, id) order, a page at a time, so the builder need not sort.
        std::int64_t after_at = kMinTime, after_id = 0;
        while (true) {
            Rows rows = db_.query(
                "SELECT received_at, category, jurisdiction, disposition, lat, lon, geocode_ok, "
                "dispatched_at, en_route_at, on_scene_at, time_resolution_s, id "
                "FROM incident_records WHERE received_at >= $1 AND received_at < $2 AND "
                "($3::text[] IS NULL OR source = ANY($3::text[])) AND (received_at, id) > ($4, $5) "
                "ORDER BY received_at, id LIMIT $6",
                Params()
                    .add(from_of(period))
                    .add(to_of(period))
                    .add(sources)
                    .add(after_at)
                    .add(after_id)
                    .add(kReadPage));
            for (int r = 0; r < rows.size(); ++r) {
                const std::string category = rows.text(r, 1), jurisdiction = rows.text(r, 2),
                                  disposition = rows.text(r, 3);
                analytics::IncidentFact f;
                f.received_at = rows.int64(r, 0);
                f.category = category;
                f.jurisdiction = jurisdiction;
                f.disposition = disposition;
                if (rows.int64(r, 6) != 0 && !rows.is_null(r, 4)) {
                    f.location = geo::LatLon{rows.real(r, 4), rows.real(r, 5)};
                }
                f.dispatched_at = rows.opt_int64(r, 7);
                f.en_route_at = rows.opt_int64(r, 8);
                f.on_scene_at = rows.opt_int64(r, 9);
                f.time_resolution_s = static_cast<std::int32_t>(rows.int64(r, 10));
                if (!builder.add(f)) return false;
                after_at = f.received_at;
                after_id = rows.int64(r, 11);
            }
            if (rows.size() < kReadPage) break;
        }
    }
    return true;
}

void PgRecords::load_live(const std::vector<std::optional<analytics::Period>>& periods,
                          analytics::IncidentFactsBuilder& builder) {
    for (const auto& period : periods) {
        // Live incidents: the first unit's en-route stamp comes from the assignments.
        Rows rows = db_.query("SELECT received_at, category, disposition, lat, lon, "
                              "dispatched_at, (SELECT MIN(en_route_at) FROM assignments a "
                              "WHERE a.incident_id = i.id), on_scene_at, status FROM incidents i "
                              "WHERE received_at >= $1 AND received_at < $2",
                              Params().add(from_of(period)).add(to_of(period)));
        for (int r = 0; r < rows.size(); ++r) {
            const std::string category = rows.text(r, 1), disposition = rows.text(r, 2),
                              status = rows.text(r, 8);
            analytics::IncidentFact f;
            f.received_at = rows.int64(r, 0);
            f.category = category;
            f.disposition = disposition;
            const geo::LatLon p{rows.real(r, 3), rows.real(r, 4)};
            if (geo::is_valid(p)) f.location = p;
            f.dispatched_at = rows.opt_int64(r, 5);
            f.en_route_at = rows.opt_int64(r, 6);
            f.on_scene_at = rows.opt_int64(r, 7);
            f.diverted = status == "diverted";
            f.void_call = status == "merged" || status == "cancelled";
            builder.add(f);
        }
    }
}

base::Result<analytics::IncidentFacts> PgRecords::load_facts(const RecordQuery& q) {
    std::lock_guard lock(mutex_);
    analytics::IncidentFactsBuilder builder;
    try {
        db_.ensure();
        db_.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); // one snapshot for all
        const auto periods = merged_periods(q);
        if (!q.use_blocks || !blocks_usable() || !load_blocks(q, periods, builder)) {
            builder = analytics::IncidentFactsBuilder();
            if (!load_rows(q, periods, builder)) {
                rollback_quietly();
                return base::error(base::Code::bad_argument, "records",
                                   "more than 65,535 distinct categories or jurisdictions");
            }
        }
        if (q.include_live && q.sources.empty()) load_live(periods, builder);
        db_.exec("COMMIT");
    } catch (const PgError& e) {
        rollback_quietly();
        return pg::to_error(e, "loading incident records");
    }
    return builder.finish();
}

base::Result<std::vector<analytics::IncidentRecord>> PgRecords::records(const RecordQuery& q) {
    std::lock_guard lock(mutex_);
    std::vector<analytics::IncidentRecord> out;
    try {
        db_.ensure();
        db_.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        const auto sources = sources_param(q);
        for (const auto& period : merged_periods(q)) {
            std::int64_t after_at = kMinTime, after_id = 0;
            while (true) {
                Rows rows = db_.query(
                    "SELECT source, source_key, received_at, category, source_category, lat, "
                    "lon, geocode_ok, jurisdiction, patrol_area, dispatched_at, en_route_at, "
                    "on_scene_at, cleared_at, disposition, time_resolution_s, id "
                    "FROM incident_records WHERE received_at >= $1 AND received_at < $2 AND "
                    "($3::text[] IS NULL OR source = ANY($3::text[])) AND "
                    "(received_at, id) > ($4, $5) ORDER BY received_at, id LIMIT $6",
                    Params()
                        .add(from_of(period))
                        .add(to_of(period))
                        .add(sources)
                        .add(after_at)
                        .add(after_id)
                        .add(kReadPage));
                for (int i = 0; i < rows.size(); ++i) {
                    analytics::IncidentRecord r;
                    r.source = rows.text(i, 0);
                    r.source_key = rows.text(i, 1);
                    r.received_at = rows.int64(i, 2);
                    r.category = rows.text(i, 3);
                    r.source_category = rows.text(i, 4);
                    if (!rows.is_null(i, 5) && !rows.is_null(i, 6)) {
                        r.location = geo::LatLon{rows.real(i, 5), rows.real(i, 6)};
                    }
                    r.geocode_ok = rows.int64(i, 7) != 0;
                    r.jurisdiction = rows.text(i, 8);
                    r.patrol_area = rows.text(i, 9);
                    r.dispatched_at = rows.opt_int64(i, 10);
                    r.en_route_at = rows.opt_int64(i, 11);
                    r.on_scene_at = rows.opt_int64(i, 12);
                    r.cleared_at = rows.opt_int64(i, 13);
                    r.disposition = rows.text(i, 14);
                    r.time_resolution_s = static_cast<std::int32_t>(rows.int64(i, 15));
                    after_at = r.received_at;
                    after_id = rows.int64(i, 16);
                    out.push_back(std::move(r));
                }
                if (rows.size() < kReadPage) break;
            }
        }
        db_.exec("COMMIT");
    } catch (const PgError& e) {
        rollback_quietly();
        return pg::to_error(e, "reading incident records");
    }
    return out;
}

base::Result<analytics::DataRange> PgRecords::data_range(const RecordQuery& q) {
    std::lock_guard lock(mutex_);
    analytics::DataRange range;
    auto add = [&](const Rows& rows) {
        range.count += static_cast<std::size_t>(rows.int64(0, 0));
        if (auto t = rows.opt_int64(0, 1)) {
            if (!range.first_received_at || *t < *range.first_received_at) {
                range.first_received_at = t;
            }
        }
        if (auto t = rows.opt_int64(0, 2)) {
            if (!range.last_received_at || *t > *range.last_received_at) {
                range.last_received_at = t;
            }
        }
    };
    try {
        db_.ensure();
        const auto sources = sources_param(q);
        for (const auto& period : merged_periods(q)) {
            add(db_.query("SELECT COUNT(*), MIN(received_at), MAX(received_at) FROM "
                          "incident_records WHERE received_at >= $1 AND received_at < $2 AND "
                          "($3::text[] IS NULL OR source = ANY($3::text[]))",
                          Params().add(from_of(period)).add(to_of(period)).add(sources)));
            if (q.include_live && q.sources.empty()) {
                add(db_.query("SELECT COUNT(*), MIN(received_at), MAX(received_at) FROM "
                              "incidents WHERE received_at >= $1 AND received_at < $2",
                              Params().add(from_of(period)).add(to_of(period))));
            }
        }
    } catch (const PgError& e) {
        return pg::to_error(e, "reading incident records");
    }
    return range;
}

} // namespace

base::Result<std::unique_ptr<RecordStore>> open_pg_records(const std::string& uri) {
    // PgStore::open applies the migrations (incident_records is core migration 2); the
    // records keep a connection of their own.
    {
        auto store = PgStore::open(uri);
        if (!store) return std::move(store).error();
    }
    try {
        return std::unique_ptr<RecordStore>(std::make_unique<PgRecords>(uri));
    } catch (const PgError& e) {
        return pg::to_error(e, "opening the incident records");
    }
}

} // namespace pingan::store
