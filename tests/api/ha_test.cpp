// High availability: pingan on a PostgreSQL primary with a synchronous streaming standby
// (scripts/pg_pair.sh). Under a steady write load the primary is killed and the standby
// promoted. Meanwhile writes are refused with 503 and Retry-After, never answered 201 unless
// kept, never 500; writes resume within 10 s of the promotion without restarting pingan; every
// acknowledged incident is present afterwards and the hash chain verifies.
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/core.h>

#include "fixture.hpp"
#include "support/postgres.hpp"

namespace pingan::test {
namespace {

using Clock = std::chrono::steady_clock;

TEST(HighAvailability, FailoverToTheStandbyLosesNoAcknowledgedIncident) {
    Scratch scratch;
    PgPair pair(scratch.path("pg"));
    ASSERT_FALSE(pair.uri().empty()) << "the PostgreSQL pair did not start:\n" << pair.error();
    add_user(pair.uri(), "admin", "admin", kAdminPassword);
    ServerProcess server(pair.uri(), scratch.dir());
    server.start();
    const std::string admin = login(server.port(), "admin", kAdminPassword);

    std::mutex mutex;
    std::map<std::string, StoredIncident> acked;
    std::map<int, int> statuses;
    std::vector<std::string> wrong; // answers that are neither 201 nor a proper 503
    Clock::time_point last_ack_before_crash{};
    Clock::time_point first_ack_after_promotion{};
    std::atomic<bool> crashed{false};
    std::atomic<bool> promoted{false};
    std::atomic<bool> stop{false};
    std::atomic<int> n{0};

    std::vector<std::thread> clients;
    for (int c = 0; c < 4; ++c) {
        clients.emplace_back([&, c] {
            std::unique_ptr<HttpClient> http;
            while (!stop.load()) {
                try {
                    if (!http) http = std::make_unique<HttpClient>(server.port());
                    const int i = n.fetch_add(1);
                    const std::string description = fmt::format("ha {} by {}", i, c);
                    auto r = http->post("/api/v1/incidents",
                                        {{"lat", 38.9 + i * 1e-6},
                                         {"lon", -77.03},
                                         {"category", "theft"},
                                         {"description", description}},
                                        admin);
                    std::lock_guard lock(mutex);
                    ++statuses[r.status];
                    if (r.status == 201) {
                        auto j = r.json();
                        acked[description] = {j["id"].get<std::int64_t>(),
                                              j["number"].get<std::string>()};
                        if (!crashed.load()) last_ack_before_crash = Clock::now();
                        if (promoted.load() && first_ack_after_promotion == Clock::time_point{})
                            first_ack_after_promotion = Clock::now();
                    } else if (r.status != 503 || r.header("retry-after").empty()) {
                        wrong.push_back(fmt::format("{}: {}", r.status, r.body));
                    } else {
                        std::this_thread::sleep_for(std::chrono::milliseconds(50));
                    }
                } catch (const std::exception&) {
                    http.reset(); // the connection broke; pingan itself must stay up
                    std::this_thread::sleep_for(std::chrono::milliseconds(50));
                }
            }
        });
    }

    std::this_thread::sleep_for(std::chrono::seconds(2));
    ASSERT_TRUE(pair.crash_primary());
    crashed = true;
    std::this_thread::sleep_for(std::chrono::seconds(1));
    ASSERT_TRUE(pair.promote_standby());
    const auto promoted_at = Clock::now();
    promoted = true;
    while (Clock::now() - promoted_at < std::chrono::seconds(12)) {
        {
            std::lock_guard lock(mutex);
            if (first_ack_after_promotion != Clock::time_point{} &&
                Clock::now() - first_ack_after_promotion > std::chrono::seconds(2)) {
                break;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    stop = true;
    for (auto& t : clients)
        t.join();

    std::string summary;
    for (const auto& [status, count] : statuses)
        summary += fmt::format(" {}×{}", count, status);
    std::cerr << "answers:" << summary << "\n";
    EXPECT_TRUE(wrong.empty()) << wrong.size() << " wrong answers, first: " << wrong.front();
    ASSERT_NE(last_ack_before_crash, Clock::time_point{}) << "no write acknowledged before";
    ASSERT_NE(first_ack_after_promotion, Clock::time_point{})
        << "no write acknowledged after the promotion:\n"
        << server.log();
    const auto resumed = std::chrono::duration_cast<std::chrono::milliseconds>(
        first_ack_after_promotion - promoted_at);
    std::cerr << "writes resumed " << resumed.count() << " ms after the promotion\n";
    EXPECT_LE(resumed.count(), 10'000);

    HttpClient http(server.port());
    const auto stored = incidents_by_description(http, admin);
    for (const auto& [description, ack] : acked) {
        ASSERT_EQ(stored.count(description), 1u) << "acknowledged but lost: " << description;
        EXPECT_EQ(stored.find(description)->second.id, ack.id) << description;
    }
    server.stop();
    auto verify = run_cli({"audit", "verify", "--db", pair.uri()});
    EXPECT_EQ(verify.exit_code, 0) << verify.out;
}

} // namespace
} // namespace pingan::test
