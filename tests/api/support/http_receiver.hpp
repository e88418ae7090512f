// A real HTTP server on a loopback port standing in for another system (the 12345 line's
// Open311 endpoint): it records what it receives and answers as the test tells it to —
// accept, fail, answer slowly, or be down altogether.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pingan::test {

class HttpReceiver {
public:
    enum class Mode { accept, fail, slow, down };

    struct Received {
        std::string target;
        std::string content_type;
        std::string idempotency_key;
        std::string body;
    };

    HttpReceiver(); // listening, in accept mode
    ~HttpReceiver();
    HttpReceiver(const HttpReceiver&) = delete;
    HttpReceiver& operator=(const HttpReceiver&) = delete;

    unsigned short port() const { return port_; }
    std::string url(const std::string& path = "/open311/v2/requests.json") const;
    // down: the port is closed (connections are refused) until another mode is set.
    void set_mode(Mode mode, std::chrono::milliseconds slow_delay = std::chrono::milliseconds(0));
    std::vector<Received> received() const;
    // Requests answered 2xx, each idempotency key once: the service requests it created.
    std::size_t created() const;

private:
    void open();
    void close();
    void serve();

    struct Impl;
    std::unique_ptr<Impl> impl_;
    unsigned short port_ = 0;
    mutable std::mutex mutex_;
    Mode mode_ = Mode::accept;
    std::chrono::milliseconds delay_{0};
    std::vector<Received> received_;
    std::map<std::string, std::string> ids_; // idempotency key -> service_request_id
    std::thread thread_;
    std::atomic<bool> stopping_{false};
};

} // namespace pingan::test
