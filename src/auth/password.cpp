#include "auth/password.hpp"

#include <stdexcept>
#include <string>

#include <sodium.h>

namespace pingan::auth {
namespace {

void ensure_sodium() {
    static const bool ready = sodium_init() >= 0;
    if (!ready) throw std::runtime_error("libsodium failed to initialise");
}

} // namespace

base::Status check_password_policy(std::string_view username, std::string_view password) {
    using base::Code;
    if (password.size() < 10) {
        return base::error(Code::field_invalid, "password",
                           "password: must have at least 10 characters");
    }
    if (password.size() > 256) {
        return base::error(Code::field_too_long, "password", "password: at most 256 characters");
    }
    if (password == username) {
        return base::error(Code::field_invalid, "password", "password: must not be the user name");
    }
    bool lower = false;
    bool upper = false;
    bool digit = false;
    bool other = false;
    for (unsigned char c : password) {
        if (c >= 'a' && c <= 'z')
            lower = true;
        else if (c >= 'A' && c <= 'Z')
            upper = true;
        else if (c >= '0' && c <= '9')
            digit = true;
        else
            other = true;
    }
    if (static_cast<int>(lower) + static_cast<int>(upper) + static_cast<int>(digit) +
            static_cast<int>(other) <
        2) {
        return base::error(Code::field_invalid, "password",
                           "password: mix at least two of lower case, upper case, digits, others");
    }
    return {};
}

std::string hash_password(std::string_view password) {
    ensure_sodium();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(
            out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        throw std::runtime_error("out of memory while hashing a password");
    }
    return out;
}

bool verify_password(std::string_view stored_hash, std::string_view password) {
    ensure_sodium();
    if (stored_hash.size() >= crypto_pwhash_STRBYTES) return false;
    const std::string hash(stored_hash); // must be NUL-terminated for libsodium
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

} // namespace pingan::auth
