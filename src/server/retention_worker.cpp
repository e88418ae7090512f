#include "server/retention_worker.hpp"

#include <future>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "base/time.hpp"

namespace pingan::server {
namespace {

constexpr int kBatch = 1000;
constexpr base::TimeMs kEvery = 3'600'000; // one hour of the centre's clock

} // namespace

RetentionWorker::RetentionWorker(Operations& ops, base::TimeMs retention_ms)
    : ops_(ops), retention_ms_(retention_ms) {}

RetentionWorker::~RetentionWorker() {
    stop();
}

void RetentionWorker::start() {
    if (retention_ms_ <= 0 || thread_.joinable()) return;
    thread_ = std::thread([this] {
        base::TimeMs next = 0; // clock time of the next pass: now, at start
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            if (ops_.clock().now_ms() >= next) {
                lock.unlock();
                run_once();
                next = ops_.clock().now_ms() + kEvery;
                lock.lock();
            }
            wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
        }
    });
}

void RetentionWorker::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

std::size_t RetentionWorker::run_once() {
    std::size_t purged = 0;
    for (;;) {
        const base::TimeMs before = ops_.clock().now_ms() - retention_ms_;
        auto due = ops_.store().callers_recorded_before(before, kBatch);
        if (!due) {
            spdlog::warn("caller retention: {}", due.error().detail);
            return purged;
        }
        if (due->empty()) return purged;
        std::promise<bool> done;
        auto committed = done.get_future();
        ops_.execute(
            [&](ops::Board&, base::TimeMs at, store::Change& change) -> base::Result<std::string> {
                const nlohmann::json payload = {{"recorded_before", base::format_iso8601(before)},
                                                {"retention_days", retention_ms_ / 86'400'000},
                                                {"incidents", *due}};
                change.events.push_back(ops::Event::log_only(at, "system:retention",
                                                             "callers.purged", "callers", payload));
                change.side.push_back(store::CallerPurge{*due});
                return std::string("{}");
            },
            [&done](base::Result<std::string> r) { done.set_value(r.ok()); });
        if (!committed.get()) return purged; // the store refused; the next pass tries again
        purged += due->size();
        spdlog::info("caller retention: deleted the caller details of {} incidents recorded "
                     "before {}",
                     due->size(), base::format_iso8601(before));
        if (due->size() < static_cast<std::size_t>(kBatch)) return purged;
    }
}

} // namespace pingan::server
