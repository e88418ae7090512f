#include "support/postgres.hpp"

#include <cstdio>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pingan::test {
namespace {

// Runs scripts/NAME ARGS; `out` gets what it printed. True when it exited 0.
bool script(const std::string& name, const std::string& args, std::string& out) {
    const std::string cmd = std::string(PINGAN_SOURCE_DIR) + "/scripts/" + name + " " + args;
    FILE* p = popen((cmd + " 2>&1").c_str(), "r");
    if (p == nullptr) return false;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    const int rc = pclose(p);
    while (!out.empty() && out.back() == '\n')
        out.pop_back();
    return WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

} // namespace

unsigned short free_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    unsigned short port = 0;
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
        port = ntohs(a.sin_port);
    }
    close(fd);
    return port;
}

PgTemp::PgTemp(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::string out;
    if (script("pg_temp.sh", "start '" + dir_.string() + "' " + std::to_string(free_port()), out))
        uri_ = out.substr(out.rfind('\n') + 1);
}

PgTemp::~PgTemp() {
    std::string ignored;
    script("pg_temp.sh", "stop '" + dir_.string() + "'", ignored);
}

PgPair::PgPair(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::string out;
    const unsigned short p1 = free_port();
    unsigned short p2 = free_port();
    while (p2 == p1)
        p2 = free_port();
    if (script("pg_pair.sh",
               "start '" + dir_.string() + "' " + std::to_string(p1) + " " + std::to_string(p2),
               out)) {
        uri_ = out.substr(out.rfind('\n') + 1);
    } else {
        error_ = out;
    }
}

PgPair::~PgPair() {
    std::string ignored;
    script("pg_pair.sh", "stop '" + dir_.string() + "'", ignored);
}

bool PgPair::crash_primary() {
    std::string out;
    return script("pg_pair.sh", "crash '" + dir_.string() + "'", out);
}

bool PgPair::promote_standby() {
    std::string out;
    return script("pg_pair.sh", "promote '" + dir_.string() + "'", out);
}

} // namespace pingan::test
