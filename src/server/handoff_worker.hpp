// Delivers the outbox: Open311 service requests for calls diverted to the 12345 line. Each
// attempt's outcome is an event (so delivery is visible on the incident and in the log);
// failures are retried with growing waits, and an alert is raised after repeated failures.
#pragma once

#include "server/centre.hpp"
#include "server/operations.hpp"
#include "server/ticker.hpp"

namespace pingan::server {

class HandoffWorker {
public:
    HandoffWorker(Operations& ops, const HandoffConfig& config);
    ~HandoffWorker();
    HandoffWorker(const HandoffWorker&) = delete;
    HandoffWorker& operator=(const HandoffWorker&) = delete;

    void start(); // no-op without a configured url
    void stop();
    // One pass over everything due now.
    void run_once();

private:
    void deliver(const store::OutboxItem& item);

    Operations& ops_;
    const HandoffConfig& config_;
    Ticker ticker_; // every poll_ms
};

} // namespace pingan::server
