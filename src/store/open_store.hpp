// Opens the store a `--db` value names, whatever its backend:
//   postgresql://… or postgres://…   PgStore (the URI is passed to libpq as is)
//   sqlite:PATH, or a plain path      SqliteStore
#pragma once

#include <memory>
#include <string>

#include "store/records.hpp"
#include "store/store.hpp"

namespace pingan::store {

enum class Backend { sqlite, postgres };

// Which backend `db` names, and the path or URI to give it.
struct StoreLocation {
    Backend backend = Backend::sqlite;
    std::string target; // SQLite path, or PostgreSQL URI
};
StoreLocation locate_store(const std::string& db);

base::Result<std::unique_ptr<Store>> open_store(const std::string& db);
// The historical incident records on the same database.
base::Result<std::unique_ptr<RecordStore>> open_records(const std::string& db);

} // namespace pingan::store
