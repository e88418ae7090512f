#include "store/pg.hpp"

#include <charconv>
#include <chrono>
#include <cstring>
#include <poll.h>

#include <fmt/core.h>
#include <libpq-fe.h>

namespace pingan::store::pg {
namespace {

// SQLSTATEs after which the session cannot go on, or the server cannot take writes now:
// class 08 (connection exception), 57P01..03 (admin shutdown, crash shutdown, cannot connect
// now: the server is starting or stopping), 25006 (read-only transaction: we reached a standby,
// e.g. after a failover the old primary came back as one).
bool connection_state(std::string_view sqlstate) {
    return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" ||
           sqlstate == "57P03" || sqlstate == "25006";
}

std::string trimmed(const char* message) {
    std::string s = message != nullptr ? message : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

} // namespace

Params& Params::add(std::int64_t v) {
    values_.emplace_back(std::to_string(v));
    return *this;
}

Params& Params::add(double v) {
    values_.emplace_back(fmt::format("{}", v));
    return *this;
}

Rows::~Rows() {
    PQclear(r_);
}

int Rows::size() const {
    return PQntuples(r_);
}

bool Rows::is_null(int row, int column) const {
    return PQgetisnull(r_, row, column) != 0;
}

std::int64_t Rows::int64(int row, int column) const {
    const char* p = PQgetvalue(r_, row, column);
    std::int64_t v = 0;
    std::from_chars(p, p + PQgetlength(r_, row, column), v);
    return v;
}

double Rows::real(int row, int column) const {
    const char* p = PQgetvalue(r_, row, column);
    double v = 0;
    std::from_chars(p, p + PQgetlength(r_, row, column), v);
    return v;
}

std::string Rows::text(int row, int column) const {
    return std::string(PQgetvalue(r_, row, column),
                       static_cast<std::size_t>(PQgetlength(r_, row, column)));
}

std::optional<std::int64_t> Rows::opt_int64(int row, int column) const {
    if (is_null(row, column)) return std::nullopt;
    return int64(row, column);
}

std::optional<double> Rows::opt_real(int row, int column) const {
    if (is_null(row, column)) return std::nullopt;
    return real(row, column);
}

bool Rows::boolean(int row, int column) const {
    return !is_null(row, column) && PQgetvalue(r_, row, column)[0] == 't';
}

Conn::Conn(std::string uri, Setup setup) : uri_(std::move(uri)), setup_(std::move(setup)) {
    connect();
}

Conn::~Conn() {
    PQfinish(conn_);
}

void Conn::connect() {
    PQfinish(conn_);
    conn_ = nullptr;
    prepared_.clear();
    statements_ = 0;
    pipeline_ = false;
    pending_.clear();
    broken_ = false;
    // Keywords before "dbname" are defaults the URI may override; the URI itself is expanded
    // by libpq (expand_dbname), hosts, ports and target_session_attrs included.
    const char* keys[] = {"connect_timeout", "application_name", "client_encoding", "dbname",
                          nullptr};
    const char* values[] = {"10", "pingan", "UTF8", uri_.c_str(), nullptr};
    conn_ = PQconnectdbParams(keys, values, 1);
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
        std::string message = conn_ != nullptr ? trimmed(PQerrorMessage(conn_)) : "out of memory";
        PQfinish(conn_);
        conn_ = nullptr;
        throw PgError(fmt::format("cannot connect to PostgreSQL: {}", message), "", true);
    }
    // Notices ("relation already exists, skipping") are not errors and not ours to print on
    // stderr; warnings and errors still come back with their results.
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
    // Floats travel as text: make the server print the shortest exact form.
    exec("SET extra_float_digits = 3");
    if (setup_) setup_(*this);
}

bool Conn::lost() const {
    return conn_ == nullptr || broken_ || PQstatus(conn_) != CONNECTION_OK;
}

bool Conn::in_transaction() const {
    return conn_ != nullptr && PQtransactionStatus(conn_) != PQTRANS_IDLE;
}

void Conn::ensure() {
    if (lost()) connect();
}

void Conn::fail(pg_result* r, std::string_view what) {
    const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string sqlstate = state != nullptr ? state : "";
    std::string message = r != nullptr ? trimmed(PQresultErrorMessage(r)) : "";
    if (message.empty()) message = trimmed(PQerrorMessage(conn_));
    const char* name = r != nullptr ? PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME) : nullptr;
    std::string constraint = name != nullptr ? name : "";
    PQclear(r);
    const bool is_lost =
        conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK || connection_state(sqlstate);
    // A standby stays connected but cannot take writes; reconnecting lets libpq find the
    // primary again (target_session_attrs=read-write).
    if (is_lost) broken_ = true;
    PgError e(fmt::format("{}: {}", what, message), std::move(sqlstate), is_lost);
    e.constraint = std::move(constraint);
    throw e;
}

