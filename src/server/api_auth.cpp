// Login, logout, users, health and metrics.
#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include "auth/password.hpp"
#include "server/api.hpp"
#include "server/body_reader.hpp"

namespace pingan::server {
namespace {

using base::Code;
using nlohmann::json;

bool valid_username(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s) {
        const bool ok =
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
        if (!ok) return false;
    }
    return true;
}

// Verifying against this when the user does not exist keeps the answer's timing the same, so
// that timing does not reveal which user names exist.
const std::string& dummy_hash() {
    static const std::string hash = auth::hash_password("not a password of anyone");
    return hash;
}

// Records an administrator's (or the lockout's) change to an account: the events (kind,
// payload) about the user and the side write; once durable, a change that ends sessions ends
// them here too, then `then` hears the outcome.
void change_account(ApiContext& ctx, const std::string& actor, const std::string& username,
                    std::vector<std::pair<std::string, json>> events, store::UserAccessWrite write,
                    std::string body, Operations::Done then) {
    ctx.ops.execute(
        [&](ops::Board&, base::TimeMs at, store::Change& change) -> base::Result<std::string> {
            for (auto& [kind, payload] : events) {
                change.events.push_back(
                    ops::Event::log_only(at, actor, kind, "user/" + username, payload));
            }
            write.at = at;
            change.side.emplace_back(write);
            return body;
        },
        [&ctx, username, end = write.end_sessions,
         then = std::move(then)](base::Result<std::string> done) {
            if (done && end) ctx.sessions.revoke_user(username);
            then(std::move(done));
        });
}

// Disables an account and ends its sessions (events `user.disabled`, `session.revoked_all`).
void disable_account(ApiContext& ctx, const std::string& actor, const std::string& username,
                     const std::string& reason, Operations::Done then) {
    change_account(ctx, actor, username,
                   {{"user.disabled", {{"username", username}, {"reason", reason}}},
                    {"session.revoked_all", {{"username", username}}}},
                   store::UserAccessWrite{username, true, true, 0},
                   json{{"username", username}, {"disabled", true}}.dump(), std::move(then));
}

// serve --lock-after: the account stays disabled until an administrator enables it. The
// failed login is answered once the lock is on record.
void lock_out(ApiContext& ctx, const std::string& username, int failures, Reply reply) {
    disable_account(
        ctx, "system:lockout", username, fmt::format("{} failed logins in a row", failures),
        [username, failures, reply = std::move(reply)](base::Result<std::string> done) {
            if (done) {
                spdlog::warn("account '{}' locked after {} failed logins; an "
                             "administrator must enable it",
                             username, failures);
            } else {
                spdlog::error("account '{}' not locked: {}", username, done.error().detail);
            }
            reply(Response::problem(
                base::error(Code::login_failed, "user name or password is wrong")));
        });
}

void login(ApiContext& ctx, Request& req, Reply reply) {
    BodyReader r(req.body);
    auto username = r.string("username", Need::required, 64);
    auto password = r.string("password", Need::required, 256);
    if (!r.ok()) return reply(Response::problem(r.error()));
    const base::TimeMs now = ctx.ops.clock().now_ms();
    if (const base::TimeMs wait = ctx.limiter.retry_after_ms(*username, req.client, now);
        wait > 0) {
        Response res = Response::problem(
            base::error(Code::rate_limited, fmt::format("too many failed logins; try again in {} s",
                                                        (wait + 999) / 1000)));
        res.headers.emplace_back("Retry-After", std::to_string((wait + 999) / 1000));
        return reply(std::move(res));
    }
    auto user = ctx.ops.store().user(*username);
    if (!user) return reply(Response::problem(user.error()));
    // argon2id verification is slow by design: off the network threads.
    ctx.blocking.post([&ctx, user = std::move(user).value(), username = *username,
                       password = *password, client = req.client,
                       reply = std::move(reply)]() mutable {
        const bool known = user.has_value() && !user->disabled;
        const bool good =
            auth::verify_password(known ? user->password_hash : dummy_hash(), password) && known;
        const base::TimeMs t = ctx.ops.clock().now_ms();
        if (!good) {
            const int in_a_row = ctx.limiter.record_failure(username, client, t);
            spdlog::warn("failed login for '{}' from {}", username, client);
            if (known && ctx.lock_after_failures > 0 && in_a_row >= ctx.lock_after_failures) {
                return lock_out(ctx, username, in_a_row, std::move(reply));
            }
            return reply(Response::problem(
                base::error(Code::login_failed, "user name or password is wrong")));
        }
        ctx.limiter.record_success(username);
        const std::string token = auth::new_token();
        store::SessionRecord session{auth::token_hash(token), user->username, user->role, t,
                                     t + ctx.token_ttl_ms,    user->unit_id,  user->team};
        ctx.ops.execute(
            [&](ops::Board&, base::TimeMs at, store::Change& change) -> base::Result<std::string> {
                change.events.push_back(ops::Event::log_only(
                    at, session.username, "session.opened", "user/" + session.username,
                    {{"username", session.username},
                     {"role", session.role},
                     {"expires_at", base::format_iso8601(session.expires_at)}}));
                change.side.emplace_back(store::SessionWrite{session, false});
                return json{{"token", token},
                            {"username", session.username},
                            {"role", session.role},
                            {"unit_id", session.unit_id ? json(*session.unit_id) : json(nullptr)},
                            {"team", session.team},
                            {"expires_at", base::format_iso8601(session.expires_at)}}
                    .dump();
            },
            [&ctx, session, reply = std::move(reply)](base::Result<std::string> result) {
                if (!result) return reply(Response::problem(result.error()));
                ctx.sessions.add(session.token_hash,
                                 {auth::Principal{session.username, *auth::parse_role(session.role),
                                                  session.unit_id, session.team},
                                  session.expires_at});
                reply(Response{200, "application/json", std::move(result).value(), {}});
            });
    });
}

void logout(ApiContext& ctx, Request& req, Reply reply) {
    std::string token = req.authorization.size() > 7 ? req.authorization.substr(7) : "";
    if (const std::string* q = req.query_param("token"); token.empty() && q != nullptr) token = *q;
    const std::string hash = auth::token_hash(token);
    const std::string actor = req.principal.username;
    ctx.ops.execute(
        [&](ops::Board&, base::TimeMs at, store::Change& change) -> base::Result<std::string> {
            change.events.push_back(ops::Event::log_only(at, actor, "session.revoked",
                                                         "user/" + actor, {{"username", actor}}));
            store::SessionRecord s;
            s.token_hash = hash;
            s.created_at = at;
            change.side.emplace_back(store::SessionWrite{s, true});
            return std::string();
        },
        [&ctx, hash, reply = std::move(reply)](base::Result<std::string> result) {
            if (!result) return reply(Response::problem(result.error()));
            ctx.sessions.revoke(hash);
            reply(Response::no_content());
        });
}

void create_user(ApiContext& ctx, Request& req, Reply reply) {
    BodyReader r(req.body);
    auto username = r.string("username", Need::required, 64);
    auto password = r.string("password", Need::required, 256);
    std::vector<std::string_view> role_names(auth::kRoleNames.begin(), auth::kRoleNames.end());
    auto role = r.one_of("role", Need::required, role_names);
    auto unit_id = r.integer("unit_id", Need::optional, 1, INT64_MAX);
    auto team = r.string("team", Need::optional, 256, true);
    if (r.ok() && !valid_username(*username)) {
        r.fail(Code::field_invalid, "username",
               "username: use 1-64 lower-case letters, digits, '_', '.', '-'");
    }
    if (r.ok()) {
        if (auto policy = auth::check_password_policy(*username, *password); !policy) {
            return reply(Response::problem(policy.error()));
        }
    }
    if (!r.ok()) return reply(Response::problem(r.error()));
    if (auto checked = auth::check_team(team.value_or("")); !checked) {
        return reply(Response::problem(checked.error()));
    }
    if (*role == "unit" && !unit_id) {
        return reply(Response::problem(
            base::error(Code::field_missing, "unit_id", "unit_id: required for role unit")));
    }
    const std::string actor = req.principal.username;
    ctx.blocking.post([&ctx, actor, username = *username, password = *password, role = *role,
                       unit_id, team = team.value_or(""), reply = std::move(reply)]() mutable {
        const std::string hash = auth::hash_password(password);
        ctx.ops.execute(
            [&](ops::Board& board, base::TimeMs at,
                store::Change& change) -> base::Result<std::string> {
                if (unit_id && board.unit(*unit_id) == nullptr) {
                    return ops::no_such_unit("unit_id", *unit_id);
                }
                json payload = {{"username", username}, {"role", role}};
                if (unit_id) payload["unit_id"] = *unit_id;
                payload["team"] = team;
                change.events.push_back(
                    ops::Event::log_only(at, actor, "user.created", "user/" + username, payload));
                change.side.emplace_back(store::UserWrite{username, role, hash, at, unit_id, team});
                return payload.dump();
            },
            api::respond(std::move(reply), 201));
    });
}

// The account named in the path, or why there is none.
base::Result<store::UserRecord> account_of(ApiContext& ctx, const Request& req) {
    const std::string name = req.params.empty() ? std::string() : req.params[0];
    auto user = ctx.ops.store().user(name);
    if (!user) return user.error();
    if (!*user) {
        return base::error(Code::unknown_user, "username",
                           fmt::format("username: no user '{}'", name.substr(0, 64)));
    }
    return **user;
}

// POST /api/v1/users/{username}/revoke-sessions: ends every session of the user, everywhere.
void revoke_sessions(ApiContext& ctx, Request& req, Reply reply) {
    auto user = account_of(ctx, req);
    if (!user) return reply(Response::problem(user.error()));
    const std::size_t live = ctx.sessions.count_of(user->username);
    change_account(ctx, req.principal.username, user->username,
                   {{"session.revoked_all", {{"username", user->username}}}},
                   store::UserAccessWrite{user->username, std::nullopt, true, 0},
                   json{{"username", user->username}, {"sessions_ended", live}}.dump(),
                   api::respond(std::move(reply), 200));
}

// POST /api/v1/users/{username}/disable {reason}: no more logins, and its sessions end.
void disable_user(ApiContext& ctx, Request& req, Reply reply) {
    BodyReader r(req.body);
    auto reason = r.string("reason", Need::required, 500);
    if (!r.ok()) return reply(Response::problem(r.error()));
    auto user = account_of(ctx, req);
    if (!user) return reply(Response::problem(user.error()));
    if (user->username == req.principal.username) {
        return reply(Response::problem(base::error(
            Code::field_invalid, "username",
            "username: an administrator cannot disable their own account (ask another)")));
    }
    disable_account(ctx, req.principal.username, user->username, *reason,
                    api::respond(std::move(reply), 200));
}

// POST /api/v1/users/{username}/enable: lifts a disablement, also a lockout.
void enable_user(ApiContext& ctx, Request& req, Reply reply) {
    auto user = account_of(ctx, req);
    if (!user) return reply(Response::problem(user.error()));
    change_account(ctx, req.principal.username, user->username,
                   {{"user.enabled", {{"username", user->username}}}},
                   store::UserAccessWrite{user->username, false, false, 0},
                   json{{"username", user->username}, {"disabled", false}}.dump(),
                   [&ctx, username = user->username,
                    answer = api::respond(std::move(reply), 200)](base::Result<std::string> done) {
                       if (done) ctx.limiter.record_success(username); // count from zero
                       answer(std::move(done));
                   });
}

void list_users(ApiContext& ctx, Request&, Reply reply) {
    auto users = ctx.ops.store().users();
    if (!users) return reply(Response::problem(users.error()));
    json items = json::array();
    for (const auto& u : *users) {
        items.push_back({{"id", u.id},
                         {"username", u.username},
                         {"role", u.role},
                         {"disabled", u.disabled},
                         {"unit_id", u.unit_id ? json(*u.unit_id) : json(nullptr)},
                         {"team", u.team},
                         {"created_at", base::format_iso8601(u.created_at)}});
    }
    reply(Response::json(200, {{"items", std::move(items)}}));
}

} // namespace

