#include "support/http_receiver.hpp"

#include <utility> // before Asio: its awaitable.hpp uses std::exchange

#include <boost/asio.hpp>
#include <boost/beast.hpp>

namespace pingan::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpReceiver::Impl {
    asio::io_context io;
    std::unique_ptr<tcp::acceptor> acceptor;
};

HttpReceiver::HttpReceiver() : impl_(std::make_unique<Impl>()) {
    open();
}

HttpReceiver::~HttpReceiver() {
    close();
}

std::string HttpReceiver::url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void HttpReceiver::open() {
    stopping_ = false;
    impl_->acceptor = std::make_unique<tcp::acceptor>(impl_->io);
    const tcp::endpoint at(asio::ip::make_address("127.0.0.1"), port_);
    impl_->acceptor->open(at.protocol());
    impl_->acceptor->set_option(asio::socket_base::reuse_address(true));
    impl_->acceptor->bind(at);
    impl_->acceptor->listen();
    port_ = impl_->acceptor->local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
}

void HttpReceiver::close() {
    if (!thread_.joinable()) return;
    stopping_ = true;
    // Wake the blocking accept with a connection of our own.
    try {
        asio::io_context io;
        tcp::socket s(io);
        s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    } catch (const std::exception&) {
    }
    thread_.join();
    boost::system::error_code ec;
    impl_->acceptor->close(ec);
    impl_->acceptor.reset();
}

void HttpReceiver::set_mode(Mode mode, std::chrono::milliseconds slow_delay) {
    {
        std::lock_guard lock(mutex_);
        if (mode == mode_ && slow_delay == delay_) return;
        delay_ = slow_delay;
    }
    const bool was_down = mode_ == Mode::down;
    if (mode == Mode::down && !was_down) close();
    {
        std::lock_guard lock(mutex_);
        mode_ = mode;
    }
    if (mode != Mode::down && was_down) open();
}

std::vector<HttpReceiver::Received> HttpReceiver::received() const {
    std::lock_guard lock(mutex_);
    return received_;
}

std::size_t HttpReceiver::created() const {
    std::lock_guard lock(mutex_);
    return ids_.size();
}

// One request per connection, answered in the current mode.
void HttpReceiver::serve() {
    while (!stopping_) {
        tcp::socket socket(impl_->io);
        boost::system::error_code ec;
        impl_->acceptor->accept(socket, ec);
        if (ec || stopping_) break;
        beast::flat_buffer buffer;
        http::request<http::string_body> req;
        http::read(socket, buffer, req, ec);
        if (ec) continue;
        Mode mode;
        std::chrono::milliseconds delay;
        Received r{std::string(req.target()), std::string(req[http::field::content_type]),
                   std::string(req["Idempotency-Key"]), req.body()};
        {
            std::lock_guard lock(mutex_);
            mode = mode_;
            delay = delay_;
            received_.push_back(r);
        }
        if (mode == Mode::slow) std::this_thread::sleep_for(delay);
        http::response<http::string_body> res;
        res.version(11);
        res.set(http::field::content_type, "application/json");
        if (mode == Mode::fail) {
            res.result(http::status::internal_server_error);
            res.body() = R"([{"code":500,"description":"the 12345 system is unavailable"}])";
        } else {
            std::string id;
            {
                std::lock_guard lock(mutex_);
                auto [it, fresh] = ids_.try_emplace(r.idempotency_key, "");
                if (fresh) it->second = "SR-" + std::to_string(ids_.size());
                id = it->second;
            }
            res.result(http::status::created);
            res.body() = R"([{"service_request_id":")" + id + R"("}])";
        }
        res.prepare_payload();
        http::write(socket, res, ec);
        socket.shutdown(tcp::socket::shutdown_both, ec);
    }
}

} // namespace pingan::test
