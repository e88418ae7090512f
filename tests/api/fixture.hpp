// A running server with an admin account, shared by the API tests.
#pragma once

#include <memory>

#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace pingan::test {

inline constexpr const char* kAdminPassword = "Admin-Pass-2026";

class ServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        db = scratch.path("pingan.db").string();
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
