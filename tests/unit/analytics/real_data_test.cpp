// The three shared incident files through the built-in mappings: the counts the data README
// states, the flags it warns about, and projected coordinates that agree with the given ones.
// Skips (with a message) when ../shared/data is not there.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "analytics/compstat.hpp"
#include "io/incident_csv.hpp"
#include "io/incident_mapping.hpp"

namespace pingan::io {
namespace {

std::string data_file(const std::string& name) {
    return (std::filesystem::path(PINGAN_DATA_DIR) / "incidents" / name).string();
}

bool read(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    out.assign(std::istreambuf_iterator<char>(in), {});
    return true;
}

#define REQUIRE_DATA(path, text)                                                                   \
    std::string text;                                                                              \
    if (!read(path, text))                                                                         \
    GTEST_SKIP() << "shared data missing: " << path << " (set PINGAN_DATA_DIR)"

TEST(RealData, DcCrimesAllImportWithTheirDistricts) {
    REQUIRE_DATA(data_file("dc_crime_2024-01-01_2024-03-17.csv"), text);
    auto r = read_incident_csv(text, *builtin_mapping("dc"), "dc");
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_TRUE(r->had_bom);
    EXPECT_EQ(r->rows_read, 5735u);
    EXPECT_EQ(r->records.size(), 5735u);
    EXPECT_EQ(r->rejected, 0u);
    EXPECT_EQ(r->default_category, 0u); // every OFFENSE is mapped
    std::size_t homicides = 0, no_district = 0;
    for (const auto& rec : r->records) {
        homicides += rec.category == "homicide";
        no_district += rec.jurisdiction.empty();
        EXPECT_TRUE(rec.geocode_ok);
    }
    EXPECT_EQ(homicides, 32u);
    EXPECT_EQ(no_district, 89u);
}

TEST(RealData, BaltimoreKeepsAndFlagsBlankAndFarGeocodes) {
    REQUIRE_DATA(data_file("baltimore_part1_crime_2016-06-01_2016-06-18.csv"), text);
    auto r = read_incident_csv(text, *builtin_mapping("baltimore"), "baltimore");
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->records.size(), 2399u);
    EXPECT_EQ(r->blank_location, 15u); // data README: 15 rows lack coordinates
    EXPECT_EQ(r->bad_geocode, 8u);     // and 8 are geocoded far outside the city
    // Local time: the first record, 2016-06-01T00:05 in Baltimore (EDT), is 04:05Z.
    base::TimeMs first = r->records.front().received_at;
    for (const auto& rec : r->records)
        first = std::min(first, rec.received_at);
    EXPECT_EQ(base::format_iso8601(first), "2016-06-01T04:05:00.000Z");
}

TEST(RealData, SacramentoDatesOnlyAndStatePlaneCoordinatesAgree) {
    REQUIRE_DATA(data_file("sacramento_cad_2019-01_part1.csv"), text);
    auto m = builtin_mapping("sacramento");
    ASSERT_TRUE(m);
    auto r = read_incident_csv(text, *m, "sacramento");
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->records.size(), 12500u);
    EXPECT_GT(r->bad_geocode, 0u); // lon down to −142.95
    std::size_t never_dispatched = 0;
    for (const auto& rec : r->records) {
        EXPECT_EQ(rec.time_resolution_s, 86400);
        never_dispatched += !rec.dispatched_at;
    }
    EXPECT_GT(never_dispatched, 1000u);
    // The same file through the state-plane columns (EPSG:2226, US feet) with PROJ.
    IncidentMapping xy = *m;
    xy.lat_column.clear();
    xy.lon_column.clear();
    xy.x_column = "X_Coordinate";
    xy.y_column = "Y_Coordinate";
    xy.crs = "EPSG:2226";
    auto p = read_incident_csv(text, xy, "sacramento");
    ASSERT_TRUE(p) << p.error().detail;
    ASSERT_EQ(p->records.size(), r->records.size());
    std::size_t compared = 0;
    double worst_m = 0;
    for (std::size_t i = 0; i < r->records.size(); ++i) {
        const auto& a = r->records[i];
        const auto& b = p->records[i];
        if (!a.geocode_ok || !b.geocode_ok) continue;
        worst_m = std::max(worst_m, geo::distance_m(*a.location, *b.location));
        ++compared;
    }
    EXPECT_GT(compared, 12000u);
    EXPECT_LT(worst_m, 5.0); // the portal rounds lat/lon to 1e-6° (~0.1 m); state plane to feet
}

} // namespace
} // namespace pingan::io
