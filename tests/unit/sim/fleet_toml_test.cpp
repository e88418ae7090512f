#include <gtest/gtest.h>

#include "io/fleet_toml.hpp"

namespace pingan::io {
namespace {

TEST(FleetToml, ReadsPostsUnitsAndTimes) {
    auto f = parse_fleet(R"(
name = "two posts"
call_processing_s = 90
turnout_s = 45
service_spread = 0.25
[service_min]
default = 20
criminal = 40
robbery = 60
[[posts]]
name = "North"
lat = 38.95
lon = -77.05
units = 2
[[posts]]
name = "South"
lat = 38.90
lon = -77.03
callsigns = ["S-ALPHA"]
capabilities = ["k9"]
)",
                         "test.toml");
    ASSERT_TRUE(f) << f.error().detail;
    EXPECT_EQ(f->name, "two posts");
    EXPECT_EQ(f->call_processing_ms, 90'000);
    EXPECT_EQ(f->turnout_ms, 45'000);
    EXPECT_DOUBLE_EQ(f->service_spread, 0.25);
    ASSERT_EQ(f->posts.size(), 2u);
    ASSERT_EQ(f->units.size(), 3u);
    EXPECT_EQ(f->units[0].callsign, "North-1");
    EXPECT_EQ(f->units[1].callsign, "North-2");
    EXPECT_EQ(f->units[2].callsign, "S-ALPHA");
    EXPECT_EQ(f->units[2].post, 1u);
    EXPECT_EQ(f->units[2].capabilities, std::vector<std::string>{"k9"});
    EXPECT_EQ(f->service_mean_ms("robbery"), 60 * 60'000);
    EXPECT_EQ(f->service_mean_ms("theft"), 40 * 60'000);
    EXPECT_EQ(f->service_mean_ms("noise"), 20 * 60'000);
}

// Bad input names the key and the reason.
TEST(FleetToml, RefusesBadFilesNamingTheKey) {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"name = \"x\"\n", "posts"},
        {"[[posts]]\nlat = 1\nlon = 2\nunits = 0\n", "posts[1].units"},
        {"[[posts]]\nlat = 100\nlon = 2\nunits = 1\n", "posts[1].lat"},
        {"[[posts]]\nlat = 1\nlon = 2\nunits = 1\ncolour = 3\n", "posts[1].colour: unknown key"},
        {"turnout_s = -1\n[[posts]]\nlat = 1\nlon = 2\nunits = 1\n", "turnout_s"},
        {"[service_min]\nshoplifting = 3\n[[posts]]\nlat = 1\nlon = 2\nunits = 1\n",
         "'shoplifting' is not a taxonomy code"},
        {"[[posts]]\nname = \"A\"\nlat = 1\nlon = 2\ncallsigns = [\"X\"]\n[[posts]]\nlat = 1\n"
         "lon = 2\ncallsigns = [\"X\"]\n",
         "call sign X is used twice"},
        {"posts = [\n", "line"},
    };
    for (const auto& [text, expected] : cases) {
        auto f = parse_fleet(text, "bad.toml");
        ASSERT_FALSE(f) << text;
        EXPECT_NE(f.error().detail.find(expected), std::string::npos)
            << f.error().detail << " (wanted " << expected << ")";
        EXPECT_NE(f.error().detail.find("bad.toml"), std::string::npos);
    }
}

TEST(FleetToml, ShippedFleetsLoad) {
    for (const char* name : {"dc", "baltimore"}) {
        auto f =
            load_fleet_file(std::string(PINGAN_SOURCE_DIR) + "/config/fleet/" + name + ".toml");
        ASSERT_TRUE(f) << f.error().detail;
        EXPECT_GE(f->units.size(), 5u) << name;
    }
}

} // namespace
} // namespace pingan::io
