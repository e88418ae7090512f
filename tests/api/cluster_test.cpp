// Two `pingan serve` processes on one PostgreSQL database, both taking writes. Ids never
// collide, a unit sent by both at once goes to one incident only, a server learns of the
// other's changes (units, sessions) without a restart, both streams carry the same events in
// the same order, and the log verifies.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/core.h>

#include "fixture.hpp"
#include "support/postgres.hpp"

namespace pingan::test {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct Node {
    Node(const std::string& uri, const std::filesystem::path& dir,
         std::vector<std::string> extra = {})
        : server((std::filesystem::create_directories(dir), uri), dir, std::move(extra)) {
        server.start();
        token = login(server.port(), "admin", kAdminPassword);
        http = std::make_unique<HttpClient>(server.port());
    }
    ServerProcess server;
    std::string token;
    std::unique_ptr<HttpClient> http;
};

// POSTs until the answer is not a 503 (a refused stale commit: the client retries, as the
// Retry-After header says). Counts the 503s.
HttpResult post_retrying(HttpClient& http, const std::string& target, const json& body,
                         const std::string& token, std::atomic<int>& refused) {
    for (;;) {
        auto r = http.post(target, body, token);
        if (r.status != 503) return r;
        EXPECT_FALSE(r.header("retry-after").empty()) << r.body;
        ++refused;
        std::this_thread::sleep_for(milliseconds(20));
    }
}

// Waits until `node` answers GET target with 200 (it has caught up with the other server).
bool appears_on(Node& node, const std::string& target) {
    const auto until = std::chrono::steady_clock::now() + seconds(10);
    while (std::chrono::steady_clock::now() < until) {
        if (node.http->get(target, node.token).status == 200) return true;
        std::this_thread::sleep_for(milliseconds(50));
    }
    return false;
}

// The (seq, kind) of every event a stream carries up to `head`.
std::vector<std::pair<std::int64_t, std::string>> stream_until(StreamClient& stream,
                                                               std::int64_t head) {
    std::vector<std::pair<std::int64_t, std::string>> seen;
    while (seen.empty() || seen.back().first < head) {
        auto e = stream.next_event(seconds(10));
        if (!e) break;
        seen.emplace_back((*e)["seq"].get<std::int64_t>(), (*e)["kind"].get<std::string>());
    }
    return seen;
}

TEST(Cluster, TwoServersOnOneDatabaseKeepOneLog) {
    Scratch scratch;
    PgTemp pg(scratch.path("pg"));
    ASSERT_FALSE(pg.uri().empty()) << "PostgreSQL did not start";
    add_user(pg.uri(), "admin", "admin", kAdminPassword);
    Node a(pg.uri(), scratch.path("a"));
    Node b(pg.uri(), scratch.path("b"));
    StreamClient stream_a(a.server.port(), "/api/v1/stream?after=0&token=" + a.token);
    StreamClient stream_b(b.server.port(), "/api/v1/stream?after=0&token=" + b.token);
    std::atomic<int> refused{0};

    // A unit made on one server is known to the other without a restart.
    auto unit =
        post_retrying(*a.http, "/api/v1/units",
                      {{"callsign", "1D11"}, {"agency", "police"}, {"lat", 38.91}, {"lon", -77.02}},
                      a.token, refused);
    ASSERT_EQ(unit.status, 201) << unit.body;
    const std::int64_t unit_id = unit.json()["id"].get<std::int64_t>();
    ASSERT_TRUE(appears_on(b, fmt::format("/api/v1/units/{}", unit_id)))
        << "server b never learnt of unit " << unit_id << "\n"
        << b.server.log();

    // A session opened through one server works on the other (behind a load balancer), and
    // a logout through one ends it on both.
    const std::string roaming = login(a.server.port(), "admin", kAdminPassword);
    auto me_on_b = [&] { return b.http->get("/api/v1/me", roaming).status; };
    auto until = std::chrono::steady_clock::now() + seconds(10);
    while (me_on_b() != 200 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(milliseconds(50));
    EXPECT_EQ(me_on_b(), 200) << "server b does not know a session opened on a";
    ASSERT_EQ(a.http->post("/api/v1/logout", json::object(), roaming).status, 204);
    until = std::chrono::steady_clock::now() + seconds(10);
    while (me_on_b() != 401 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(milliseconds(50));
    EXPECT_EQ(me_on_b(), 401) << "server b still accepts a token revoked on a";

    // Both servers take incidents at once: every one gets its own id and number.
    constexpr int kPerClient = 60;
    std::mutex mutex;
    std::multiset<std::int64_t> ids;
    std::multiset<std::string> numbers;
    std::vector<std::string> wrong;
    std::vector<std::thread> clients;
    for (int c = 0; c < 4; ++c) {
        clients.emplace_back([&, c] {
            Node& node = c % 2 == 0 ? a : b;
            HttpClient http(node.server.port());
            for (int i = 0; i < kPerClient; ++i) {
                auto r = post_retrying(http, "/api/v1/incidents",
                                       {{"lat", 38.9 + i * 1e-5},
                                        {"lon", -77.03},
                                        {"category", "theft"},
                                        {"description", fmt::format("cluster {} {}", c, i)}},
                                       node.token, refused);
                std::lock_guard lock(mutex);
                if (r.status != 201) {
                    wrong.push_back(fmt::format("{}: {}", r.status, r.body));
                    continue;
                }
                ids.insert(r.json()["id"].get<std::int64_t>());
                numbers.insert(r.json()["number"].get<std::string>());
            }
        });
    }
    for (auto& t : clients)
        t.join();
    EXPECT_TRUE(wrong.empty()) << wrong.size()
                               << " answers neither 201 nor 503, first: " << wrong.front();
    EXPECT_EQ(ids.size(), 4u * kPerClient);
    EXPECT_EQ(std::set<std::int64_t>(ids.begin(), ids.end()).size(), ids.size())
        << "two incidents got the same id";
    EXPECT_EQ(std::set<std::string>(numbers.begin(), numbers.end()).size(), numbers.size())
        << "two incidents got the same number";
    std::cerr << refused.load() << " requests were refused with 503 and retried\n";

    // The same unit sent to two incidents through both servers at once: one dispatch only.
    const std::int64_t x = *ids.begin();
    const std::int64_t y = *ids.rbegin();
    ASSERT_TRUE(appears_on(a, fmt::format("/api/v1/incidents/{}", y)));
    ASSERT_TRUE(appears_on(b, fmt::format("/api/v1/incidents/{}", x)));
    int dispatched = 0;
    int refused_busy = 0;
    {
        std::vector<int> statuses(2);
        std::thread to_x([&] {
            HttpClient http(a.server.port());
            statuses[0] = post_retrying(http, fmt::format("/api/v1/incidents/{}/dispatch", x),
                                        {{"unit_id", unit_id}}, a.token, refused)
                              .status;
        });
        std::thread to_y([&] {
            HttpClient http(b.server.port());
            statuses[1] = post_retrying(http, fmt::format("/api/v1/incidents/{}/dispatch", y),
                                        {{"unit_id", unit_id}}, b.token, refused)
                              .status;
        });
        to_x.join();
        to_y.join();
        for (int s : statuses) {
            dispatched += s == 201 ? 1 : 0;
            refused_busy += s == 409 ? 1 : 0;
        }
    }
    EXPECT_EQ(dispatched, 1) << "the unit went to " << dispatched << " incidents";
    EXPECT_EQ(refused_busy, 1);

    // Both streams: the same events, in log order, without gaps.
    const std::int64_t head =
        a.http->get("/api/v1/events?after=0&limit=1", a.token).json()["head"].get<std::int64_t>();
    const auto seen_a = stream_until(stream_a, head);
    const auto seen_b = stream_until(stream_b, head);
    ASSERT_FALSE(seen_a.empty());
    EXPECT_EQ(seen_a.back().first, head) << "stream a stopped early";
    EXPECT_EQ(seen_a, seen_b) << "the two servers' streams differ";
    for (std::size_t i = 1; i < seen_a.size(); ++i)
        ASSERT_EQ(seen_a[i].first, seen_a[i - 1].first + 1)
            << "a gap after " << seen_a[i - 1].first;

    a.server.stop();
    b.server.stop();
    auto verify = run_cli({"audit", "verify", "--db", pg.uri()});
    EXPECT_EQ(verify.exit_code, 0) << verify.out;
}

// The patrol desk is the same on both servers: a shift assigned through one is known to the
// other, the same unit booked through both at once gets one shift, ids never repeat, and a
// visit recorded through one counts on the other.
TEST(Cluster, PatrolShiftsAreSharedAndNeverDoubleBooked) {
    Scratch scratch;
    PgTemp pg(scratch.path("pg"));
    ASSERT_FALSE(pg.uri().empty()) << "PostgreSQL did not start";
    add_user(pg.uri(), "admin", "admin", kAdminPassword);
    const std::string plan = scratch.path("patrol.geojson").string();
    std::ofstream(plan) << R"({"type": "FeatureCollection", "features": [
      {"type": "Feature", "properties": {"id": "A1", "name": "Dupont"},
       "geometry": {"type": "Polygon", "coordinates": [[[-77.06, 38.90], [-77.03, 38.90],
                    [-77.03, 38.92], [-77.06, 38.92], [-77.06, 38.90]]]}},
      {"type": "Feature", "properties": {"id": "P1", "area_id": "A1", "name": "Dupont Circle"},
       "geometry": {"type": "Point", "coordinates": [-77.0434, 38.9097]}}]})";
    Node a(pg.uri(), scratch.path("a"), {"--patrol", plan});
    Node b(pg.uri(), scratch.path("b"), {"--patrol", plan});
    std::atomic<int> refused{0};
    std::vector<std::int64_t> units;
    for (const char* callsign : {"2D21", "2D22"}) {
        auto unit = post_retrying(
            *a.http, "/api/v1/units",
            {{"callsign", callsign}, {"agency", "police"}, {"lat", 38.91}, {"lon", -77.04}},
            a.token, refused);
        ASSERT_EQ(unit.status, 201) << unit.body;
        units.push_back(unit.json()["id"].get<std::int64_t>());
    }