void Conn::exec(std::string_view sql) {
    if (conn_ == nullptr) throw PgError("no connection to PostgreSQL", "", true);
    pg_result* r = PQexec(conn_, std::string(sql).c_str());
    const auto status = PQresultStatus(r);
    if (r == nullptr || (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)) {
        fail(r, sql.substr(0, 60));
    }
    PQclear(r);
}

const Conn::Prepared& Conn::prepared(const std::string& sql) {
    auto it = prepared_.find(sql);
    if (it != prepared_.end()) return *it;
    std::string name = fmt::format("pingan_{}", ++statements_);
    if (pipeline_) {
        if (PQsendPrepare(conn_, name.c_str(), sql.c_str(), 0, nullptr) != 1) {
            fail(nullptr, fmt::format("prepare {}", sql.substr(0, 60)));
        }
        it = prepared_.emplace(sql, std::move(name)).first;
        pending_.push_back({&it->first, true});
        return *it;
    }
    pg_result* r = PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr);
    if (r == nullptr || PQresultStatus(r) != PGRES_COMMAND_OK) {
        fail(r, fmt::format("prepare {}", sql.substr(0, 60)));
    }
    PQclear(r);
    return *prepared_.emplace(sql, std::move(name)).first;
}

namespace {

std::vector<const char*> param_values(const Params& params) {
    std::vector<const char*> values(params.size());
    for (std::size_t i = 0; i < params.size(); ++i)
        values[i] = params[i] ? params[i]->c_str() : nullptr;
    return values;
}

// Statements a pipeline holds before it is synced on the way: the answers then never pile up
// in the socket while both sides write (libpq blocks on a full send buffer).
constexpr std::size_t kPipelineDepth = 256;

} // namespace

Rows Conn::query(const std::string& sql, const Params& params) {
    if (conn_ == nullptr) throw PgError("no connection to PostgreSQL", "", true);
    if (pipeline_) throw PgError("query() inside a pipeline: use run()", "", false);
    const std::string& name = prepared(sql).second;
    const std::vector<const char*> values = param_values(params);
    pg_result* r = PQexecPrepared(conn_, name.c_str(), static_cast<int>(values.size()),
                                  values.data(), nullptr, nullptr, 0);
    const auto status = PQresultStatus(r);
    if (r == nullptr || (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)) {
        fail(r, sql.substr(0, 60));
    }
    return Rows(r);
}

void Conn::run(const std::string& sql, const Params& params) {
    if (!pipeline_) {
        query(sql, params);
        return;
    }
    if (conn_ == nullptr) throw PgError("no connection to PostgreSQL", "", true);
    const Prepared& statement = prepared(sql);
    const std::vector<const char*> values = param_values(params);
    if (PQsendQueryPrepared(conn_, statement.second.c_str(), static_cast<int>(values.size()),
                            values.data(), nullptr, nullptr, 0) != 1) {
        fail(nullptr, sql.substr(0, 60));
    }
    pending_.push_back({&statement.first, false});
    if (pending_.size() >= kPipelineDepth) sync_pipeline();
}

void Conn::begin_pipeline() {
    if (conn_ == nullptr) throw PgError("no connection to PostgreSQL", "", true);
    if (PQenterPipelineMode(conn_) != 1) fail(nullptr, "entering pipeline mode");
    pipeline_ = true;
    pending_.clear();
}

void Conn::end_pipeline() {
    if (!pipeline_) return;
    try {
        sync_pipeline();
    } catch (...) {
        discard_pipeline();
        throw;
    }
    pipeline_ = false;
    if (PQexitPipelineMode(conn_) != 1) fail(nullptr, "leaving pipeline mode");
}

