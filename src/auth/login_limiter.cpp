#include "auth/login_limiter.hpp"

#include <algorithm>

namespace pingan::auth {

base::TimeMs LoginLimiter::wait_for(const std::string& key, base::TimeMs now) {
    auto it = failures_.find(key);
    if (it == failures_.end()) return 0;
    auto& times = it->second;
    while (!times.empty() && times.front() <= now - window_ms_)
        times.pop_front();
    if (times.empty()) {
        failures_.erase(it);
        return 0;
    }
    if (static_cast<int>(times.size()) < max_failures_) return 0;
    // Allowed again when the oldest failure that keeps the count at the limit expires.
    const base::TimeMs oldest = times[times.size() - static_cast<std::size_t>(max_failures_)];
    return std::max<base::TimeMs>(1, oldest + window_ms_ - now);
}

base::TimeMs LoginLimiter::retry_after_ms(const std::string& username, const std::string& client,
                                          base::TimeMs now) {
    std::lock_guard lock(mutex_);
    return std::max(wait_for("user:" + username, now), wait_for("addr:" + client, now));
}

int LoginLimiter::record_failure(const std::string& username, const std::string& client,
                                 base::TimeMs now) {
    std::lock_guard lock(mutex_);
    failures_["user:" + username].push_back(now);
    failures_["addr:" + client].push_back(now);
    // Bound memory under a spray of random user names: forget the oldest keys.
    if (failures_.size() > 100'000) failures_.clear();
    if (in_a_row_.size() > 100'000) in_a_row_.clear();
    return ++in_a_row_[username];
}

void LoginLimiter::record_success(const std::string& username) {
    std::lock_guard lock(mutex_);
    failures_.erase("user:" + username);
    in_a_row_.erase(username);
}

} // namespace pingan::auth