void add_auth_routes(Router& router, ApiContext& ctx) {
    (void)dummy_hash(); // computed once at start-up, not during the first login
    router.add("POST", "/api/v1/login",
               [&ctx](Request& req, Reply reply) { login(ctx, req, std::move(reply)); });
    router.add("POST", "/api/v1/logout",
               [&ctx](Request& req, Reply reply) { logout(ctx, req, std::move(reply)); });
    router.add("GET", "/api/v1/me", [](Request& req, Reply reply) {
        const auth::Principal& p = req.principal;
        reply(Response::json(200, {{"username", p.username},
                                   {"role", auth::to_string(p.role)},
                                   {"unit_id", p.unit_id ? json(*p.unit_id) : json(nullptr)},
                                   {"team", p.team}}));
    });
    router.add("GET", "/api/v1/users",
               [&ctx](Request& req, Reply reply) { list_users(ctx, req, std::move(reply)); });
    router.add("POST", "/api/v1/users",
               [&ctx](Request& req, Reply reply) { create_user(ctx, req, std::move(reply)); });
    router.add("POST", "/api/v1/users/{username}/revoke-sessions",
               [&ctx](Request& req, Reply reply) { revoke_sessions(ctx, req, std::move(reply)); });
    router.add("POST", "/api/v1/users/{username}/disable",
               [&ctx](Request& req, Reply reply) { disable_user(ctx, req, std::move(reply)); });
    router.add("POST", "/api/v1/users/{username}/enable",
               [&ctx](Request& req, Reply reply) { enable_user(ctx, req, std::move(reply)); });
    router.add("GET", "/healthz", [&ctx](Request&, Reply reply) {
        const bool ok = ctx.ops.healthy();
        reply(Response::json(ok ? 200 : 503, {{"status", ok ? "ok" : "degraded"}}));
    });
    router.add("GET", "/metrics", [&ctx](Request&, Reply reply) {
        reply(Response{200, "text/plain; version=0.0.4", ctx.metrics.render(), {}});
    });
}

} // namespace pingan::server
