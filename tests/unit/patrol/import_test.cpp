// Reading a patrol plan from GeoJSON: areas, points with windows, routes as points at their
// vertices, and errors that name the feature and the field.
#include <string>

#include <gtest/gtest.h>

#include "io/patrol_geojson.hpp"

namespace pingan::io {
namespace {

const char* const kArea = R"({"type": "Feature",
  "properties": {"id": "A1", "name": "鼓楼巡区"},
  "geometry": {"type": "Polygon", "coordinates":
    [[[116.38, 39.90], [116.42, 39.90], [116.42, 39.93], [116.38, 39.93], [116.38, 39.90]]]}})";

std::string collection(const std::string& features) {
    return R"({"type": "FeatureCollection", "features": [)" + features + "]}";
}

std::string error_of(const std::string& features) {
    auto r = read_patrol_plan(collection(features));
    return r.ok() ? std::string("ok") : r.error().field + " | " + r.error().detail;
}

TEST(PatrolImport, AreasPointsAndRoutes) {
    // The point comes before its area: references are resolved after the whole file.
    const std::string features = R"(
      {"type": "Feature",
       "properties": {"id": "P1", "area_id": "A1", "name": "小学门口", "radius_m": 40,
                      "min_dwell_s": 120, "min_visits": 2,
                      "windows": ["07:30-08:30", "16:00-17:00"]},
       "geometry": {"type": "Point", "coordinates": [116.40, 39.91]}},
      )" + std::string(kArea) + R"(,
      {"type": "Feature",
       "properties": {"id": 7, "area_id": "A1"},
       "geometry": {"type": "Point", "coordinates": [116.41, 39.92]}},
      {"type": "Feature",
       "properties": {"id": "R1", "area_id": "A1", "kind": "route", "name": "河堤",
                      "windows": ["22:00-02:00"]},
       "geometry": {"type": "LineString", "coordinates":
         [[116.39, 39.91], [116.39, 39.91], [116.395, 39.915], [116.40, 39.92]]}})";
    auto r = read_patrol_plan(collection(features), 480);
    ASSERT_TRUE(r.ok()) << r.error().detail;
    const patrol::Plan& plan = r->plan;
    EXPECT_EQ(plan.utc_offset_minutes, 480);
    ASSERT_EQ(plan.areas.size(), 1u);
    EXPECT_EQ(plan.areas[0].id, "A1");
    EXPECT_EQ(plan.areas[0].name, "鼓楼巡区");
    ASSERT_EQ(plan.points.size(), 5u);

    const patrol::RequiredPoint& p1 = plan.points[0];
    EXPECT_EQ(p1.id, "P1");
    EXPECT_EQ(p1.name, "小学门口");
    EXPECT_DOUBLE_EQ(p1.location.lat, 39.91);
    EXPECT_DOUBLE_EQ(p1.location.lon, 116.40);
    EXPECT_DOUBLE_EQ(p1.radius_m, 40);
    EXPECT_EQ(p1.min_dwell_s, 120);
    EXPECT_EQ(p1.min_visits, 2);
    EXPECT_EQ(p1.windows, (std::vector<patrol::DailyWindow>{{450, 510}, {960, 1020}}));
    EXPECT_TRUE(p1.route_id.empty());

    // Defaults, and an integer id.
    const patrol::RequiredPoint& p7 = plan.points[1];
    EXPECT_EQ(p7.id, "7");
    EXPECT_EQ(p7.name, "7");
    EXPECT_DOUBLE_EQ(p7.radius_m, 50);
    EXPECT_EQ(p7.min_dwell_s, 60);
    EXPECT_EQ(p7.min_visits, 1);
    EXPECT_TRUE(p7.windows.empty());

    // The route: one point per vertex, the repeated vertex dropped.
    for (int n = 1; n <= 3; ++n) {
        const patrol::RequiredPoint& v = plan.points[1 + n];
        EXPECT_EQ(v.id, "R1#" + std::to_string(n));
        EXPECT_EQ(v.name, "河堤 #" + std::to_string(n));
        EXPECT_EQ(v.route_id, "R1");
        EXPECT_EQ(v.route_seq, n);
        EXPECT_EQ(v.windows, (std::vector<patrol::DailyWindow>{{1320, 120}}));
    }
    EXPECT_DOUBLE_EQ(plan.points[3].location.lon, 116.395);
    EXPECT_TRUE(r->warnings.empty());
}

