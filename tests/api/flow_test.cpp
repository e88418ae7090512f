// The operational loop over the real API: intake, dispatch, unit status, positions, closure,
// the stream with resume, restart, caller data.
#include <set>
#include <sys/socket.h>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "fixture.hpp"

using namespace pingan::test;
using nlohmann::json;
using namespace std::chrono_literals;

TEST_F(ServerTest, IncidentLifecycleFromCallToClosure) {
    const json unit = create_unit("PA-101");
    const json inc = create_incident();
    EXPECT_EQ(inc["status"], "received");
    EXPECT_EQ(inc["number"].get<std::string>().size(), 11u); // "2026-000001"
    EXPECT_EQ(inc["created_by"], "admin");
    const std::string base = "/api/v1/incidents/" + std::to_string(inc["id"].get<int>());

    auto got = http->get(base, admin);
    ASSERT_EQ(got.status, 200);
    EXPECT_EQ(got.json()["description"], inc["description"]);

    auto d = http->post(base + "/dispatch", {{"unit_id", unit["id"]}}, admin);
    ASSERT_EQ(d.status, 201) << d.body;
    EXPECT_EQ(d.json()["unit_id"], unit["id"]);
    EXPECT_EQ(http->get(base, admin).json()["status"], "dispatched");

    const std::string unit_base = "/api/v1/units/" + std::to_string(unit["id"].get<int>());
    ASSERT_EQ(http->post(unit_base + "/status", {{"status", "en_route"}}, admin).status, 200);
    auto pos =
        http->post(unit_base + "/position",
                   {{"lat", 38.915}, {"lon", -77.025}, {"heading", 270}, {"speed", 11.2}}, admin);
    ASSERT_EQ(pos.status, 204) << pos.body;
    auto u = http->get(unit_base, admin).json();
    EXPECT_DOUBLE_EQ(u["position"]["lat"].get<double>(), 38.915);
    EXPECT_EQ(u["status"], "en_route");
    EXPECT_EQ(u["incident_id"], inc["id"]);

    ASSERT_EQ(http->post(unit_base + "/status", {{"status", "on_scene"}}, admin).status, 200);
    auto on_scene = http->get(base, admin).json();
    EXPECT_EQ(on_scene["status"], "on_scene");
    ASSERT_EQ(on_scene["assignments"].size(), 1u);
    EXPECT_FALSE(on_scene["assignments"][0]["en_route_at"].is_null());
    EXPECT_FALSE(on_scene["assignments"][0]["on_scene_at"].is_null());

    auto wrong = http->post(base + "/status", {{"status", "closed"}}, admin);
    EXPECT_EQ(wrong.status, 409);
    EXPECT_EQ(wrong.json()["field"], "status");
    EXPECT_EQ(wrong.header("content-type"), "application/problem+json");

    ASSERT_EQ(http->post(unit_base + "/status", {{"status", "available"}}, admin).status, 200);
    EXPECT_EQ(http->get(base, admin).json()["status"], "cleared");
    auto closed = http->post(base + "/status",
                             {{"status", "closed"}, {"disposition", "bicycle recovered"}}, admin);
    ASSERT_EQ(closed.status, 200) << closed.body;
    EXPECT_EQ(closed.json()["disposition"], "bicycle recovered");

    auto list = http->get("/api/v1/incidents?status=closed", admin).json();
    ASSERT_EQ(list["items"].size(), 1u);
    EXPECT_EQ(list["items"][0]["id"], inc["id"]);
    EXPECT_TRUE(
        http->get("/api/v1/incidents?status=received,dispatched", admin).json()["items"].empty());
    EXPECT_EQ(http->get(unit_base, admin).json()["status"], "available");
}

