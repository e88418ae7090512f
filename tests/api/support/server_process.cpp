#include "support/server_process.hpp"

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <random>
#include <sstream>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <fmt/core.h>
#include <gtest/gtest.h>

namespace pingan::test {
namespace {

std::vector<char*> argv_of(std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    return argv;
}

} // namespace

CliResult run_cli(const std::vector<std::string>& args, const std::string& input) {
    int in_pipe[2];
    int out_pipe[2];
    if (pipe(in_pipe) != 0 || pipe(out_pipe) != 0) return {};
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(in_pipe[0], STDIN_FILENO);
        dup2(out_pipe[1], STDOUT_FILENO);
        dup2(out_pipe[1], STDERR_FILENO);
        close(in_pipe[1]);
        close(out_pipe[0]);
        std::vector<std::string> full{PINGAN_BINARY};
        full.insert(full.end(), args.begin(), args.end());
        auto argv = argv_of(full);
        execv(PINGAN_BINARY, argv.data());
        _exit(127);
    }
    close(in_pipe[0]);
    close(out_pipe[1]);
    if (!input.empty()) {
        [[maybe_unused]] auto n = write(in_pipe[1], input.data(), input.size());
    }
    close(in_pipe[1]);
    CliResult result;
    char buf[4096];
    ssize_t n = 0;
    while ((n = read(out_pipe[0], buf, sizeof buf)) > 0)
        result.out.append(buf, static_cast<std::size_t>(n));
    close(out_pipe[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

Scratch::Scratch() {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / fmt::format("pingan-api-{}-{}", getpid(), rd());
    std::filesystem::create_directories(dir_);
}

Scratch::~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

ServerProcess::ServerProcess(std::string db_path, std::filesystem::path work_dir,
                             std::vector<std::string> extra_args)
    : db_(std::move(db_path)), dir_(std::move(work_dir)), log_(dir_ / "server.log"),
      extra_(std::move(extra_args)) {}

ServerProcess::~ServerProcess() {
    if (pid_ > 0) stop();
}

void ServerProcess::start() {
    const auto port_file = dir_ / "port";
    std::filesystem::remove(port_file);
    const pid_t pid = fork();
    if (pid == 0) {
        const int fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (file_size_limit_) {
            signal(SIGXFSZ, SIG_IGN);
            const rlimit limit{*file_size_limit_, RLIM_INFINITY};
            setrlimit(RLIMIT_FSIZE, &limit);
        }
        std::vector<std::string> args{PINGAN_BINARY, "serve",    "--db",        db_,
                                      "--port",      "0",        "--port-file", port_file.string(),
                                      "--bind",      "127.0.0.1"};
        args.insert(args.end(), extra_.begin(), extra_.end());
        auto argv = argv_of(args);
        execv(PINGAN_BINARY, argv.data());
        _exit(127);
    }
    pid_ = pid;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        std::ifstream in(port_file);
        unsigned short p = 0;
        if (in >> p && p != 0) {
            port_ = p;
            return;
        }
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            FAIL() << "pingan serve exited early:\n" << log();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL() << "pingan serve did not start listening within 20 s:\n" << log();
}

void ServerProcess::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
}

void ServerProcess::kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
}

std::string ServerProcess::log() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void add_user(const std::string& db, const std::string& name, const std::string& role,
              const std::string& password, std::optional<long long> unit_id) {
    std::vector<std::string> args{"user", "add", name, "--role", role, "--db", db};
    if (unit_id) {
        args.emplace_back("--unit-id");
        args.push_back(std::to_string(*unit_id));
    }
    const CliResult r = run_cli(args, password + "\n");
    ASSERT_EQ(r.exit_code, 0) << r.out;
}

std::filesystem::path data_dir() {
    return PINGAN_DATA_DIR;
}

} // namespace pingan::test