TEST(PatrolImport, APointOutsideItsAreaIsAWarning) {
    auto r = read_patrol_plan(collection(std::string(kArea) + R"(,
      {"type": "Feature", "properties": {"id": "P9", "area_id": "A1"},
       "geometry": {"type": "Point", "coordinates": [116.50, 39.91]}})"));
    ASSERT_TRUE(r.ok()) << r.error().detail;
    ASSERT_EQ(r->warnings.size(), 1u);
    EXPECT_NE(r->warnings[0].find("feature 1 (P9)"), std::string::npos);
    EXPECT_NE(r->warnings[0].find("outside its area 'A1'"), std::string::npos);
}

TEST(PatrolImport, ErrorsNameTheFeatureAndTheField) {
    const std::string area = std::string(kArea) + ",";
    const std::string at = R"({"type": "Point", "coordinates": [116.40, 39.91]})";
    auto point = [&at](const std::string& properties, const std::string& geometry = "") {
        return R"({"type": "Feature", "properties": )" + properties + R"(, "geometry": )" +
               (geometry.empty() ? at : geometry) + "}";
    };
    EXPECT_EQ(error_of(area + point(R"({"id": "P1", "area_id": "A1", "windows": ["8-10"]})")),
              "windows | feature 1 (P1): windows: entry 0 is not a daily window like "
              "\"08:00-10:00\"");
    EXPECT_EQ(error_of(area + point(R"({"id": "P1"})")),
              "area_id | feature 1 (P1): area_id: missing");
    EXPECT_EQ(error_of(area + point(R"({"area_id": "A1"})")), "id | feature 1: id: missing");
    EXPECT_EQ(error_of(area + point(R"({"id": "P1", "area_id": "A2"})")),
              "area_id | feature 1 (P1): area_id: no area feature has the id 'A2'");
    EXPECT_EQ(error_of(area + point(R"({"id": "P1", "area_id": "A1", "radius_m": "50"})")),
              "radius_m | feature 1 (P1): radius_m: must be a number");
    EXPECT_EQ(error_of(area + point(R"({"id": "P1", "area_id": "A1", "min_visits": 1.5})")),
              "min_visits | feature 1 (P1): min_visits: must be a whole number");
    EXPECT_EQ(error_of(area + point(R"({"id": "P1", "area_id": "A1", "radius_m": 0})")),
              "radius_m | feature 1 (P1): radius_m: point 'P1' has 0 m; it must be 1 to 2000 m");
    EXPECT_EQ(error_of(area + point(R"({"id": "P1", "area_id": "A1"})") + "," +
                       point(R"({"id": "P1", "area_id": "A1"})")),
              "id | feature 2 (P1): id: feature 1 has the same point id 'P1'");
    EXPECT_EQ(error_of(area + point(R"({"id": "R1", "area_id": "A1"})",
                                    R"({"type": "LineString",
                                        "coordinates": [[116.39, 39.91], [116.40, 39.92]]})")),
              "kind | feature 1 (R1): kind: a LineString is a required route only with kind "
              "\"route\"");
    EXPECT_EQ(error_of(area + point(R"({"id": "R1", "area_id": "A1", "kind": "route"})",
                                    R"({"type": "LineString", "coordinates": [[116.39, 39.91]]})")),
              "geometry | feature 1 (R1): geometry: a route needs at least two positions");
    EXPECT_EQ(error_of(area + point(R"({"id": "P1", "area_id": "A1"})",
                                    R"({"type": "Point", "coordinates": [116.40]})")),
              "geometry | feature 1 (P1): geometry: a position is not [longitude, latitude]");
    EXPECT_EQ(error_of(area + point(R"({"id": "P1", "area_id": "A1"})",
                                    R"({"type": "MultiPoint", "coordinates": []})")),
              "geometry | feature 1: geometry: type 'MultiPoint' is not Polygon, MultiPolygon, "
              "Point or a LineString route");
    EXPECT_EQ(error_of(R"({"type": "Feature", "properties": {"id": "A1"},
                           "geometry": {"type": "Polygon", "coordinates": [[[116.38, 39.90],
                                                                            [116.42, 39.90]]]}})"),
              "geometry | feature 0 (A1): geometry: a ring needs at least three positions");
    EXPECT_EQ(error_of(area + std::string(kArea)), "id | feature 1 (A1): id: feature 0 has the "
                                                   "same area id");
    EXPECT_EQ(error_of(""), "file | file: no patrol area features");
    auto r = read_patrol_plan("not json");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "file");
}

} // namespace
} // namespace pingan::io
