// A running server with an admin account, shared by the API tests.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace pingan::test {

inline constexpr const char* kAdminPassword = "Admin-Pass-2026";

struct StoredIncident {
    std::int64_t id = 0;
    std::string number;
};

// Every incident the server lists, by description (all pages).
inline std::multimap<std::string, StoredIncident>
incidents_by_description(HttpClient& http, const std::string& token) {
    std::multimap<std::string, StoredIncident> out;
    std::string before;
    for (;;) {
        auto page = http.get("/api/v1/incidents?limit=1000" + before, token).json();
        for (const auto& i : page["items"]) {
            out.emplace(
                i["description"].get<std::string>(),
                StoredIncident{i["id"].get<std::int64_t>(), i["number"].get<std::string>()});
        }
        if (page["next_before"].is_null()) break;
        before = "&before=" + std::to_string(page["next_before"].get<std::int64_t>());
    }
    return out;
}

class ServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        db = database();
        add_user(db, "admin", "admin", kAdminPassword);
        server = std::make_unique<ServerProcess>(db, scratch.dir(), extra_args());
        server->start();
        admin = login(server->port(), "admin", kAdminPassword);
        http = std::make_unique<HttpClient>(server->port());
    }
    void TearDown() override {
        if (HasFailure() && server) std::cerr << "--- server log ---\n" << server->log();
    }
    virtual std::vector<std::string> extra_args() const { return {}; }
    // Where the server keeps its data: a SQLite file in the scratch folder unless overridden.
    virtual std::string database() { return scratch.path("pingan.db").string(); }

    void restart() {
        server->stop();
        server->start();
        http = std::make_unique<HttpClient>(server->port());
    }

    nlohmann::json create_unit(const std::string& callsign, double lat = 38.91,
                               double lon = -77.02) {
        auto r = http->post(
            "/api/v1/units",
            {{"callsign", callsign}, {"agency", "police"}, {"lat", lat}, {"lon", lon}}, admin);
        EXPECT_EQ(r.status, 201) << r.body;
        return r.json();
    }
    nlohmann::json
    create_incident(const std::string& description = "bicycle stolen outside 1200 U St") {
        auto r = http->post("/api/v1/incidents",
                            {{"lat", 38.917},
                             {"lon", -77.029},
                             {"category", "theft"},
                             {"priority", 3},
                             {"description", description}},
                            admin);
        EXPECT_EQ(r.status, 201) << r.body;
        return r.json();
    }
    std::int64_t head_seq() {
        auto r = http->get("/api/v1/events?after=0&limit=1", admin);
        return r.json()["head"].get<std::int64_t>();
    }

    Scratch scratch;
    std::string db;
    std::unique_ptr<ServerProcess> server;
    std::unique_ptr<HttpClient> http;
    std::string admin;
};

} // namespace pingan::test
