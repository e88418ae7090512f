// Whole-database operations behind `pingan db`: schema version, online backup, restore.
//
// SQLite: the backup is the SQLite online backup API, one step over the whole file inside one
// read transaction, so it is a consistent snapshot while a server keeps writing (WAL readers
// do not block the writer). Restore copies the same way into the target file.
// PostgreSQL: Debian's pg_dump -Fc (one REPEATABLE READ snapshot, online) and pg_restore; the
// programs are found in /usr/lib/postgresql/15/bin, else on PATH.
//
// Errors: Code::bad_argument (field names the option) for input the operator must fix — a
// missing file, a target that is not empty, an archive of the other backend; other codes for
// failures while running (unavailable: cannot reach the database).
#pragma once

#include <cstdint>
#include <string>

#include "base/result.hpp"
#include "store/store.hpp"

namespace pingan::store {

struct SchemaVersion {
    int version = 0; // core migrations applied (0: an empty or new database)
    int latest = 0;  // core migrations this pingan knows
};

// The schema version `db` records, without migrating it.
base::Result<SchemaVersion> schema_version(const std::string& db);

// What a backup or restore wrote: its chain head.
struct DbHead {
    std::int64_t seq = 0;              // events in the chain (the head's seq)
    std::string hash{kGenesisHash};    // the head event's hash
    std::int64_t position_digests = 0; // breadcrumb digests verified (SQLite backups, restores)
};

// Writes a consistent copy of `db` to `out` (replaced only once the copy is complete and
// checked). SQLite: the copy's chain is verified (a broken chain: Code::corrupt_file naming the
// link, the copy kept). PostgreSQL: pg_restore --list must read the archive.
base::Result<DbHead> backup_database(const std::string& db, const std::string& out);

// Restores the backup `from` into `db`, refusing a non-empty target unless `force`; then the
// chain must verify (a broken chain: Code::corrupt_file naming the link).
base::Result<DbHead> restore_database(const std::string& db, const std::string& from, bool force);

} // namespace pingan::store
