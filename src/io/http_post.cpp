#include "io/http_post.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/core.h>

namespace pingan::io {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Url {
    std::string host;
    std::string port = "80";
    std::string target = "/";
};

bool parse_url(const std::string& url, Url& out) {
    constexpr std::string_view kScheme = "http://";
    if (url.rfind(kScheme, 0) != 0) return false;
    std::string rest = url.substr(kScheme.size());
    const auto slash = rest.find('/');
    if (slash != std::string::npos) {
        out.target = rest.substr(slash);
        rest = rest.substr(0, slash);
    }
    const auto colon = rest.rfind(':');
    if (colon != std::string::npos) {
        out.port = rest.substr(colon + 1);
        rest = rest.substr(0, colon);
    }
    out.host = rest;
    return !out.host.empty() && !out.port.empty();
}

} // namespace

base::Result<HttpReply> http_post(const std::string& url, const std::string& content_type,
                                  const std::string& body,
                                  const std::vector<std::pair<std::string, std::string>>& headers,
                                  std::chrono::milliseconds timeout) {
    Url u;
    if (!parse_url(url, u)) {
        return base::error(base::Code::bad_argument, "url",
                           fmt::format("url: '{}' is not an http:// address", url));
    }
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    beast::flat_buffer buffer;
    http::request<http::string_body> req(http::verb::post, u.target, 11);
    req.set(http::field::host, u.host);
    req.set(http::field::user_agent, "pingan");
    req.set(http::field::content_type, content_type);
    for (const auto& [k, v] : headers)
        req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::response<http::string_body> res;
    beast::error_code failure;
    std::string stage = "resolving";
    stream.expires_after(timeout);
    resolver.async_resolve(
        u.host, u.port, [&](beast::error_code ec, tcp::resolver::results_type r) {
            if (ec) {
                failure = ec;
                return;
            }
            stage = "connecting";
            stream.async_connect(r, [&](beast::error_code ec2, const tcp::endpoint&) {
                if (ec2) {
                    failure = ec2;
                    return;
                }
                stage = "sending";
                http::async_write(stream, req, [&](beast::error_code ec3, std::size_t) {
                    if (ec3) {
                        failure = ec3;
                        return;
                    }
                    stage = "waiting for the answer";
                    http::async_read(stream, buffer, res, [&](beast::error_code ec4, std::size_t) {
                        if (ec4) failure = ec4;
                    });
                });
            });
        });
    // The resolver has no deadline of its own; the whole exchange gets one.
    ioc.run_for(timeout + std::chrono::milliseconds(200));
    if (!ioc.stopped()) {
        ioc.stop();
        failure = beast::error::timeout;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    if (failure) {
        return base::error(
            base::Code::unavailable, "url",
            fmt::format("{} {}: {}", stage, url,
                        failure == beast::error::timeout ? "timed out" : failure.message()));
    }
    return HttpReply{static_cast<int>(res.result_int()), res.body()};
}

} // namespace pingan::io
