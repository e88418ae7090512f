// Crash test: clients create incidents while the server is killed with SIGKILL mid-burst.
// After each restart every acknowledged incident is present exactly once and the hash chain
// verifies. Ten cycles on the same database, on each backend (SQLite file; PostgreSQL cluster
// started for the test).
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <fmt/core.h>

#include "fixture.hpp"
#include "support/postgres.hpp"

using namespace pingan::test;
using nlohmann::json;

namespace {

class CrashTest : public ServerTest, public ::testing::WithParamInterface<std::string> {
protected:
    std::string database() override {
        if (GetParam() == "sqlite") return ServerTest::database();
        pg = std::make_unique<PgTemp>(scratch.path("pg"));
        EXPECT_FALSE(pg->uri().empty()) << "PostgreSQL did not start";
        return pg->uri();
    }
    std::unique_ptr<PgTemp> pg;
};

INSTANTIATE_TEST_SUITE_P(Backends, CrashTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

} // namespace

TEST_P(CrashTest, AcknowledgedIncidentsSurviveSigkill) {
    constexpr int kCycles = 10;
    constexpr int kPerCycle = 2000;
    constexpr int kClients = 8;
    std::mt19937 rng(20261121);
    std::map<std::string, StoredIncident> acked_all; // description -> what the server acknowledged

    for (int cycle = 0; cycle < kCycles; ++cycle) {
        // Kill somewhere in the middle of the burst.
        const int kill_after = std::uniform_int_distribution<int>(300, 1500)(rng);
        std::atomic<int> sent{0};
        std::atomic<int> acked{0};
        std::mutex mutex;
        std::map<std::string, StoredIncident> acked_now;
        std::vector<std::thread> clients;
        for (int c = 0; c < kClients; ++c) {
            clients.emplace_back([&, c] {
                try {
                    HttpClient client(server->port());
                    for (;;) {
                        const int n = sent.fetch_add(1);
                        if (n >= kPerCycle) return;
                        const std::string description =
                            fmt::format("crash c{} n{} by {}", cycle, n, c);
                        auto r = client.post("/api/v1/incidents",
                                             {{"lat", 38.9 + n * 1e-5},
                                              {"lon", -77.03},
                                              {"category", "theft"},
                                              {"description", description}},
                                             admin);
                        if (r.status != 201) continue; // refused: not acknowledged
                        auto j = r.json();
                        std::lock_guard lock(mutex);
                        acked_now[description] = StoredIncident{j["id"].get<std::int64_t>(),
                                                                j["number"].get<std::string>()};
                        ++acked;
                    }
                } catch (const std::exception&) {
                    // The server died under us: whatever was not acknowledged may be lost.
                }
            });
        }
        while (acked.load() < kill_after && sent.load() < kPerCycle) {
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        server->kill9();
        for (auto& t : clients)
            t.join();
        ASSERT_GT(acked_now.size(), 0u);
        ASSERT_LT(static_cast<int>(acked_now.size()), kPerCycle)
            << "the kill came too late to test anything";
        acked_all.insert(acked_now.begin(), acked_now.end());

        server->start();
        http = std::make_unique<HttpClient>(server->port());
        const auto stored =
            incidents_by_description(*http, admin); // the token survives the crash too
        for (const auto& [description, ack] : acked_all) {
            ASSERT_EQ(stored.count(description), 1u) << "cycle " << cycle << ": " << description;
            const StoredIncident& s = stored.find(description)->second;
            EXPECT_EQ(s.id, ack.id) << description;
            EXPECT_EQ(s.number, ack.number) << description;
        }
        // Unacknowledged writes may or may not have landed, but never twice.
        for (auto it = stored.begin(); it != stored.end(); it = stored.upper_bound(it->first)) {
            EXPECT_EQ(stored.count(it->first), 1u) << it->first;
        }
        auto verify = run_cli({"audit", "verify", "--db", db});
        EXPECT_EQ(verify.exit_code, 0) << verify.out;
        EXPECT_NE(verify.out.find("ok:"), std::string::npos) << verify.out;
        std::cerr << fmt::format(
            "cycle {}: killed after {} acks; {} acknowledged in total, {} stored\n", cycle,
            acked_now.size(), acked_all.size(), stored.size());
    }
}
