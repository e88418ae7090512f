#include "server/operations.hpp"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

namespace pingan::server {

Operations::Operations(store::Store& store, const base::Clock& clock, ops::BoardConfig config,
                       StreamHub& hub, Metrics& metrics)
    : store_(store), clock_(clock), hub_(hub), metrics_(metrics), board_(config) {}

Operations::~Operations() {
    stop();
}

base::Status Operations::start() {
    {
        std::lock_guard lock(mutex_);
        auto snapshot = store_.load_board();
        if (!snapshot) return snapshot.error();
        board_.load(std::move(snapshot).value());
    }
    store::Committer::Hooks hooks;
    hooks.published = [this](const std::vector<store::EventRecord>& records) {
        hub_.publish(records);
    };
    hooks.failed = [this](const base::Error& e) { on_commit_failed(e); };
    hooks.observed = [this](std::size_t changes, std::size_t events, std::chrono::microseconds t) {
        metrics_.commit_batch(changes, events, static_cast<double>(t.count()) / 1e6);
    };
    committer_ = std::make_unique<store::Committer>(store_, std::move(hooks));
    return {};
}

void Operations::stop() {
    if (committer_) committer_->stop();
}

bool Operations::reload_locked() {
    auto snapshot = store_.load_board();
    if (!snapshot) {
        spdlog::error("cannot rebuild the board from the store: {}", snapshot.error().detail);
        board_stale_ = true;
        healthy_ = false;
        return false;
    }
    board_.load(std::move(snapshot).value());
    board_stale_ = false;
    healthy_ = true;
    return true;
}

void Operations::on_commit_failed(const base::Error& e) {
    spdlog::error("commit failed: {}; refusing queued commands and rebuilding the board", e.detail);
    std::lock_guard lock(mutex_);
    committer_->fail_queued(base::error(base::Code::unavailable,
                                        "the store refused an earlier write; retry this request"));
    reload_locked();
}

void Operations::execute(const Command& command, Done done) {
    std::unique_lock lock(mutex_);
    if (board_stale_ && !reload_locked()) {
        lock.unlock();
        done(base::error(base::Code::unavailable, "the store is unavailable; retry shortly"));
        return;
    }
    store::Change change;
    auto result = command(board_, clock_.now_ms(), change);
    if (!result || (change.events.empty() && change.side.empty())) {
        lock.unlock();
        done(std::move(result));
        return;
    }
    // Submitted under the lock: commit order is command order.
    committer_->submit(std::move(change),
                       [this, body = std::move(result).value(),
                        done = std::move(done)](store::Committer::Outcome outcome) mutable {
                           if (outcome.error) {
                               done(std::move(*outcome.error));
                               return;
                           }
                           done(std::move(body));
                       });
}

} // namespace pingan::server
