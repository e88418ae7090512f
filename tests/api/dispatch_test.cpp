// The dispatch workflow against a real server with the DC road graph and DC police districts
// and PSAs: triage at intake, jurisdiction stamping, duplicates and merge, recommendations by
// road ETA, the 12345 hand-off to a real HTTP receiver, timers and alerts on a manual clock,
// EIDO in and out, and CAP alerts.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/core.h>
#include <gtest/gtest.h>

#include "fixture.hpp"
#include "support/http_receiver.hpp"

using namespace pingan::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::string kOsm = std::string(PINGAN_DATA_DIR) + "/roads/dc-nw.osm.pbf";
const std::string kDistricts =
    std::string(PINGAN_DATA_DIR) + "/boundaries/dc_districts_from_psa_2018.geojson";
const std::string kPsa = std::string(PINGAN_DATA_DIR) + "/boundaries/dc_psa_2018.geojson";

// Places in north-west Washington, DC.
constexpr double kDupontLat = 38.9097, kDupontLon = -77.0434; // Dupont Circle
constexpr double kLoganLat = 38.9096, kLoganLon = -77.0317;   // Logan Circle
constexpr double kTenleyLat = 38.9478, kTenleyLon = -77.0796; // Tenleytown
constexpr double kAtlanticLat = 38.80, kAtlanticLon = -76.50; // Chesapeake Bay: no district

std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// The road graph is imported once for all tests in this file.
const std::string& dc_graph() {
    static Scratch* dir = new Scratch();
    static std::string path;
    if (path.empty()) {
        path = dir->path("dc.graph").string();
        auto r = run_cli({"import", "osm", kOsm, "--out", path});
        EXPECT_EQ(r.exit_code, 0) << r.out;
    }
    return path;
}

class DispatchTest : public ServerTest {
protected:
    void SetUp() override {
        if (!std::filesystem::exists(kOsm) || !std::filesystem::exists(kPsa)) {
            GTEST_SKIP() << "real data missing under " << PINGAN_DATA_DIR;
        }
        graph_ = dc_graph();
        // The centre's configuration as shipped, with the hand-off pointed at our receiver.
        config_ = scratch.path("config");
        std::filesystem::create_directories(config_);
        const std::filesystem::path shipped = std::filesystem::path(PINGAN_SOURCE_DIR) / "config";
        for (const char* f : {"taxonomy.toml", "triage.toml"}) {
            std::filesystem::copy_file(shipped / f, config_ / f);
        }
        std::string dispatch = read_text(shipped / "dispatch.toml");
        dispatch = std::regex_replace(dispatch, std::regex(R"(url = "")"),
                                      "url = \"" + receiver.url() + "\"");
        dispatch = std::regex_replace(dispatch, std::regex(R"(timeout_s = \d+)"),
                                      "timeout_s = 1\nretry_base_ms = 50\npoll_ms = 20");
        dispatch = std::regex_replace(dispatch, std::regex(R"(alert_after_failures = \d+)"),
                                      "alert_after_failures = 3");
        std::ofstream(config_ / "dispatch.toml") << dispatch;

        const std::string path = scratch.path("pingan.db").string();
        auto r = run_cli({"import", "boundaries", kDistricts, "--layer", "jurisdiction",
                          "--name-field", "DISTRICT", "--db", path});
        ASSERT_EQ(r.exit_code, 0) << r.out;
        r = run_cli({"import", "boundaries", kPsa, "--layer", "patrol_area", "--name-field", "PSA",
                     "--db", path});
        ASSERT_EQ(r.exit_code, 0) << r.out;
        ServerTest::SetUp();
    }
    std::vector<std::string> extra_args() const override {
        std::vector<std::string> args{"--graph", graph_, "--config", config_.string()};
        if (!manual_clock_.empty()) {
            args.push_back("--manual-clock");
            args.push_back(manual_clock_);
        }
        return args;
    }

    json unit_at(const std::string& callsign, double lat, double lon,
                 const std::string& agency = "police") {
        auto r = http->post(
            "/api/v1/units",
            {{"callsign", callsign}, {"agency", agency}, {"lat", lat}, {"lon", lon}}, admin);
        EXPECT_EQ(r.status, 201) << r.body;
        return r.json();
    }
    HttpResult call(const json& body) { return http->post("/api/v1/incidents", body, admin); }
    json incident(std::int64_t id) {
        return http->get("/api/v1/incidents/" + std::to_string(id), admin).json();
    }
    std::vector<json> open_alerts() {
        auto r = http->get("/api/v1/alerts", admin);
        EXPECT_EQ(r.status, 200) << r.body;
        return r.json()["items"].get<std::vector<json>>();
    }
    bool has_alert(const std::string& kind, std::int64_t incident_id) {
        for (const json& a : open_alerts()) {
            if (a["kind"] == kind && a["incident_id"] == incident_id) return true;
        }
        return false;
    }
    // Polls the incident until its hand-off has `status` (the worker runs on its own thread).
    json wait_handoff(std::int64_t id, const std::string& status,
                      std::chrono::seconds limit = 10s) {
        const auto until = std::chrono::steady_clock::now() + limit;
        json inc;
        while (std::chrono::steady_clock::now() < until) {
            inc = incident(id);
            if (inc["handoff"].is_object() && inc["handoff"]["status"] == status) return inc;
            std::this_thread::sleep_for(20ms);
        }
        ADD_FAILURE() << "hand-off of " << id << " never became " << status << ": " << inc.dump();
        return inc;
    }

    HttpReceiver receiver;
    std::string graph_;
    std::filesystem::path config_;
    std::string manual_clock_;
};

class TimerTest : public DispatchTest {
protected:
    void SetUp() override {
        manual_clock_ = "2026-11-22T08:00:00Z";
        DispatchTest::SetUp();
    }
    void advance(int seconds) {
        auto r = http->post("/api/v1/test/clock", {{"advance_s", seconds}}, admin);
        ASSERT_EQ(r.status, 200) << r.body;
    }
};

// A patrol area around Dupont Circle with two required points: the circle (08:00-12:00) and
// Sheridan Circle (08:00-09:10), each owed one visit of a minute.
constexpr const char* kPatrolPlan = R"({"type": "FeatureCollection", "features": [
  {"type": "Feature", "properties": {"id": "A1", "name": "Dupont"},
   "geometry": {"type": "Polygon", "coordinates": [[[-77.06, 38.90], [-77.03, 38.90],
                                                    [-77.03, 38.92], [-77.06, 38.92],
                                                    [-77.06, 38.90]]]}},
  {"type": "Feature", "properties": {"id": "P1", "area_id": "A1", "name": "Dupont Circle",
   "radius_m": 50, "min_dwell_s": 60, "min_visits": 1, "windows": ["08:00-12:00"]},
   "geometry": {"type": "Point", "coordinates": [-77.0434, 38.9097]}},
  {"type": "Feature", "properties": {"id": "P2", "area_id": "A1", "name": "Sheridan Circle",
   "radius_m": 50, "min_dwell_s": 60, "min_visits": 1, "windows": ["08:00-09:10"]},
   "geometry": {"type": "Point", "coordinates": [-77.0500, 38.9117]}}]})";

