// Likely duplicates: near in place and time, of a compatible category, nearest first.
#include <gtest/gtest.h>

#include "config_files.hpp"
#include "triage/duplicates.hpp"
#include "triage/taxonomy.hpp"

namespace pingan::triage {
namespace {

const Taxonomy& taxonomy() {
    static const Taxonomy t = Taxonomy::parse(test::read_config("taxonomy.toml")).value();
    return t;
}

// Metres north or east of a point, near enough to flat at these distances.
geo::LatLon north_of(geo::LatLon p, double m) {
    return {p.lat + m / 111'195.0, p.lon};
}
geo::LatLon east_of(geo::LatLon p, double m) {
    return {p.lat, p.lon + m / (111'195.0 * std::cos(p.lat * 3.14159265358979 / 180))};
}

TEST(Duplicates, NearSoonAndCompatibleNearestFirst) {
    const geo::LatLon here{38.9097, -77.0434};
    const DuplicateRule rule; // 200 m, 15 min
    const std::vector<OpenCall> open = {
        {1, north_of(here, 150), 0, "assault"},
        {2, north_of(here, 50), 60'000, "robbery"}, // same parent (criminal)
        {3, east_of(here, 195), 0, "theft"},        // just inside, east
        {4, east_of(here, 205), 0, "theft"},        // just outside
        {5, here, -16 * 60'000, "assault"},         // too long before
        {6, here, 0, "noise"},                      // another group
        {7, north_of(here, 10), 0, "assault"},
    };
    EXPECT_EQ(likely_duplicates(open, here, 120'000, "assault", taxonomy(), rule),
              (std::vector<std::int64_t>{7, 2, 1, 3}));
    EXPECT_TRUE(likely_duplicates({}, here, 0, "assault", taxonomy(), rule).empty());
}

TEST(Duplicates, OnlyTheNearestAreListed) {
    const geo::LatLon here{38.9097, -77.0434};
    DuplicateRule rule;
    rule.max_listed = 3;
    std::vector<OpenCall> open;
    for (std::int64_t i = 1; i <= 40; ++i) // 40 calls, 4 m apart, farthest first
        open.push_back({i, north_of(here, 164 - 4.0 * static_cast<double>(i)), 0, "theft"});
    EXPECT_EQ(likely_duplicates(open, here, 0, "theft", taxonomy(), rule),
              (std::vector<std::int64_t>{40, 39, 38}));
    rule.max_listed = 100;
    EXPECT_EQ(likely_duplicates(open, here, 0, "theft", taxonomy(), rule).size(), 40u);
}

TEST(Duplicates, AcrossTheAntimeridianAndNearThePoles) {
    const DuplicateRule rule;
    const geo::LatLon west{-16.5, 179.9995}; // Fiji, 50 m west of the 180th meridian
    const geo::LatLon east{-16.5, -179.9995};
    EXPECT_EQ(likely_duplicates({{1, east, 0, "theft"}}, west, 0, "theft", taxonomy(), rule),
              (std::vector<std::int64_t>{1}));
    const geo::LatLon pole{89.9999, 10};
    const geo::LatLon other_side{89.9999, -170}; // 22 m away across the pole
    EXPECT_EQ(likely_duplicates({{1, other_side, 0, "theft"}}, pole, 0, "theft", taxonomy(), rule),
              (std::vector<std::int64_t>{1}));
}

} // namespace
} // namespace pingan::triage
