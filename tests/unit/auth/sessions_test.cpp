#include <gtest/gtest.h>

#include "auth/login_limiter.hpp"
#include "auth/sessions.hpp"

using namespace pingan::auth;

TEST(Sessions, TokensAreRandomAndOnlyTheirHashIsKept) {
    const std::string a = new_token();
    EXPECT_EQ(a.size(), 64u);
    EXPECT_NE(a, new_token());
    EXPECT_EQ(token_hash(a), token_hash(a));
    EXPECT_NE(token_hash(a), a);
    // Plain SHA-256 in hex, whichever library computes it: stored sessions stay valid.
    EXPECT_EQ(token_hash("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    SessionRegistry r;
    r.add(token_hash(a), {Principal{"amy", Role::dispatcher, std::nullopt, ""}, 1000});
    EXPECT_EQ(r.find(token_hash(a), 999)->username, "amy");
    EXPECT_FALSE(r.find(token_hash(a), 1000).has_value()); // expired
    EXPECT_FALSE(r.find(a, 10).has_value());               // the raw token is not a key
    r.revoke(token_hash(a));
    EXPECT_FALSE(r.find(token_hash(a), 10).has_value());
}

TEST(LoginLimiter, BlocksAfterFiveFailuresUntilTheWindowPasses) {
    LoginLimiter limiter(5, 60'000);
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(limiter.retry_after_ms("amy", "10.0.0.1", 1000 + i), 0);
        limiter.record_failure("amy", "10.0.0.1", 1000 + i);
    }
    EXPECT_GT(limiter.retry_after_ms("amy", "10.0.0.9", 2000), 0); // same user elsewhere
    EXPECT_GT(limiter.retry_after_ms("bob", "10.0.0.1", 2000), 0); // same place, other user
    EXPECT_EQ(limiter.retry_after_ms("bob", "10.0.0.9", 2000), 0);
    EXPECT_EQ(limiter.retry_after_ms("amy", "10.0.0.9", 61'001), 0); // window passed
}

TEST(Sessions, AllSessionsOfOneUserEndTogether) {
    SessionRegistry r;
    r.add("h1", {Principal{"amy", Role::dispatcher, std::nullopt, ""}, 1000});
    r.add("h2", {Principal{"amy", Role::dispatcher, std::nullopt, ""}, 1000});
    r.add("h3", {Principal{"bo", Role::dispatcher, std::nullopt, ""}, 1000});
    EXPECT_EQ(r.revoke_user("amy"), 2u);
    EXPECT_FALSE(r.find("h1", 10).has_value());
    EXPECT_FALSE(r.find("h2", 10).has_value());
    EXPECT_EQ(r.find("h3", 10)->username, "bo");
    EXPECT_EQ(r.revoke_user("amy"), 0u);
}

TEST(LoginLimiter, CountsFailuresInARowUntilASuccess) {
    LoginLimiter l;
    EXPECT_EQ(l.record_failure("amy", "10.0.0.1", 0), 1);
    EXPECT_EQ(l.record_failure("amy", "10.0.0.2", 10), 2) << "by user name, from any address";
    EXPECT_EQ(l.record_failure("bo", "10.0.0.1", 20), 1);
    l.record_success("amy");
    EXPECT_EQ(l.record_failure("amy", "10.0.0.1", 30), 1);
    // Not windowed: an hour later the run goes on (only an administrator ends a lockout).
    EXPECT_EQ(l.record_failure("amy", "10.0.0.1", 3'600'000), 2);
}

// A team name: up to 64 characters (not bytes) of valid UTF-8, no control characters.
TEST(Teams, ShortNamesWithoutControlCharacters) {
    EXPECT_TRUE(check_team(""));
    EXPECT_TRUE(check_team("东城派出所"));
    EXPECT_TRUE(check_team(std::string(64, 'x')));
    std::string chinese;
    for (int i = 0; i < 64; ++i)
        chinese += "队"; // 64 characters, 192 bytes
    EXPECT_TRUE(check_team(chinese));
    for (const std::string& bad :
         {std::string(65, 'x'), chinese + "队", std::string("a\tb"), std::string("a\x7f"),
          std::string("a\xc2\x85"), std::string("\xff")}) {
        auto r = check_team(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().field, "team");
    }
}
