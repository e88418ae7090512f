#include "store/open_store.hpp"

#include "store/pg_store.hpp"
#include "store/sqlite_store.hpp"

namespace pingan::store {

StoreLocation locate_store(const std::string& db) {
    if (db.starts_with("postgresql://") || db.starts_with("postgres://")) {
        return {Backend::postgres, db};
    }
    if (db.starts_with("sqlite:")) return {Backend::sqlite, db.substr(7)};
    return {Backend::sqlite, db};
}

base::Result<std::unique_ptr<Store>> open_store(const std::string& db) {
    const StoreLocation where = locate_store(db);
    if (where.backend == Backend::postgres) {
        auto opened = PgStore::open(where.target);
        if (!opened) return std::move(opened).error();
        return std::unique_ptr<Store>(std::move(opened).value());
    }
    auto opened = SqliteStore::open(where.target);
    if (!opened) return std::move(opened).error();
    return std::unique_ptr<Store>(std::move(opened).value());
}

base::Result<std::unique_ptr<RecordStore>> open_records(const std::string& db) {
    const StoreLocation where = locate_store(db);
    if (where.backend == Backend::postgres) return open_pg_records(where.target);
    return open_sqlite_records(where.target);
}

} // namespace pingan::store