class PatrolTest : public TimerTest {
protected:
    void SetUp() override {
        plan_ = scratch.path("patrol.geojson").string();
        std::ofstream(plan_) << kPatrolPlan;
        TimerTest::SetUp();
    }
    std::vector<std::string> extra_args() const override {
        auto args = TimerTest::extra_args();
        args.push_back("--patrol");
        args.push_back(plan_);
        return args;
    }
    void at(std::int64_t unit, const std::string& time, double lat, double lon) {
        auto r = http->post("/api/v1/units/" + std::to_string(unit) + "/position",
                            {{"lat", lat}, {"lon", lon}, {"at", time}}, admin);
        ASSERT_EQ(r.status, 204) << r.body;
    }
    // The log holds one recorded visit: Dupont Circle (P1) from 08:20, 90 s there.
    void expect_one_dupont_visit() {
        const json events = http->get("/api/v1/events?after=0&limit=1000", admin).json();
        int visits = 0;
        for (const json& e : events["items"]) {
            if (e["kind"] != "patrol.visit_recorded") continue;
            ++visits;
            EXPECT_EQ(e["payload"]["point_id"], "P1");
            EXPECT_EQ(e["payload"]["arrived"], "2026-11-22T08:20:00.000Z");
            EXPECT_NEAR(e["payload"]["dwell_s"].get<double>(), 90, 0.5);
        }
        EXPECT_EQ(visits, 1);
    }
    json status() {
        auto r = http->get("/api/v1/patrol/status", admin);
        EXPECT_EQ(r.status, 200) << r.body;
        return r.json();
    }
    std::string plan_;
};

class StraightPolicyTest : public DispatchTest {
protected:
    std::vector<std::string> extra_args() const override {
        auto args = DispatchTest::extra_args();
        args.push_back("--policy");
        args.push_back("straight");
        return args;
    }
};

// Cameras around Dupont Circle: A (40 m north, looking south) and B (80 m south, looking north,
// owner_only) see the circle; C stands with A but looks away; D is in Tenleytown.
constexpr const char* kCameras =
    "id,lat,lon,heading_deg,fov_deg,range_m,stream_kind,stream_url,owner,sharing\n"
    "A,38.91006,-77.0434,180,90,100,hls,http://127.0.0.1:9/a/index.m3u8,MPD,shared\n"
    "B,38.90898,-77.0434,0,60,150,rtsp,rtsp://10.0.0.2/b,DDOT,owner_only\n"
    "C,38.91006,-77.0434,0,90,100,hls,http://127.0.0.1:9/c/index.m3u8,MPD,shared\n"
    "D,38.9478,-77.0796,90,360,200,hls,http://127.0.0.1:9/d/index.m3u8,MPD,shared\n";

class CameraTest : public DispatchTest {
protected:
    void SetUp() override {
        cameras_ = scratch.path("cameras.csv").string();
        std::ofstream(cameras_) << kCameras;
        DispatchTest::SetUp();
    }
    std::vector<std::string> extra_args() const override {
        auto args = DispatchTest::extra_args();
        args.push_back("--cameras");
        args.push_back(cameras_);
        return args;
    }
    static std::vector<std::string> ids(const json& items) {
        std::vector<std::string> out;
        for (const json& c : items)
            out.push_back(c["id"]);
        return out;
    }
    std::string cameras_;
};

} // namespace

TEST_F(StraightPolicyTest, ServePolicySwitchRanksByStraightLine) {
    unit_at("PA-1", kLoganLat, kLoganLon);
    auto r = call({{"lat", kDupontLat}, {"lon", kDupontLon}, {"category", "theft"}});
    ASSERT_EQ(r.status, 201) << r.body;
    const std::string base = "/api/v1/incidents/" + std::to_string(r.json()["id"].get<int>());
    auto rec = http->get(base + "/recommendations", admin);
    ASSERT_EQ(rec.status, 200) << rec.body;
    EXPECT_EQ(rec.json()["policy"], "straight");
    EXPECT_EQ(http->get(base + "/recommendations?policy=eta", admin).json()["policy"], "eta");
    auto bad = run_cli({"serve", "--db", db, "--policy", "fastest"});
    EXPECT_NE(bad.exit_code, 0);
    EXPECT_NE(bad.out.find("--policy"), std::string::npos) << bad.out;
}

