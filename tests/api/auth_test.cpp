// Every route of the role matrix against a running server: no token and a bad token get 401,
// each role gets through exactly where the matrix says so, and 403 everywhere else.
#include <thread>

#include <fmt/core.h>

#include "fixture.hpp"
#include "server/role_matrix.hpp"

using namespace pingan;
using namespace pingan::test;
using nlohmann::json;

namespace {

std::string concrete(std::string_view pattern) {
    std::string p(pattern);
    if (const auto at = p.find("{id}"); at != std::string::npos) p.replace(at, 4, "1");
    // No such account: the role gate is what is tested, not the account change.
    if (const auto at = p.find("{username}"); at != std::string::npos) p.replace(at, 10, "nobody");
    return p;
}

std::string password_of(auth::Role r) {
    return fmt::format("{}-Pass-2026", auth::to_string(r));
}

class AuthTest : public ServerTest {
protected:
    void SetUp() override {
        ServerTest::SetUp();
        create_unit("PA-1");
        create_incident();
        for (auth::Role r : auth::kAllRoles) {
            const std::string name = "u_" + std::string(auth::to_string(r));
            add_user(db, name, std::string(auth::to_string(r)), password_of(r),
                     r == auth::Role::unit ? std::optional<long long>(1) : std::nullopt);
        }
    }
    std::string token_of(auth::Role r) {
        return login(server->port(), "u_" + std::string(auth::to_string(r)), password_of(r));
    }
};

} // namespace

TEST_F(AuthTest, EveryRouteRefusesMissingAndInvalidTokens) {
    for (const server::RouteRule& rule : server::kRoleMatrix) {
        const std::string path = concrete(rule.pattern);
        auto none =
            http->request(std::string(rule.method), path, rule.method == "POST" ? "{}" : "");
        auto bad = http->request(std::string(rule.method), path, rule.method == "POST" ? "{}" : "",
                                 std::string(64, 'a'));
        if (rule.is_public) {
            EXPECT_NE(none.status, 401) << rule.method << " " << rule.pattern;
            continue;
        }
        EXPECT_EQ(none.status, 401) << rule.method << " " << rule.pattern << ": " << none.body;
        EXPECT_EQ(none.json()["field"], "Authorization");
        EXPECT_EQ(bad.status, 401) << rule.method << " " << rule.pattern;
    }
}

TEST_F(AuthTest, EachRoleReachesExactlyItsRoutes) {
    for (auth::Role role : auth::kAllRoles) {
        const std::string token = token_of(role);
        for (const server::RouteRule& rule : server::kRoleMatrix) {
            if (rule.is_public) continue;
            // Logging out would end this token; it is checked with a token of its own.
            const std::string t = rule.pattern == "/api/v1/logout" ? token_of(role) : token;
            auto r = http->request(std::string(rule.method), concrete(rule.pattern),
                                   rule.method == "POST" ? "{}" : "", t);
            const std::string what = fmt::format("{} {} as {}: {} {}", rule.method, rule.pattern,
                                                 auth::to_string(role), r.status, r.body);
            if (rule.roles.contains(role)) {
                EXPECT_NE(r.status, 401) << what;
                EXPECT_NE(r.status, 403) << what;
            } else {
                EXPECT_EQ(r.status, 403) << what;
                EXPECT_EQ(r.json()["code"], "forbidden") << what;
            }
        }
    }
}

TEST_F(AuthTest, StreamUpgradeFollowsTheMatrixToo) {
    EXPECT_THROW(StreamClient(server->port(), "/api/v1/stream?after=0"), std::exception);
    for (auth::Role role : auth::kAllRoles) {
        EXPECT_NO_THROW(StreamClient(server->port(), "/api/v1/stream?token=" + token_of(role)))
            << auth::to_string(role);
    }
}

