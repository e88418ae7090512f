// HTTPS and WSS: with --tls-cert/--tls-key the server speaks only TLS, sends HSTS, and the
// stream works over WSS; a half or broken TLS configuration is refused at start with exit 2.
#include <cstdlib>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fixture.hpp"

namespace pingan::test {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

// A self-signed certificate for 127.0.0.1, made by the openssl command for this test only.
void make_certificate(const Scratch& scratch) {
    const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                            "-addext subjectAltName=IP:127.0.0.1 -keyout '" +
                            scratch.path("key.pem").string() + "' -out '" +
                            scratch.path("cert.pem").string() + "' >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl req failed";
}

// Verifies the server against the test's own certificate, as a pinned CA.
ssl::context client_context(const Scratch& scratch) {
    ssl::context ctx(ssl::context::tls_client);
    ctx.load_verify_file(scratch.path("cert.pem").string());
    ctx.set_verify_mode(ssl::verify_peer);
    return ctx;
}

class TlsTest : public ::testing::Test {
protected:
    void SetUp() override {
        make_certificate(scratch);
        db = scratch.path("pingan.db").string();
        add_user(db, "admin", "admin", kAdminPassword);
        server = std::make_unique<ServerProcess>(
            db, scratch.dir(),
            std::vector<std::string>{"--tls-cert", scratch.path("cert.pem").string(), "--tls-key",
                                     scratch.path("key.pem").string()});
        server->start();
    }
    void TearDown() override {
        if (HasFailure() && server) std::cerr << "--- server log ---\n" << server->log();
    }

    http::response<http::string_body> https(http::verb method, const std::string& target,
                                            const std::string& body = "",
                                            const std::string& token = "") {
        net::io_context ioc;
        ssl::context ctx = client_context(scratch);
        beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
        tcp::resolver resolver(ioc);
        beast::get_lowest_layer(stream).connect(
            resolver.resolve("127.0.0.1", std::to_string(server->port())));
        stream.handshake(ssl::stream_base::client);
        http::request<http::string_body> req{method, target, 11};
        req.set(http::field::host, "127.0.0.1");
        if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
        if (!body.empty()) {
            req.set(http::field::content_type, "application/json");
            req.body() = body;
        }
        req.prepare_payload();
        http::write(stream, req);
        beast::flat_buffer buffer;
        http::response<http::string_body> res;
        http::read(stream, buffer, res);
        return res;
    }

    Scratch scratch;
    std::string db;
    std::unique_ptr<ServerProcess> server;
};

TEST_F(TlsTest, ServesHttpsWithStrictTransportSecurity) {
    auto health = https(http::verb::get, "/healthz");
    EXPECT_EQ(health.result_int(), 200) << health.body();
    EXPECT_EQ(health[http::field::strict_transport_security], "max-age=31536000");

    const nlohmann::json login = {{"username", "admin"}, {"password", kAdminPassword}};
    auto res = https(http::verb::post, "/api/v1/login", login.dump());
    ASSERT_EQ(res.result_int(), 200) << res.body();
    const std::string token = nlohmann::json::parse(res.body())["token"];
    auto units = https(http::verb::get, "/api/v1/units", "", token);
    EXPECT_EQ(units.result_int(), 200) << units.body();
}

TEST_F(TlsTest, PlainHttpOnTheTlsPortGetsNoAnswer) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server->port()));
    http::request<http::string_body> req{http::verb::get, "/healthz", 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    beast::error_code ec;
    stream.expires_after(std::chrono::seconds(10));
    http::read(stream, buffer, res, ec);
    EXPECT_TRUE(ec) << "a plain request was answered: " << res.result_int();
}

TEST_F(TlsTest, StreamWorksOverWss) {
    const nlohmann::json login = {{"username", "admin"}, {"password", kAdminPassword}};
    const std::string token = nlohmann::json::parse(
        https(http::verb::post, "/api/v1/login", login.dump()).body())["token"];

    net::io_context ioc;
    ssl::context ctx = client_context(scratch);
    websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ioc, ctx);
    beast::get_lowest_layer(ws).connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), server->port()));
    ws.next_layer().handshake(ssl::stream_base::client);
    ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& req) {
        req.set(http::field::authorization, "Bearer " + token);
    }));
    ws.handshake("127.0.0.1", "/api/v1/stream?after=0");
    // The login above is an event: catching up from 0 delivers it.
    beast::flat_buffer buffer;
    beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(10));
    ws.read(buffer);
    const auto frame = nlohmann::json::parse(beast::buffers_to_string(buffer.data()));
    EXPECT_GE(frame.value("seq", 0), 1) << frame.dump();
}

TEST(TlsConfig, HalfOrBrokenConfigurationIsRefusedWithExitTwo) {
    Scratch scratch;
    make_certificate(scratch);
    const std::string db = scratch.path("pingan.db").string();
    auto only_cert = run_cli(
        {"serve", "--db", db, "--port", "0", "--tls-cert", scratch.path("cert.pem").string()});
    EXPECT_EQ(only_cert.exit_code, 2) << only_cert.out;
    EXPECT_NE(only_cert.out.find("--tls-key"), std::string::npos) << only_cert.out;

    // The key file given as certificate: not a certificate.
    auto swapped =
        run_cli({"serve", "--db", db, "--port", "0", "--tls-cert", scratch.path("key.pem").string(),
                 "--tls-key", scratch.path("key.pem").string()});
    EXPECT_EQ(swapped.exit_code, 2) << swapped.out;
    EXPECT_NE(swapped.out.find("--tls-cert"), std::string::npos) << swapped.out;
}

} // namespace
} // namespace pingan::test
