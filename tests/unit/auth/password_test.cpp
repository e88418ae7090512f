#include <gtest/gtest.h>

#include "auth/password.hpp"

using namespace pingan::auth;

TEST(Password, HashIsArgon2idAndVerifies) {
    const std::string hash = hash_password("Correct-Horse-7");
    EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
    EXPECT_TRUE(verify_password(hash, "Correct-Horse-7"));
    EXPECT_FALSE(verify_password(hash, "correct-horse-7"));
    EXPECT_FALSE(verify_password("garbage", "Correct-Horse-7"));
    EXPECT_NE(hash_password("Correct-Horse-7"), hash); // salted
}

TEST(Password, PolicyNamesTheProblem) {
    EXPECT_FALSE(check_password_policy("amy", "short1A").ok());
    EXPECT_FALSE(check_password_policy("amy", "alllowercaseletters").ok());
    EXPECT_FALSE(check_password_policy("amy_dispatch1", "amy_dispatch1").ok());
    EXPECT_EQ(check_password_policy("amy", "short").error().field, "password");
    EXPECT_TRUE(check_password_policy("amy", "night-shift-2026").ok());
}
