// pingan db migrate | backup | restore | copy: whole-database operations for both backends
// (store/db_backup.hpp, store/db_copy.hpp).
#include <filesystem>
#include <memory>
#include <string>

#include <fmt/core.h>

#include "cli/commands.hpp"
#include "store/db_backup.hpp"
#include "store/db_copy.hpp"
#include "store/open_store.hpp"

namespace pingan::cli {
namespace {

// Exit code and message for a failed store operation: bad input (2) when the operator must
// change an argument, else a runtime failure (1).
int fail_db(const base::Error& e) {
    fmt::print(stderr, "pingan: error: {}\n", e.detail);
    return e.code == base::Code::bad_argument ? kExitBadInput : kExitFailed;
}

// A --db value names SQLite (a path or sqlite:PATH) or PostgreSQL (postgresql://, postgres://);
// any other scheme is a mistake, not a file name.
std::optional<std::string> check_db_value(const std::string& option, const std::string& value) {
    const auto scheme_end = value.find("://");
    if (scheme_end != std::string::npos && !value.starts_with("postgresql://") &&
        !value.starts_with("postgres://")) {
        return fmt::format("{}: unknown scheme '{}'; use a SQLite path, sqlite:PATH or "
                           "postgresql://user@host:port/db",
                           option, value.substr(0, scheme_end));
    }
    if (value == "sqlite:" || value.empty()) return fmt::format("{}: no path given", option);
    return std::nullopt;
}

// The SQLite file a --db value names must exist (commands that read it never create it).
std::optional<std::string> check_exists(const std::string& option, const std::string& value) {
    const store::StoreLocation where = store::locate_store(value);
    std::error_code ec;
    if (where.backend == store::Backend::sqlite &&
        !std::filesystem::is_regular_file(where.target, ec)) {
        return fmt::format("{}: no file at {}", option, where.target);
    }
    return std::nullopt;
}

int db_migrate(const std::string& db) {
    if (auto bad = check_db_value("--db", db)) return fail_input(*bad);
    auto before = store::schema_version(db);
    if (!before) return fail_db(before.error());
    if (before->version > before->latest) {
        return fail_input(fmt::format("--db: schema version {} is newer than this pingan ({})",
                                      before->version, before->latest));
    }
    auto opened = store::open_store(db); // applies the missing migrations
    if (!opened) return fail_db(opened.error());
    opened->reset();
    auto after = store::schema_version(db);
    if (!after) return fail_db(after.error());
    if (after->version == before->version) {
        fmt::print("schema version {}: up to date\n", after->version);
    } else {
        fmt::print("schema version {} -> {}: applied {} migration(s)\n", before->version,
                   after->version, after->version - before->version);
    }
    return kExitOk;
}

int db_backup(const std::string& db, const std::string& out) {
    if (auto bad = check_db_value("--db", db)) return fail_input(*bad);
    if (auto bad = check_exists("--db", db)) return fail_input(*bad);
    auto head = store::backup_database(db, out);
    if (!head) return fail_db(head.error());
    fmt::print("backup written to {}: head event {}, hash {}\n", out, head->seq, head->hash);
    return kExitOk;
}

int db_restore(const std::string& db, const std::string& from, bool force) {
    if (auto bad = check_db_value("--db", db)) return fail_input(*bad);
    auto head = store::restore_database(db, from, force);
    if (!head) {
        if (head.error().code == base::Code::corrupt_file) {
            fmt::print("BROKEN: {}\n", head.error().detail);
            return kExitFailed;
        }
        return fail_db(head.error());
    }
    fmt::print("restored {} into {}: chain verified, {} events ({} breadcrumb digests), head "
               "{}\n",
               from, db, head->seq, head->position_digests, head->hash);
    return kExitOk;
}

int db_copy(const std::string& from, const std::string& to) {
    if (auto bad = check_db_value("--from", from)) return fail_input(*bad);
    if (auto bad = check_db_value("--to", to)) return fail_input(*bad);
    if (auto bad = check_exists("--from", from)) return fail_input(*bad);
    auto report = store::copy_database(from, to);
    if (!report) {
        if (report.error().code == base::Code::corrupt_file) {
            fmt::print("BROKEN: {}\n", report.error().detail);
            return kExitFailed;
        }
        return fail_db(report.error());
    }
    if (report->already_copied) {
        fmt::print("nothing to do: the target already holds head event {}, hash {}\n",
                   report->head_seq, report->head_hash);
        return kExitOk;
    }
    for (const auto& [table, rows] : report->rows)
        fmt::print("{:<22} {} rows\n", table, rows);
    fmt::print("copied; chain verified on the target: {} events ({} breadcrumb digests), head "
               "{}\n",
               report->head_seq, report->position_digests, report->head_hash);
    return kExitOk;
}

struct DbOptions {
    std::string db;
    std::string out;
    std::string from;
    std::string to;
    bool force = false;
};

} // namespace

void add_db_commands(CLI::App& app, RunState& state) {
    CLI::App* db = app.add_subcommand("db", "Migrate, back up, restore or copy the database");
    db->require_subcommand(1);
    auto o = std::make_shared<DbOptions>();

    CLI::App* migrate =
        db->add_subcommand("migrate", "Apply pending schema migrations; print the version");
    migrate->add_option("--db", o->db, kDbHelp)->required();
    migrate->callback([o, &state] { state.exit_code = db_migrate(o->db); });

    CLI::App* backup = db->add_subcommand(
        "backup", "Write a consistent online backup (SQLite file, or pg_dump -Fc archive)");
    backup->add_option("--db", o->db, kDbHelp)->required();
    backup->add_option("--out", o->out, "the backup file to write")->required();
    backup->callback([o, &state] { state.exit_code = db_backup(o->db, o->out); });

    CLI::App* restore = db->add_subcommand(
        "restore", "Restore a backup into an empty database, then verify the chain");
    restore->add_option("--db", o->db, kDbHelp)->required();
    restore->add_option("--from", o->from, "a backup written by pingan db backup")->required();
    restore->add_flag("--force", o->force, "replace a database that is not empty");
    restore->callback([o, &state] { state.exit_code = db_restore(o->db, o->from, o->force); });

    CLI::App* copy = db->add_subcommand(
        "copy", "Copy every table into an empty database of either backend; verify the chain");
    copy->add_option("--from", o->from, "the database to copy (" + std::string(kDbHelp) + ")")
        ->required();
    copy->add_option("--to", o->to, "the empty database to fill (" + std::string(kDbHelp) + ")")
        ->required();
    copy->callback([o, &state] { state.exit_code = db_copy(o->from, o->to); });
}

} // namespace pingan::cli