TEST_F(DispatchTest, IntakeTriagesLocatesAndRanksUnitsByRoadTime) {
    const json near = unit_at("PA-1", 38.9110, -77.0420); // a block from Dupont Circle
    const json mid = unit_at("PA-2", kLoganLat, kLoganLon);
    const json far = unit_at("PA-3", kTenleyLat, kTenleyLon);
    const json ambulance = unit_at("AMB-1", 38.9100, -77.0430, "ems");

    // No category given: the call text decides it (Chinese), and the suggestion is recorded.
    auto r = call({{"lat", kDupontLat},
                   {"lon", kDupontLon},
                   {"description", "有人持刀抢劫，嫌疑人往南跑了"},
                   {"caller", {{"phone", "13800000000"}}}});
    ASSERT_EQ(r.status, 201) << r.body;
    const json inc = r.json();
    EXPECT_EQ(inc["category"], "robbery");
    EXPECT_EQ(inc["triage"]["suggested"]["category"], "robbery");
    EXPECT_EQ(inc["triage"]["decided"]["category"], "robbery");
    EXPECT_EQ(inc["triage"]["accepted"], true);
    EXPECT_EQ(inc["jurisdiction"], "2"); // Dupont Circle is in MPD's Second District
    EXPECT_FALSE(inc["patrol_area"].get<std::string>().empty());
    EXPECT_TRUE(inc["warnings"].empty()) << inc.dump();

    // Ranked by road time, police only, with the reasons for each rank.
    const json items = inc["recommendations"];
    ASSERT_EQ(items.size(), 3u) << items.dump();
    EXPECT_EQ(items[0]["unit_id"], near["id"]);
    EXPECT_EQ(items[1]["unit_id"], mid["id"]);
    EXPECT_EQ(items[2]["unit_id"], far["id"]);
    for (const json& it : items) {
        EXPECT_NE(it["unit_id"], ambulance["id"]);
        for (const char* k : {"eta_s", "distance_m", "straight_m", "status", "capability_match",
                              "jurisdiction_match", "coverage_lost_share"}) {
            EXPECT_TRUE(it["reasons"].contains(k)) << k << " in " << it.dump();
        }
    }
    EXPECT_LT(items[0]["eta_s"].get<double>(), items[1]["eta_s"].get<double>());
    EXPECT_LT(items[1]["eta_s"].get<double>(), items[2]["eta_s"].get<double>());
    EXPECT_GE(items[0]["distance_m"].get<double>(),
              items[0]["reasons"]["straight_m"].get<double>());

    const std::string base = "/api/v1/incidents/" + std::to_string(inc["id"].get<int>());
    auto rec = http->get(base + "/recommendations", admin);
    ASSERT_EQ(rec.status, 200) << rec.body;
    EXPECT_EQ(rec.json()["items"][0]["unit_id"], near["id"]);
    EXPECT_EQ(http->get(base + "/recommendations?policy=straight", admin).json()["policy"],
              "straight");
    EXPECT_EQ(http->get(base + "/recommendations?policy=fastest", admin).status, 400);

    // The dispatcher sends the second unit: the assignment keeps the rank it had in the list.
    auto d = http->post(base + "/dispatch", {{"unit_id", mid["id"]}}, admin);
    ASSERT_EQ(d.status, 201) << d.body;
    EXPECT_EQ(d.json()["recommended_rank"], 2);
    // The recommendation shown is in the event log, for review.
    auto events = http->get("/api/v1/events?after=0&limit=1000", admin).json()["items"];
    bool recorded = false;
    for (const json& e : events) {
        if (e["kind"] == "incident.recommended" && e["payload"]["incident_id"] == inc["id"]) {
            recorded = e["payload"]["items"][0]["unit_id"] == near["id"];
        }
    }
    EXPECT_TRUE(recorded);

    // The call-taker overrides the suggestion: both are kept.
    r = call({{"lat", kLoganLat},
              {"lon", kLoganLon},
              {"category", "assault"},
              {"priority", 1},
              {"description", "someone stole my bike"}});
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.json()["triage"]["suggested"]["category"], "theft");
    EXPECT_EQ(r.json()["triage"]["decided"]["category"], "assault");
    EXPECT_EQ(r.json()["triage"]["accepted"], false);
    EXPECT_EQ(r.json()["priority"], 1);

    // Triage on its own, for the call-taker's form.
    auto s = http->post("/api/v1/triage", {{"text", "kitchen on fire, smoke everywhere"}}, admin);
    ASSERT_EQ(s.status, 200) << s.body;
    EXPECT_EQ(s.json()["category"], "fire");
    EXPECT_EQ(http->post("/api/v1/triage", {{"text", "hello"}}, admin).status, 204);
}

TEST_F(DispatchTest, AContainmentPlanSealsTheRoadsOutAndIsRecordedOnTheIncident) {
    // Police units around Dupont Circle and farther out; an ambulance is never a checkpoint.
    std::vector<json> police;
    const double around[][2] = {
        {38.9150, -77.0434}, {38.9050, -77.0434}, {38.9097, -77.0500},    {38.9097, -77.0370},
        {38.9180, -77.0380}, {38.9020, -77.0500}, {kLoganLat, kLoganLon}, {kTenleyLat, kTenleyLon}};
    for (std::size_t i = 0; i < std::size(around); ++i)
        police.push_back(unit_at("PA-" + std::to_string(i + 1), around[i][0], around[i][1]));
    const json ambulance = unit_at("AMB-1", 38.9110, -77.0420, "ems");
    auto r = call({{"lat", kDupontLat}, {"lon", kDupontLon}, {"category", "robbery"}});
    ASSERT_EQ(r.status, 201) << r.body;
    const std::int64_t id = r.json()["id"];
    const std::string base = "/api/v1/incidents/" + std::to_string(id);

    auto plan = http->post(base + "/containment", {{"escape_min", 2}}, admin);
    ASSERT_EQ(plan.status, 200) << plan.body;
    const json p = plan.json();
    EXPECT_EQ(p["incident_id"], id);
    EXPECT_EQ(p["escape_s"], 120);
    EXPECT_EQ(p["depth_s"], 30); // T / 4 when not given
    EXPECT_GT(p["reached_junctions"].get<int>(), 10);
    ASSERT_FALSE(p["checkpoints"].empty()) << p.dump();
    int staffed = 0;
    double last_escape = 0;
    std::set<std::int64_t> used;
    for (const json& c : p["checkpoints"]) {
        // Most urgent first, past the escape time, each on a road with a class.
        EXPECT_GE(c["escape_s"].get<double>(), last_escape);
        last_escape = c["escape_s"];
        EXPECT_GT(c["escape_s"].get<double>(), 120.0);
        EXPECT_FALSE(c["road_class"].get<std::string>().empty());
        if (c["unit_id"].is_null()) continue;
        ++staffed;
        EXPECT_NE(c["unit_id"], ambulance["id"]);
        EXPECT_TRUE(used.insert(c["unit_id"].get<std::int64_t>()).second) << "one unit, one place";
        // There before the escaping vehicle could be.
        EXPECT_LT(c["eta_s"].get<double>() + p["elapsed_s"].get<double>(),
                  c["escape_s"].get<double>());
        EXPECT_GT(c["margin_s"].get<double>(), 0.0);
        EXPECT_FALSE(c["callsign"].get<std::string>().empty());
    }
    EXPECT_EQ(p["staffed"], staffed);
    EXPECT_GT(staffed, 0) << p.dump();

    // Recorded on the incident's log, as answered.
    const json events = http->get("/api/v1/events?after=0&limit=1000", admin).json();
    bool recorded = false;
    for (const json& e : events["items"]) {
        if (e["kind"] == "incident.containment_planned" &&
            e["subject"] == "incident/" + std::to_string(id)) {
            recorded = e["payload"] == p;
        }
    }
    EXPECT_TRUE(recorded) << events.dump();

    // Bad input is named; a closed or unknown incident has nothing to contain.
    auto bad = http->post(base + "/containment", {{"escape_min", 0}}, admin);
    EXPECT_EQ(bad.status, 422) << bad.body;
    EXPECT_EQ(bad.json()["field"], "escape_min");
    bad = http->post(base + "/containment", {{"merge_radius_m", "wide"}}, admin);
    EXPECT_EQ(bad.json()["field"], "merge_radius_m");
    EXPECT_EQ(http->post("/api/v1/incidents/999999/containment", json::object(), admin).status,
              404);
}