TEST_F(ServerTest, StreamSendsEveryEventInOrderAndResumesWithoutGapOrDuplicate) {
    create_unit("PA-1");
    create_incident("first");
    StreamClient first(server->port(), "/api/v1/stream?after=0&token=" + admin);
    std::int64_t last = 0;
    std::vector<std::string> kinds;
    for (int i = 0; i < 20; ++i) {
        auto e = first.next_event(300ms);
        if (!e) break;
        EXPECT_EQ((*e)["seq"].get<std::int64_t>(), last + 1);
        last = (*e)["seq"].get<std::int64_t>();
        kinds.push_back((*e)["kind"]);
    }
    // Login (session.opened), unit.created, incident.created: all from seq 1.
    ASSERT_GE(last, 3);
    EXPECT_NE(std::find(kinds.begin(), kinds.end(), "incident.created"), kinds.end());

    // Live events arrive as they are committed.
    const json live = create_incident("second");
    auto e = first.next_event(2000ms);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ((*e)["seq"].get<std::int64_t>(), last + 1);
    EXPECT_EQ((*e)["kind"], "incident.created");
    EXPECT_EQ((*e)["payload"]["id"], live["id"]);
    last = (*e)["seq"].get<std::int64_t>();
    first.close();

    // While no one listens, more happens; a reconnect with ?after= catches up exactly.
    for (int i = 0; i < 30; ++i)
        create_incident("while away " + std::to_string(i));
    StreamClient again(server->port(),
                       "/api/v1/stream?after=" + std::to_string(last) + "&token=" + admin);
    // Each creation commits its incident and the recommendation shown for it, so read up to the
    // head as the server reports it once the writes are done.
    const std::int64_t head = head_seq();
    ASSERT_GE(head, last + 30);
    std::set<std::int64_t> seen;
    while (last < head) {
        auto ev = again.next_event(2000ms);
        ASSERT_TRUE(ev.has_value()) << "missing event after " << last;
        const auto seq = (*ev)["seq"].get<std::int64_t>();
        EXPECT_EQ(seq, last + 1) << "gap or duplicate";
        EXPECT_TRUE(seen.insert(seq).second);
        last = seq;
    }
    EXPECT_FALSE(again.next_event(300ms).has_value()) << "nothing beyond the head";
    EXPECT_EQ(last, head);
}

TEST_F(ServerTest, StreamHandsOverFromCatchUpToLiveUnderLoad) {
    // Writers keep committing while a client catches up from 0: every seq exactly once.
    std::atomic<bool> stop{false};
    std::thread writer([&] {
        HttpClient c(server->port());
        for (int i = 0; i < 300 && !stop; ++i) {
            c.post("/api/v1/incidents",
                   {{"lat", 38.9}, {"lon", -77.0}, {"category", "noise"}, {"description", "x"}},
                   admin);
        }
    });
    std::this_thread::sleep_for(50ms);
    StreamClient s(server->port(), "/api/v1/stream?after=0&token=" + admin);
    std::int64_t last = 0;
    while (auto e = s.next_event(1500ms)) {
        ASSERT_EQ((*e)["seq"].get<std::int64_t>(), last + 1);
        last = (*e)["seq"].get<std::int64_t>();
    }
    stop = true;
    writer.join();
    EXPECT_EQ(last, head_seq());
    EXPECT_GE(last, 300);
}

TEST_F(ServerTest, StreamWithoutAfterStartsAtTheHeadAndNeedsAToken) {
    create_incident("before");
    EXPECT_THROW(StreamClient(server->port(), "/api/v1/stream"), std::exception);
    EXPECT_THROW(StreamClient(server->port(), "/api/v1/stream?token=wrong"), std::exception);
    StreamClient s(server->port(), "/api/v1/stream?token=" + admin);
    create_incident("after");
    auto e = s.next_event(2000ms);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ((*e)["payload"]["description"], "after");
    // A plain GET is told to upgrade.
    EXPECT_EQ(http->get("/api/v1/stream", admin).status, 426);
}

namespace {

// The stream's next unit.positions frame (sent once per second), skipping events; nothing
// after 3 s.
std::optional<json> next_positions_frame(StreamClient& s) {
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    while (std::chrono::steady_clock::now() < deadline) {
        auto text = s.next(1500ms);
        if (!text) break;
        auto j = json::parse(*text);
        if (j["kind"] == "unit.positions") return j;
    }
    return std::nullopt;
}

} // namespace