    // Four requests through both servers at once book the first unit for the same hours, at
    // once after it was made on a: server b may not have heard of it yet, and then answers 503
    // (retried), never "no such unit".
    const json booking = {{"unit_id", units[0]},
                          {"area_id", "A1"},
                          {"start", "2026-11-22T08:00:00Z"},
                          {"end", "2026-11-22T16:00:00Z"}};
    std::vector<HttpResult> answers(4);
    std::vector<std::thread> clients;
    for (int c = 0; c < 4; ++c) {
        clients.emplace_back([&, c] {
            Node& node = c % 2 == 0 ? a : b;
            HttpClient http(node.server.port());
            answers[c] = post_retrying(http, "/api/v1/patrol/shifts", booking, node.token, refused);
        });
    }
    for (auto& t : clients)
        t.join();
    std::string first_id;
    int booked = 0;
    for (const HttpResult& r : answers) {
        if (r.status == 201) {
            ++booked;
            first_id = r.json()["shift_id"].get<std::string>();
        } else {
            EXPECT_EQ(r.status, 422) << r.body;
            EXPECT_EQ(r.json()["field"], "start") << r.body;
        }
    }
    ASSERT_EQ(booked, 1) << "the unit was booked " << booked << " times";

    // The other unit, through the other server: a new id, and both servers list both shifts.
    json second = booking;
    second["unit_id"] = units[1];
    auto other = post_retrying(*b.http, "/api/v1/patrol/shifts", second, b.token, refused);
    ASSERT_EQ(other.status, 201) << other.body;
    EXPECT_NE(other.json()["shift_id"], first_id);
    auto shifts_on = [](Node& node) {
        std::set<std::string> ids;
        const json listed = node.http->get("/api/v1/patrol/shifts", node.token).json();
        for (const json& s : listed["items"])
            ids.insert(s["shift_id"].get<std::string>());
        return ids;
    };
    const std::set<std::string> both = {first_id, other.json()["shift_id"].get<std::string>()};
    auto until = std::chrono::steady_clock::now() + seconds(10);
    while ((shifts_on(a) != both || shifts_on(b) != both) &&
           std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(milliseconds(50));
    EXPECT_EQ(shifts_on(a), both);
    EXPECT_EQ(shifts_on(b), both);

    // A visit recorded by hand through a counts in b's report.
    auto visit = post_retrying(*a.http, "/api/v1/patrol/visits",
                               {{"unit_id", units[0]},
                                {"point_id", "P1"},
                                {"at", "2026-11-22T09:00:00Z"},
                                {"reason", "radio check-in, GPS down"}},
                               a.token, refused);
    ASSERT_EQ(visit.status, 201) << visit.body;
    auto met_on_b = [&] {
        auto r = b.http->get("/api/v1/patrol/shifts/" + first_id + "/report", b.token);
        return r.status == 200 ? r.json()["met"].get<int>() : -1;
    };
    until = std::chrono::steady_clock::now() + seconds(10);
    while (met_on_b() != 1 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(milliseconds(50));
    EXPECT_EQ(met_on_b(), 1) << b.server.log();
}

} // namespace
} // namespace pingan::test