TEST_F(DispatchTest, BadInputGetsANamedOutcomeAndLosesNothing) {
    unit_at("PA-1", kDupontLat, kDupontLon);
    auto r = call({{"lat", kDupontLat}, {"lon", kDupontLon}, {"category", "alien_landing"}});
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(r.json()["field"], "category");
    EXPECT_NE(r.json()["detail"].get<std::string>().find("alien_landing"), std::string::npos);
    r = call({{"lat", kDupontLat}, {"lon", kDupontLon}});
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(r.json()["field"], "category");

    // Outside every jurisdiction: accepted (a call is never refused for where it is), flagged.
    r = call({{"lat", kAtlanticLat}, {"lon", kAtlanticLon}, {"category", "theft"}});
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.json()["jurisdiction"], "");
    EXPECT_EQ(r.json()["warnings"], json::array({"outside_jurisdiction"}));
    const auto id = r.json()["id"].get<std::int64_t>();
    EXPECT_EQ(incident(id)["status"], "received");
    EXPECT_EQ(http->get("/api/v1/incidents", admin).json()["items"].size(), 1u);
}

TEST_F(DispatchTest, DuplicateCallsAreFlaggedAndMergedKeepingEveryCaller) {
    auto first = call({{"lat", kDupontLat},
                       {"lon", kDupontLon},
                       {"category", "assault"},
                       {"caller", {{"name", "Caller One"}, {"phone", "+1 202 555 0101"}}}});
    ASSERT_EQ(first.status, 201) << first.body;
    const auto first_id = first.json()["id"].get<std::int64_t>();
    // 60 m away, a minute later in call time, a compatible category.
    auto second = call({{"lat", kDupontLat + 0.0005},
                        {"lon", kDupontLon},
                        {"category", "assault"},
                        {"caller", {{"name", "Caller Two"}, {"phone", "+1 202 555 0102"}}}});
    ASSERT_EQ(second.status, 201) << second.body;
    EXPECT_EQ(second.json()["likely_duplicates"], json::array({first_id}));
    // Across town: not a duplicate.
    auto other = call({{"lat", kTenleyLat}, {"lon", kTenleyLon}, {"category", "assault"}});
    EXPECT_TRUE(other.json()["likely_duplicates"].empty());

    const auto second_id = second.json()["id"].get<std::int64_t>();
    const std::string merge = "/api/v1/incidents/" + std::to_string(second_id) + "/merge";
    auto self = http->post(merge, {{"into", second_id}}, admin);
    EXPECT_EQ(self.status, 422) << self.body;
    EXPECT_EQ(self.json()["field"], "into");
    auto missing = http->post(merge, {{"into", 999999}}, admin);
    EXPECT_EQ(missing.status, 422) << missing.body;
    EXPECT_EQ(missing.json()["field"], "into");
    auto m = http->post(merge, {{"into", first_id}}, admin);
    ASSERT_EQ(m.status, 200) << m.body;
    EXPECT_EQ(m.json()["status"], "merged");
    EXPECT_EQ(m.json()["merged_into"], first_id);

    // Both callers are on record under the surviving incident.
    add_user(db, "taker", "call_taker", "Taker-Pass-2026");
    const std::string taker = login(server->port(), "taker", "Taker-Pass-2026");
    auto callers = http->get("/api/v1/incidents/" + std::to_string(first_id) + "/caller", taker);
    ASSERT_EQ(callers.status, 200) << callers.body;
    std::set<std::string> phones;
    const json items = callers.json()["items"];
    for (const json& c : items)
        phones.insert(c["phone"].get<std::string>());
    EXPECT_EQ(phones, (std::set<std::string>{"+1 202 555 0101", "+1 202 555 0102"}))
        << callers.body;
}

TEST_F(DispatchTest, NonPoliceCallsAreHandedTo12345AndDelivered) {
    auto r = call({{"lat", kDupontLat},
                   {"lon", kDupontLon},
                   {"description", "楼上噪音扰民，每天半夜装修"},
                   {"address", "1500 Massachusetts Ave NW"},
                   {"caller", {{"phone", "13800000001"}}}});
    ASSERT_EQ(r.status, 201) << r.body;
    const json inc = r.json();
    EXPECT_EQ(inc["status"], "diverted");
    EXPECT_TRUE(inc["recommendations"].empty());
    const auto id = inc["id"].get<std::int64_t>();
    const json done = wait_handoff(id, "delivered");
    EXPECT_EQ(done["handoff"]["remote_id"], "SR-1");
    EXPECT_EQ(done["handoff"]["attempts"], 1);

    const auto got = receiver.received();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].target, "/open311/v2/requests.json");
    EXPECT_EQ(got[0].content_type, "application/x-www-form-urlencoded");
    EXPECT_EQ(got[0].idempotency_key, "pingan-" + inc["number"].get<std::string>());
    EXPECT_NE(got[0].body.find("service_code=noise_complaint"), std::string::npos) << got[0].body;
    EXPECT_NE(got[0].body.find("lat=38.9097"), std::string::npos);
    EXPECT_NE(got[0].body.find("long=-77.0434"), std::string::npos);
    EXPECT_NE(got[0].body.find("address_string=1500+Massachusetts+Ave+NW"), std::string::npos);
    // The caller's phone is not sent unless the centre allows it.
    EXPECT_EQ(got[0].body.find("13800000001"), std::string::npos);
}