TEST_F(ServerTest, PositionsReachTheStreamOncePerSecond) {
    const json unit = create_unit("PA-7");
    StreamClient s(server->port(), "/api/v1/stream?token=" + admin);
    const std::string path = "/api/v1/units/" + std::to_string(unit["id"].get<int>()) + "/position";
    for (int i = 0; i < 5; ++i) {
        ASSERT_EQ(http->post(path, {{"lat", 38.90 + i * 0.001}, {"lon", -77.0}}, admin).status,
                  204);
    }
    const std::optional<json> frame = next_positions_frame(s);
    ASSERT_TRUE(frame.has_value());
    ASSERT_EQ((*frame)["items"].size(), 1u); // coalesced: latest per unit
    EXPECT_NEAR((*frame)["items"][0]["lat"].get<double>(), 38.904, 1e-9);
}

TEST_F(ServerTest, AGatewayReportsManyUnitsInOneRequest) {
    const json a = create_unit("PA-21");
    const json b = create_unit("PA-22");
    StreamClient s(server->port(), "/api/v1/stream?token=" + admin);
    auto r = http->post("/api/v1/positions",
                        {{"items",
                          {{{"unit_id", a["id"]}, {"lat", 38.91}, {"lon", -77.01}},
                           {{"unit_id", b["id"]}, {"lat", 38.92}, {"lon", -77.02}, {"speed", 9}},
                           {{"unit_id", a["id"]}, {"lat", 38.93}, {"lon", -77.03}}}}},
                        admin);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["accepted"], 3);
    // Each unit holds its latest report, and the stream's next positions frame has both.
    auto ua = http->get("/api/v1/units/" + std::to_string(a["id"].get<int>()), admin).json();
    auto ub = http->get("/api/v1/units/" + std::to_string(b["id"].get<int>()), admin).json();
    EXPECT_NEAR(ua["position"]["lat"].get<double>(), 38.93, 1e-9) << ua;
    EXPECT_NEAR(ub["position"]["lat"].get<double>(), 38.92, 1e-9) << ub;
    const std::optional<json> frame = next_positions_frame(s);
    ASSERT_TRUE(frame.has_value());
    EXPECT_EQ((*frame)["items"].size(), 2u);
    auto m = http->get("/metrics", admin);
    EXPECT_NE(m.body.find("pingan_positions_total 3"), std::string::npos) << m.body;

    // A unit account may relay only its own unit, here as on the single route: the whole
    // request is refused and nothing of it is stored.
    add_user(db, "pa21", "unit", "Unit-Pass-2026", a["id"].get<long long>());
    const std::string token = login(server->port(), "pa21", "Unit-Pass-2026");
    auto mixed = http->post("/api/v1/positions",
                            {{"items",
                              {{{"unit_id", a["id"]}, {"lat", 38.95}, {"lon", -77.05}},
                               {{"unit_id", b["id"]}, {"lat", 38.96}, {"lon", -77.06}}}}},
                            token);
    EXPECT_EQ(mixed.status, 403) << mixed.body;
    ua = http->get("/api/v1/units/" + std::to_string(a["id"].get<int>()), admin).json();
    EXPECT_NEAR(ua["position"]["lat"].get<double>(), 38.93, 1e-9) << ua;
    auto own =
        http->post("/api/v1/positions",
                   {{"items", {{{"unit_id", a["id"]}, {"lat", 38.95}, {"lon", -77.05}}}}}, token);
    EXPECT_EQ(own.status, 200) << own.body;
}

TEST_F(ServerTest, CallerDetailsAreRoleGatedAndEveryReadIsLogged) {
    add_user(db, "taker", "call_taker", "Taker-Pass-2026");
    add_user(db, "analyst", "analyst", "Analyst-Pass-2026");
    const std::string taker = login(server->port(), "taker", "Taker-Pass-2026");
    const std::string analyst = login(server->port(), "analyst", "Analyst-Pass-2026");
    auto r = http->post("/api/v1/incidents",
                        {{"lat", 38.9},
                         {"lon", -77.0},
                         {"category", "dispute"},
                         {"description", "neighbours shouting"},
                         {"caller", {{"name", "Li Wei"}, {"phone", "+1 202 555 0100"}}}},
                        taker);
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.json()["has_caller"], true);
    const std::string caller_path =
        "/api/v1/incidents/" + std::to_string(r.json()["id"].get<int>()) + "/caller";
    EXPECT_EQ(http->get(caller_path, analyst).status, 403);
    EXPECT_EQ(http->get(caller_path, admin).status, 403);
    auto c = http->get(caller_path, taker);
    ASSERT_EQ(c.status, 200) << c.body;
    // Every caller of the incident (merged duplicates add theirs), oldest first.
    ASSERT_EQ(c.json()["items"].size(), 1u) << c.body;
    EXPECT_EQ(c.json()["items"][0]["phone"], "+1 202 555 0100");
    // The log says who read it, and never holds the details themselves.
    auto events = http->get("/api/v1/events?after=0&limit=1000", admin);
    EXPECT_EQ(events.body.find("555 0100"), std::string::npos);
    EXPECT_EQ(events.body.find("Li Wei"), std::string::npos);
    bool read_logged = false;
    const json items = events.json()["items"];
    for (const auto& e : items) {
        if (e["kind"] == "caller.read" && e["actor"] == "taker") read_logged = true;
    }
    EXPECT_TRUE(read_logged);
}

