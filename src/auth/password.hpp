// Password hashing with argon2id (libsodium), and the password policy.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace pingan::auth {

// Policy: at least 10 characters, not all of one character class, not the user name.
base::Status check_password_policy(std::string_view username, std::string_view password);

// argon2id in libsodium's self-describing string format (salt and parameters included).
std::string hash_password(std::string_view password);

// Constant-time check of a password against a stored hash. False for malformed hashes.
bool verify_password(std::string_view stored_hash, std::string_view password);

} // namespace pingan::auth
