// The analytics routes against a running server holding the real DC incident records: CompStat
// and hotspots answer what the CLI answers for the same question, are reproducible, include
// live incidents when asked, and refuse bad periods and parameters by name.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "fixture.hpp"

using namespace pingan::test;

namespace {

const std::string kCsv =
    std::string(PINGAN_DATA_DIR) + "/incidents/dc_crime_2024-01-01_2024-03-17.csv";

class AnalyticsTest : public ServerTest {
protected:
    void SetUp() override {
        if (!std::filesystem::exists(kCsv)) GTEST_SKIP() << "real data missing: " << kCsv;
        // The records are imported before the server starts, into the file it will serve.
        const std::string file = scratch.path("pingan.db").string();
        auto r = run_cli({"import", "incidents", kCsv, "--format", "dc", "--db", file});
        ASSERT_EQ(r.exit_code, 0) << r.out;
        ServerTest::SetUp();
    }

    nlohmann::json read_json(const std::filesystem::path& p) {
        std::ifstream in(p);
        std::stringstream s;
        s << in.rdbuf();
        return nlohmann::json::parse(s.str());
    }
};

constexpr const char* kFebruary =
    "from=2024-02-01&to=2024-02-29&tz=America/New_York&compare=previous-period";

} // namespace

TEST_F(AnalyticsTest, CompStatIsTheReportTheCliWrites) {
    auto api =
        http->get(std::string("/api/v1/analytics/compstat?") + kFebruary + "&live=false", admin);
    ASSERT_EQ(api.status, 200) << api.body;
    const auto a = api.json();
    // Stop the server so the CLI reads the same file alone, then compare whole documents.
    server->stop();
    const auto out = scratch.path("compstat.json");
    auto cli = run_cli({"report", "compstat", "--db", db, "--from", "2024-02-01", "--to",
                        "2024-02-29", "--tz", "America/New_York", "--compare", "previous-period",
                        "--no-live", "--format", "json", "--out", out.string()});
    ASSERT_EQ(cli.exit_code, 0) << cli.out;
    EXPECT_EQ(a, read_json(out));
    // February 2024 in New York against the 29 days before it.
    EXPECT_EQ(a["period"]["from"], "2024-02-01T05:00:00.000Z");
    EXPECT_EQ(a["period"]["to"], "2024-03-01T05:00:00.000Z");
    EXPECT_EQ(a["comparison"]["from"], "2024-01-03T05:00:00.000Z");
    EXPECT_GT(a["total"]["current"].get<int>(), 1000);
    EXPECT_GT(a["total"]["previous"].get<int>(), 1000);
    std::int64_t by_category = 0;
    for (const auto& row : a["by_category"])
        by_category += row["current"].get<std::int64_t>();
    EXPECT_EQ(by_category, a["total"]["current"].get<std::int64_t>());
}

TEST_F(AnalyticsTest, CompStatAsCsv) {
    auto r =
        http->get(std::string("/api/v1/analytics/compstat?") + kFebruary + "&format=csv", admin);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "text/csv");
    EXPECT_EQ(r.body.rfind("section,category,group,jurisdiction,metric,", 0), 0u) << r.body;
}

