#include "store/db_backup.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <fmt/core.h>
#include <sqlite3.h>

#include "store/open_store.hpp"
#include "store/pg.hpp"
#include "store/pg_schema.hpp"
#include "store/sqlite.hpp"
#include "store/sqlite_schema.hpp"

extern char** environ;

namespace pingan::store {
namespace {

namespace fs = std::filesystem;
using base::Code;

base::Error bad(std::string field, std::string detail) {
    return base::error(Code::bad_argument, std::move(field), std::move(detail));
}

// ---- external programs (pg_dump, pg_restore) ----

struct ProgramRun {
    int exit_code = -1;
    std::string out; // stdout, when captured
    std::string err; // stderr
};

// The PostgreSQL 15 client program `name`: Debian's versioned folder first, else PATH.
std::string pg_program(const std::string& name) {
    const fs::path debian = fs::path("/usr/lib/postgresql/15/bin") / name;
    if (::access(debian.c_str(), X_OK) == 0) return debian.string();
    return name;
}

std::string read_all(int fd) {
    std::string out;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            out.append(buf, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
            break;
        }
    }
    return out;
}

// Runs argv (no shell: arguments reach the program as they are). Stderr goes to a scratch
// file so that a large stdout cannot block on a full stderr pipe.
base::Result<ProgramRun> run_program(const std::vector<std::string>& argv, bool capture_out) {
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    char err_path[] = "/tmp/pingan_db_stderr_XXXXXX";
    const int err_fd = ::mkstemp(err_path);
    if (err_fd < 0) return base::error(Code::io_error, "cannot make a scratch file for stderr");
    ::unlink(err_path);
    int pipe_fd[2] = {-1, -1};
    if (capture_out && ::pipe(pipe_fd) != 0) {
        ::close(err_fd);
        return base::error(Code::io_error, "cannot make a pipe");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
    if (capture_out) {
        posix_spawn_file_actions_adddup2(&actions, pipe_fd[1], STDOUT_FILENO);
        posix_spawn_file_actions_addclose(&actions, pipe_fd[0]);
    }
    pid_t pid = 0;
    const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ProgramRun run;
    if (capture_out) ::close(pipe_fd[1]);
    if (rc != 0) {
        if (capture_out) ::close(pipe_fd[0]);
        ::close(err_fd);
        return base::error(Code::io_error,
                           fmt::format("cannot run {}: {}", argv[0], std::strerror(rc)));
    }
    if (capture_out) {
        run.out = read_all(pipe_fd[0]);
        ::close(pipe_fd[0]);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    ::lseek(err_fd, 0, SEEK_SET);
    run.err = read_all(err_fd);
    ::close(err_fd);
    while (!run.err.empty() && (run.err.back() == '\n' || run.err.back() == ' '))
        run.err.pop_back();
    return run;
}

// The first line of a program's complaint, for one-line messages.
std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

// ---- SQLite ----

// Copies database file `from` into `to` with the online backup API: one step, so the whole
// copy is read in one read transaction (a consistent snapshot, even while a server writes).
base::Status sqlite_copy_file(const std::string& from, const std::string& to) {
    sqlite3* src = nullptr;
    sqlite3* dst = nullptr;
    auto close_both = [&] {
        sqlite3_close(src);
        sqlite3_close(dst);
    };
    if (sqlite3_open_v2(from.c_str(), &src, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        std::string why = src != nullptr ? sqlite3_errmsg(src) : "out of memory";
        close_both();
        return base::error(Code::io_error, fmt::format("cannot open {}: {}", from, why));
    }
    if (sqlite3_open_v2(to.c_str(), &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
        std::string why = dst != nullptr ? sqlite3_errmsg(dst) : "out of memory";
        close_both();
        return base::error(Code::io_error, fmt::format("cannot open {}: {}", to, why));
    }
    sqlite3_busy_timeout(src, 5000);
    sqlite3_busy_timeout(dst, 5000);
    sqlite3_backup* b = sqlite3_backup_init(dst, "main", src, "main");
    if (b == nullptr) {
        std::string why = sqlite3_errmsg(dst);
        close_both();
        return base::error(Code::io_error, fmt::format("cannot copy into {}: {}", to, why));
    }
    int rc = SQLITE_OK;
    for (int attempt = 0; attempt < 100; ++attempt) {
        rc = sqlite3_backup_step(b, -1);
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
        sqlite3_sleep(100);
    }
    sqlite3_backup_finish(b);
    const int final_rc = sqlite3_errcode(dst);
    if (rc != SQLITE_DONE || (final_rc != SQLITE_OK && final_rc != SQLITE_DONE)) {
        std::string why = sqlite3_errmsg(dst);
        if (rc == SQLITE_NOTADB || sqlite3_errcode(src) == SQLITE_NOTADB) {
            close_both();
            return base::error(Code::corrupt_file,
                               fmt::format("{} is not a SQLite database", from));
        }
        close_both();
        return base::error(Code::io_error, fmt::format("copying {} to {} failed: {} ({})", from, to,
                                                       why, sqlite3_errstr(rc)));
    }
    close_both();
    return {};
}

// Opens `path` as a store and verifies its chain.
base::Result<DbHead> verify_store(const std::string& db, std::string_view what) {
    auto store = open_store(db);
    if (!store) return std::move(store).error();
    auto report = (*store)->verify_chain();
    if (!report) return std::move(report).error();
    if (report->broken_seq) {
        return base::error(Code::corrupt_file,
                           fmt::format("{}: the chain breaks at event {}: {}", what,
                                       *report->broken_seq, report->reason));
    }
    return DbHead{report->count, report->head_hash, report->position_digests};
}

bool starts_with_bytes(const std::string& path, std::string_view magic) {
    std::ifstream in(path, std::ios::binary);
    std::string head(magic.size(), '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    return in.gcount() == static_cast<std::streamsize>(magic.size()) && head == magic;
}

constexpr std::string_view kSqliteMagic{"SQLite format 3\0", 16};
constexpr std::string_view kPgDumpMagic = "PGDMP";

base::Result<DbHead> sqlite_backup(const std::string& path, const std::string& out) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        return bad("--db", fmt::format("--db: no file at {}", path));
    if (!starts_with_bytes(path, kSqliteMagic)) {
        return bad("--db", fmt::format("--db: {} is not a SQLite database", path));
    }
    const std::string partial = out + ".partial";
    fs::remove(partial, ec);
    if (auto copied = sqlite_copy_file(path, partial); !copied) {
        fs::remove(partial, ec);
        return copied.error();
    }
    auto head = verify_store("sqlite:" + partial, "the backup");
    fs::rename(partial, out, ec);
    if (ec) {
        return base::error(Code::io_error, "--out",
                           fmt::format("--out: cannot write {}: {}", out, ec.message()));
    }
    if (!head) {
        auto e = std::move(head).error();
        e.detail += fmt::format(" (the copy is kept at {})", out);
        return e;
    }
    return head;
}

base::Result<DbHead> sqlite_restore(const std::string& path, const std::string& from, bool force) {
    std::error_code ec;
    if (fs::exists(path, ec) && fs::file_size(path, ec) > 0 && !force) {
        return bad("--db", fmt::format("--db: {} exists and is not empty; restore into a new "
                                       "path, or pass --force to overwrite it",
                                       path));
    }
    if (auto copied = sqlite_copy_file(from, path); !copied) return copied.error();
    return verify_store("sqlite:" + path, "the restored database");
}

// ---- PostgreSQL ----

// The head of the events table in a pg_dump archive, read from its COPY data.
base::Result<DbHead> archive_head(const std::string& archive) {
    auto listed = run_program(
        {pg_program("pg_restore"), "--data-only", "--table=events", "--file=-", archive}, true);
    if (!listed) return std::move(listed).error();
    if (listed->exit_code != 0) {
        return base::error(Code::corrupt_file, fmt::format("pg_restore cannot read {}: {}", archive,
                                                           first_line(listed->err)));
    }
    DbHead head;
    bool in_copy = false;
    std::size_t at = 0;
    const std::string& text = listed->out;
    while (at < text.size()) {
        std::size_t end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        const std::string_view line(text.data() + at, end - at);
        at = end + 1;
        if (!in_copy) {
            in_copy = line.starts_with("COPY ") && line.find(".events (") != std::string_view::npos;
            continue;
        }
        if (line == "\\.") break;
        // seq is the first column and hash the last (both schemas, migration 1).
        const auto tab = line.find('\t');
        const auto last_tab = line.rfind('\t');
        if (tab == std::string_view::npos) continue;
        const std::int64_t seq =
            std::strtoll(std::string(line.substr(0, tab)).c_str(), nullptr, 10);
        if (seq > head.seq) {
            head.seq = seq;
            head.hash = std::string(line.substr(last_tab + 1));
        }
    }
    return head;
}

base::Result<DbHead> pg_backup(const std::string& uri, const std::string& out) {
    try {
        pg::Conn probe(uri); // names an unreachable server before pg_dump tries
    } catch (const pg::PgError& e) {
        return base::error(Code::unavailable, "--db", fmt::format("--db: {}", e.what()));
    }
    const std::string partial = out + ".partial";
    std::error_code ec;
    fs::remove(partial, ec);
    auto dumped = run_program({pg_program("pg_dump"), "--format=custom", "--no-password",
                               "--file=" + partial, "--dbname=" + uri},
                              false);
    if (!dumped) return std::move(dumped).error();
    if (dumped->exit_code != 0) {
        fs::remove(partial, ec);
        return base::error(Code::unavailable,
                           fmt::format("pg_dump failed (exit {}): {}", dumped->exit_code,
                                       first_line(dumped->err)));
    }
    auto listed = run_program({pg_program("pg_restore"), "--list", partial}, true);
    if (!listed) return std::move(listed).error();
    if (listed->exit_code != 0) {
        return base::error(Code::corrupt_file,
                           fmt::format("pg_restore --list cannot read the archive {}: {}", partial,
                                       first_line(listed->err)));
    }
    auto head = archive_head(partial);
    if (!head) return head;
    fs::rename(partial, out, ec);
    if (ec) {
        return base::error(Code::io_error, "--out",
                           fmt::format("--out: cannot write {}: {}", out, ec.message()));
    }
    return head;
}

base::Result<DbHead> pg_restore(const std::string& uri, const std::string& from, bool force) {
    if (!starts_with_bytes(from, kPgDumpMagic)) {
        return bad("--from", fmt::format("--from: {} is not a pg_dump archive (-Fc){}", from,
                                         starts_with_bytes(from, kSqliteMagic)
                                             ? "; it is a SQLite database: use pingan db copy"
                                             : ""));
    }
    try {
        pg::Conn target(uri);
        const bool has_events =
            !target.query("SELECT to_regclass('public.events') IS NOT NULL").boolean(0, 0)
                ? false
                : target.query("SELECT EXISTS (SELECT 1 FROM events)").boolean(0, 0);
        if (has_events && !force) {
            return bad("--db", "--db: the database already holds pingan events; restore into an "
                               "empty database, or pass --force to replace its contents");
        }
    } catch (const pg::PgError& e) {
        return base::error(Code::unavailable, "--db", fmt::format("--db: {}", e.what()));
    }
    auto restored = run_program({pg_program("pg_restore"), "--clean", "--if-exists", "--no-owner",
                                 "--single-transaction", "--exit-on-error", "--no-password",
                                 "--dbname=" + uri, from},
                                false);
    if (!restored) return std::move(restored).error();
    if (restored->exit_code != 0) {
        return base::error(Code::internal,
                           fmt::format("pg_restore failed (exit {}), nothing was restored: {}",
                                       restored->exit_code, first_line(restored->err)));
    }
    return verify_store(uri, "the restored database");
}

} // namespace

base::Result<SchemaVersion> schema_version(const std::string& db) {
    const StoreLocation where = locate_store(db);
    SchemaVersion v;
    if (where.backend == Backend::sqlite) {
        v.latest = static_cast<int>(sqlite::kMigrations.size());
        std::error_code ec;
        if (!fs::exists(where.target, ec)) return v;
        try {
            sqlite::Db conn(where.target, sqlite::Db::Mode::read_only);
            auto& s = conn.prepare("PRAGMA user_version");
            s.step();
            v.version = static_cast<int>(s.int64(0));
        } catch (const sqlite::SqliteError& e) {
            return sqlite::to_error(e, "--db: reading the schema version");
        }
        return v;
    }
    v.latest = static_cast<int>(pg::kMigrations.size());
    try {
        pg::Conn conn(where.target);
        if (conn.query("SELECT to_regclass('public.schema_migrations') IS NOT NULL")
                .boolean(0, 0)) {
            v.version = static_cast<int>(
                conn.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations "
                           "WHERE component = 'core'")
                    .int64(0, 0));
        }
    } catch (const pg::PgError& e) {
        return pg::to_error(e, "--db: reading the schema version");
    }
    return v;
}

base::Result<DbHead> backup_database(const std::string& db, const std::string& out) {
    const StoreLocation where = locate_store(db);
    if (out.empty()) return bad("--out", "--out: a file name is required");
    std::error_code ec;
    const fs::path parent = fs::absolute(out, ec).parent_path();
    if (!fs::is_directory(parent, ec)) {
        return bad("--out", fmt::format("--out: no folder {}", parent.string()));
    }
    if (where.backend == Backend::postgres) return pg_backup(where.target, out);
    return sqlite_backup(where.target, out);
}

base::Result<DbHead> restore_database(const std::string& db, const std::string& from, bool force) {
    std::error_code ec;
    if (!fs::is_regular_file(from, ec))
        return bad("--from", fmt::format("--from: no file at {}", from));
    const StoreLocation where = locate_store(db);
    if (where.backend == Backend::postgres) return pg_restore(where.target, from, force);
    if (!starts_with_bytes(from, kSqliteMagic)) {
        return bad("--from", fmt::format("--from: {} is not a SQLite database{}", from,
                                         starts_with_bytes(from, kPgDumpMagic)
                                             ? "; it is a pg_dump archive: restore it into "
                                               "PostgreSQL, then use pingan db copy"
                                             : ""));
    }
    return sqlite_restore(where.target, from, force);
}

} // namespace pingan::store