TEST_F(AuthTest, FailedLoginsAreThrottled) {
    for (int i = 0; i < 5; ++i) {
        auto r = http->post("/api/v1/login",
                            {{"username", "u_dispatcher"}, {"password", "wrong-guess-1"}});
        EXPECT_EQ(r.status, 401);
        EXPECT_EQ(r.json()["code"], "login_failed");
    }
    auto blocked = http->post("/api/v1/login", {{"username", "u_dispatcher"},
                                                {"password", password_of(auth::Role::dispatcher)}});
    EXPECT_EQ(blocked.status, 429) << blocked.body;
    EXPECT_FALSE(blocked.header("retry-after").empty());
    // Unknown users fail the same way (no hint which names exist).
    auto unknown =
        http->post("/api/v1/login", {{"username", "nobody"}, {"password", "whatever-1"}});
    EXPECT_EQ(unknown.status, 429); // same client address is throttled too
}

TEST_F(AuthTest, LogoutRevokesTheToken) {
    const std::string token = token_of(auth::Role::dispatcher);
    EXPECT_EQ(http->get("/api/v1/me", token).status, 200);
    EXPECT_EQ(http->post_raw("/api/v1/logout", "", token).status, 204);
    EXPECT_EQ(http->get("/api/v1/me", token).status, 401);
    restart();
    EXPECT_EQ(http->get("/api/v1/me", token).status, 401); // revocation is durable
}

TEST_F(AuthTest, EveryEventNamesTheActingUser) {
    const std::string taker = token_of(auth::Role::call_taker);
    auto r = http->post("/api/v1/incidents", {{"lat", 38.9}, {"lon", -77.0}, {"category", "theft"}},
                        taker);
    ASSERT_EQ(r.status, 201);
    auto events = http->get("/api/v1/events?after=0&limit=1000", admin).json()["items"];
    ASSERT_FALSE(events.empty());
    for (const auto& e : events)
        EXPECT_FALSE(e["actor"].get<std::string>().empty()) << e.dump();
    EXPECT_EQ(events.back()["actor"], "u_call_taker");
}

class ShortTokenTest : public ServerTest {
protected:
    std::vector<std::string> extra_args() const override { return {"--token-ttl", "1"}; }
};

