// Areas and point-in-polygon, on hand-made shapes and on the real boundary files, checked
// against the district labels the police themselves put on incident records.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "geo/boundary.hpp"
#include "io/boundaries_geojson.hpp"

using namespace pingan;
using namespace pingan::geo;

namespace {

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::filesystem::path data(const std::string& rel) {
    return std::filesystem::path(PINGAN_DATA_DIR) / rel;
}

// Splits one CSV line with RFC 4180 quotes (no embedded newlines in these files).
std::vector<std::string> split_csv(const std::string& line) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                out.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                out.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.emplace_back();
        } else if (c != '\r') {
            out.back() += c;
        }
    }
    return out;
}

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
    return s;
}

// Share of records whose own label equals the area their coordinates fall in.
double agreement(const std::string& boundaries, const std::string& name_field,
                 const std::string& incidents, const std::string& label_column,
                 const std::string& lat_column, const std::string& lon_column, int& compared) {
    auto features = io::read_boundaries(read_file(data(boundaries)), name_field);
    EXPECT_TRUE(features.ok()) << (features.ok() ? "" : features.error().detail);
    BoundaryIndex index;
    for (auto& f : *features)
        index.add(Boundary{"area", upper(f.name), f.shape});
    std::ifstream in(data(incidents));
    std::string line;
    std::getline(in, line);
    if (line.rfind("\xef\xbb\xbf", 0) == 0) line = line.substr(3);
    const auto header = split_csv(line);
    auto col = [&](const std::string& name) {
        return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) -
                                        header.begin());
    };
    const std::size_t label = col(label_column);
    const std::size_t lat = col(lat_column);
    const std::size_t lon = col(lon_column);
    // Records geocoded far outside the mapped city are bad geocodes, not disagreements.
    double min_lat = 90, max_lat = -90, min_lon = 180, max_lon = -180;
    for (const auto& f : *features) {
        for (const auto& poly : f.shape) {
            for (const LatLon& v : poly.outer) {
                min_lat = std::min(min_lat, v.lat);
                max_lat = std::max(max_lat, v.lat);
                min_lon = std::min(min_lon, v.lon);
                max_lon = std::max(max_lon, v.lon);
            }
        }
    }
    int agree = 0;
    compared = 0;
    while (std::getline(in, line)) {
        const auto row = split_csv(line);
        if (row.size() <= std::max({label, lat, lon}) || row[lat].empty() || row[label].empty())
            continue;
        const LatLon p{std::stod(row[lat]), std::stod(row[lon])};
        if (p.lat < min_lat || p.lat > max_lat || p.lon < min_lon || p.lon > max_lon) continue;
        ++compared;
        const Boundary* b = index.locate("area", p);
        if (b != nullptr && b->name == upper(row[label])) ++agree;
    }
    return compared == 0 ? 0 : static_cast<double>(agree) / compared;
}

} // namespace

TEST(Boundary, PointInPolygonWithHoleAndEdges) {
    // A 4x4 square with a 2x2 hole in the middle (degrees, near the equator).
    MultiPolygon shape{
        Polygon{{{0, 0}, {0, 4}, {4, 4}, {4, 0}}, {{{1, 1}, {1, 3}, {3, 3}, {3, 1}}}}};
    ASSERT_TRUE(normalise(shape).ok());
    EXPECT_TRUE(normalise(shape)->empty());
    BoundaryIndex index;
    index.add(Boundary{"jurisdiction", "ring", shape});
    EXPECT_NE(index.locate("jurisdiction", {0.5, 0.5}), nullptr);
    EXPECT_EQ(index.locate("jurisdiction", {2, 2}), nullptr); // in the hole
    EXPECT_NE(index.locate("jurisdiction", {0, 2}), nullptr); // on the edge counts
    EXPECT_EQ(index.locate("jurisdiction", {5, 5}), nullptr);
    EXPECT_EQ(index.locate("patrol_area", {0.5, 0.5}), nullptr); // other layer
}

TEST(Boundary, SmallestAreaWinsWhereAreasOverlap) {
    MultiPolygon big{Polygon{{{0, 0}, {0, 10}, {10, 10}, {10, 0}}, {}}};
    MultiPolygon small{Polygon{{{1, 1}, {1, 2}, {2, 2}, {2, 1}}, {}}};
    ASSERT_TRUE(normalise(big).ok());
    ASSERT_TRUE(normalise(small).ok());
    BoundaryIndex index;
    index.add(Boundary{"patrol_area", "big", big});
    index.add(Boundary{"patrol_area", "small", small});
    EXPECT_EQ(index.locate("patrol_area", {1.5, 1.5})->name, "small");
    EXPECT_EQ(index.locate("patrol_area", {5, 5})->name, "big");
}

TEST(Boundary, SelfIntersectingPolygonsAreNamedAndStillAnswerByEvenOdd) {
    MultiPolygon bowtie{Polygon{{{0, 0}, {2, 2}, {0, 2}, {2, 0}}, {}}};
    auto r = normalise(bowtie);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->size(), 1u);
    EXPECT_NE(r->front().find("self-intersection"), std::string::npos) << r->front();
    // Lobes of the figure-eight (lat, lon): inside; between them above and below: outside.
    EXPECT_TRUE(contains(bowtie, {0.4, 1.0}) || contains(bowtie, {1.0, 0.4}));
    EXPECT_FALSE(contains(bowtie, {5, 5}));
    MultiPolygon swapped{Polygon{{{-77.0, 38.9}, {-77.0, 200.0}, {-76.9, 38.9}}, {}}};
    auto s = normalise(swapped);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().detail.find("longitude, latitude"), std::string::npos);
}

