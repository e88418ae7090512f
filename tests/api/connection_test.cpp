// One keep-alive connection as a client drives it: a request whose body arrives after its header,
// or in chunks, is read whole; a connection that sends nothing for --idle-timeout is closed,
// one that keeps sending is not.
#include <chrono>
#include <string>
#include <sys/socket.h>
#include <sys/time.h>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fixture.hpp"

namespace pingan::test {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

class ConnectionTest : public ServerTest {
protected:
    std::vector<std::string> extra_args() const override { return {"--idle-timeout", "1"}; }

    // A blocking read on it gives up after 10 s (an error, not a hang) if the server never answers
    // or never closes.
    tcp::socket connect() {
        tcp::socket socket(io_);
        socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server->port()));
        socket.set_option(tcp::no_delay(true));
        const timeval limit{10, 0};
        ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
        return socket;
    }

    // Sends `pieces` one write each, `gap` apart, then reads one response.
    http::response<http::string_body> exchange(tcp::socket& socket,
                                               const std::vector<std::string>& pieces,
                                               std::chrono::milliseconds gap = 0ms) {
        for (std::size_t i = 0; i < pieces.size(); ++i) {
            if (i > 0) std::this_thread::sleep_for(gap);
            net::write(socket, net::buffer(pieces[i]));
        }
        http::response<http::string_body> res;
        http::read(socket, buffer_, res);
        return res;
    }

    std::string position_header(std::size_t length, const std::string& transfer = "") const {
        return "POST /api/v1/units/" + std::to_string(unit_id) +
               "/position HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + admin +
               "\r\nContent-Type: application/json\r\n" +
               (transfer.empty() ? "Content-Length: " + std::to_string(length)
                                 : "Transfer-Encoding: " + transfer) +
               "\r\n\r\n";
    }

    void SetUp() override {
        ServerTest::SetUp();
        auto unit =
            http->post_raw("/api/v1/units",
                           R"({"callsign":"C-1","agency":"police","lat":38.9,"lon":-77.0})", admin);
        ASSERT_EQ(unit.status, 201) << unit.body;
        unit_id = unit.json()["id"].get<std::int64_t>();
    }

    // Where the server has the unit now (a connection of its own: the fixture's would be
    // closed as idle between two uses a second apart).
    double stored_lat() {
        HttpClient fresh(server->port());
        return fresh.get("/api/v1/units/" + std::to_string(unit_id), admin)
            .json()["position"]["lat"]
            .get<double>();
    }

    net::io_context io_;
    beast::flat_buffer buffer_;
    std::int64_t unit_id = 0;
};

TEST_F(ConnectionTest, ABodyInTheHeadersSegmentAfterItOrInChunksIsReadWhole) {
    auto socket = connect();
    const std::string one = R"({"lat":38.91,"lon":-77.01})";
    auto res = exchange(socket, {position_header(one.size()) + one});
    EXPECT_EQ(res.result_int(), 204) << res.body();
    EXPECT_DOUBLE_EQ(stored_lat(), 38.91);

    // The body 200 ms after its header: the server waits for it on the same connection.
    const std::string two = R"({"lat":38.92,"lon":-77.02})";
    res = exchange(socket, {position_header(two.size()), two.substr(0, 10), two.substr(10)}, 200ms);
    EXPECT_EQ(res.result_int(), 204) << res.body();
    EXPECT_DOUBLE_EQ(stored_lat(), 38.92);

    // Chunked, the first chunk with the header and the rest later.
    const std::string three = R"({"lat":38.93,"lon":-77.03})";
    const auto chunk = [](const std::string& s) {
        return fmt::format("{:x}\r\n{}\r\n", s.size(), s);
    };
    res = exchange(socket,
                   {position_header(0, "chunked") + chunk(three.substr(0, 12)),
                    chunk(three.substr(12)) + "0\r\n\r\n"},
                   200ms);
    EXPECT_EQ(res.result_int(), 204) << res.body();
    EXPECT_DOUBLE_EQ(stored_lat(), 38.93);

    // A body larger than its Content-Length says: the rest is read as the next request, and
    // refused as one, naming the request.
    const std::string four = R"({"lat":38.94,"lon":-77.04})";
    res = exchange(socket, {position_header(four.size()) + four + "garbage\r\n\r\n"});
    EXPECT_EQ(res.result_int(), 204) << res.body();
    http::response<http::string_body> refused;
    http::read(socket, buffer_, refused);
    EXPECT_EQ(refused.result_int(), 400) << refused.body();
    EXPECT_EQ(nlohmann::json::parse(refused.body())["field"], "request");
    EXPECT_DOUBLE_EQ(stored_lat(), 38.94);
}

TEST_F(ConnectionTest, AConnectionThatSendsNothingIsClosedAfterTheIdleTimeout) {
    auto socket = connect();
    const auto started = std::chrono::steady_clock::now();
    char byte = 0;
    beast::error_code ec;
    // Blocks until the server closes the connection.
    const std::size_t n = socket.read_some(net::buffer(&byte, 1), ec);
    const auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(n, 0u);
    EXPECT_EQ(ec, net::error::eof) << ec.message();
    EXPECT_GE(waited, 900ms) << "closed before the idle timeout";
    EXPECT_LT(waited, 10s);

    // Half a request is no request: closed the same way.
    auto half = connect();
    net::write(half, net::buffer(position_header(40)));
    half.read_some(net::buffer(&byte, 1), ec);
    EXPECT_EQ(ec, net::error::eof) << ec.message();
}

TEST_F(ConnectionTest, AConnectionThatKeepsSendingStaysOpenPastTheIdleTimeout) {
    auto socket = connect();
    const std::string get = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    // Six requests 400 ms apart: 2.4 s on one connection with a 1 s idle timeout.
    for (int i = 0; i < 6; ++i) {
        if (i > 0) std::this_thread::sleep_for(400ms);
        auto res = exchange(socket, {get});
        ASSERT_EQ(res.result_int(), 200) << "request " << i << ": " << res.body();
    }
}

} // namespace
} // namespace pingan::test
