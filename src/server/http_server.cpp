#include "server/http_server.hpp"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include "server/case_scope.hpp"
#include "server/role_matrix.hpp"

namespace pingan::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// A connection is plain TCP, or TLS over TCP when the server has a certificate.
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
template <class Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

constexpr int kCatchUpPage = 500;

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
            hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else if (plus_is_space && s[i] == '+') {
            out += ' ';
        } else {
            out += s[i];
        }
    }
    return out;
}

void parse_target(std::string_view target, Request& req) {
    const std::size_t q = target.find('?');
    req.path = percent_decode(target.substr(0, q), false);
    if (q == std::string_view::npos) return;
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        const std::size_t amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        const std::size_t eq = pair.find('=');
        std::string key = percent_decode(pair.substr(0, eq), true);
        std::string value = eq == std::string_view::npos
                                ? std::string()
                                : percent_decode(pair.substr(eq + 1), true);
        if (!key.empty()) req.query[std::move(key)] = std::move(value);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    }
}

std::string_view mime_type(const std::filesystem::path& p) {
    const std::string ext = p.extension().string();
    if (ext == ".html") return "text/html; charset=utf-8";
    if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".json") return "application/json";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".png") return "image/png";
    if (ext == ".woff2") return "font/woff2";
    if (ext == ".pbf" || ext == ".mvt") return "application/x-protobuf";
    return "application/octet-stream";
}

} // namespace

struct HttpServer::Impl {
    Options options;
    Router& router;
    Operations& ops;
    Metrics& metrics;
    net::io_context ioc;
    tcp::acceptor acceptor{ioc};
    net::signal_set signals{ioc, SIGINT, SIGTERM};
    net::steady_timer position_timer{ioc};
    std::optional<net::ssl::context> tls; // set when serving HTTPS
    std::vector<std::thread> threads;

    Impl(Options o, Router& r, Operations& op, Metrics& m)
        : options(std::move(o)), router(r), ops(op), metrics(m) {}

    base::Status load_tls();
    void accept();
    void flush_positions();
    std::optional<Response> static_file(const Request& req) const;
};

// ---------------------------------------------------------------------------------------------
// WebSocket stream: catch up from the store after `after`, then forward live events; a seq
// filter makes the hand-over gap-free and duplicate-free.

template <class Stream>
class StreamSession final : public StreamSubscriber,
                            public std::enable_shared_from_this<StreamSession<Stream>> {
public:
    StreamSession(Stream&& stream, HttpServer::Impl& server, std::int64_t after, bool case_events)
        : ws_(std::move(stream)), server_(server), last_sent_(after), case_events_(case_events) {}
    ~StreamSession() override { server_.metrics.stream_clients(-1); }

    void start(http::request<http::string_body> req) {
        server_.metrics.stream_clients(1);
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.set_option(websocket::stream_base::decorator(
            [](websocket::response_type& res) { res.set(http::field::server, "pingan"); }));
        ws_.read_message_max(64 * 1024);
        ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
            if (ec) return;
            self->server_.ops.hub().subscribe(self);
            self->read();
            self->catch_up();
        });
    }

    void deliver(FrameBatch batch) override {
        net::post(ws_.get_executor(),
                  [self = shared_from_this(), batch = std::move(batch)] { self->on_live(batch); });
    }

