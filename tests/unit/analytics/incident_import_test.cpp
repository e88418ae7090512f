// Import mappings and incident CSV files: what is kept, flagged, rejected, or refused.
#include <gtest/gtest.h>

#include "io/incident_csv.hpp"
#include "io/incident_mapping.hpp"
#include "test_time.hpp"

namespace pingan::io {
namespace {

constexpr const char* kMapping = R"(
source = "test"
key = ["id"]
[time]
column = "when"
format = "%Y-%m-%d %H:%M:%S%z"
timezone = "UTC"
[stages.on_scene]
column = "arrived"
format = "%Y-%m-%d %H:%M:%S%z"
[location]
lat = "lat"
lon = "lon"
bbox = [-77.2, 38.8, -76.9, 39.0]
[category]
column = "type"
[category.codes]
"Theft" = "theft"
[category.prefixes]
"ROBB" = "robbery"
"ROBBERY-ARMED" = "weapons"
[jurisdiction]
column = "district"
)";

IncidentMapping mapping(std::string_view text = kMapping) {
    auto m = parse_mapping(text, "test.toml");
    EXPECT_TRUE(m) << (m ? "" : m.error().detail);
    return m ? *m : IncidentMapping{};
}

using test::utc;

TEST(Mapping, CodesPrefixesAndDefault) {
    const IncidentMapping m = mapping();
    EXPECT_EQ(m.code_for(" theft "), "theft"); // trimmed, without case
    EXPECT_EQ(m.code_for("ROBB HWY"), "robbery");
    EXPECT_EQ(m.code_for("robbery-armed bank"), "weapons"); // the longest prefix wins
    EXPECT_FALSE(m.code_for("arson"));                      // no default: unmapped
    EXPECT_EQ(m.source, "test");
    EXPECT_EQ(m.on_scene->timezone, "UTC"); // stages inherit the time zone
}

TEST(Mapping, RefusesUnknownKeysCodesZonesAndFormats) {
    auto bad = [](std::string_view text, std::string_view needle) {
        auto m = parse_mapping(text, "bad.toml");
        ASSERT_FALSE(m) << text;
        EXPECT_NE(m.error().detail.find(needle), std::string::npos) << m.error().detail;
    };
    const std::string base = kMapping;
    bad(base + "\ncolour = 1\n", "colour");
    bad(std::string(kMapping).replace(base.find("\"theft\""), 7, "\"pickpocket\""), "pickpocket");
    bad(std::string(kMapping).replace(base.find("\"UTC\""), 5, "\"Mars/Base\""), "Mars/Base");
    bad(std::string(kMapping).replace(base.find("%Y-%m-%d %H"), 2, "%Q"), "%Q");
    bad("source = \"x\"\n", "time");
    bad("this is not toml", "line 1");
    auto builtin = builtin_mapping("nyc");
    ASSERT_FALSE(builtin);
    EXPECT_NE(builtin.error().detail.find("dc, baltimore, sacramento"), std::string::npos);
    for (std::string_view name : builtin_mapping_names())
        EXPECT_TRUE(builtin_mapping(name)) << name;
}

TEST(IncidentCsv, KeepsFlagsAndRejectsRowsWithLineNumbers) {
    const std::string csv =
        "\xEF\xBB\xBF"
        "id,when,arrived,type,lat,lon,district\n"
        "1,2024-01-05 10:00:00+00,2024-01-05 10:07:30+00,Theft,38.90,-77.03,2\n"
        "2,2024-01-05 11:00:00+00,,\"ROBB, ARMED\",,,3\n"    // blank location
        "3,2024-01-05 12:00:00+00,,Theft,40.71,-74.00,3\n"   // New York: bad geocode
        "4,2024-02-30 12:00:00+00,,Theft,38.9,-77.0,1\n"     // no 30 February
        "5,2024-01-05 13:00:00+00,,Arson,38.9,-77.0,1\n"     // unmapped category
        "6,2024-01-05 14:00:00+00,,Theft,38.9,-77.0\n"       // a field short
        "1,2024-01-06 10:00:00+00,,Theft,38.9,-77.0,2\n"     // duplicate key
        "\n"                                                 // blank line
        "7,2024-01-05 15:00:00+00,soon,Theft,38.9,-77.0,1\n" // bad stage time
        "8,2024-01-05 16:00:00+00,,Theft,0,0,1\n";           // (0, 0): bad geocode
    auto r = read_incident_csv(csv, mapping(), "f.csv");
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_TRUE(r->had_bom);
    EXPECT_EQ(r->rows_read, 9u);      // the blank line is not a row
    EXPECT_EQ(r->records.size(), 4u); // ids 1, 2, 3, 8
    EXPECT_EQ(r->rejected, 5u);
    EXPECT_EQ(r->blank_location, 1u);
    EXPECT_EQ(r->bad_geocode, 2u);
    ASSERT_EQ(r->problems.size(), 5u);
    EXPECT_EQ(r->problems[0].line, 5u);
    EXPECT_NE(r->problems[0].reason.find("does not match"), std::string::npos);
    EXPECT_EQ(r->problems[1].line, 6u);
    EXPECT_NE(r->problems[1].reason.find("'Arson'"), std::string::npos);
    EXPECT_EQ(r->problems[2].line, 7u);
    EXPECT_NE(r->problems[2].reason.find("6 fields"), std::string::npos);
    EXPECT_EQ(r->problems[3].line, 8u);
    EXPECT_NE(r->problems[3].reason.find("first on line 2"), std::string::npos);
    EXPECT_EQ(r->problems[4].line, 10u);
    EXPECT_NE(r->problems[4].reason.find("arrived"), std::string::npos);

    const auto& a = r->records[0];
    EXPECT_EQ(a.source, "test");
    EXPECT_EQ(a.source_key, "1");
    EXPECT_EQ(a.received_at, utc(2024, 1, 5, 10, 0));
    EXPECT_EQ(a.on_scene_at, utc(2024, 1, 5, 10, 7, 30));
    EXPECT_EQ(a.category, "theft");
    EXPECT_EQ(a.source_category, "Theft");
    EXPECT_TRUE(a.geocode_ok);
    EXPECT_EQ(a.jurisdiction, "2");
    EXPECT_EQ(a.time_resolution_s, 1);
    const auto& b = r->records[1];
    EXPECT_EQ(b.category, "robbery");
    EXPECT_FALSE(b.location);
    EXPECT_FALSE(b.geocode_ok);
    const auto& c = r->records[2];
    ASSERT_TRUE(c.location); // kept as given
    EXPECT_NEAR(c.location->lat, 40.71, 1e-12);
    EXPECT_FALSE(c.geocode_ok);
}

TEST(IncidentCsv, ProblemsBeyondTheFirstTwentyAreCountedNotListed) {
    std::string csv = "id,when,arrived,type,lat,lon,district\n";
    for (int i = 0; i < 30; ++i)
        csv += std::to_string(i) + ",garbage,,Theft,38.9,-77.0,1\n";
    csv += "99,2024-01-05 10:00:00+00,,Theft,38.9,-77.0,1\n";
    auto r = read_incident_csv(csv, mapping(), "f.csv");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->rejected, 30u);
    EXPECT_EQ(r->problems.size(), 20u);
    EXPECT_EQ(r->records.size(), 1u);
}