TEST(BoundaryGeoJson, BadFilesAreRefusedByFeature) {
    EXPECT_FALSE(io::read_boundaries("not json", "name").ok());
    EXPECT_FALSE(io::read_boundaries(R"({"type":"Feature"})", "name").ok());
    auto line = io::read_boundaries(
        R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"A"},
           "geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}]})",
        "name");
    ASSERT_FALSE(line.ok());
    EXPECT_NE(line.error().detail.find("feature 0 (A)"), std::string::npos) << line.error().detail;
    auto unnamed = io::read_boundaries(
        R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"n":"A"},
           "geometry":{"type":"Polygon","coordinates":[[[0,0],[0,1],[1,1],[0,0]]]}}]})",
        "name");
    ASSERT_FALSE(unnamed.ok());
    EXPECT_EQ(unnamed.error().field, "name");
    const char* bowtie_json =
        R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"B"},
           "geometry":{"type":"Polygon","coordinates":[[[0,0],[2,2],[0,2],[2,0],[0,0]]]}}]})";
    auto lenient = io::read_boundaries(bowtie_json, "name");
    ASSERT_TRUE(lenient.ok());
    ASSERT_EQ(lenient->at(0).warnings.size(), 1u);
    EXPECT_NE(lenient->at(0).warnings[0].find("feature 0 (B)"), std::string::npos);
    auto strict = io::read_boundaries(bowtie_json, "name", true);
    ASSERT_FALSE(strict.ok());
    EXPECT_NE(strict.error().detail.find("self-intersection"), std::string::npos);
}

TEST(BoundaryRealData, DcPoliceServiceAreasAgreeWithIncidentLabels) {
    if (!std::filesystem::exists(data("boundaries/dc_psa_2018.geojson"))) {
        GTEST_SKIP() << "needs ../shared/data (boundaries/dc_psa_2018.geojson)";
    }
    int compared = 0;
    const double share = agreement("boundaries/dc_psa_2018.geojson", "PSA",
                                   "incidents/dc_crime_2024-01-01_2024-03-17.csv", "PSA",
                                   "LATITUDE", "LONGITUDE", compared);
    EXPECT_GT(compared, 5000);
    EXPECT_GE(share, 0.78) << "data/README.md: the 2024 labels agree for 78%";
    std::cerr << "DC PSA agreement: " << share << " of " << compared << "\n";
    const double districts = agreement("boundaries/dc_districts_from_psa_2018.geojson", "DISTRICT",
                                       "incidents/dc_crime_2024-01-01_2024-03-17.csv", "DISTRICT",
                                       "LATITUDE", "LONGITUDE", compared);
    EXPECT_GE(districts, 0.9);
    std::cerr << "DC district agreement: " << districts << " of " << compared << "\n";
}

TEST(BoundaryRealData, BaltimoreDistrictsAgreeWithIncidentLabels) {
    if (!std::filesystem::exists(data("boundaries/baltimore_police_districts_pre2023.geojson"))) {
        GTEST_SKIP()
            << "needs ../shared/data (boundaries/baltimore_police_districts_pre2023.geojson)";
    }
    int compared = 0;
    const double share = agreement("boundaries/baltimore_police_districts_pre2023.geojson", "name",
                                   "incidents/baltimore_part1_crime_2016-06-01_2016-06-18.csv",
                                   "district", "lat", "lon", compared);
    EXPECT_GT(compared, 2350);
    EXPECT_GE(share, 0.9865) << "data/README.md: the 2016 labels agree for 98.7%";
    std::cerr << "Baltimore district agreement: " << share << " of " << compared << "\n";
}

TEST(BoundaryRealData, ChineseDistrictsContainTheirOwnInteriorPoints) {
    for (const char* city :
         {"hohhot", "baotou", "ordos", "wuhai", "changchun", "tonghua_incl_meihekou"}) {
        const auto path = data(std::string("boundaries/cn_") + city + "_districts.geojson");
        if (!std::filesystem::exists(path)) GTEST_SKIP() << "needs ../shared/data";
        auto features = io::read_boundaries(read_file(path), "name");
        ASSERT_TRUE(features.ok()) << city << ": " << features.error().detail;
        BoundaryIndex index;
        for (auto& f : *features)
            index.add(Boundary{"jurisdiction", f.name, f.shape});
        int found = 0;
        for (const auto& f : *features) {
            // The midpoint of a short chord across the first outer corner lies inside for
            // almost every real polygon; count how often the index agrees.
            const Ring& r = f.shape[0].outer;
            const LatLon a = r[0];
            const LatLon b = r[r.size() / 3];
            const LatLon c = r[2 * r.size() / 3];
            const LatLon centroid{(a.lat + b.lat + c.lat) / 3, (a.lon + b.lon + c.lon) / 3};
            const Boundary* hit = index.locate("jurisdiction", centroid);
            if (hit != nullptr && hit->name == f.name) ++found;
        }
        EXPECT_GE(found, static_cast<int>(features->size()) * 2 / 3) << city;
        EXPECT_FALSE(features->at(0).name.empty());
    }
}