private:
    // Client messages are not commands; reading keeps ping/pong and close working.
    void read() {
        ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) {
                self->closed_ = true;
                return;
            }
            self->in_.consume(self->in_.size());
            self->read();
        });
    }

    void catch_up() {
        auto page = server_.ops.store().events_after(last_sent_, kCatchUpPage);
        if (!page) {
            close(websocket::close_code::try_again_later);
            return;
        }
        if (page->empty()) {
            catching_up_ = false;
            for (const FrameBatch& b : live_while_catching_up_)
                enqueue(b);
            live_while_catching_up_.clear();
        } else {
            auto frames = std::make_shared<std::vector<StreamFrame>>();
            for (const auto& r : *page)
                frames->push_back(StreamHub::event_frame(r));
            enqueue(frames);
        }
        write_next();
    }

    void on_live(const FrameBatch& batch) {
        if (closed_) return;
        if (catching_up_) {
            live_while_catching_up_.push_back(batch);
            if (live_while_catching_up_.size() > server_.options.stream_queue_limit)
                close(websocket::close_code::policy_error);
            return;
        }
        enqueue(batch);
        write_next();
    }

    void enqueue(const FrameBatch& batch) {
        for (std::size_t i = 0; i < batch->size(); ++i) {
            const StreamFrame& f = (*batch)[i];
            if (f.seq != 0) {
                if (f.seq <= last_sent_) continue; // already sent during catch-up
                last_sent_ = f.seq;
            }
            outbox_.emplace_back(batch, i);
        }
        if (outbox_.size() > server_.options.stream_queue_limit) {
            // A client this far behind is better served by reconnecting with ?after=.
            close(websocket::close_code::policy_error);
        }
    }

    void write_next() {
        if (writing_ || closed_) return;
        if (outbox_.empty()) {
            if (catching_up_) catch_up();
            return;
        }
        writing_ = true;
        const auto& [batch, index] = outbox_.front();
        ws_.text(true);
        const StreamFrame& frame = (*batch)[index];
        ws_.async_write(
            net::buffer(frame.restricted && !case_events_ ? frame.withheld : frame.text),
            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                self->writing_ = false;
                // Closed meanwhile (a client too far behind): the outbox holds only this frame.
                if (ec || self->closed_) {
                    self->closed_ = true;
                    self->outbox_.clear();
                    return;
                }
                self->outbox_.pop_front();
                self->write_next();
            });
    }

    void close(websocket::close_code code) {
        if (closed_) return;
        closed_ = true;
        // A write in flight still reads its frame: keep that one until it completes.
        outbox_.erase(writing_ && !outbox_.empty() ? outbox_.begin() + 1 : outbox_.begin(),
                      outbox_.end());
        ws_.async_close(code, [self = shared_from_this()](beast::error_code) {});
    }

    using std::enable_shared_from_this<StreamSession<Stream>>::shared_from_this;

    websocket::stream<Stream> ws_;
    HttpServer::Impl& server_;
    beast::flat_buffer in_;
    std::int64_t last_sent_;
    bool case_events_; // the client sees case events whole (CaseScope::events_whole)
    bool catching_up_ = true;
    bool writing_ = false;
    bool closed_ = false;
    std::deque<FrameBatch> live_while_catching_up_;
    std::deque<std::pair<FrameBatch, std::size_t>> outbox_;
};

// ---------------------------------------------------------------------------------------------
// HTTP/1.1 session: one request at a time, keep-alive.

template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
public:
    template <class... TlsContext>
    HttpSession(tcp::socket socket, HttpServer::Impl& server, TlsContext&... tls)
        : stream_(std::move(socket), tls...), server_(server), idle_(stream_.get_executor()) {
        beast::error_code ec;
        auto ep = tcp_socket().remote_endpoint(ec);
        client_ = ec ? "unknown" : ep.address().to_string();
        tcp_socket().set_option(tcp::no_delay(true), ec);
    }

    void start() {
        net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
            self->watch_idle(self->last_answer_);
            if constexpr (kIsTls<Stream>) {
                self->stream_.async_handshake(net::ssl::stream_base::server,
                                              [self](beast::error_code ec) {
                                                  if (ec) return self->close();
                                                  self->read();
                                              });
            } else {
                self->read();
            }
        });
    }

