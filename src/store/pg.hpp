// A thin RAII layer over libpq: connections that reconnect, cached prepared statements, text
// parameters, typed reads of results. Every statement that carries a value is prepared with
// parameters ($1, $2, …); SQL is never built from values. exec() is for fixed SQL only
// (BEGIN, COMMIT, schema text).
//
// Failures throw PgError. A connection that broke (server gone, admin shutdown, a standby
// refusing writes) is marked lost; the next call on it reconnects first.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.hpp"

struct pg_conn;
struct pg_result;

namespace pingan::store::pg {

// Thrown by the wrapper; adapters turn it into base::Error with to_error().
struct PgError : std::runtime_error {
    PgError(std::string message, std::string sqlstate, bool lost)
        : std::runtime_error(std::move(message)), sqlstate(std::move(sqlstate)), lost(lost) {}
    std::string sqlstate;   // five characters ("23505"), empty when the server did not answer
    bool lost;              // the connection is unusable or the server cannot take writes now
    std::string constraint; // for integrity violations: the constraint's name
};

// Query parameters, all sent as text (the server casts them to the column types).
class Params {
public:
    Params& add(std::int64_t v);
    Params& add(int v) { return add(static_cast<std::int64_t>(v)); }
    Params& add(double v); // shortest text that reads back as the same double
    Params& add(std::string_view v) {
        values_.emplace_back(std::string(v));
        return *this;
    }
    Params& add(const char* v) { return add(std::string_view(v)); }
    Params& add(const std::string& v) { return add(std::string_view(v)); }
    Params& add_null() {
        values_.emplace_back(std::nullopt);
        return *this;
    }
    template <class T>
    Params& add(const std::optional<T>& v) {
        return v ? add(*v) : add_null();
    }
    std::size_t size() const { return values_.size(); }
    const std::optional<std::string>& operator[](std::size_t i) const { return values_[i]; }

private:
    std::vector<std::optional<std::string>> values_;
};

// The rows of one statement (text format). Rows and columns are 0-based.
class Rows {
public:
    explicit Rows(pg_result* r) : r_(r) {}
    ~Rows();
    Rows(Rows&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
    Rows& operator=(Rows&&) = delete;
    Rows(const Rows&) = delete;
    Rows& operator=(const Rows&) = delete;

    int size() const;
    bool empty() const { return size() == 0; }
    bool is_null(int row, int column) const;
    std::int64_t int64(int row, int column) const;
    double real(int row, int column) const;
    std::string text(int row, int column) const;
    std::optional<std::int64_t> opt_int64(int row, int column) const;
    std::optional<double> opt_real(int row, int column) const;
    bool boolean(int row, int column) const; // 't' / 'f'

private:
    pg_result* r_;
};

// One row of Rows, so that row readers take (row) like SQLite's statement.
class Row {
public:
    Row(const Rows& rows, int row) : rows_(rows), row_(row) {}
    bool is_null(int c) const { return rows_.is_null(row_, c); }
    std::int64_t int64(int c) const { return rows_.int64(row_, c); }
    double real(int c) const { return rows_.real(row_, c); }
    std::string text(int c) const { return rows_.text(row_, c); }
    std::optional<std::int64_t> opt_int64(int c) const { return rows_.opt_int64(row_, c); }
    std::optional<double> opt_real(int c) const { return rows_.opt_real(row_, c); }

private:
    const Rows& rows_;
    int row_;
};

class Conn {
public:
    // Runs after every (re)connection: session settings that a reset forgets.
    using Setup = std::function<void(Conn&)>;

    // Connects to `uri` (a libpq URI or key=value string, passed through: several hosts and
    // target_session_attrs are libpq's). Throws PgError (lost) when the server is unreachable.
    explicit Conn(std::string uri, Setup setup = {});
    ~Conn();
    Conn(const Conn&) = delete;
    Conn& operator=(const Conn&) = delete;

    // Fixed SQL without values; may hold several statements.
    void exec(std::string_view sql);
    // A statement prepared once per connection (cached by its text), run with `params`.
    Rows query(const std::string& sql, const Params& params = {});
    // As query() without rows. Inside a pipeline it is only sent: its outcome is known at the
    // next sync.
    void run(const std::string& sql, const Params& params = {});

    // Pipeline mode (libpq 14+): statements given to run() are sent without waiting for each
    // answer, and end_pipeline() collects all of them, throwing the first failure after the
    // rest were read. A batch of writes then costs one round trip instead of one per
    // statement. Only run() may be used in between. Inside a transaction block the syncs
    // commit nothing; after a failure the block is aborted and must be rolled back.
    void begin_pipeline();
    void end_pipeline();
    // Leaves pipeline mode after a failure, reading and dropping whatever is still unanswered
    // (a no-op outside one, and on a broken connection, which the next ensure() replaces).
    void discard_pipeline() noexcept;

    // Reconnects if the connection was lost; throws PgError (lost) if it still cannot.
    void ensure();
    bool lost() const;
    // Inside a transaction block (or a failed one): the next user must end it first.
    bool in_transaction() const;
    // Waits up to `timeout_ms` for a notification on a channel this connection LISTENs to:
    // (channel, payload), or nothing.
    std::optional<std::pair<std::string, std::string>> wait_notification(int timeout_ms);
    pg_conn* handle() const { return conn_; }

private:
    void connect();
    [[noreturn]] void fail(pg_result* r, std::string_view what);
    using Prepared = std::pair<const std::string, std::string>; // SQL text, statement name
    const Prepared& prepared(const std::string& sql);           // prepares on first use
    void sync_pipeline(); // sends a sync and reads every answer up to it; throws the first error

    std::string uri_;
    Setup setup_;
    pg_conn* conn_ = nullptr;
    bool broken_ = false; // an error said the session is gone, whatever PQstatus says
    std::unordered_map<std::string, std::string> prepared_; // SQL text -> statement name
    std::uint64_t statements_ = 0; // names given on this connection (never reused)
    bool pipeline_ = false;
    struct Pending {
        const std::string* sql; // key in prepared_
        bool prepare;           // the statement's preparation, not a run of it
    };
    std::vector<Pending> pending_; // sent in the pipeline, not yet answered
};

// bytea in PostgreSQL's text format: "\x" and two hex digits per byte, as a parameter.
std::string bytea_hex(std::string_view bytes);
// The bytes of a bytea column read as text, or nothing when it is not in the hex format.
std::optional<std::string> bytea_bytes(std::string_view text);

// Converts a PgError into the project's error: lost connection, read-only standby, disk full,
// serialization failure → unavailable (retry); everything else → internal.
base::Error to_error(const PgError& e, std::string_view what);

} // namespace pingan::store::pg
