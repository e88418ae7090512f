// Caller details are deleted once the retention period has passed since they were recorded,
// on the centre's clock: a scheduled job, tested here with the manual clock. The log records
// which incidents' details were deleted, never the details.
#include "fixture.hpp"

namespace pingan::test {
namespace {

class RetentionTest : public ServerTest {
protected:
    std::vector<std::string> extra_args() const override {
        return {"--manual-clock", "2026-01-01T00:00:00Z", "--caller-retention-days", "30"};
    }
    std::int64_t incident_with_caller(const std::string& token, const std::string& phone) {
        auto r = http->post("/api/v1/incidents",
                            {{"lat", 38.9},
                             {"lon", -77.0},
                             {"category", "dispute"},
                             {"description", "neighbours shouting"},
                             {"caller", {{"name", "Li Wei"}, {"phone", phone}}}},
                            token);
        EXPECT_EQ(r.status, 201) << r.body;
        return r.json()["id"].get<std::int64_t>();
    }
    // Moves the clock, and logs in again: a login lasts one shift of that clock.
    void advance_days(int days) {
        auto r = http->post("/api/v1/test/clock", {{"advance_s", days * 86'400}}, admin);
        ASSERT_EQ(r.status, 200) << r.body;
        admin = login(server->port(), "admin", kAdminPassword);
        taker = login(server->port(), "taker", "Taker-Pass-2026");
    }
    std::string taker;
    bool has_caller(std::int64_t id, const std::string& token) {
        auto r = http->get("/api/v1/incidents/" + std::to_string(id) + "/caller", token);
        EXPECT_TRUE(r.status == 200 || r.status == 404) << r.status << " " << r.body;
        return r.status == 200 && !r.json()["items"].empty();
    }
};

TEST_F(RetentionTest, CallerDetailsAreDeletedAfterTheRetentionPeriod) {
    add_user(db, "taker", "call_taker", "Taker-Pass-2026");
    taker = login(server->port(), "taker", "Taker-Pass-2026");
    const std::int64_t old_call = incident_with_caller(taker, "+1 202 555 0101");
    advance_days(20);
    const std::int64_t new_call = incident_with_caller(taker, "+1 202 555 0102");
    EXPECT_TRUE(has_caller(old_call, taker));

    advance_days(11); // the first call is now 31 days old, the second 11
    bool deleted = false;
    for (int i = 0; i < 100 && !deleted; ++i) {
        deleted = !has_caller(old_call, taker);
        if (!deleted) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_TRUE(deleted) << "the 31-day-old caller is still there";
    EXPECT_TRUE(has_caller(new_call, taker)) << "the 11-day-old caller was deleted too";

    auto events = http->get("/api/v1/events?after=0&limit=1000", admin);
    EXPECT_EQ(events.body.find("555 0101"), std::string::npos);
    int purges = 0;
    const nlohmann::json items = events.json()["items"]; // kept: the loop reads into it
    for (const auto& e : items) {
        if (e["kind"] != "callers.purged") continue;
        ++purges;
        EXPECT_EQ(e["actor"], "system:retention");
        EXPECT_EQ(e["payload"]["incidents"], nlohmann::json::array({old_call})) << e.dump();
        EXPECT_EQ(e["payload"]["retention_days"], 30);
    }
    EXPECT_EQ(purges, 1);

    // Deleted for good: a restart does not bring them back.
    restart();
    EXPECT_FALSE(has_caller(old_call, taker));
    EXPECT_TRUE(has_caller(new_call, taker));
}

} // namespace
} // namespace pingan::test
