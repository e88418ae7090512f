// Runs the real `pingan` binary: the server on a free loopback port, and CLI commands.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace pingan::test {

struct CliResult {
    int exit_code = -1;
    std::string out; // stdout and stderr together
};

// Runs `pingan args…` with `input` on stdin; waits for it to finish.
CliResult run_cli(const std::vector<std::string>& args, const std::string& input = "");

// A scratch folder for one test, removed afterwards.
class Scratch {
public:
    Scratch();
    ~Scratch();
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    std::filesystem::path path(const std::string& name) const { return dir_ / name; }
    const std::filesystem::path& dir() const { return dir_; }

private:
    std::filesystem::path dir_;
};

class ServerProcess {
public:
    ServerProcess(std::string db_path, std::filesystem::path work_dir,
                  std::vector<std::string> extra_args = {});
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    void start(); // returns once the server listens (or fails the test)
    void stop();  // SIGTERM and wait
    void kill9(); // SIGKILL and wait: a crash
    bool running() const { return pid_ > 0; }
    pid_t pid() const { return pid_; }
    // From the next start(): the server may write files of at most this many bytes (soft
    // RLIMIT_FSIZE; SIGXFSZ ignored, so a write past it fails like one on a full disk).
    void limit_file_size(std::optional<unsigned long> bytes) { file_size_limit_ = bytes; }
    unsigned short port() const { return port_; }
    const std::filesystem::path& log_path() const { return log_; }
    std::string log() const;

private:
    std::string db_;
    std::filesystem::path dir_;
    std::filesystem::path log_;
    std::vector<std::string> extra_;
    pid_t pid_ = -1;
    unsigned short port_ = 0;
    std::optional<unsigned long> file_size_limit_;
};

// Adds a user with the CLI; fails the test if that does not work.
void add_user(const std::string& db, const std::string& name, const std::string& role,
              const std::string& password, std::optional<long long> unit_id = std::nullopt);

// Whether the real data sets are present (tests that need them skip with a message if not).
std::filesystem::path data_dir();

} // namespace pingan::test