TEST_F(ServerTest, RestartKeepsStateSessionsAndNumbering) {
    const json unit = create_unit("PA-2");
    const json first = create_incident();
    ASSERT_EQ(
        http->post("/api/v1/incidents/" + std::to_string(first["id"].get<int>()) + "/dispatch",
                   {{"unit_id", unit["id"]}}, admin)
            .status,
        201);
    restart();
    // The same token still works, the unit is still on the incident, numbering continues.
    auto u = http->get("/api/v1/units/" + std::to_string(unit["id"].get<int>()), admin);
    ASSERT_EQ(u.status, 200) << u.body;
    EXPECT_EQ(u.json()["status"], "dispatched");
    const json second = create_incident();
    EXPECT_EQ(second["id"].get<int>(), first["id"].get<int>() + 1);
    EXPECT_EQ(second["number"].get<std::string>().substr(5), "000002");
    auto busy =
        http->post("/api/v1/incidents/" + std::to_string(second["id"].get<int>()) + "/dispatch",
                   {{"unit_id", unit["id"]}}, admin);
    EXPECT_EQ(busy.status, 409);
    EXPECT_EQ(busy.json()["code"], "unit_not_available");
}

TEST_F(ServerTest, UnitAccountsReportOnlyForTheirOwnUnit) {
    const json mine = create_unit("PA-11");
    const json other = create_unit("PA-12");
    add_user(db, "pa11", "unit", "Unit-Pass-2026", mine["id"].get<long long>());
    const std::string token = login(server->port(), "pa11", "Unit-Pass-2026");
    const std::string mine_path = "/api/v1/units/" + std::to_string(mine["id"].get<int>());
    const std::string other_path = "/api/v1/units/" + std::to_string(other["id"].get<int>());
    EXPECT_EQ(http->post(mine_path + "/position", {{"lat", 38.9}, {"lon", -77.0}}, token).status,
              204);
    EXPECT_EQ(http->post(other_path + "/position", {{"lat", 38.9}, {"lon", -77.0}}, token).status,
              403);
    EXPECT_EQ(http->post(other_path + "/status", {{"status", "off_duty"}}, token).status, 403);
    EXPECT_EQ(http->post(mine_path + "/status", {{"status", "off_duty"}}, token).status, 200);
}

TEST_F(ServerTest, MetricsCountRequestsAndCommits) {
    create_incident();
    auto m = http->get("/metrics", admin);
    ASSERT_EQ(m.status, 200);
    EXPECT_NE(
        m.body.find("pingan_http_requests_total{route=\"POST /api/v1/incidents\",code=\"201\"} 1"),
        std::string::npos)
        << m.body;
    EXPECT_NE(m.body.find("pingan_commit_batch_changes_count"), std::string::npos);
    EXPECT_NE(m.body.find("pingan_events_committed_total"), std::string::npos);
    EXPECT_EQ(http->get("/healthz").json()["status"], "ok");
}

class FastDigestTest : public ServerTest {
protected:
    std::vector<std::string> extra_args() const override { return {"--digest-interval", "1"}; }
};

