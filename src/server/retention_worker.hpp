// Deletes caller details once the retention period has passed since they were recorded. Runs
// on the centre's clock (so tests move it with the manual clock): every hour of that clock, and
// at start. Each pass deletes at most a batch per command, as one event `callers.purged` that
// names the incidents (never the details) and the side write that deletes them, in one
// transaction.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "server/operations.hpp"

namespace pingan::server {

class RetentionWorker {
public:
    // retention_ms <= 0: keep caller details forever (the worker does nothing).
    RetentionWorker(Operations& ops, base::TimeMs retention_ms);
    ~RetentionWorker();
    RetentionWorker(const RetentionWorker&) = delete;
    RetentionWorker& operator=(const RetentionWorker&) = delete;

    void start();
    void stop();
    // Deletes everything due at the clock's time now; returns how many incidents' callers.
    std::size_t run_once();

private:
    Operations& ops_;
    base::TimeMs retention_ms_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
};

} // namespace pingan::server
