// Group commit. Commands from many connections queue here; one thread takes everything
// queued, commits it as one durable transaction, then completes each command and publishes
// the new events. Under load batches grow, so one fsync serves many commands.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "store/store.hpp"

namespace pingan::store {

class Committer {
public:
    // What one change became: its committed events, or why it was refused.
    struct Outcome {
        std::optional<base::Error> error;
        std::vector<EventRecord> records;
    };
    using Done = std::function<void(Outcome)>;
    struct Hooks {
        // After each durable batch, with all of its events in seq order.
        std::function<void(const std::vector<EventRecord>&)> published;
        // After a batch failed as a whole (nothing of it stored). Runs on the commit thread;
        // the owner should call fail_queued() and rebuild whatever it applied in advance.
        std::function<void(const base::Error&)> failed;
        // Measurements of each batch.
        std::function<void(std::size_t changes, std::size_t events, std::chrono::microseconds)>
            observed;
        // After request_catch_up(), between two batches (so none is in flight).
        std::function<void()> catch_up;
    };

    Committer(Store& store, Hooks hooks, std::size_t max_batch = 8192);
    ~Committer();
    Committer(const Committer&) = delete;
    Committer& operator=(const Committer&) = delete;

    // Queues a change; `done` runs on the commit thread once it is durable or refused.
    void submit(Change change, Done done);
    // Fails every queued change with `e` (they were applied in advance on top of a failed batch).
    void fail_queued(const base::Error& e);
    // Commits what is queued, then stops the thread. Idempotent.
    void stop();

    // Commits only on top of this head from now on (Store::commit's expected_head), following
    // the head with each batch; Store::kAnyHead (the default) turns the fence off.
    void fence(std::int64_t head) { expected_head_ = head; }
    std::int64_t fenced_head() const { return expected_head_; }
    // Runs hooks.catch_up on the commit thread before the next batch.
    void request_catch_up();

private:
    struct Item {
        Change change;
        Done done;
    };
    void run();

    Store& store_;
    Hooks hooks_;
    std::size_t max_batch_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Item> queue_;
    bool stopping_ = false;
    bool catch_up_requested_ = false;
    std::atomic<std::int64_t> expected_head_{Store::kAnyHead};
    std::thread thread_;
};

} // namespace pingan::store
