// The base map and address search against a running server with the DC road graph: tiles,
// style, geocoding and what happens without a graph or with bad tile numbers.
#include <filesystem>

#include <gtest/gtest.h>

#include "fixture.hpp"

using namespace pingan::test;

namespace {

const std::string kOsm = std::string(PINGAN_DATA_DIR) + "/roads/dc-nw.osm.pbf";

class MapTest : public ServerTest {
protected:
    void SetUp() override {
        if (!std::filesystem::exists(kOsm)) GTEST_SKIP() << "real data missing: " << kOsm;
        graph_ = (scratch_graph.path("dc.graph")).string();
        auto r = run_cli({"import", "osm", kOsm, "--out", graph_});
        ASSERT_EQ(r.exit_code, 0) << r.out;
        ServerTest::SetUp();
    }
    std::vector<std::string> extra_args() const override { return {"--graph", graph_}; }

    Scratch scratch_graph;
    std::string graph_;
};

} // namespace

TEST_F(MapTest, TilesAndStyle) {
    auto style = http->get("/tiles/style.json", admin);
    ASSERT_EQ(style.status, 200) << style.body;
    const auto s = style.json();
    EXPECT_EQ(s["version"], 8);
    EXPECT_EQ(s["sources"]["pingan"]["tiles"][0], "/tiles/{z}/{x}/{y}.mvt");
    EXPECT_NEAR(s["center"][0].get<double>(), -77.04, 0.05);
    EXPECT_NEAR(s["center"][1].get<double>(), 38.93, 0.05);
    // Dupont Circle at zoom 14 has roads; the middle of the Atlantic has none.
    auto tile = http->get("/tiles/14/4685/6266.mvt", admin);
    EXPECT_EQ(tile.status, 200);
    EXPECT_EQ(tile.header("content-type"), "application/vnd.mapbox-vector-tile");
    EXPECT_GT(tile.body.size(), 1000u);
    EXPECT_NE(tile.body.find("roads"), std::string::npos);
    EXPECT_EQ(http->get("/tiles/14/6000/6266.mvt", admin).status, 204);
    // Cached: the same bytes again.
    EXPECT_EQ(http->get("/tiles/14/4685/6266.mvt", admin).body, tile.body);
    for (const char* bad : {"/tiles/3/9/1.mvt", "/tiles/23/0/0.mvt", "/tiles/x/0/0.mvt",
                            "/tiles/1/0/-1.mvt", "/tiles/99999999999/0/0.mvt"}) {
        auto r = http->get(bad, admin);
        EXPECT_EQ(r.status, 400) << bad << " " << r.body;
        EXPECT_EQ(r.json()["code"], "bad_argument") << bad;
    }
    EXPECT_EQ(http->get("/tiles/14/4685/6266.pbf", admin).status, 404);
    EXPECT_EQ(http->get("/tiles/14/4685/6266.mvt").status, 401);
}

TEST_F(MapTest, Geocode) {
    auto r = http->get("/api/v1/geocode?q=Connecticut%20Ave%20%26%20R%20St", admin);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto first = r.json()["items"][0];
    EXPECT_EQ(first["kind"], "intersection");
    EXPECT_EQ(first["label"], "Connecticut Avenue Northwest & R Street Northwest");
    r = http->get("/api/v1/geocode?q=441%20G%20St%20NW", admin);
    EXPECT_EQ(r.json()["items"][0]["kind"], "address");
    r = http->get("/api/v1/geocode?q=Nonexistent%20Boulevard%2099999", admin);
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.json()["items"].empty());
    EXPECT_EQ(http->get("/api/v1/geocode", admin).status, 400);
    EXPECT_EQ(http->get("/api/v1/geocode?q=%20%20", admin).status, 400);
    EXPECT_EQ(http->get("/api/v1/geocode?q=" + std::string(201, 'a'), admin).status, 400);

    r = http->get("/api/v1/geocode/reverse?lat=38.9097&lon=-77.0434", admin);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["label"], "Connecticut Avenue Northwest");
    EXPECT_LT(r.json()["distance_m"].get<double>(), 30);
    r = http->get("/api/v1/geocode/reverse?lat=38.8&lon=-77.2", admin);
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(r.json()["code"], "off_road");
    EXPECT_EQ(http->get("/api/v1/geocode/reverse?lat=91&lon=0", admin).status, 400);

    auto c = http->get("/api/v1/console", admin).json();
    EXPECT_EQ(c["map"], true);
    EXPECT_GT(c["streets"].get<int>(), 500);
}

// Without --graph the map routes say why instead of drawing nothing.
TEST_F(ServerTest, MapWithoutGraphIsUnavailable) {
    EXPECT_EQ(http->get("/tiles/14/4685/6266.mvt", admin).status, 503);
    EXPECT_EQ(http->get("/tiles/style.json", admin).status, 503);
    auto g = http->get("/api/v1/geocode?q=Main%20St", admin);
    EXPECT_EQ(g.status, 503);
    EXPECT_NE(g.json()["detail"].get<std::string>().find("--graph"), std::string::npos);
    EXPECT_EQ(http->get("/api/v1/console", admin).json()["map"], false);
}
