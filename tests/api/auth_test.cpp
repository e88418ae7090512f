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
    const auto at = p.find("{id}");
    if (at != std::string::npos) p.replace(at, 4, "1");
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