private:
    using std::enable_shared_from_this<HttpSession<Stream>>::shared_from_this;

    tcp::socket& tcp_socket() { return beast::get_lowest_layer(stream_).socket(); }

    // A connection that has not sent a whole request within the idle timeout of its last answer
    // (or of connecting) is closed. One timer per connection that wakes once a period, rather
    // than a deadline armed and cancelled around every read: that cost a timer operation and a
    // handler call in each request.
    void watch_idle(std::chrono::steady_clock::time_point from) {
        idle_.expires_at(from + server_.options.idle_timeout);
        idle_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec) return; // cancelled: the connection ended or became a WebSocket
            const auto now = std::chrono::steady_clock::now();
            if (self->working_) return self->watch_idle(now);
            if (now - self->last_answer_ < self->server_.options.idle_timeout) {
                return self->watch_idle(self->last_answer_); // answered since the timer was set
            }
            beast::get_lowest_layer(self->stream_).cancel(); // the read ends: on_read closes
        });
    }

    // The header first, then the body with the limit of the route it names: uploads may be
    // larger than other requests. The parser starts with the larger limit so that a declared
    // Content-Length is judged here, against the route's own limit.
    void read() {
        parser_.emplace();
        parser_->body_limit(std::max(server_.options.body_limit, server_.options.upload_limit));
        parser_->header_limit(16 * 1024);
        body_limit_ = server_.options.body_limit;
        http::async_read_header(stream_, buffer_, *parser_,
                                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                    self->on_header(ec);
                                });
    }

    void on_header(beast::error_code ec) {
        // A Content-Length over even the larger limit fails the header read: the message then
        // still names the limit of the route.
        const auto& header = parser_->get();
        if (is_upload(header.method_string(), header.target())) {
            body_limit_ = server_.options.upload_limit;
        }
        if (ec) return on_read(ec);
        if (const auto length = parser_->content_length(); length && *length > body_limit_) {
            return on_read(http::error::body_limit);
        }
        // No body octet is parsed yet: the limit may still change (chunked bodies).
        parser_->body_limit(body_limit_);
        // The body usually came with the header: parse what is here without a read operation.
        if (!parser_->is_done() && buffer_.size() > 0) {
            parser_->eager(true);
            beast::error_code parsed;
            buffer_.consume(parser_->put(buffer_.data(), parsed));
            if (parsed && parsed != http::error::need_more) return on_read(parsed);
        }
        if (parser_->is_done()) return on_read({});
        http::async_read(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_read(e); });
    }

    void on_read(beast::error_code ec) {
        if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
            ec == net::error::connection_reset || ec == net::error::eof) {
            return close(); // operation_aborted: idle for too long (watch_idle)
        }
        working_ = true;
        if (ec == http::error::body_limit) {
            keep_alive_ = false;
            return send(Response::problem(
                base::error(base::Code::body_too_large, "body",
                            fmt::format("body: larger than the limit of {} bytes", body_limit_))));
        }
        if (ec) {
            keep_alive_ = false;
            return send(Response::problem(
                base::error(base::Code::malformed_json, "request",
                            fmt::format("request: not a valid HTTP request ({})", ec.message()))));
        }
        http::request<http::string_body> req = parser_->release();
        keep_alive_ = req.keep_alive();
        version_ = req.version();

        Request request;
        request.method = std::string(req.method_string());
        parse_target(req.target(), request);
        request.body = std::move(req.body());
        request.content_type = std::string(req[http::field::content_type]);
        request.authorization = std::string(req[http::field::authorization]);
        request.idempotency_key = std::string(req["Idempotency-Key"]);
        request.client = client_;

        if (websocket::is_upgrade(req)) {
            if (request.path != "/api/v1/stream") {
                return send(Response::problem(
                    base::error(base::Code::not_found, "no WebSocket at this path")));
            }
            if (auto refused = server_.router.authorise(request, "GET", "/api/v1/stream")) {
                return send(std::move(*refused));
            }
            std::int64_t after = -1;
            if (const std::string* a = request.query_param("after")) {
                try {
                    after = std::stoll(*a);
                } catch (const std::exception&) {
                    after = -2;
                }
                if (after < 0) {
                    return send(Response::problem(
                        base::error(base::Code::bad_argument, "after",
                                    "after: must be a sequence number (0 for everything)")));
                }
            }
            if (after < 0) {
                // Without ?after= a client gets what happens from now on.
                auto head = server_.ops.store().head_seq();
                after = head ? *head : 0;
            }
            idle_.cancel();
            const bool case_events = CaseScope(request.principal).events_whole();
            auto ws = std::make_shared<StreamSession<Stream>>(std::move(stream_), server_, after,
                                                              case_events);
            ws->start(std::move(req));
            return;
        }
        if (auto file = server_.static_file(request)) return send(std::move(*file));

        server_.router.handle(request, [self = shared_from_this()](Response res) {
            net::post(self->stream_.get_executor(),
                      [self, res = std::move(res)]() mutable { self->send(std::move(res)); });
        });
    }

    // The response is rendered into one buffer by hand: Beast's serializer cost more per
    // request than the rest of a position update together.
    void send(Response res) {
        // From here the client has the idle timeout to take the answer and send the next
        // request: one that never reads its answers does not hold the connection for good.
        working_ = false;
        last_answer_ = std::chrono::steady_clock::now();
        auto wire = std::make_shared<std::string>();
        wire->reserve(256 + res.body.size());
        *wire += version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
        *wire += std::to_string(res.status);
        *wire += ' ';
        *wire += http::obsolete_reason(static_cast<http::status>(res.status));
        *wire +=
            "\r\nServer: pingan\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n";
        if constexpr (kIsTls<Stream>) *wire += "Strict-Transport-Security: max-age=31536000\r\n";
        if (!res.content_type.empty()) *wire += "Content-Type: " + res.content_type + "\r\n";
        for (const auto& [name, value] : res.headers)
            *wire += name + ": " + value + "\r\n";
        if (res.status != 204)
            *wire += "Content-Length: " + std::to_string(res.body.size()) + "\r\n";
        if (!keep_alive_) {
            *wire += "Connection: close\r\n";
        } else if (version_ == 10) {
            *wire += "Connection: keep-alive\r\n";
        }
        *wire += "\r\n";
        if (res.status != 204) *wire += res.body;
        net::async_write(stream_, net::buffer(*wire),
                         [self = shared_from_this(), wire](beast::error_code ec, std::size_t) {
                             if (ec || !self->keep_alive_) return self->close();
                             self->read();
                         });
    }

    void close() {
        idle_.cancel();
        if constexpr (kIsTls<Stream>) {
            beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
            stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
                beast::error_code ec;
                self->tcp_socket().shutdown(tcp::socket::shutdown_send, ec);
            });
        } else {
            beast::error_code ec;
            tcp_socket().shutdown(tcp::socket::shutdown_send, ec);
        }
    }

    Stream stream_;
    HttpServer::Impl& server_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::size_t body_limit_ = 0; // of the request being read
    net::steady_timer idle_;
    std::chrono::steady_clock::time_point last_answer_ = std::chrono::steady_clock::now();
    bool working_ = false; // a request is being worked on: not idle however long that takes
    std::string client_;
    bool keep_alive_ = true;
    unsigned version_ = 11;
};

