// Minimal synchronous HTTP/1.1 (keep-alive) and WebSocket clients for black-box tests.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace pingan::test {

struct HttpResult {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers; // lower-case names
    nlohmann::json json() const;
    std::string header(const std::string& lower_name) const;
};

// One keep-alive connection. Throws std::runtime_error when the connection fails.
class HttpClient {
public:
    explicit HttpClient(unsigned short port);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    HttpResult request(const std::string& method, const std::string& target,
                       const std::string& body = "", const std::string& token = "",
                       const std::map<std::string, std::string>& headers = {});
    HttpResult get(const std::string& target, const std::string& token = "") {
        return request("GET", target, "", token);
    }
    HttpResult post(const std::string& target, const nlohmann::json& body,
                    const std::string& token = "") {
        return request("POST", target, body.dump(), token);
    }
    HttpResult post_raw(const std::string& target, const std::string& body,
                        const std::string& token = "") {
        return request("POST", target, body, token);
    }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// A WebSocket client of /api/v1/stream.
class StreamClient {
public:
    // target: e.g. "/api/v1/stream?after=0&token=…". Throws on a failed handshake.
    StreamClient(unsigned short port, const std::string& target);
    ~StreamClient();
    StreamClient(const StreamClient&) = delete;
    StreamClient& operator=(const StreamClient&) = delete;

    // The next text message, or nothing after `timeout` or when the server closed.
    std::optional<std::string> next(std::chrono::milliseconds timeout);
    // Next message that is an event (has "seq"), skipping position frames.
    std::optional<nlohmann::json> next_event(std::chrono::milliseconds timeout);
    void close();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Logs in and returns the token (fails the test otherwise).
std::string login(unsigned short port, const std::string& user, const std::string& password);

} // namespace pingan::test
