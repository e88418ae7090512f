// Real PostgreSQL 15 servers for the black-box tests, started by the project's scripts on free
// loopback ports in the test's scratch folder: one throwaway cluster (scripts/pg_temp.sh), or a
// durable primary with a synchronous streaming standby (scripts/pg_pair.sh).
#pragma once

#include <filesystem>
#include <string>

namespace pingan::test {

// A TCP port on 127.0.0.1 that nobody listens on right now.
unsigned short free_port();

class PgTemp {
public:
    explicit PgTemp(std::filesystem::path dir);
    ~PgTemp();
    PgTemp(const PgTemp&) = delete;
    PgTemp& operator=(const PgTemp&) = delete;
    const std::string& uri() const { return uri_; } // empty when it did not start

private:
    std::filesystem::path dir_;
    std::string uri_;
};

class PgPair {
public:
    explicit PgPair(std::filesystem::path dir);
    ~PgPair();
    PgPair(const PgPair&) = delete;
    PgPair& operator=(const PgPair&) = delete;
    // Both hosts, target_session_attrs=read-write: libpq finds whichever is the primary.
    const std::string& uri() const { return uri_; } // empty when it did not start
    const std::string& error() const { return error_; }
    bool crash_primary();   // SIGKILL the primary's postmaster
    bool promote_standby(); // the standby becomes the primary

private:
    std::filesystem::path dir_;
    std::string uri_;
    std::string error_;
};

} // namespace pingan::test