// ---------------------------------------------------------------------------------------------

std::optional<Response> HttpServer::Impl::static_file(const Request& req) const {
    if (options.static_dir.empty() || req.method != "GET") return std::nullopt;
    const std::string& p = req.path;
    if (p.rfind("/api/", 0) == 0 || p == "/healthz" || p == "/metrics" ||
        p.rfind("/tiles/", 0) == 0) {
        return std::nullopt;
    }
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path root = fs::canonical(options.static_dir, ec);
    if (ec) return std::nullopt;
    fs::path file = fs::weakly_canonical(root / fs::path(p).relative_path(), ec);
    // Only files inside the console's folder; anything else gets the single-page app.
    const std::string rel = fs::relative(file, root, ec).string();
    if (ec || rel.empty() || rel.rfind("..", 0) == 0 || !fs::is_regular_file(file, ec)) {
        file = root / "index.html";
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream body;
    body << in.rdbuf();
    Response res{200, std::string(mime_type(file)), body.str(), {}};
    // Video: hls.js fetches playlists and segments from the cameras' servers and plays them
    // through a blob: source.
    std::string media;
    for (const std::string& origin : options.media_origins)
        media += " " + origin;
    res.headers.emplace_back(
        "Content-Security-Policy",
        "default-src 'self'; connect-src 'self' ws: wss:" + media +
            "; img-src 'self' data: blob:; media-src 'self' blob:" + media +
            "; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; object-src 'none'; "
            "frame-ancestors 'none'");
    res.headers.emplace_back("Referrer-Policy", "no-referrer");
    return res;
}

void HttpServer::Impl::accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted) return;
        if (!ec && tls) {
            std::make_shared<HttpSession<TlsStream>>(std::move(socket), *this, *tls)->start();
        } else if (!ec) {
            std::make_shared<HttpSession<PlainStream>>(std::move(socket), *this)->start();
        }
        accept();
    });
}

