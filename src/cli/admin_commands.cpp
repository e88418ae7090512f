// pingan user add, pingan audit verify
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <termios.h>
#include <unistd.h>

#include <fmt/core.h>

#include "auth/password.hpp"
#include "auth/role.hpp"
#include "auth/sessions.hpp"
#include "base/clock.hpp"
#include "cli/commands.hpp"
#include "store/open_store.hpp"

namespace pingan::cli {
namespace {

// Reads a password: prompted without echo on a terminal, else the first line of stdin.
std::string read_password() {
    std::string password;
    if (isatty(STDIN_FILENO) != 0) {
        termios old{};
        tcgetattr(STDIN_FILENO, &old);
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        fmt::print(stderr, "password: ");
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
        std::getline(std::cin, password);
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        fmt::print(stderr, "\n");
    } else {
        std::getline(std::cin, password);
    }
    if (!password.empty() && password.back() == '\r') password.pop_back();
    return password;
}

std::string cli_actor() {
    const char* user = std::getenv("USER");
    return fmt::format("cli:{}", user != nullptr ? user : "unknown");
}

struct UserAdd {
    std::string name;
    std::string role;
    std::string db;
    std::int64_t unit_id = 0;
    std::string team; // station or squad; empty: centre level
};

int user_add(const UserAdd& o) {
    auto role = auth::parse_role(o.role);
    if (!role) {
        std::string roles;
        for (auto r : auth::kRoleNames)
            roles += (roles.empty() ? "" : ", ") + std::string(r);
        return fail_input(fmt::format("--role: '{}' is not a role; use one of {}", o.role, roles));
    }
    if (*role == auth::Role::unit && o.unit_id <= 0) {
        return fail_input("--unit-id: required for role unit");
    }
    if (auto team = auth::check_team(o.team); !team) {
        return fail_input(fmt::format("--{}", team.error().detail));
    }
    for (char c : o.name) {
        const bool ok =
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
        if (!ok || o.name.size() > 64) {
            return fail_input(fmt::format(
                "NAME: '{}' must be 1-64 lower-case letters, digits, '_', '.', '-'", o.name));
        }
    }
    const std::string password = read_password();
    if (auto policy = auth::check_password_policy(o.name, password); !policy) {
        return fail_input(policy.error().detail);
    }
    auto store = store::open_store(o.db);
    if (!store) return fail_input(store.error().detail);
    base::SystemClock clock;
    const base::TimeMs now = clock.now_ms();
    store::Change change;
    nlohmann::json payload = {{"username", o.name}, {"role", o.role}, {"team", o.team}};
    std::optional<ops::Id> unit_id;
    if (o.unit_id > 0) {
        unit_id = o.unit_id;
        payload["unit_id"] = o.unit_id;
    }
    change.events.push_back(
        ops::Event::log_only(now, cli_actor(), "user.created", "user/" + o.name, payload));
    change.side.emplace_back(
        store::UserWrite{o.name, o.role, auth::hash_password(password), now, unit_id, o.team});
    auto result = (*store)->commit(std::span<const store::Change>(&change, 1));
    if (!result) return fail_input(result.error().detail);
    if (result->errors[0]) {
        if (result->errors[0]->code == base::Code::duplicate_username) {
            return fail_input(fmt::format("user '{}' already exists", o.name));
        }
        return fail_input(result->errors[0]->detail);
    }
    fmt::print("user {} added with role {}\n", o.name, o.role);
    return kExitOk;
}

int audit_verify(const std::string& db) {
    if (auto missing = missing_db(db)) return fail_input(*missing);
    auto store = store::open_store(db);
    if (!store) return fail_input(store.error().detail);
    auto report = (*store)->verify_chain();
    if (!report) return fail_input(report.error().detail);
    if (report->broken_seq) {
        fmt::print("BROKEN at event {}: {}\n", *report->broken_seq, report->reason);
        fmt::print("{} events verified before the break\n", report->count);
        return kExitFailed;
    }
    fmt::print("ok: {} events ({} breadcrumb digests), head {}\n", report->count,
               report->position_digests, report->head_hash);
    return kExitOk;
}

} // namespace

void add_admin_commands(CLI::App& app, Parents& /*parents*/, RunState& state) {
    CLI::App* user = app.add_subcommand("user", "Manage user accounts");
    user->require_subcommand(1);
    auto add = std::make_shared<UserAdd>();
    CLI::App* user_add_cmd =
        user->add_subcommand("add", "Add a user; the password is read from stdin or prompted");
    user_add_cmd->add_option("NAME", add->name, "user name")->required();
    user_add_cmd
        ->add_option("--role", add->role,
                     "admin, call_taker, dispatcher, unit, "
                     "supervisor, analyst or auditor")
        ->required();
    user_add_cmd->add_option("--db", add->db, kDbHelp)->required();
    user_add_cmd->add_option("--unit-id", add->unit_id, "for role unit: the unit it reports for");
    user_add_cmd->add_option("--team", add->team,
                             "station or squad (派出所/中队) the account belongs to; a supervisor "
                             "with a team sees that team's cases");
    user_add_cmd->callback([add, &state] { state.exit_code = user_add(*add); });

    CLI::App* audit = app.add_subcommand("audit", "Check the event log");
    audit->require_subcommand(1);
    auto db = std::make_shared<std::string>();
    CLI::App* verify = audit->add_subcommand(
        "verify", "Walk the hash chain; name the first broken link (exit 1) or print the head");
    verify->add_option("--db", *db, kDbHelp)->required();
    verify->callback([db, &state] { state.exit_code = audit_verify(*db); });
}

} // namespace pingan::cli