TEST_F(DispatchTest, A12345ThatFailsIsRetriedAlertedAndRecovers) {
    receiver.set_mode(HttpReceiver::Mode::fail);
    auto r = call({{"lat", kDupontLat}, {"lon", kDupontLon}, {"category", "noise"}});
    ASSERT_EQ(r.status, 201) << r.body;
    const auto id = r.json()["id"].get<std::int64_t>();
    // After three failed attempts an alert names the incident; the request stays pending.
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (!has_alert("handoff_failing", id) && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(20ms);
    ASSERT_TRUE(has_alert("handoff_failing", id));
    json inc = incident(id);
    EXPECT_EQ(inc["handoff"]["status"], "pending");
    EXPECT_GE(inc["handoff"]["attempts"].get<int>(), 3);
    EXPECT_NE(inc["handoff"]["last_error"].get<std::string>().find("HTTP 500"), std::string::npos);
    EXPECT_EQ(inc["status"], "diverted");

    receiver.set_mode(HttpReceiver::Mode::accept);
    inc = wait_handoff(id, "delivered", 20s);
    EXPECT_FALSE(has_alert("handoff_failing", id)) << "resolved once delivered";
    EXPECT_EQ(receiver.created(), 1u);
    // Every attempt carried the same idempotency key.
    for (const auto& got : receiver.received())
        EXPECT_EQ(got.idempotency_key, "pingan-" + inc["number"].get<std::string>());
}

TEST_F(DispatchTest, ASlowOrDown12345NeverDuplicatesOrLosesTheRequest) {
    // Slow: the answer comes after our timeout; the retry carries the same key and the
    // receiver does not create a second service request.
    receiver.set_mode(HttpReceiver::Mode::slow, 1500ms);
    auto r = call({{"lat", kDupontLat}, {"lon", kDupontLon}, {"category", "utility"}});
    ASSERT_EQ(r.status, 201) << r.body;
    const auto slow_id = r.json()["id"].get<std::int64_t>();
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (incident(slow_id)["handoff"]["attempts"].get<int>() < 1 &&
           std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(20ms);
    EXPECT_NE(incident(slow_id)["handoff"]["last_error"].get<std::string>(), "");
    receiver.set_mode(HttpReceiver::Mode::accept);
    wait_handoff(slow_id, "delivered", 20s);
    EXPECT_EQ(receiver.created(), 1u);

    // Down: connection refused; the call is kept, alerted, and delivered when it is back.
    receiver.set_mode(HttpReceiver::Mode::down);
    r = call({{"lat", kLoganLat}, {"lon", kLoganLon}, {"category", "non_police"}});
    ASSERT_EQ(r.status, 201) << r.body;
    const auto down_id = r.json()["id"].get<std::int64_t>();
    const auto until2 = std::chrono::steady_clock::now() + 10s;
    while (!has_alert("handoff_failing", down_id) && std::chrono::steady_clock::now() < until2)
        std::this_thread::sleep_for(20ms);
    ASSERT_TRUE(has_alert("handoff_failing", down_id));
    // A restart in between loses nothing: the outbox is in the database.
    restart();
    receiver.set_mode(HttpReceiver::Mode::accept);
    wait_handoff(down_id, "delivered", 20s);
    EXPECT_EQ(receiver.created(), 2u);
    EXPECT_EQ(run_cli({"audit", "verify", "--db", db}).exit_code, 0);
}

TEST_F(TimerTest, IncidentsAndUnitsThatWaitTooLongRaiseAlertsThatResolve) {
    const json unit = unit_at("PA-1", kLoganLat, kLoganLon);
    auto t = http->get("/api/v1/taxonomy", admin).json()["priorities"]["1"];
    const int dispatch_s = t["dispatch_s"];
    const int en_route_s = t["en_route_s"];
    const int on_scene_max_s = t["on_scene_max_s"];

    auto r =
        call({{"lat", kDupontLat}, {"lon", kDupontLon}, {"category", "robbery"}, {"priority", 1}});
    ASSERT_EQ(r.status, 201) << r.body;
    const auto id = r.json()["id"].get<std::int64_t>();
    advance(dispatch_s - 5);
    EXPECT_FALSE(has_alert("not_dispatched", id));
    advance(10);
    EXPECT_TRUE(has_alert("not_dispatched", id));

    // The stream carries the alert too.
    auto events = http->get("/api/v1/events?after=0&limit=1000", admin).json()["items"];
    bool streamed = false;
    for (const json& e : events)
        streamed = streamed || e["kind"] == "alert.raised";
    EXPECT_TRUE(streamed);

    const std::string base = "/api/v1/incidents/" + std::to_string(id);
    ASSERT_EQ(http->post(base + "/dispatch", {{"unit_id", unit["id"]}}, admin).status, 201);
    advance(1);
    EXPECT_FALSE(has_alert("not_dispatched", id)) << "resolved by the dispatch";
    auto resolved = http->get("/api/v1/alerts?open=false", admin).json()["items"];
    ASSERT_FALSE(resolved.empty());
    EXPECT_FALSE(resolved[0]["resolved_at"].is_null());

    advance(en_route_s + 1);
    EXPECT_TRUE(has_alert("not_en_route", id));
    const std::string unit_status =
        "/api/v1/units/" + std::to_string(unit["id"].get<int>()) + "/status";
    ASSERT_EQ(http->post(unit_status, {{"status", "on_scene"}}, admin).status, 200);
    advance(1);
    EXPECT_FALSE(has_alert("not_en_route", id));
    advance(on_scene_max_s + 1);
    EXPECT_TRUE(has_alert("on_scene_long", id));

    // The NFPA 1221 segments are on the assignment.
    const json a = incident(id)["assignments"][0];
    EXPECT_FALSE(a["dispatched_at"].is_null());
    EXPECT_FALSE(a["on_scene_at"].is_null());
    EXPECT_EQ(http->post("/api/v1/test/clock", {{"advance_s", -1}}, admin).status, 422);
}

TEST_F(CameraTest, TheCamerasThatSeeAnIncidentAreListedAndOpeningOneIsGatedAndLogged) {
    auto r = call({{"lat", kDupontLat}, {"lon", kDupontLon}, {"category", "robbery"}});
    ASSERT_EQ(r.status, 201) << r.body;
    const std::int64_t id = r.json()["id"];
    const std::string base = "/api/v1/incidents/" + std::to_string(id);

    // The cones of A and B cover the circle, A nearer its axis and its reach; C looks away.
    auto seen = http->get(base + "/cameras", admin);
    ASSERT_EQ(seen.status, 200) << seen.body;
    EXPECT_EQ(ids(seen.json()["items"]), (std::vector<std::string>{"A", "B"}));
    const json a = seen.json()["items"][0];
    EXPECT_NEAR(a["distance_m"].get<double>(), 40, 2);
    EXPECT_NEAR(a["off_axis_deg"].get<double>(), 0, 0.5);
    EXPECT_FALSE(a.contains("stream_url")) << "lists never carry stream addresses";

    // The map view lists the cameras standing in it, nearest its centre first.
    auto view =
        http->get("/api/v1/cameras?south=38.905&west=-77.05&north=38.915&east=-77.035", admin);
    ASSERT_EQ(view.status, 200) << view.body;
    EXPECT_EQ(view.json()["total"], 3);
    auto listed = ids(view.json()["items"]);
    std::sort(listed.begin(), listed.end());
    EXPECT_EQ(listed, (std::vector<std::string>{"A", "B", "C"}));
    view = http->get("/api/v1/cameras?south=38.94&west=-77.09&north=38.955&east=-77.07", admin);
    EXPECT_EQ(ids(view.json()["items"]), (std::vector<std::string>{"D"}));
    auto bad = http->get("/api/v1/cameras?south=38.94&west=-77.09&north=38.93&east=-77.07", admin);
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.json()["field"], "north");
    EXPECT_EQ(
        http->get("/api/v1/cameras?south=38.94&west=-77.09&north=38.95", admin).json()["field"],
        "east");

    // A dispatcher opens the shared camera; the owner_only one needs a supervisor.
    auto u = http->post(
        "/api/v1/users",
        {{"username", "disp"}, {"password", "Night-shift-2026"}, {"role", "dispatcher"}}, admin);
    ASSERT_EQ(u.status, 201) << u.body;
    const std::string disp = login(server->port(), "disp", "Night-shift-2026");
    auto open = http->post("/api/v1/cameras/A/view", {{"incident_id", id}}, disp);
    ASSERT_EQ(open.status, 200) << open.body;
    EXPECT_EQ(open.json()["stream_url"], "http://127.0.0.1:9/a/index.m3u8");
    EXPECT_EQ(open.json()["stream_kind"], "hls");
    auto refused = http->post("/api/v1/cameras/B/view", {{"incident_id", id}}, disp);
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_NE(refused.json()["detail"].get<std::string>().find("owner_only"), std::string::npos);
    EXPECT_EQ(http->post("/api/v1/cameras/B/view", json::object(), admin).status, 200);
    EXPECT_EQ(http->post("/api/v1/cameras/Z/view", json::object(), admin).status, 404);
    EXPECT_EQ(http->post("/api/v1/cameras/A/view", {{"incident_id", 999999}}, admin).status, 404);

    // Every hand-out of a stream is in the log: who, which camera, for which incident.
    const json events = http->get("/api/v1/events?after=0&limit=1000", admin).json();
    std::vector<std::string> viewed;
    for (const json& e : events["items"]) {
        if (e["kind"] != "camera.viewed") continue;
        viewed.push_back(e["actor"].get<std::string>() + ":" +
                         e["payload"]["camera_id"].get<std::string>());
        if (e["actor"] == "disp") {
            EXPECT_EQ(e["payload"]["incident_id"], id);
        }
    }
    EXPECT_EQ(viewed, (std::vector<std::string>{"disp:A", "admin:B"}));
}

TEST_F(CameraTest, ABadCameraRegisterStopsTheStartNamingTheLineAndField) {
    const std::string file = scratch.path("bad.csv").string();
    std::ofstream(file)
        << "id,lat,lon,heading_deg,fov_deg,range_m,stream_kind,stream_url,owner,sharing\n"
           "A,38.91,-77.04,180,90,100,hls,http://h/a.m3u8,MPD,shared\n"
           "B,38.91,-77.04,180,400,100,hls,http://h/b.m3u8,MPD,shared\n";
    auto r = run_cli(
        {"serve", "--db", scratch.path("other.db").string(), "--port", "0", "--cameras", file});
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("fov_deg"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("line 3"), std::string::npos) << r.out;
}

TEST_F(PatrolTest, AGatewayBatchEndsVisitsAsSingleReportsDo) {
    const std::int64_t car = unit_at("PA-19", 38.905, -77.045)["id"];
    ASSERT_EQ(http->post("/api/v1/patrol/shifts",
                         {{"unit_id", car},
                          {"area_id", "A1"},
                          {"start", "2026-11-22T08:00:00Z"},
                          {"end", "2026-11-22T16:00:00Z"}},
                         admin)
                  .status,
              201);
    advance(30 * 60);
    // 90 s at Dupont Circle, then away: one request, as a gateway relays a minute and a half.
    json items = json::array();
    for (int i = 0; i <= 9; ++i) {
        const double jitter = (i % 2 == 0 ? 1 : -1) * 0.000135;
        items.push_back({{"unit_id", car},
                         {"lat", 38.9097 + jitter},
                         {"lon", -77.0434},
                         {"at", fmt::format("2026-11-22T08:{}:{:02}Z", 20 + i / 6, (i % 6) * 10)}});
    }
    for (int i = 0; i < 5; ++i) {
        const int t = 21 * 60 + 40 + i * 8;
        items.push_back({{"unit_id", car},
                         {"lat", 38.9150},
                         {"lon", -77.0434},
                         {"at", fmt::format("2026-11-22T08:{}:{:02}Z", t / 60, t % 60)}});
    }
    auto r = http->post("/api/v1/positions", {{"items", items}}, admin);
    ASSERT_EQ(r.status, 200) << r.body;
    // Answered once the visit it ended is on record.
    expect_one_dupont_visit();
}

TEST_F(PatrolTest, VisitsAreDetectedFromPositionsAndMissedPointsRaiseAlerts) {
    const std::int64_t car = unit_at("PA-9", 38.905, -77.045)["id"];
    auto plan = http->get("/api/v1/patrol/plan", admin);
    ASSERT_EQ(plan.status, 200) << plan.body;
    EXPECT_EQ(plan.json()["points"].size(), 2u);
    EXPECT_EQ(plan.json()["areas"][0]["geometry"]["type"], "MultiPolygon") << plan.body;
    EXPECT_EQ(plan.json()["areas"][0]["geometry"]["coordinates"][0][0].size(), 5u) << plan.body;
    auto shift = http->post("/api/v1/patrol/shifts",
                            {{"unit_id", car},
                             {"area_id", "A1"},
                             {"start", "2026-11-22T08:00:00Z"},
                             {"end", "2026-11-22T16:00:00Z"}},
                            admin);
    ASSERT_EQ(shift.status, 201) << shift.body;
    const std::string shift_id = shift.json()["shift_id"];
    EXPECT_EQ(http->post("/api/v1/patrol/shifts",
                         {{"unit_id", car},
                          {"area_id", "nowhere"},
                          {"start", "2026-11-22T17:00:00Z"},
                          {"end", "2026-11-22T18:00:00Z"}},
                         admin)
                  .json()["field"],
              "area_id");

    advance(30 * 60); // 08:30: the positions below lie in the past
    // A drive-by through Sheridan Circle at 36 km/h (one fix near it) does not count; a stop
    // of 90 s at Dupont Circle, with the fixes wandering by 15 m, counts once the car leaves.
    for (int i = 0; i < 6; ++i) {
        at(car, fmt::format("2026-11-22T08:10:{:02}Z", i * 10), 38.9117 + (i - 3) * 0.0009,
           -77.0500);
    }
    for (int i = 0; i <= 9; ++i) {
        const double jitter = (i % 2 == 0 ? 1 : -1) * 0.000135; // 15 m north or south
        at(car, fmt::format("2026-11-22T08:{}:{:02}Z", 20 + i / 6, (i % 6) * 10), 38.9097 + jitter,
           -77.0434);
    }
    for (int i = 0; i < 5; ++i) { // 32 s away: it has left
        const int t = 21 * 60 + 40 + i * 8;
        at(car, fmt::format("2026-11-22T08:{}:{:02}Z", t / 60, t % 60), 38.9150, -77.0434);
    }
    auto reported = http->get("/api/v1/patrol/shifts/" + shift_id + "/report", admin);
    ASSERT_EQ(reported.status, 200) << reported.body;
    const json report = reported.json();
    EXPECT_GT(report["distance_m"].get<double>(), 500);
    EXPECT_EQ(report["fixes"], 21);
    std::map<std::string, json> duty;
    for (const json& d : report["duties"])
        duty[d["point_id"]] = d;
    EXPECT_EQ(duty["P1"]["visits"], 1) << report.dump();
    EXPECT_EQ(duty["P1"]["state"], "met");
    EXPECT_EQ(duty["P2"]["visits"], 0) << "a drive-by is not a visit";

    // The recorded visit is an event: arrival at the first fix, 90 s there.
    expect_one_dupont_visit();

    // At 09:00 Sheridan Circle is about to be missed; at 09:20 it is overdue.
    advance(30 * 60);
    json s = status();
    ASSERT_EQ(s["alerts"].size(), 1u) << s.dump();
    EXPECT_EQ(s["alerts"][0]["kind"], "about_to_miss");
    EXPECT_EQ(s["alerts"][0]["point_id"], "P2");
    EXPECT_EQ(s["alerts"][0]["minutes_left"], 10);
    ASSERT_EQ(s["shifts"].size(), 1u);
    // The same alert is on the centre's alert list (and so on the stream and the console).
    auto patrol_alerts = [&] {
        std::vector<json> out;
        for (const json& a : open_alerts()) {
            if (a["kind"].get<std::string>().starts_with("patrol_")) out.push_back(a);
        }
        return out;
    };
    auto listed = patrol_alerts();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0]["kind"], "patrol_due");
    EXPECT_EQ(listed[0]["unit_id"], car);
    EXPECT_NE(listed[0]["message"].get<std::string>().find("PA-9 must visit Sheridan Circle (0/1) "
                                                           "within 10 min"),
              std::string::npos)
        << listed[0].dump();
    // The suggested tour from where the car is (north of Dupont Circle) still makes it.
    auto tour = http->get("/api/v1/patrol/shifts/" + shift_id + "/tour", admin);
    ASSERT_EQ(tour.status, 200) << tour.body;
    ASSERT_EQ(tour.json()["stops"].size(), 1u) << tour.body;
    EXPECT_EQ(tour.json()["stops"][0]["point_id"], "P2");
    EXPECT_EQ(tour.json()["stops"][0]["late"], false);
    EXPECT_EQ(tour.json()["late"], 0);
    // The road path from the car to Sheridan Circle, for the map: [lon, lat] pairs that start
    // near the car and end near the point.
    const json path = tour.json()["path"];
    ASSERT_GE(path.size(), 2u) << tour.body;
    EXPECT_NEAR(path.back()[0].get<double>(), -77.0500, 0.001);
    EXPECT_NEAR(path.back()[1].get<double>(), 38.9117, 0.001);
    EXPECT_NEAR(path.front()[1].get<double>(), 38.9150, 0.001);
    EXPECT_EQ(http->get("/api/v1/patrol/shifts/S99/tour", admin).status, 404);
    advance(20 * 60);
    s = status();
    ASSERT_EQ(s["alerts"].size(), 1u) << s.dump();
    EXPECT_EQ(s["alerts"][0]["kind"], "overdue");
    listed = patrol_alerts();
    ASSERT_EQ(listed.size(), 1u) << "the patrol_due alert gave way to patrol_overdue";
    EXPECT_EQ(listed[0]["kind"], "patrol_overdue");

    // A visit recorded by hand needs a reason, and counts as manual.
    auto manual = http->post("/api/v1/patrol/visits",
                             {{"unit_id", car}, {"point_id", "P2"}, {"reason", " "}}, admin);
    EXPECT_EQ(manual.status, 422) << manual.body;
    EXPECT_EQ(manual.json()["field"], "reason");
    manual = http->post("/api/v1/patrol/visits",
                        {{"unit_id", car},
                         {"point_id", "P2"},
                         {"at", "2026-11-22T09:05:00Z"},
                         {"reason", "GPS unit off; visit seen by the sergeant"}},
                        admin);
    ASSERT_EQ(manual.status, 201) << manual.body;
    EXPECT_TRUE(status()["alerts"].empty());
    advance(0);
    EXPECT_TRUE(patrol_alerts().empty()) << "the overdue alert is resolved by the visit";

    // Shift ids are never reused, and a second shift of another car does not overlap it.
    const std::int64_t other = unit_at("PA-10", 38.905, -77.045)["id"];
    auto second = http->post("/api/v1/patrol/shifts",
                             {{"unit_id", other},
                              {"area_id", "A1"},
                              {"start", "2026-11-22T08:00:00Z"},
                              {"end", "2026-11-22T16:00:00Z"}},
                             admin);
    ASSERT_EQ(second.status, 201) << second.body;
    EXPECT_NE(second.json()["shift_id"], shift_id);

    // Shifts and visits are in the log, and the trace in the breadcrumbs: a restarted server
    // still knows them, and reports the same distance.
    restart();
    admin = login(server->port(), "admin", kAdminPassword);
    reported = http->get("/api/v1/patrol/shifts/" + shift_id + "/report", admin);
    ASSERT_EQ(reported.status, 200) << reported.body;
    for (const json& d : reported.json()["duties"])
        EXPECT_EQ(d["state"], "met") << reported.body;
    EXPECT_EQ(reported.json()["fixes"], 21) << reported.body;
    EXPECT_DOUBLE_EQ(reported.json()["distance_m"].get<double>(),
                     report["distance_m"].get<double>());
    // Two days on, the trace is no longer in memory: the report reads it from the store.
    advance(2 * 86400);
    admin = login(server->port(), "admin", kAdminPassword); // the session has expired
    reported = http->get("/api/v1/patrol/shifts/" + shift_id + "/report", admin);
    ASSERT_EQ(reported.status, 200) << reported.body;
    EXPECT_EQ(reported.json()["fixes"], 21) << reported.body;
    EXPECT_DOUBLE_EQ(reported.json()["distance_m"].get<double>(),
                     report["distance_m"].get<double>());
    EXPECT_EQ(reported.json()["met"], 2);
    EXPECT_TRUE(patrol_alerts().empty()) << "no alerts for shifts that have ended";
}