void HttpServer::Impl::flush_positions() {
    position_timer.expires_after(std::chrono::seconds(1));
    position_timer.async_wait([this](beast::error_code ec) {
        if (ec) return;
        ops.hub().flush_positions(ops.clock().now_ms());
        flush_positions();
    });
}

HttpServer::HttpServer(Options options, Router& router, Operations& ops, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, ops, metrics)) {
    // A plain GET on the stream route (no upgrade) is answered here: it needs a WebSocket.
    router.add("GET", "/api/v1/stream", [](Request&, Reply reply) {
        Response res = Response::problem(base::error(base::Code::bad_argument, "Upgrade",
                                                     "Upgrade: /api/v1/stream is a WebSocket"));
        res.status = 426;
        res.headers.emplace_back("Upgrade", "websocket");
        reply(std::move(res));
    });
}

HttpServer::~HttpServer() {
    stop();
}

// TLS 1.2 or newer with the certificate chain and key named in the options.
base::Status HttpServer::Impl::load_tls() {
    if (options.tls_cert.empty() && options.tls_key.empty()) return {};
    if (options.tls_cert.empty() || options.tls_key.empty()) {
        const char* missing = options.tls_cert.empty() ? "tls-cert" : "tls-key";
        return base::error(base::Code::bad_argument, missing,
                           fmt::format("--{}: needed with --tls-cert and --tls-key", missing));
    }
    net::ssl::context ctx(net::ssl::context::tls_server);
    ctx.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                    net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                    net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
    beast::error_code ec;
    ctx.use_certificate_chain_file(options.tls_cert, ec);
    if (ec) {
        return base::error(
            base::Code::bad_argument, "tls-cert",
            fmt::format("--tls-cert: cannot use '{}': {}", options.tls_cert, ec.message()));
    }
    ctx.use_private_key_file(options.tls_key, net::ssl::context::pem, ec);
    if (ec) {
        return base::error(
            base::Code::bad_argument, "tls-key",
            fmt::format("--tls-key: cannot use '{}': {}", options.tls_key, ec.message()));
    }
    tls.emplace(std::move(ctx));
    return {};
}

base::Result<unsigned short> HttpServer::listen() {
    if (auto loaded = impl_->load_tls(); !loaded) return loaded.error();
    beast::error_code ec;
    const auto address = net::ip::make_address(impl_->options.bind, ec);
    if (ec) {
        return base::error(base::Code::bad_argument, "bind",
                           fmt::format("--bind: '{}' is not an IP address", impl_->options.bind));
    }
    const tcp::endpoint endpoint(address, impl_->options.port);
    auto& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        return base::error(base::Code::unavailable, "port",
                           fmt::format("cannot listen on {}:{}: {}", impl_->options.bind,
                                       impl_->options.port, ec.message()));
    }
    return acceptor.local_endpoint().port();
}

void HttpServer::run() {
    Impl& s = *impl_;
    s.accept();
    s.flush_positions();
    s.signals.async_wait([this](beast::error_code ec, int sig) {
        if (ec) return;
        spdlog::info("signal {}: stopping", sig);
        stop();
    });
    unsigned n = s.options.threads != 0 ? s.options.threads : std::thread::hardware_concurrency();
    if (n == 0) n = 2;
    for (unsigned i = 1; i < n; ++i)
        s.threads.emplace_back([&s] { s.ioc.run(); });
    s.ioc.run();
    for (auto& t : s.threads) {
        if (t.joinable()) t.join();
    }
    s.threads.clear();
}

void HttpServer::stop() {
    net::post(impl_->ioc, [this] {
        beast::error_code ec;
        impl_->acceptor.close(ec);
        impl_->position_timer.cancel();
        impl_->signals.cancel();
    });
    impl_->ioc.stop();
}

} // namespace pingan::server
