#include "store/committer.hpp"

namespace pingan::store {

Committer::Committer(Store& store, Hooks hooks, std::size_t max_batch)
    : store_(store), hooks_(std::move(hooks)), max_batch_(max_batch), thread_([this] { run(); }) {}

Committer::~Committer() {
    stop();
}

void Committer::submit(Change change, Done done) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) {
            done(Outcome{base::error(base::Code::unavailable, "the server is shutting down"), {}});
            return;
        }
        queue_.push_back(Item{std::move(change), std::move(done)});
    }
    wake_.notify_one();
}

void Committer::fail_queued(const base::Error& e) {
    std::deque<Item> failed;
    {
        std::lock_guard lock(mutex_);
        failed.swap(queue_);
    }
    for (Item& item : failed)
        item.done(Outcome{e, {}});
}

void Committer::request_catch_up() {
    {
        std::lock_guard lock(mutex_);
        catch_up_requested_ = true;
    }
    wake_.notify_one();
}

void Committer::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && !thread_.joinable()) return;
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void Committer::run() {
    std::vector<Item> batch;
    std::vector<Change> changes;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || catch_up_requested_ || !queue_.empty(); });
            if (catch_up_requested_) {
                catch_up_requested_ = false;
                lock.unlock();
                if (hooks_.catch_up) hooks_.catch_up();
                continue;
            }
            if (queue_.empty()) return; // stopping and drained
            const std::size_t n = std::min(queue_.size(), max_batch_);
            batch.clear();
            batch.reserve(n);
            for (std::size_t i = 0; i < n; ++i) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        changes.clear();
        changes.reserve(batch.size());
        for (Item& item : batch)
            changes.push_back(std::move(item.change));

        const auto started = std::chrono::steady_clock::now();
        const std::int64_t expected = expected_head_;
        auto result = store_.commit(changes, expected);
        const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::steady_clock::now() - started);
        if (!result) {
            for (Item& item : batch)
                item.done(Outcome{result.error(), {}});
            if (hooks_.failed) hooks_.failed(result.error());
            continue;
        }
        CommitResult& committed = result.value();
        if (expected != Store::kAnyHead && !committed.records.empty()) {
            expected_head_ = committed.records.back().seq;
        }
        for (std::size_t i = 0; i < batch.size(); ++i) {
            Outcome outcome;
            outcome.error = committed.errors[i];
            const auto [begin, end] = committed.ranges[i];
            outcome.records.assign(committed.records.begin() + static_cast<std::ptrdiff_t>(begin),
                                   committed.records.begin() + static_cast<std::ptrdiff_t>(end));
            batch[i].done(std::move(outcome));
        }
        if (hooks_.observed) hooks_.observed(batch.size(), committed.records.size(), took);
        if (hooks_.published && !committed.records.empty()) hooks_.published(committed.records);
        // A change refused by the store was applied in advance by its command: the owner
        // must rebuild that state as after a failed batch.
        for (const auto& e : committed.errors) {
            if (e && hooks_.failed) {
                hooks_.failed(*e);
                break;
            }
        }
    }
}

} // namespace pingan::store
