// Failed-login throttling. After `max_failures` failures for one user name or one client
// address within `window`, further attempts for it are refused until the window has passed.
// Counting by both keys stops guessing one account from many places and many accounts from
// one place.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "base/time.hpp"

namespace pingan::auth {

class LoginLimiter {
public:
    explicit LoginLimiter(int max_failures = 5, base::TimeMs window_ms = 5 * 60'000)
        : max_failures_(max_failures), window_ms_(window_ms) {}

    // Milliseconds to wait before the next attempt is allowed; 0 when allowed now.
    base::TimeMs retry_after_ms(const std::string& username, const std::string& client,
                                base::TimeMs now);
    // Returns the user name's failures in a row since its last success (for the lockout that
    // an administrator lifts: serve --lock-after).
    int record_failure(const std::string& username, const std::string& client, base::TimeMs now);
    void record_success(const std::string& username);

private:
    base::TimeMs wait_for(const std::string& key, base::TimeMs now);
    int max_failures_;
    base::TimeMs window_ms_;
    std::mutex mutex_;
    std::unordered_map<std::string, std::deque<base::TimeMs>> failures_; // key -> failure times
    std::unordered_map<std::string, int> in_a_row_;                      // user name -> failures
};

} // namespace pingan::auth
