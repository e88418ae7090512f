// Bearer-token sessions. A token is 32 random bytes (hex); only its SHA-256 is kept, in
// memory and in the store, so a copy of the database does not hand out live tokens.
#pragma once

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "auth/role.hpp"
#include "base/result.hpp"
#include "base/time.hpp"

namespace pingan::auth {

// Who is calling: resolved from the token on every request.
struct Principal {
    std::string username;
    Role role = Role::analyst;
    std::optional<std::int64_t> unit_id; // for role unit: the only unit it may report for
    std::string team; // station or squad (派出所/中队) of the account; empty: centre level
};

// A team name as an account or a case carries it: at most 64 characters of valid UTF-8, no
// control characters (empty is allowed: centre level). The error names the field `team`.
base::Status check_team(std::string_view team);

std::string new_token();                        // 64 hex characters
std::string token_hash(std::string_view token); // SHA-256 hex

class SessionRegistry {
public:
    struct Session {
        Principal principal;
        base::TimeMs expires_at = 0;
    };

    void add(const std::string& token_hash, Session s);
    // Replaces every session (another server opened or revoked some in the shared store).
    void replace_all(std::unordered_map<std::string, Session> sessions);
    void revoke(const std::string& token_hash);
    // Ends every session of the user; returns how many.
    std::size_t revoke_user(const std::string& username);
    // The live sessions of the user this server holds (expired ones too, until swept).
    std::size_t count_of(const std::string& username) const;
    // The principal of a live session, or nothing (unknown, revoked or expired).
    std::optional<Principal> find(const std::string& token_hash, base::TimeMs now) const;
    std::size_t size() const;

private:
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, Session> sessions_;
};

} // namespace pingan::auth
