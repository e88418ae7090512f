#include "auth/sessions.hpp"

#include <algorithm>
#include <mutex>

#include <fmt/core.h>
#include <sodium.h>

#include "base/sha256.hpp"
#include "base/utf8.hpp"

namespace pingan::auth {
namespace {

std::string hex(const unsigned char* bytes, std::size_t n) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(n * 2, '0');
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = kHex[bytes[i] >> 4];
        out[2 * i + 1] = kHex[bytes[i] & 0xf];
    }
    return out;
}

} // namespace

base::Status check_team(std::string_view team) {
    constexpr std::size_t kMaxChars = 64;
    if (!base::valid_utf8(team)) {
        return base::error(base::Code::field_invalid, "team", "team: not valid UTF-8");
    }
    std::size_t chars = 0;
    for (std::size_t i = 0; i < team.size(); i += base::utf8_sequence(team, i)) {
        const auto b = static_cast<unsigned char>(team[i]);
        const bool c1 = b == 0xc2 && i + 1 < team.size() &&
                        static_cast<unsigned char>(team[i + 1]) < 0xa0; // U+0080..U+009F
        if (b < 0x20 || b == 0x7f || c1) {
            return base::error(base::Code::field_invalid, "team",
                               "team: holds a control character");
        }
        ++chars;
    }
    if (chars > kMaxChars) {
        return base::error(base::Code::field_too_long, "team",
                           fmt::format("team: longer than {} characters", kMaxChars));
    }
    return {};
}

std::string new_token() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    unsigned char bytes[32];
    randombytes_buf(bytes, sizeof bytes);
    return hex(bytes, sizeof bytes);
}

std::string token_hash(std::string_view token) {
    // OpenSSL's SHA-256 uses the CPU's SHA instructions; libsodium's does not.
    return base::sha256_hex(token);
}

void SessionRegistry::add(const std::string& hash, Session s) {
    std::unique_lock lock(mutex_);
    sessions_[hash] = std::move(s);
}

void SessionRegistry::replace_all(std::unordered_map<std::string, Session> sessions) {
    std::unique_lock lock(mutex_);
    sessions_.swap(sessions);
}

void SessionRegistry::revoke(const std::string& hash) {
    std::unique_lock lock(mutex_);
    sessions_.erase(hash);
}

std::size_t SessionRegistry::revoke_user(const std::string& username) {
    std::unique_lock lock(mutex_);
    return std::erase_if(
        sessions_, [&](const auto& entry) { return entry.second.principal.username == username; });
}

std::size_t SessionRegistry::count_of(const std::string& username) const {
    std::shared_lock lock(mutex_);
    return static_cast<std::size_t>(
        std::count_if(sessions_.begin(), sessions_.end(), [&](const auto& entry) {
            return entry.second.principal.username == username;
        }));
}

std::optional<Principal> SessionRegistry::find(const std::string& hash, base::TimeMs now) const {
    std::shared_lock lock(mutex_);
    auto it = sessions_.find(hash);
    if (it == sessions_.end() || it->second.expires_at <= now) return std::nullopt;
    return it->second.principal;
}

std::size_t SessionRegistry::size() const {
    std::shared_lock lock(mutex_);
    return sessions_.size();
}

} // namespace pingan::auth
