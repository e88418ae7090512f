#include "support/http_client.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>

namespace pingan::test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

nlohmann::json HttpResult::json() const {
    return nlohmann::json::parse(body, nullptr, false);
}

std::string HttpResult::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

struct HttpClient::Impl {
    net::io_context ioc;
    beast::tcp_stream stream{ioc};
    beast::flat_buffer buffer;
    unsigned short port;
    bool connected = false;

    void connect() {
        tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port);
        beast::error_code ec;
        stream.socket().close(ec);
        stream.connect(ep, ec);
        if (ec) throw std::runtime_error("connect: " + ec.message());
        connected = true;
    }
};

HttpClient::HttpClient(unsigned short port) : impl_(std::make_unique<Impl>()) {
    impl_->port = port;
}

HttpClient::~HttpClient() {
    beast::error_code ec;
    impl_->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
}

HttpResult HttpClient::request(const std::string& method, const std::string& target,
                               const std::string& body, const std::string& token,
                               const std::map<std::string, std::string>& headers) {
    if (!impl_->connected) impl_->connect();
    http::request<http::string_body> req(http::string_to_verb(method), target, 11);
    req.set(http::field::host, "127.0.0.1");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    for (const auto& [k, v] : headers)
        req.set(k, v);
    if (!body.empty() || method == "POST") {
        // JSON unless the caller names another type (uploads of raw bytes).
        if (req.find(http::field::content_type) == req.end())
            req.set(http::field::content_type, "application/json");
        req.body() = body;
    }
    req.keep_alive(true);
    req.prepare_payload();
    beast::error_code ec;
    http::write(impl_->stream, req, ec);
    // A server may answer and close before reading a body it refuses (413): read anyway.
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    beast::error_code read_ec;
    http::read(impl_->stream, impl_->buffer, parser, read_ec);
    if (!read_ec)
        ec = {};
    else if (!ec)
        ec = read_ec;
    if (ec) {
        impl_->connected = false;
        throw std::runtime_error(method + " " + target + ": " + ec.message());
    }
    auto res = parser.release();
    HttpResult out;
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    for (const auto& field : res) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        out.headers[name] = std::string(field.value());
    }
    if (!res.keep_alive()) impl_->connected = false;
    return out;
}

// A reader thread fills a queue, so that waiting with a timeout never disturbs the stream.
struct StreamClient::Impl {
    net::io_context ioc;
    websocket::stream<beast::tcp_stream> ws{ioc};
    std::thread reader;
    std::mutex mutex;
    std::condition_variable arrived;
    std::deque<std::string> messages;
    bool finished = false;

    void read_loop() {
        beast::flat_buffer buffer;
        for (;;) {
            beast::error_code ec;
            ws.read(buffer, ec);
            std::lock_guard lock(mutex);
            if (ec) {
                finished = true;
                arrived.notify_all();
                return;
            }
            messages.push_back(beast::buffers_to_string(buffer.data()));
            buffer.consume(buffer.size());
            arrived.notify_all();
        }
    }
};

StreamClient::StreamClient(unsigned short port, const std::string& target)
    : impl_(std::make_unique<Impl>()) {
    tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port);
    beast::get_lowest_layer(impl_->ws).connect(ep);
    impl_->ws.handshake("127.0.0.1", target); // throws on refusal (e.g. 401)
    impl_->reader = std::thread([this] { impl_->read_loop(); });
}

StreamClient::~StreamClient() {
    close();
}

std::optional<std::string> StreamClient::next(std::chrono::milliseconds timeout) {
    std::unique_lock lock(impl_->mutex);
    impl_->arrived.wait_for(lock, timeout,
                            [&] { return !impl_->messages.empty() || impl_->finished; });
    if (impl_->messages.empty()) return std::nullopt;
    std::string m = std::move(impl_->messages.front());
    impl_->messages.pop_front();
    return m;
}

std::optional<nlohmann::json> StreamClient::next_event(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        auto text = next(std::max(left, std::chrono::milliseconds(1)));
        if (!text) return std::nullopt;
        auto j = nlohmann::json::parse(*text, nullptr, false);
        if (j.is_object() && j.contains("seq")) return j;
    }
    return std::nullopt;
}

void StreamClient::close() {
    if (!impl_->reader.joinable()) return;
    beast::error_code ec;
    beast::get_lowest_layer(impl_->ws).socket().shutdown(tcp::socket::shutdown_both, ec);
    impl_->reader.join();
    beast::get_lowest_layer(impl_->ws).socket().close(ec);
}

std::string login(unsigned short port, const std::string& user, const std::string& password) {
    HttpClient c(port);
    auto r = c.post("/api/v1/login", {{"username", user}, {"password", password}});
    EXPECT_EQ(r.status, 200) << r.body;
    auto j = r.json();
    return j.is_object() && j.contains("token") ? j["token"].get<std::string>() : std::string();
}

} // namespace pingan::test
