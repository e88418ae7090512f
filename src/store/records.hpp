// Historical incident records for analytics and replay: imported from city open data (one
// file per import), loaded into the analytics facts cache, read back in time order for replay.
// SQLite implements it on the same database file as the event log (table incident_records,
// migration 2); PostgreSQL (pg_records.cpp) on the same tables of its own schema.
//
// Contract: import_records() writes the new records of one file and exactly one event
// `records.imported` (file name, SHA-256 of the file, counts) in ONE transaction, chained like
// every other event: either the whole file and its event are stored, or nothing is. Records
// already stored (same source and source key) are skipped, so importing a file twice adds
// nothing but a second event saying so.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analytics/incident_facts.hpp"
#include "analytics/incident_record.hpp"
#include "base/result.hpp"

namespace pingan::store {

struct RecordImport {
    std::string file_name;   // as given on the command line (recorded in the event)
    std::string file_sha256; // of the file's bytes
    std::string source;      // the mapping's source
    std::string mapping;     // built-in format or mapping file
    std::size_t rows_read = 0;
    std::size_t rejected = 0;
    std::size_t blank_location = 0;
    std::size_t bad_geocode = 0;
    std::vector<analytics::IncidentRecord> records; // the rows that passed
    std::string actor;                              // who imported ("cli:alice")
    base::TimeMs at = 0;                            // when (the event's time)
};

struct RecordImportResult {
    std::size_t inserted = 0;
    std::size_t duplicates = 0; // already stored: not written again
    std::int64_t event_seq = 0;
    std::string event_hash;
};

struct RecordQuery {
    std::vector<analytics::Period> periods; // empty: all time; else their union
    std::vector<std::string> sources;       // nothing: every source
    bool include_live = true;               // also closed and open live incidents
    bool use_blocks = true; // read the stored column blocks when they cover every row (fast)
};

// Called now and then with (done, total).
using RecordProgress = std::function<void(std::size_t, std::size_t)>;

class RecordStore {
public:
    virtual ~RecordStore() = default;

    virtual base::Result<RecordImportResult>
    import_records(const RecordImport& batch, const RecordProgress& progress = {}) = 0;
    // The columns analytics needs, straight into the facts cache (sorted by received_at).
    virtual base::Result<analytics::IncidentFacts> load_facts(const RecordQuery& query) = 0;
    // Whole imported records in received_at order (replay); live incidents are not included.
    virtual base::Result<std::vector<analytics::IncidentRecord>>
    records(const RecordQuery& query) = 0;
    virtual base::Result<analytics::DataRange> data_range(const RecordQuery& query) = 0;
};

// The error for a report period that holds no records: it names the period and the span the
// whole store covers for `scope` (its periods are ignored), so the reader can pick a period
// that has data. Field "from".
base::Error empty_period_error(RecordStore& records, RecordQuery scope,
                               const analytics::Period& period);

// Opens (creating and migrating if needed) the database at `path` with the pragmas of
// SqliteStore (WAL, synchronous=FULL).
base::Result<std::unique_ptr<RecordStore>> open_sqlite_records(const std::string& path);

// Connects to the PostgreSQL database at `uri` (migrating it as PgStore::open does). Imports
// take the commit lock, so they chain with the events of every server on that database.
base::Result<std::unique_ptr<RecordStore>> open_pg_records(const std::string& uri);

} // namespace pingan::store