TEST(IncidentCsv, RefusesFilesThatDoNotFit) {
    auto refused = [](std::string_view csv, std::string_view needle) {
        auto r = read_incident_csv(csv, mapping(), "f.csv");
        ASSERT_FALSE(r) << csv;
        EXPECT_EQ(r.error().code, base::Code::bad_argument);
        EXPECT_NE(r.error().detail.find(needle), std::string::npos) << r.error().detail;
    };
    refused("", "empty");
    refused("id,when,arrived,type,lat,lon,district\n", "no rows");
    refused("id,time,arrived,type,lat,lon,district\n1,2,3,4,5,6,7\n",
            "'when' (mapping time.column)");
    refused("id,when,arrived,type,lat,lon,district\n1,\"2024-01-05 10:00:00+00,,,,,\n",
            "never closed");
    // Mixed time zones: the mapping says UTC, a row says -05:00.
    refused("id,when,arrived,type,lat,lon,district\n"
            "1,2024-01-05 10:00:00+00,,Theft,38.9,-77.0,1\n"
            "2,2024-01-05 10:00:00-05,,Theft,38.9,-77.0,1\n",
            "mixed time zones: line 3");
}

TEST(IncidentCsv, LocalTimesAndOffsetsThatAgreeWithTheZone) {
    std::string m = kMapping;
    m.replace(m.find("\"UTC\""), 5, "\"America/New_York\"");
    // -05:00 in January and -04:00 in July are both New York time: no clash.
    const std::string csv = "id,when,arrived,type,lat,lon,district\n"
                            "1,2024-01-05 10:00:00-05,,Theft,38.9,-77.0,1\n"
                            "2,2024-07-05 10:00:00-04,,Theft,38.9,-77.0,1\n";
    auto r = read_incident_csv(csv, mapping(m), "f.csv");
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->records[0].received_at, utc(2024, 1, 5, 15, 0));
    EXPECT_EQ(r->records[1].received_at, utc(2024, 7, 5, 14, 0));
    // Without offsets the zone converts local times.
    std::string local = m;
    local.replace(local.find("%Y-%m-%d %H:%M:%S%z"), 19, "%Y-%m-%d %H:%M:%S");
    const std::string csv2 = "id,when,arrived,type,lat,lon,district\n"
                             "1,2024-07-05 10:00:00,,Theft,38.9,-77.0,1\n";
    auto r2 = read_incident_csv(csv2, mapping(local), "f.csv");
    ASSERT_TRUE(r2) << r2.error().detail;
    EXPECT_EQ(r2->records[0].received_at, utc(2024, 7, 5, 14, 0));
}

