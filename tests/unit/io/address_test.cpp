// Call-taking's address search: house numbers, intersections ("A & B", "A与B"), streets, common
// abbreviations, and nothing found for what is not there; the address file round trip; and the
// real DC extract.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "io/osm_addresses.hpp"
#include "io/osm_import.hpp"
#include "road/address_index.hpp"
#include "road/graph_builder.hpp"

using namespace pingan;

namespace {

//   1 ---- 2 ---- 3     Connecticut Avenue Northwest (1-2-3)
//          |            R Street Northwest (2-4), 红星路 (4-5), 东大街 (5-6)
//          4 ---- 5
//                 |
//                 6
road::Graph city() {
    road::GraphBuilder b;
    b.add_node(1, {38.910, -77.050});
    b.add_node(2, {38.910, -77.045});
    b.add_node(3, {38.910, -77.040});
    b.add_node(4, {38.905, -77.045});
    b.add_node(5, {38.905, -77.040});
    b.add_node(6, {38.900, -77.040});
    road::WayRules r{road::RoadClass::residential, true, true, 30};
    const std::int64_t a[] = {1, 2, 3}, s[] = {2, 4}, h[] = {4, 5}, d[] = {5, 6};
    b.add_way(1, r, "Connecticut Avenue Northwest", a);
    b.add_way(2, r, "R Street Northwest", s);
    b.add_way(3, r, "红星路", h);
    b.add_way(4, r, "东大街", d);
    auto g = b.build();
    EXPECT_TRUE(g.ok());
    return std::move(g).value();
}

const std::vector<road::AddressPoint> kAddresses{
    {"1600", "Connecticut Avenue Northwest", {38.9101, -77.0470}},
    {"12A", "R Street Northwest", {38.9080, -77.0451}},
    {"88", "红星路", {38.9051, -77.0420}},
};

} // namespace

TEST(AddressIndex, NormalisesAbbreviations) {
    EXPECT_EQ(road::normalise_street("Connecticut Ave. NW"), "connecticut avenue northwest");
    EXPECT_EQ(road::normalise_street("  R   St,  N.W. "), "r street northwest");
    EXPECT_EQ(road::normalise_street("红星路"), "红星路");
}

TEST(AddressIndex, HouseNumberAndStreet) {
    const road::Graph g = city();
    const auto ix = road::AddressIndex::build(g, kAddresses);
    EXPECT_EQ(ix.address_count(), 3u);
    auto r = ix.search("1600 Connecticut Ave NW");
    ASSERT_FALSE(r.empty());
    EXPECT_EQ(r[0].kind, road::PlaceKind::address);
    EXPECT_EQ(r[0].label, "1600 Connecticut Avenue Northwest");
    EXPECT_NEAR(r[0].position.lon, -77.0470, 1e-9);
    r = ix.search("12a r st nw");
    ASSERT_FALSE(r.empty());
    EXPECT_EQ(r[0].kind, road::PlaceKind::address);
    r = ix.search("红星路88号");
    ASSERT_FALSE(r.empty());
    EXPECT_EQ(r[0].label, "红星路88号");
    // A number that is not in the data: the street is still offered, never a made-up address.
    r = ix.search("9999 Connecticut Ave");
    ASSERT_FALSE(r.empty());
    EXPECT_EQ(r[0].kind, road::PlaceKind::street);
    EXPECT_EQ(r[0].label, "Connecticut Avenue Northwest");
}

TEST(AddressIndex, Intersections) {
    const road::Graph g = city();
    const auto ix = road::AddressIndex::build(g, {});
    for (const char* q : {"Connecticut Ave & R St", "connecticut avenue and r street northwest",
                          "R St NW / Connecticut"}) {
        auto r = ix.search(q);
        ASSERT_FALSE(r.empty()) << q;
        EXPECT_EQ(r[0].kind, road::PlaceKind::intersection) << q;
        EXPECT_NEAR(r[0].position.lat, 38.910, 1e-6) << q;
        EXPECT_NEAR(r[0].position.lon, -77.045, 1e-6) << q;
    }
    for (const char* q : {"红星路与东大街", "红星路和东大街", "东大街与红星路交叉口"}) {
        auto r = ix.search(q);
        ASSERT_FALSE(r.empty()) << q;
        EXPECT_EQ(r[0].kind, road::PlaceKind::intersection) << q;
        EXPECT_NEAR(r[0].position.lon, -77.040, 1e-6) << q;
    }
    // Streets that do not meet are no crossing.
    for (const auto& p : ix.search("Connecticut Ave & 东大街"))
        EXPECT_NE(p.kind, road::PlaceKind::intersection);
}

TEST(AddressIndex, NothingFoundIsEmpty) {
    const road::Graph g = city();
    const auto ix = road::AddressIndex::build(g, kAddresses);
    EXPECT_TRUE(ix.search("Nonexistent Boulevard 99999").empty());
    EXPECT_TRUE(ix.search("").empty());
    EXPECT_TRUE(ix.search("   ").empty());
    EXPECT_FALSE(ix.search("Connecticut").empty());
}

TEST(AddressFile, RoundTripAndDamage) {
    const auto dir = std::filesystem::temp_directory_path() / "pingan_address_test";
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "a.addresses").string();
    ASSERT_TRUE(io::save_addresses(path, kAddresses).ok());
    auto back = io::load_addresses(path);
    ASSERT_TRUE(back.ok()) << back.error().detail;
    ASSERT_EQ(back->size(), 3u);
    EXPECT_EQ((*back)[2].street, "红星路");
    EXPECT_EQ((*back)[1].housenumber, "12A");
    EXPECT_NEAR((*back)[0].position.lat, 38.9101, 1e-7);
    {
        std::ofstream out(path, std::ios::app);
        out << "91\t-77\tonly three columns\n";
    }
    auto bad = io::load_addresses(path);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, base::Code::corrupt_file);
    EXPECT_NE(bad.error().detail.find("line 5"), std::string::npos) << bad.error().detail;
    std::filesystem::remove_all(dir);
}

TEST(AddressIndex, RealDcExtract) {
    const std::string osm = std::string(PINGAN_DATA_DIR) + "/roads/dc-nw.osm.pbf";
    if (!std::filesystem::exists(osm)) GTEST_SKIP() << "real data missing: " << osm;
    auto imported = io::import_osm(osm, road::Profile::car());
    ASSERT_TRUE(imported.ok());
    auto addresses = io::read_osm_addresses(osm);
    ASSERT_TRUE(addresses.ok()) << addresses.error().detail;
    const auto ix = road::AddressIndex::build(imported->graph, *addresses);
    EXPECT_GT(ix.street_count(), 500u);
    EXPECT_GT(ix.intersection_count(), 1000u);
    // Dupont Circle's neighbourhood: Connecticut Avenue crosses R Street at about 38.9125,
    // -77.0457.
    auto r = ix.search("Connecticut Ave & R St");
    ASSERT_FALSE(r.empty());
    EXPECT_EQ(r[0].kind, road::PlaceKind::intersection);
    EXPECT_NEAR(r[0].position.lat, 38.9125, 0.002);
    EXPECT_NEAR(r[0].position.lon, -77.0457, 0.002);
    EXPECT_TRUE(ix.search("Nonexistent Boulevard 99999").empty());
}
