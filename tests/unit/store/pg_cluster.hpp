// A throwaway PostgreSQL 15 cluster for tests (scripts/pg_temp.sh: initdb in a temporary folder,
// loopback port, runs as `postgres` through runuser when the tests run as root). shared() starts
// one per test program on first use; a test that stops its server makes its own.
#pragma once

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/pg.hpp"

namespace pingan::test {

class PgCluster {
public:
    PgCluster() {
        namespace fs = std::filesystem;
        if (!fs::exists("/usr/lib/postgresql/15/bin/initdb")) {
            why_ = "needs PostgreSQL 15 (/usr/lib/postgresql/15/bin/initdb)";
            return;
        }
        char tmpl[] = "/tmp/pingan_pgstore_XXXXXX";
        if (::mkdtemp(tmpl) == nullptr) {
            why_ = "cannot make a temporary folder";
            return;
        }
        dir_ = tmpl;
        fs::permissions(dir_, fs::perms::all); // the postgres user enters it
        // A port from the process id, moved on when taken (other test programs, other people).
        for (int attempt = 0; attempt < 8; ++attempt) {
            port_ = 20000 + static_cast<int>((::getpid() * 7 + attempt * 7919) % 20000);
            if (!port_free(port_)) continue;
            std::string out;
            if (script("start " + (dir_ / "pg").string() + " " + std::to_string(port_), out)) {
                ok_ = true;
                return;
            }
            why_ = "could not start a PostgreSQL cluster: " + out;
            std::string ignored;
            script("stop " + (dir_ / "pg").string(), ignored);
        }
    }
    ~PgCluster() {
        if (dir_.empty()) return;
        std::string ignored;
        script("stop " + (dir_ / "pg").string(), ignored);
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    PgCluster(const PgCluster&) = delete;
    PgCluster& operator=(const PgCluster&) = delete;

    static PgCluster& shared() {
        static PgCluster cluster;
        return cluster;
    }

    bool ok() const { return ok_; }
    const std::string& why() const { return why_; }
    int port() const { return port_; }

    std::string uri(const std::string& database, const std::string& user = "postgres") const {
        return "postgresql://" + user + "@127.0.0.1:" + std::to_string(port_) + "/" + database;
    }

    // A new empty database (owned by `owner`), and the URI to reach it as that owner.
    std::string fresh_database(const std::string& owner = "postgres") {
        static std::atomic<int> counter{0};
        const std::string name = "pingan_test_" + std::to_string(++counter);
        store::pg::Conn admin(uri("postgres"));
        // Identifiers cannot be parameters; this one is made here, not taken from input.
        admin.exec("CREATE DATABASE " + name + " OWNER " + owner);
        return uri(name, owner);
    }

    // Stops the server and keeps its data; resume() starts it again on the same port.
    bool halt() {
        std::string out;
        return script("halt " + (dir_ / "pg").string(), out);
    }
    bool resume() {
        std::string out;
        return script("resume " + (dir_ / "pg").string() + " " + std::to_string(port_), out);
    }

private:
    static bool port_free(int port) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) return false;
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        ::close(fd);
        return free;
    }

    // Runs scripts/pg_temp.sh with `args`; its output (both streams) goes to `out`.
    static bool script(const std::string& args, std::string& out) {
        const std::string cmd =
            std::string(PINGAN_SOURCE_DIR) + "/scripts/pg_temp.sh " + args + " 2>&1";
        FILE* p = ::popen(cmd.c_str(), "r");
        if (p == nullptr) return false;
        char buf[4096];
        std::size_t n = 0;
        while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
            out.append(buf, n);
        const int rc = ::pclose(p);
        return WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
    }

    std::filesystem::path dir_;
    int port_ = 0;
    bool ok_ = false;
    std::string why_;
};

} // namespace pingan::test