TEST_F(AnalyticsTest, HotspotsAreAReproducibleMapLayerOfPlaces) {
    const std::string q = "/api/v1/analytics/hotspots?from=2024-01-01&to=2024-03-17&tz=America/"
                          "New_York&analyses=kde,gi_star&permutations=99&seed=7&cell_m=200";
    auto r = http->get(q, admin);
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
    EXPECT_EQ(r.header("content-type"), "application/geo+json");
    const auto g = r.json();
    EXPECT_EQ(g["type"], "FeatureCollection");
    const auto& meta = g["pingan"];
    EXPECT_EQ(meta["report"], "hotspots");
    EXPECT_EQ(meta["gi_star"]["params"]["seed"], 7);
    EXPECT_EQ(meta["gi_star"]["params"]["permutations"], 99);
    EXPECT_EQ(meta["grid"]["cell_m"], 200);
    // Every cell holding an incident is written, so the counts add up to the located records.
    std::int64_t counted = 0;
    int hot = 0;
    for (const auto& f : g["features"]) {
        EXPECT_EQ(f["geometry"]["type"], "Polygon");
        counted += f["properties"].value("count", std::int64_t{0});
        if (f["properties"].value("hotspot", std::string()) == "hot") ++hot;
        // Places only: nothing about a person rides along.
        for (const char* personal : {"caller", "name", "phone", "description"}) {
            EXPECT_FALSE(f["properties"].contains(personal)) << personal;
        }
    }
    EXPECT_EQ(counted, meta["located"].get<std::int64_t>());
    EXPECT_GT(counted, 5000);
    EXPECT_GT(hot, 0);
    // Same question, same seed: the same bytes.
    EXPECT_EQ(http->get(q, admin).body, r.body);
}

TEST_F(AnalyticsTest, LiveIncidentsCountUnlessLeftOut) {
    auto before = http->get("/api/v1/analytics/range", admin).json();
    auto imported = http->get("/api/v1/analytics/range?live=false", admin).json();
    EXPECT_EQ(before["count"], imported["count"]);
    EXPECT_EQ(imported["first_received_at"], "2024-01-01T05:00:00.000Z");
    create_incident();
    auto after = http->get("/api/v1/analytics/range", admin).json();
    EXPECT_EQ(after["count"].get<int>(), before["count"].get<int>() + 1);
    EXPECT_EQ(http->get("/api/v1/analytics/range?live=false", admin).json()["count"],
              imported["count"]);
}

TEST_F(AnalyticsTest, BadQuestionsAreRefusedByName) {
    struct Case {
        std::string query;
        std::string field;
    };
    const std::int64_t head = head_seq();
    const std::vector<Case> cases = {
        {"compstat?to=2024-02-29", "from"},
        {"compstat?from=2024-02-01", "to"},
        {"compstat?from=2024-02-30&to=2024-03-10", "from"},
        {"compstat?from=2024-02-10&to=2024-02-01", "to"},
        {"compstat?from=2024-02-01&to=2024-02-29&tz=Mars/Olympus", "tz"},
        {"compstat?from=2024-02-01&to=2024-02-29&compare=last-week", "compare"},
        {"compstat?from=2024-02-01&to=2024-02-29&format=xlsx", "format"},
        {"compstat?from=2024-02-01&to=2024-02-29&live=maybe", "live"},
        {"hotspots?from=2024-02-01&to=2024-02-29&cell_m=1", "cell_m"},
        {"hotspots?from=2024-02-01&to=2024-02-29&analyses=kde,faces", "analyses"},
        {"hotspots?from=2024-02-01&to=2024-02-29&knox_days=7,x", "knox_days"},
        {"hotspots?from=2024-02-01&to=2024-02-29&fdr=2", "fdr"},
    };
    for (const Case& c : cases) {
        auto r = http->get("/api/v1/analytics/" + c.query, admin);
        EXPECT_EQ(r.status, 400) << c.query << " " << r.body;
        EXPECT_EQ(r.header("content-type"), "application/problem+json") << c.query;
        EXPECT_EQ(r.json()["field"], c.field) << c.query << " " << r.body;
        EXPECT_EQ(r.json()["detail"].get<std::string>().rfind(c.field + ": ", 0), 0u) << r.body;
    }
    // A period without data says what the database holds, for both reports.
    for (const char* report : {"compstat", "hotspots"}) {
        auto r = http->get(std::string("/api/v1/analytics/") + report +
                               "?from=2019-01-01&to=2019-01-31&live=false",
                           admin);
        EXPECT_EQ(r.status, 400) << r.body;
        EXPECT_EQ(r.json()["field"], "from");
        EXPECT_NE(r.json()["detail"].get<std::string>().find("holds 5735 records from 2024-01-01"),
                  std::string::npos)
            << r.body;
    }
    // Nothing was written by refused questions.
    EXPECT_EQ(head_seq(), head);
}