void Conn::discard_pipeline() noexcept {
    if (!pipeline_) return;
    pipeline_ = false;
    if (conn_ == nullptr || broken_ || PQstatus(conn_) != CONNECTION_OK) {
        pending_.clear();
        broken_ = true;
        return;
    }
    if (!pending_.empty()) {
        try {
            sync_pipeline();
        } catch (const PgError&) {
            // Dropped: the caller is already failing.
        }
    }
    pending_.clear();
    if (!broken_ && PQexitPipelineMode(conn_) != 1) broken_ = true;
}

void Conn::sync_pipeline() {
    if (PQpipelineSync(conn_) != 1) fail(nullptr, "pipeline sync");
    // Per statement: its result, then a null; after a failure every later statement answers
    // PIPELINE_ABORTED; the sync answers PIPELINE_SYNC. Two nulls in a row mean the
    // connection is gone. A preparation that did not succeed (failed, or skipped after a
    // failure) is forgotten, so that the statement is prepared again when next used.
    pg_result* first_error = nullptr;
    std::string what;
    std::vector<std::string> unprepared;
    std::size_t at = 0; // the pending statement whose answer comes next
    bool after_null = false;
    for (;;) {
        pg_result* r = PQgetResult(conn_);
        if (r == nullptr) {
            if (after_null || PQstatus(conn_) != CONNECTION_OK) {
                PQclear(first_error);
                broken_ = true;
                pending_.clear();
                throw PgError(fmt::format("pipeline: {}", trimmed(PQerrorMessage(conn_))), "",
                              true);
            }
            after_null = true;
            ++at;
            continue;
        }
        after_null = false;
        const auto status = PQresultStatus(r);
        if (status == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
        if (at < pending_.size() && pending_[at].prepare && !ok) {
            unprepared.push_back(*pending_[at].sql);
        }
        if (status == PGRES_FATAL_ERROR && first_error == nullptr) {
            first_error = r;
            what = at < pending_.size() ? pending_[at].sql->substr(0, 60) : "pipeline";
            continue;
        }
        PQclear(r);
    }
    // Statements not answered at all (the connection failed first) were not prepared either.
    for (std::size_t i = at; i < pending_.size(); ++i) {
        if (pending_[i].prepare) unprepared.push_back(*pending_[i].sql);
    }
    pending_.clear();
    for (const std::string& sql : unprepared)
        prepared_.erase(sql);
    if (first_error != nullptr) fail(first_error, what);
}

std::optional<std::pair<std::string, std::string>> Conn::wait_notification(int timeout_ms) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
        if (conn_ == nullptr || PQconsumeInput(conn_) == 0) {
            broken_ = true;
            throw PgError(fmt::format("waiting for notifications: {}",
                                      conn_ != nullptr ? trimmed(PQerrorMessage(conn_)) : ""),
                          "", true);
        }
        if (PGnotify* n = PQnotifies(conn_)) {
            std::pair<std::string, std::string> out{n->relname, n->extra};
            PQfreemem(n);
            return out;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return std::nullopt;
        pollfd p{PQsocket(conn_), POLLIN, 0};
        ::poll(&p, 1, static_cast<int>(left));
    }
}

base::Error to_error(const PgError& e, std::string_view what) {
    using base::Code;
    const std::string_view state = e.sqlstate;
    // 53xxx: disk full, out of memory, too many connections; 40001/40P01: serialization
    // failure or deadlock. All pass with time: the client should retry, as for SQLITE_BUSY.
    if (e.lost || state.starts_with("53") || state == "40001" || state == "40P01" ||
        state == "55P03" || state == "57014") {
        return base::error(Code::unavailable, fmt::format("{}: {}", what, e.what()));
    }
    if (state == "XX001" || state == "XX002") {
        return base::error(Code::corrupt_file, fmt::format("{}: {}", what, e.what()));
    }
    return base::error(Code::internal, fmt::format("{}: {}", what, e.what()));
}

std::string bytea_hex(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\\x";
    out.reserve(2 + bytes.size() * 2);
    for (unsigned char c : bytes) {
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
    return out;
}

std::optional<std::string> bytea_bytes(std::string_view text) {
    if (!text.starts_with("\\x") || text.size() % 2 != 0) return std::nullopt;
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve((text.size() - 2) / 2);
    for (std::size_t i = 2; i < text.size(); i += 2) {
        const int hi = nibble(text[i]), lo = nibble(text[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
    }
    return out;
}

} // namespace pingan::store::pg