TEST_F(DispatchTest, EidoRoundTripAndCapAlert) {
    const json unit = unit_at("PA-1", kLoganLat, kLoganLon);
    auto r = call({{"lat", kDupontLat},
                   {"lon", kDupontLon},
                   {"category", "burglary"},
                   {"priority", 2},
                   {"address", "1 Dupont Circle NW"},
                   {"location_kind", "residence"},
                   {"description", "window broken <back door> & alarm"},
                   {"caller", {{"name", "Secret Name"}, {"phone", "+1 202 555 0199"}}}});
    ASSERT_EQ(r.status, 201) << r.body;
    const json inc = r.json();
    const std::string base = "/api/v1/incidents/" + std::to_string(inc["id"].get<int>());
    ASSERT_EQ(http->post(base + "/dispatch", {{"unit_id", unit["id"]}}, admin).status, 201);

    auto e = http->get(base + "/eido", admin);
    ASSERT_EQ(e.status, 200) << e.body;
    EXPECT_EQ(e.body.find("Secret Name"), std::string::npos);
    EXPECT_EQ(e.body.find("0199"), std::string::npos);
    const json doc = e.json();
    EXPECT_FALSE(doc["$id"].get<std::string>().empty());
    EXPECT_FALSE(doc["lastUpdateTimestamp"].get<std::string>().empty());
    const json ic = doc["incidentComponent"][0];
    EXPECT_EQ(ic["incidentTrackingIdentifier"], inc["number"]);
    EXPECT_EQ(ic["incidentTypeInternalCode"], "burglary");
    EXPECT_EQ(ic["incidentCommonPriorityNumber"], 2);
    EXPECT_EQ(ic["incidentStatusCommonRegistryText"], "dispatched");
    for (const char* c : {"locationComponent", "callComponent", "emergencyResourceComponent",
                          "dispatchComponent", "notesComponent"}) {
        ASSERT_EQ(doc[c].size(), 1u) << c;
        EXPECT_FALSE(doc[c][0]["$id"].get<std::string>().empty()) << c;
    }
    EXPECT_EQ(ic["locationReference"][0]["$ref"], doc["locationComponent"][0]["$id"]);
    EXPECT_EQ(doc["emergencyResourceComponent"][0]["resourceIdentifier"], "PA-1");
    EXPECT_EQ(doc["dispatchComponent"][0]["recommendedRank"], 1);
    EXPECT_EQ(doc["notesComponent"][0]["notesText"], "window broken <back door> & alarm");

    // Round trip: the document as another centre would send it creates the same incident.
    json foreign = doc;
    foreign["incidentComponent"][0]["incidentTrackingIdentifier"] = "OTHER-CAD-77";
    auto p = http->post("/api/v1/eido", foreign, admin);
    ASSERT_EQ(p.status, 201) << p.body;
    const json copy = p.json();
    EXPECT_NE(copy["id"], inc["id"]);
    for (const char* k : {"category", "priority", "address", "location_kind", "description",
                          "received_at", "jurisdiction", "patrol_area"}) {
        EXPECT_EQ(copy[k], inc[k]) << k;
    }
    EXPECT_NEAR(copy["lat"].get<double>(), inc["lat"].get<double>(), 1e-7);
    EXPECT_NEAR(copy["lon"].get<double>(), inc["lon"].get<double>(), 1e-7);
    EXPECT_EQ(copy["likely_duplicates"], json::array({inc["id"]}));
    const json again =
        http->get("/api/v1/incidents/" + std::to_string(copy["id"].get<int>()) + "/eido", admin)
            .json();
    EXPECT_EQ(again["locationComponent"][0]["locationByValue"],
              doc["locationComponent"][0]["locationByValue"]);
    EXPECT_EQ(again["notesComponent"][0]["notesText"], doc["notesComponent"][0]["notesText"]);

    // Our own number updates our incident: the partner cancelled it.
    json update = doc;
    update["incidentComponent"][0]["incidentStatusCommonRegistryText"] = "cancelled";
    auto u = http->post("/api/v1/eido", update, admin);
    ASSERT_EQ(u.status, 200) << u.body;
    EXPECT_EQ(u.json()["status"], "cancelled");
    EXPECT_EQ(incident(inc["id"])["status"], "cancelled");

    // Bad EIDOs name the member.
    json bad = foreign;
    bad["locationComponent"][0]["locationByValue"] = "<location/>";
    p = http->post("/api/v1/eido", bad, admin);
    EXPECT_EQ(p.status, 422);
    EXPECT_EQ(p.json()["field"], "locationComponent[0].locationByValue");
    bad = foreign;
    bad["incidentComponent"][0].erase("incidentTypeInternalCode");
    bad["incidentComponent"][0]["incidentTypeCommonRegistryText"] = "Dragon Sighting";
    p = http->post("/api/v1/eido", bad, admin);
    EXPECT_EQ(p.status, 422);
    EXPECT_EQ(p.json()["field"], "incidentComponent[0].incidentTypeCommonRegistryText");
    bad = foreign;
    bad["incidentComponent"][0]["incidentTypeInternalCode"] = "";
    bad["incidentComponent"][0]["incidentTypeCommonRegistryText"] = "Burglary";
    EXPECT_EQ(http->post("/api/v1/eido", bad, admin).status, 201) << "English name maps";
    EXPECT_EQ(http->post("/api/v1/eido", json::object(), admin).status, 422);
    EXPECT_EQ(http->post_raw("/api/v1/eido", "{not json", admin).status, 400);

    // CAP: a public alert for the area; nothing from the call text or the caller.
    const std::string copy_base = "/api/v1/incidents/" + std::to_string(copy["id"].get<int>());
    auto cap = http->get(copy_base + "/cap?radius_m=800", admin);
    ASSERT_EQ(cap.status, 200) << cap.body;
    EXPECT_EQ(cap.header("content-type").rfind("application/cap+xml", 0), 0u);
    const std::string& x = cap.body;
    EXPECT_NE(x.find("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"), std::string::npos);
    EXPECT_NE(x.find("<msgType>Alert</msgType>"), std::string::npos);
    EXPECT_NE(x.find("<language>zh-CN</language>"), std::string::npos);
    EXPECT_NE(x.find("<circle>38.909700,-77.043400 0.800</circle>"), std::string::npos) << x;
    EXPECT_NE(x.find("<severity>Moderate</severity>"), std::string::npos);
    EXPECT_EQ(x.find("window broken"), std::string::npos);
    EXPECT_EQ(x.find("Secret"), std::string::npos);
    EXPECT_EQ(x.find("Z</sent>"), std::string::npos) << "CAP times carry an offset, never Z";
    // The cancelled incident's alert is withdrawn.
    cap = http->get(base + "/cap", admin);
    EXPECT_NE(cap.body.find("<msgType>Cancel</msgType>"), std::string::npos);
    EXPECT_NE(cap.body.find("<references>pingan,pingan-" + inc["number"].get<std::string>()),
              std::string::npos);
    EXPECT_EQ(http->get(base + "/cap?radius_m=0", admin).status, 400);
}