TEST_F(ShortTokenTest, ExpiredTokensAreRefused) {
    EXPECT_EQ(http->get("/api/v1/me", admin).status, 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    auto r = http->get("/api/v1/me", admin);
    EXPECT_EQ(r.status, 401);
}

// Accounts an administrator controls: all sessions of a user ended at once, an account
// disabled (with a reason) and enabled again, and the lockout that only an administrator
// lifts (serve --lock-after 2).
class AccountTest : public ServerTest {
protected:
    static constexpr const char* kPassword = "Dispatch-Desk-2026";
    void SetUp() override {
        ServerTest::SetUp();
        add_user(db, "dsp_li", "dispatcher", kPassword);
    }
    std::vector<std::string> extra_args() const override { return {"--lock-after", "2"}; }
    HttpResult try_login(const std::string& password) {
        return http->post("/api/v1/login", {{"username", "dsp_li"}, {"password", password}});
    }
    bool disabled() {
        const json users = http->get("/api/v1/users", admin).json();
        for (const json& u : users["items"]) {
            if (u["username"] == "dsp_li") return u["disabled"].get<bool>();
        }
        ADD_FAILURE() << "no dsp_li in " << users.dump();
        return false;
    }
    std::vector<json> events_of(const std::string& kind) {
        const json all = http->get("/api/v1/events?after=0&limit=1000", admin).json();
        std::vector<json> out;
        for (const json& e : all["items"]) {
            if (e["kind"] == kind) out.push_back(e);
        }
        return out;
    }
};

TEST_F(AccountTest, AnAdministratorEndsSessionsDisablesAndEnables) {
    const std::string desk = login(server->port(), "dsp_li", kPassword);
    const std::string car = login(server->port(), "dsp_li", kPassword);
    ASSERT_EQ(http->get("/api/v1/me", desk).status, 200);
    auto ended = http->post("/api/v1/users/dsp_li/revoke-sessions", json::object(), admin);
    ASSERT_EQ(ended.status, 200) << ended.body;
    EXPECT_EQ(ended.json()["sessions_ended"], 2);
    EXPECT_EQ(http->get("/api/v1/me", desk).status, 401);
    EXPECT_EQ(http->get("/api/v1/me", car).status, 401);
    ASSERT_EQ(events_of("session.revoked_all").size(), 1u);
    EXPECT_EQ(events_of("session.revoked_all")[0]["actor"], "admin");
    EXPECT_EQ(http->get("/api/v1/me", admin).status, 200) << "the administrator's own session";

    // Refused, naming the field: no reason, an unknown user, one's own account.
    auto r = http->post("/api/v1/users/dsp_li/disable", json::object(), admin);
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(r.json()["field"], "reason");
    r = http->post("/api/v1/users/nobody/disable", {{"reason", "left"}}, admin);
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.json()["field"], "username");
    r = http->post("/api/v1/users/admin/disable", {{"reason", "test"}}, admin);
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(r.json()["field"], "username");
    EXPECT_FALSE(disabled());

    const std::string again = login(server->port(), "dsp_li", kPassword);
    r = http->post("/api/v1/users/dsp_li/disable", {{"reason", "laptop lost on shift"}}, admin);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(disabled());
    EXPECT_EQ(http->get("/api/v1/me", again).status, 401) << "disabling ends the sessions";
    EXPECT_EQ(try_login(kPassword).status, 401) << "a disabled account cannot log in";
    ASSERT_EQ(events_of("user.disabled").size(), 1u);
    EXPECT_EQ(events_of("user.disabled")[0]["payload"]["reason"], "laptop lost on shift");

    // Durable: a restarted server still refuses the account, until it is enabled.
    restart();
    admin = login(server->port(), "admin", kAdminPassword);
    EXPECT_EQ(try_login(kPassword).status, 401);
    ASSERT_EQ(http->post("/api/v1/users/dsp_li/enable", json::object(), admin).status, 200);
    EXPECT_FALSE(disabled());
    EXPECT_EQ(try_login(kPassword).status, 200);
}

TEST_F(AccountTest, FailedLoginsInARowLockTheAccountUntilAnAdministratorEnablesIt) {
    // (Four failures in all from this address: the fifth would be throttled, 429.)
    // A failure, then a success: the count starts again.
    EXPECT_EQ(try_login("wrong-1").status, 401);
    EXPECT_EQ(try_login(kPassword).status, 200);
    EXPECT_FALSE(disabled());
    // Two in a row lock it: the right password no longer opens it, and no time does.
    for (const char* wrong : {"wrong-2", "wrong-3"})
        EXPECT_EQ(try_login(wrong).status, 401);
    EXPECT_TRUE(disabled());
    const auto locks = events_of("user.disabled");
    ASSERT_EQ(locks.size(), 1u);
    EXPECT_EQ(locks[0]["actor"], "system:lockout");
    EXPECT_EQ(locks[0]["payload"]["reason"], "2 failed logins in a row");
    EXPECT_EQ(try_login(kPassword).status, 401);
    ASSERT_EQ(http->post("/api/v1/users/dsp_li/enable", json::object(), admin).status, 200);
    EXPECT_EQ(try_login(kPassword).status, 200);
}

TEST_F(AccountTest, FailedLoginsForAnUnknownNameLockNothing) {
    for (int i = 0; i < 3; ++i) {
        auto r = http->post("/api/v1/login", {{"username", "ghost"}, {"password", "nope"}});
        EXPECT_EQ(r.status, 401);
    }
    EXPECT_TRUE(events_of("user.disabled").empty());
    EXPECT_FALSE(disabled());
}
