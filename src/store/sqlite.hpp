// A thin RAII layer over the SQLite C API: connections, cached prepared statements, binding.
// Every statement is prepared with parameters; SQL is never built from values.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace pingan::store::sqlite {

class Stmt {
public:
    Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    ~Stmt();
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;

    // Binding is 1-based, as in SQLite.
    Stmt& bind(int index, std::int64_t value);
    Stmt& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Stmt& bind(int index, double value);
    Stmt& bind(int index, std::string_view value);
    Stmt& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Stmt& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
    Stmt& bind_null(int index);
    Stmt& bind_blob(int index, std::string_view bytes);
    template <class T>
    Stmt& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bind_null(index);
    }

    // Returns true while a row is available, false when done. Throws SqliteError on failure.
    bool step();
    // Runs a statement that returns no rows.
    void run() { step(); }
    void reset();

    bool is_null(int column) const;
    std::int64_t int64(int column) const;
    double real(int column) const;
    std::string text(int column) const;
    std::optional<std::int64_t> opt_int64(int column) const;
    std::optional<double> opt_real(int column) const;
    std::string blob(int column) const; // the bytes of a BLOB

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_;
};

// Thrown by the wrapper for SQLite failures; adapters turn it into base::Error.
struct SqliteError : std::runtime_error {
    SqliteError(int code, const std::string& message) : std::runtime_error(message), code(code) {}
    int code; // primary SQLite result code (SQLITE_FULL, SQLITE_IOERR, SQLITE_CONSTRAINT, …)
};

class Db {
public:
    enum class Mode { read_write, read_only };
    Db(const std::string& path, Mode mode);
    ~Db();
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    // Runs one or more statements without parameters (schema, pragmas, BEGIN/COMMIT).
    void exec(std::string_view sql);
    // A statement prepared once per connection and reset before it is handed out again.
    Stmt& prepare(const std::string& sql);
    std::int64_t changes() const;
    // Ends every statement still in progress, which ends its read transaction: a reader
    // left mid-result would otherwise keep seeing the database as it was then.
    void reset_all();
    sqlite3* handle() const { return db_; }

private:
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
};

// Converts a SqliteError into the project's error: disk full / I/O → unavailable.
base::Error to_error(const SqliteError& e, std::string_view what);

} // namespace pingan::store::sqlite
