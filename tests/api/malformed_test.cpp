// Malformed requests: each gets a 4xx problem naming the field, and the store is unchanged.
#include <fmt/core.h>

#include "fixture.hpp"

using namespace pingan::test;
using nlohmann::json;

namespace {

struct Bad {
    const char* name;
    std::string method;
    std::string path;
    std::string body;
    int status;
    std::string field;
};

std::string incident(const std::string& fields) {
    return R"({"lat":38.9,"lon":-77.03,"category":"theft",)" + fields + "}";
}

} // namespace

TEST_F(ServerTest, MalformedBodiesAreRefusedByNameAndChangeNothing) {
    create_unit("PA-1");
    create_incident("the one real incident");
    const std::string big(5000, 'x');
    const std::string huge(2 * 1024 * 1024, 'y');
    const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
    const std::vector<Bad> cases = {
        {"empty body", "POST", "/api/v1/incidents", "", 400, "body"},
        {"not JSON", "POST", "/api/v1/incidents", "lat=38.9&lon=-77", 400, "body"},
        {"truncated JSON", "POST", "/api/v1/incidents", R"({"lat":38.9,"lon":)", 400, "body"},
        {"array body", "POST", "/api/v1/incidents", "[1,2,3]", 422, "body"},
        {"deeply nested", "POST", "/api/v1/incidents", deep, 422, "body"},
        {"no fields", "POST", "/api/v1/incidents", "{}", 422, "lat"},
        {"lat as string", "POST", "/api/v1/incidents",
         R"({"lat":"38.9","lon":-77,"category":"theft"})", 422, "lat"},
        {"lat out of range", "POST", "/api/v1/incidents",
         R"({"lat":91,"lon":-77,"category":"theft"})", 422, "lat"},
        {"lon out of range", "POST", "/api/v1/incidents",
         R"({"lat":38,"lon":-181,"category":"theft"})", 422, "lon"},
        {"lat overflow", "POST", "/api/v1/incidents",
         R"({"lat":1e999,"lon":-77,"category":"theft"})", 422, "lat"},
        {"null island", "POST", "/api/v1/incidents", R"({"lat":0,"lon":0,"category":"theft"})", 422,
         "lat"},
        {"lon missing", "POST", "/api/v1/incidents", R"({"lat":38.9,"category":"theft"})", 422,
         "lon"},
        {"category missing", "POST", "/api/v1/incidents", R"({"lat":38.9,"lon":-77})", 422,
         "category"},
        {"category number", "POST", "/api/v1/incidents", R"({"lat":38.9,"lon":-77,"category":7})",
         422, "category"},
        {"category empty", "POST", "/api/v1/incidents", R"({"lat":38.9,"lon":-77,"category":"  "})",
         422, "category"},
        {"category not a code", "POST", "/api/v1/incidents",
         R"({"lat":38.9,"lon":-77,"category":"Theft!"})", 422, "category"},
        {"priority word", "POST", "/api/v1/incidents", incident(R"("priority":"high")"), 422,
         "priority"},
        {"priority zero", "POST", "/api/v1/incidents", incident(R"("priority":0)"), 422,
         "priority"},
        {"priority fraction", "POST", "/api/v1/incidents", incident(R"("priority":2.5)"), 422,
         "priority"},
        {"description huge", "POST", "/api/v1/incidents",
         incident(R"("description":")" + big + "\""), 422, "description"},
        {"description bad UTF-8", "POST", "/api/v1/incidents",
         incident("\"description\":\"stolen \xc3\x28 bike\""), 400, "description"},
        {"description control char", "POST", "/api/v1/incidents",
         incident(R"("description":"a\u0007b")"), 422, "description"},
        {"address huge", "POST", "/api/v1/incidents", incident(R"("address":")" + big + "\""), 422,
         "address"},
        {"caller not object", "POST", "/api/v1/incidents", incident(R"("caller":"Li Wei")"), 422,
         "caller"},
        {"caller phone huge", "POST", "/api/v1/incidents",
         incident(R"("caller":{"phone":")" + big + "\"}"), 422, "caller.phone"},
        {"caller name bad UTF-8", "POST", "/api/v1/incidents",
         incident("\"caller\":{\"name\":\"\xff\"}"), 400, "caller.name"},
        {"received_at not a time", "POST", "/api/v1/incidents",
         incident(R"("received_at":"yesterday")"), 422, "received_at"},
        {"received_at in future", "POST", "/api/v1/incidents",
         incident(R"("received_at":"2099-01-01T00:00:00Z")"), 422, "received_at"},
        {"body over 1 MiB", "POST", "/api/v1/incidents",
         incident(R"("description":")" + huge + "\""), 413, "body"},
        {"incident id not a number", "POST", "/api/v1/incidents/abc/dispatch", R"({"unit_id":1})",
         422, "id"},
        {"dispatch without unit", "POST", "/api/v1/incidents/1/dispatch", "{}", 422, "unit_id"},
        {"dispatch unit as string", "POST", "/api/v1/incidents/1/dispatch", R"({"unit_id":"1"})",
         422, "unit_id"},
        {"dispatch unknown unit", "POST", "/api/v1/incidents/1/dispatch", R"({"unit_id":999})", 404,
         "unit_id"},
        {"dispatch unknown incident", "POST", "/api/v1/incidents/999/dispatch", R"({"unit_id":1})",
         404, "id"},
        {"status unknown", "POST", "/api/v1/incidents/1/status", R"({"status":"flying"})", 422,
         "status"},
        {"status missing", "POST", "/api/v1/incidents/1/status", "{}", 422, "status"},
        {"status not allowed", "POST", "/api/v1/incidents/1/status", R"({"status":"closed"})", 409,
         "status"},
        {"merge into itself", "POST", "/api/v1/incidents/1/status",
         R"({"status":"merged","merged_into":1})", 422, "merged_into"},
        {"unit without callsign", "POST", "/api/v1/units", R"({"agency":"police"})", 422,
         "callsign"},
        {"unit agency unknown", "POST", "/api/v1/units", R"({"callsign":"X-1","agency":"army"})",
         422, "agency"},
        {"unit capabilities not list", "POST", "/api/v1/units",
         R"({"callsign":"X-1","agency":"fire","capabilities":"ladder"})", 422, "capabilities"},
        {"unit lat without lon", "POST", "/api/v1/units",
         R"({"callsign":"X-1","agency":"ems","lat":38.9})", 422, "lon"},
        {"unit callsign taken", "POST", "/api/v1/units", R"({"callsign":"PA-1","agency":"police"})",
         409, "callsign"},
        {"unit status dispatched", "POST", "/api/v1/units/1/status", R"({"status":"dispatched"})",
         409, "status"},
        {"unit status unknown unit", "POST", "/api/v1/units/77/status", R"({"status":"off_duty"})",
         404, "id"},
        {"position without lat", "POST", "/api/v1/units/1/position", R"({"lon":-77})", 422, "lat"},
        {"position heading 400", "POST", "/api/v1/units/1/position",
         R"({"lat":38.9,"lon":-77,"heading":400})", 422, "heading"},
        {"position negative speed", "POST", "/api/v1/units/1/position",
         R"({"lat":38.9,"lon":-77,"speed":-1})", 422, "speed"},
        {"position of unknown unit", "POST", "/api/v1/units/77/position",
         R"({"lat":38.9,"lon":-77})", 404, "id"},
        {"position time garbage", "POST", "/api/v1/units/1/position",
         R"({"lat":38.9,"lon":-77,"at":"12:00"})", 422, "at"},
        {"positions without items", "POST", "/api/v1/positions", R"({})", 422, "items"},
        {"positions items not a list", "POST", "/api/v1/positions", R"({"items":{}})", 422,
         "items"},
        {"positions empty", "POST", "/api/v1/positions", R"({"items":[]})", 422, "items"},
        {"positions item not an object", "POST", "/api/v1/positions",
         R"({"items":[{"unit_id":1,"lat":38.9,"lon":-77},7]})", 422, "items[1]"},
        {"positions item without unit", "POST", "/api/v1/positions",
         R"({"items":[{"lat":38.9,"lon":-77}]})", 422, "items[0].unit_id"},
        {"positions item lat 91", "POST", "/api/v1/positions",
         R"({"items":[{"unit_id":1,"lat":38.9,"lon":-77},{"unit_id":1,"lat":91,"lon":-77}]})", 422,
         "items[1].lat"},
        {"positions unknown unit", "POST", "/api/v1/positions",
         R"({"items":[{"unit_id":1,"lat":38.9,"lon":-77},{"unit_id":77,"lat":38.9,"lon":-77}]})",
         404, "items[1].unit_id"},
        {"weak password", "POST", "/api/v1/users",
         R"({"username":"amy","password":"amy","role":"dispatcher"})", 422, "password"},
        {"bad user name", "POST", "/api/v1/users",
         R"({"username":"Amy Smith","password":"Night-shift-2026","role":"dispatcher"})", 422,
         "username"},
        {"unknown role", "POST", "/api/v1/users",
         R"({"username":"amy","password":"Night-shift-2026","role":"king"})", 422, "role"},
        {"unit role without unit", "POST", "/api/v1/users",
         R"({"username":"car1","password":"Night-shift-2026","role":"unit"})", 422, "unit_id"},
        {"login without password", "POST", "/api/v1/login", R"({"username":"admin"})", 422,
         "password"},
        {"bad list limit", "GET", "/api/v1/incidents?limit=0", "", 400, "limit"},
        {"bad status filter", "GET", "/api/v1/incidents?status=open", "", 400, "status"},
        {"bad events cursor", "GET", "/api/v1/events?after=-5", "", 400, "after"},
        {"key with bad UTF-8", "POST", "/api/v1/incidents",
         "{\"lat\":38.9,\"lon\":-77,\"category\":\"theft\",\"n\xfe\":1}", 400, "n\xef\xb7\x90"},
    };
    ASSERT_GE(cases.size(), 30u);

    const auto events_before = http->get("/api/v1/events?after=0&limit=1000", admin).body;
    const auto incidents_before = http->get("/api/v1/incidents?limit=1000", admin).body;
    const auto units_before = http->get("/api/v1/units", admin).body;

    for (const Bad& c : cases) {
        HttpClient fresh(server->port()); // a refused request may close its connection
        auto r = fresh.request(c.method, c.path, c.body, admin);
        EXPECT_EQ(r.status, c.status) << c.name << ": " << r.body.substr(0, 300);
        EXPECT_GE(r.status, 400) << c.name;
        EXPECT_LT(r.status, 500) << c.name;
        EXPECT_EQ(r.header("content-type"), "application/problem+json") << c.name;
        auto problem = r.json();
        ASSERT_TRUE(problem.is_object()) << c.name << ": " << r.body.substr(0, 300);
        if (c.field.find('\xef') == std::string::npos) {
            EXPECT_EQ(problem.value("field", ""), c.field)
                << c.name << ": " << r.body.substr(0, 300);
            EXPECT_NE(problem.value("detail", "").find(c.field), std::string::npos)
                << c.name << ": the detail should name the field: " << problem.value("detail", "");
        } else {
            EXPECT_EQ(problem.value("field", "").substr(0, 1), "n") << c.name;
        }
    }

    // Nothing stored changed (the admin's reads above and below are not writes).
    EXPECT_EQ(http->get("/api/v1/events?after=0&limit=1000", admin).body, events_before);
    EXPECT_EQ(http->get("/api/v1/incidents?limit=1000", admin).body, incidents_before);
    EXPECT_EQ(http->get("/api/v1/units", admin).body, units_before);
}

TEST_F(ServerTest, UnknownRoutesAndMethods) {
    EXPECT_EQ(http->get("/api/v1/nothing-here", admin).status, 404);
    auto r = http->request("DELETE", "/api/v1/incidents", "", admin);
    EXPECT_EQ(r.status, 405);
    EXPECT_NE(r.header("allow").find("POST"), std::string::npos);
}
