#include "server/ticker.hpp"

namespace pingan::server {

Ticker::Ticker(std::chrono::milliseconds every, std::function<void()> task)
    : every_(every), task_(std::move(task)) {}

Ticker::~Ticker() {
    stop();
}

void Ticker::start() {
    if (thread_.joinable()) return;
    thread_ = std::thread([this] {
        std::unique_lock lock(mutex_);
        while (!wake_.wait_for(lock, every_, [this] { return stopping_; })) {
            lock.unlock();
            task_();
            lock.lock();
        }
    });
}

void Ticker::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

} // namespace pingan::server
