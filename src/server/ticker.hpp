// A thread that runs a task every so often until stopped (the 12345 outbox, the patrol desk's
// alerts and silent units). The task runs to its end before the next wait begins.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace pingan::server {

class Ticker {
public:
    Ticker(std::chrono::milliseconds every, std::function<void()> task);
    ~Ticker();
    Ticker(const Ticker&) = delete;
    Ticker& operator=(const Ticker&) = delete;

    void start();
    void stop();

private:
    std::chrono::milliseconds every_;
    std::function<void()> task_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
};

} // namespace pingan::server