TEST(IncidentCsv, ProjectedCoordinatesThroughProj) {
    // Sacramento state plane (EPSG:2226, NAD83 California zone 2, US survey feet), taken from
    // the shared Sacramento file: X 6706727, Y 1935628 is lon -121.493293, lat 38.476145.
    constexpr const char* kXy = R"(
source = "xy"
[time]
column = "day"
format = "%Y-%m-%d"
timezone = "America/Los_Angeles"
[location]
x = "X"
y = "Y"
crs = "EPSG:2226"
[category]
column = "type"
default = "other"
)";
    const std::string csv = "day,X,Y,type\n2019-01-01,6706727,1935628,x\n2019-01-01,,,x\n";
    auto r = read_incident_csv(csv, mapping(kXy), "xy.csv");
    ASSERT_TRUE(r) << r.error().detail;
    ASSERT_EQ(r->records.size(), 2u);
    const auto& p = *r->records[0].location;
    EXPECT_NEAR(p.lat, 38.476145, 2e-5); // ~2 m
    EXPECT_NEAR(p.lon, -121.493293, 2e-5);
    EXPECT_TRUE(r->records[0].geocode_ok);
    EXPECT_EQ(r->records[0].time_resolution_s, 86400);
    EXPECT_EQ(r->records[0].received_at, utc(2019, 1, 1, 8, 0)); // local midnight, PST
    EXPECT_EQ(r->records[0].source_key.rfind("sha256:", 0), 0u); // no key: the row's hash
    EXPECT_EQ(r->blank_location, 1u);
    std::string bad = kXy;
    bad.replace(bad.find("EPSG:2226"), 9, "EPSG:999999");
    auto m = parse_mapping(bad, "bad.toml");
    ASSERT_TRUE(m); // the CRS is checked when a file is read
    auto refused = read_incident_csv(csv, *m, "xy.csv");
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().detail.find("EPSG:999999"), std::string::npos);
}

} // namespace
} // namespace pingan::io
