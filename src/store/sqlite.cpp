#include "store/sqlite.hpp"

#include <fmt/core.h>
#include <sqlite3.h>

namespace pingan::store::sqlite {
namespace {

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
    throw SqliteError(rc & 0xff, fmt::format("{}: {} ({})", what,
                                             db != nullptr ? sqlite3_errmsg(db) : "no connection",
                                             sqlite3_errstr(rc)));
}

} // namespace

Stmt::~Stmt() {
    sqlite3_finalize(stmt_);
}

Stmt& Stmt::bind(int index, std::int64_t value) {
    if (int rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK) fail(db_, rc, "bind");
    return *this;
}

Stmt& Stmt::bind(int index, double value) {
    if (int rc = sqlite3_bind_double(stmt_, index, value); rc != SQLITE_OK) fail(db_, rc, "bind");
    return *this;
}

Stmt& Stmt::bind(int index, std::string_view value) {
    if (int rc = sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                                     SQLITE_UTF8);
        rc != SQLITE_OK) {
        fail(db_, rc, "bind");
    }
    return *this;
}

Stmt& Stmt::bind_null(int index) {
    if (int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK) fail(db_, rc, "bind");
    return *this;
}

Stmt& Stmt::bind_blob(int index, std::string_view bytes) {
    if (int rc = sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
        rc != SQLITE_OK) {
        fail(db_, rc, "bind");
    }
    return *this;
}

bool Stmt::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, rc, "step");
}

void Stmt::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

bool Stmt::is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}
std::int64_t Stmt::int64(int column) const {
    return sqlite3_column_int64(stmt_, column);
}
double Stmt::real(int column) const {
    return sqlite3_column_double(stmt_, column);
}

std::string Stmt::text(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p == nullptr ? std::string() : std::string(p, sqlite3_column_bytes(stmt_, column));
}

std::string Stmt::blob(int column) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
    return p == nullptr
               ? std::string()
               : std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<std::int64_t> Stmt::opt_int64(int column) const {
    if (is_null(column)) return std::nullopt;
    return int64(column);
}

std::optional<double> Stmt::opt_real(int column) const {
    if (is_null(column)) return std::nullopt;
    return real(column);
}

Db::Db(const std::string& path, Mode mode) {
    const int flags = (mode == Mode::read_only ? SQLITE_OPEN_READONLY
                                               : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                      SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw SqliteError(rc & 0xff, fmt::format("cannot open database {}: {}", path, message));
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, 5000);
}

Db::~Db() {
    cache_.clear(); // statements must be finalised before the connection closes
    sqlite3_close(db_);
}

void Db::exec(std::string_view sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        std::string text = message != nullptr ? message : sqlite3_errstr(rc);
        sqlite3_free(message);
        throw SqliteError(rc & 0xff, fmt::format("{}: {}", sql.substr(0, 60), text));
    }
}

Stmt& Db::prepare(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) {
        it->second->reset();
        return *it->second;
    }
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) fail(db_, rc, "prepare");
    auto [pos, inserted] = cache_.emplace(sql, std::make_unique<Stmt>(db_, stmt));
    return *pos->second;
}

std::int64_t Db::changes() const {
    return sqlite3_changes64(db_);
}

void Db::reset_all() {
    for (sqlite3_stmt* s = sqlite3_next_stmt(db_, nullptr); s != nullptr;
         s = sqlite3_next_stmt(db_, s)) {
        if (sqlite3_stmt_busy(s) != 0) sqlite3_reset(s);
    }
}

base::Error to_error(const SqliteError& e, std::string_view what) {
    if (e.code == SQLITE_FULL || e.code == SQLITE_IOERR || e.code == SQLITE_BUSY ||
        e.code == SQLITE_LOCKED || e.code == SQLITE_READONLY || e.code == SQLITE_CANTOPEN) {
        return base::error(base::Code::unavailable, fmt::format("{}: {}", what, e.what()));
    }
    if (e.code == SQLITE_CORRUPT || e.code == SQLITE_NOTADB) {
        return base::error(base::Code::corrupt_file, fmt::format("{}: {}", what, e.what()));
    }
    return base::error(base::Code::internal, fmt::format("{}: {}", what, e.what()));
}

} // namespace pingan::store::sqlite