TEST_F(FastDigestTest, BreadcrumbsAreDigestedIntoTheChain) {
    const json unit = create_unit("PA-8");
    const std::string path = "/api/v1/units/" + std::to_string(unit["id"].get<int>()) + "/position";
    for (int i = 0; i < 20; ++i) {
        ASSERT_EQ(http->post(path, {{"lat", 38.9 + i * 1e-4}, {"lon", -77.0}}, admin).status, 204);
    }
    std::this_thread::sleep_for(2500ms);
    auto verify = run_cli({"audit", "verify", "--db", db});
    EXPECT_EQ(verify.exit_code, 0) << verify.out;
    EXPECT_EQ(verify.out.find("(0 breadcrumb digests)"), std::string::npos) << verify.out;
    auto events = http->get("/api/v1/events?after=0&limit=1000", admin).json()["items"];
    std::int64_t digested = 0;
    for (const auto& e : events) {
        if (e["kind"] == "positions.digest") digested += e["payload"]["count"].get<std::int64_t>();
    }
    EXPECT_EQ(digested, 20);
}

// A stream client that completes the handshake, then stops reading until told to drain: the
// server's socket buffer fills, a write stays in flight, and its queue for this client grows.
class StalledStream {
public:
    StalledStream(unsigned short port, const std::string& token) {
        auto& socket = ws_.next_layer();
        socket.open(boost::asio::ip::tcp::v4());
        socket.set_option(boost::asio::socket_base::receive_buffer_size(4096));
        // A server that never closes fails drain() after 20 s instead of hanging the test.
        const timeval limit{20, 0};
        setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
        socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
        ws_.handshake("127.0.0.1", "/api/v1/stream?token=" + token);
    }

    struct Drained {
        int text_frames = 0;
        int close_code = 0; // 0: the connection ended without a close frame
    };
    // Reads what the server sends until it closes the stream (or 20 s pass without a byte).
    Drained drain() {
        Drained d;
        boost::beast::flat_buffer buffer;
        boost::beast::error_code ec;
        while (!ec) {
            ws_.read(buffer, ec);
            if (!ec) ++d.text_frames;
            buffer.clear();
        }
        if (ec == boost::beast::websocket::error::closed) d.close_code = ws_.reason().code;
        return d;
    }

private:
    boost::asio::io_context ioc_;
    boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_{ioc_};
};

class ShortStreamQueueTest : public ServerTest {
protected:
    std::vector<std::string> extra_args() const override { return {"--stream-queue-limit", "20"}; }
};

// Regression (b2c7afc): closing a client that fell behind freed the frame its write was still
// sending, and the write's completion then popped from the emptied queue; a soak with 50
// stream clients crashed the server within a minute.
TEST_F(ShortStreamQueueTest, ClientsTooFarBehindAreClosedAndTheServerCarriesOn) {
    std::vector<std::unique_ptr<StalledStream>> stalled;
    for (int i = 0; i < 4; ++i)
        stalled.push_back(std::make_unique<StalledStream>(server->port(), admin));
    StreamClient reader(server->port(), "/api/v1/stream?token=" + admin);
    // ~2 KB per event and 2,400 events: more than the socket buffers of a stalled client hold.
    const std::string text(1900, 'x');
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
        writers.emplace_back([&] {
            HttpClient c(server->port());
            for (int i = 0; i < 600; ++i) {
                auto r = c.post(
                    "/api/v1/incidents",
                    {{"lat", 38.9}, {"lon", -77.0}, {"category", "theft"}, {"description", text}},
                    admin);
                if (r.status != 201) {
                    ADD_FAILURE() << r.status << " " << r.body;
                    return;
                }
            }
        });
    }
    for (auto& t : writers)
        t.join();
    // Each stalled client resumes reading: its write in flight completes after the close.
    for (auto& s : stalled) {
        const auto d = s->drain();
        EXPECT_EQ(d.close_code, 1008); // policy: reconnect with ?after=
        EXPECT_LT(d.text_frames, 2400);
    }
    // The server carries on, and a client that kept up saw every event.
    EXPECT_EQ(http->get("/healthz").json()["status"], "ok");
    create_incident("after the slow clients");
    std::int64_t first = 0, last = 0;
    bool gap = false, found = false;
    while (auto e = reader.next_event(2000ms)) {
        const auto seq = (*e)["seq"].get<std::int64_t>();
        if (first == 0) first = seq;
        gap = gap || (last != 0 && seq != last + 1);
        last = seq;
        if ((*e)["payload"]["description"] == "after the slow clients") {
            found = true;
            break;
        }
    }
    EXPECT_TRUE(found);
    EXPECT_FALSE(gap);
    EXPECT_GE(last - first + 1, 2401);
}
