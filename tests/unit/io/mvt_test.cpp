// Vector tiles: the encoding follows the Mapbox Vector Tile 2.1 spec byte for byte, and the
// tiler draws what each zoom should show, clipped to the tile and its buffer.
#include <cmath>
#include <map>

#include <gtest/gtest.h>
#include <protozero/pbf_reader.hpp>

#include "io/mvt_encoder.hpp"
#include "io/mvt_map.hpp"
#include "road/graph_builder.hpp"

using namespace pingan;
using namespace pingan::io;

namespace {

struct DecodedFeature {
    std::uint32_t type = 0;
    std::vector<std::uint32_t> geometry;
    std::map<std::string, std::string> properties;
};
struct DecodedLayer {
    std::uint32_t version = 0;
    std::string name;
    std::uint32_t extent = 0;
    std::vector<DecodedFeature> features;
};

std::vector<DecodedLayer> decode(const std::string& tile) {
    std::vector<DecodedLayer> out;
    protozero::pbf_reader t(tile);
    while (t.next(3)) {
        protozero::pbf_reader l = t.get_message();
        DecodedLayer layer;
        std::vector<std::string> keys, values;
        std::vector<std::vector<std::uint32_t>> tags;
        while (l.next()) {
            switch (l.tag()) {
            case 15:
                layer.version = l.get_uint32();
                break;
            case 1:
                layer.name = l.get_string();
                break;
            case 5:
                layer.extent = l.get_uint32();
                break;
            case 3:
                keys.push_back(l.get_string());
                break;
            case 4: {
                protozero::pbf_reader v = l.get_message();
                while (v.next(1))
                    values.push_back(v.get_string());
                break;
            }
            case 2: {
                protozero::pbf_reader f = l.get_message();
                DecodedFeature feature;
                std::vector<std::uint32_t> ftags;
                while (f.next()) {
                    if (f.tag() == 2) {
                        auto r = f.get_packed_uint32();
                        ftags.assign(r.begin(), r.end());
                    } else if (f.tag() == 3) {
                        feature.type = static_cast<std::uint32_t>(f.get_enum());
                    } else if (f.tag() == 4) {
                        auto r = f.get_packed_uint32();
                        feature.geometry.assign(r.begin(), r.end());
                    } else {
                        f.skip();
                    }
                }
                layer.features.push_back(feature);
                tags.push_back(ftags);
                break;
            }
            default:
                l.skip();
            }
        }
        for (std::size_t i = 0; i < layer.features.size(); ++i) {
            for (std::size_t k = 0; k + 1 < tags[i].size(); k += 2)
                layer.features[i].properties[keys.at(tags[i][k])] = values.at(tags[i][k + 1]);
        }
        out.push_back(layer);
    }
    return out;
}

std::int32_t unzig(std::uint32_t v) {
    return static_cast<std::int32_t>((v >> 1) ^ (~(v & 1) + 1));
}

// Absolute points of every MoveTo/LineTo of a geometry.
std::vector<TilePoint> points(const std::vector<std::uint32_t>& g) {
    std::vector<TilePoint> out;
    std::int32_t x = 0, y = 0;
    for (std::size_t i = 0; i < g.size();) {
        const std::uint32_t id = g[i] & 7, count = g[i] >> 3;
        ++i;
        if (id == 7) continue;
        for (std::uint32_t c = 0; c < count; ++c) {
            x += unzig(g[i++]);
            y += unzig(g[i++]);
            out.push_back({x, y});
        }
    }
    return out;
}

} // namespace

// EVIDENCE-OF: MVT 2.1 section 4.3.5.2 (example LineString) encodes as [9 4 4 18 0 16 16 0].
TEST(MvtEncoder, LineMatchesTheSpecExample) {
    MvtLayer layer("roads", 4096);
    ASSERT_TRUE(
        layer.add_lines({{{2, 2}, {2, 10}, {10, 10}}}, {{"class", "primary"}, {"name", "A"}}));
    const auto layers = decode(encode_tile({layer}));
    ASSERT_EQ(layers.size(), 1u);
    EXPECT_EQ(layers[0].version, 2u);
    EXPECT_EQ(layers[0].name, "roads");
    EXPECT_EQ(layers[0].extent, 4096u);
    ASSERT_EQ(layers[0].features.size(), 1u);
    EXPECT_EQ(layers[0].features[0].type, 2u);
    EXPECT_EQ(layers[0].features[0].geometry,
              (std::vector<std::uint32_t>{9, 4, 4, 18, 0, 16, 16, 0}));
    EXPECT_EQ(layers[0].features[0].properties.at("class"), "primary");
    EXPECT_EQ(layers[0].features[0].properties.at("name"), "A");
}

TEST(MvtEncoder, EmptyValuesAreLeftOutAndRepeatsDropped) {
    MvtLayer layer("roads", 4096);
    EXPECT_FALSE(layer.add_lines({{{5, 5}, {5, 5}}}, {{"name", "x"}})); // one point: nothing
    ASSERT_TRUE(layer.add_lines({{{0, 0}, {0, 0}, {3, 4}}}, {{"class", "service"}, {"name", ""}}));
    const auto layers = decode(encode_tile({layer}));
    ASSERT_EQ(layers[0].features.size(), 1u);
    EXPECT_EQ(layers[0].features[0].properties.count("name"), 0u);
    EXPECT_EQ(points(layers[0].features[0].geometry).size(), 2u);
}

// EVIDENCE-OF: MVT 2.1 section 4.3.4.4: exterior rings have positive area (clockwise with y
// down), interior rings negative; whatever order the caller gave.
TEST(MvtEncoder, PolygonWindingIsFixed) {
    MvtLayer layer("jurisdictions", 4096);
    const TileLine ccw_outer{{0, 0}, {0, 100}, {100, 100}, {100, 0}, {0, 0}};
    const TileLine cw_hole{{20, 20}, {80, 20}, {80, 80}, {20, 80}};
    ASSERT_GT(ring_area2(TileLine{{0, 0}, {100, 0}, {100, 100}, {0, 100}}), 0);
    ASSERT_TRUE(layer.add_polygon({ccw_outer, cw_hole}, {true, false}, {{"name", "705"}}));
    const auto layers = decode(encode_tile({layer}));
    const auto& g = layers[0].features[0].geometry;
    EXPECT_EQ(layers[0].features[0].type, 3u);
    // Two rings, each MoveTo(1) LineTo(3) ClosePath.
    const std::vector<TilePoint> p = points(g);
    ASSERT_EQ(p.size(), 8u);
    EXPECT_GT(ring_area2({p.begin(), p.begin() + 4}), 0);
    EXPECT_LT(ring_area2({p.begin() + 4, p.end()}), 0);
    EXPECT_EQ(std::count(g.begin(), g.end(), 15u), 2); // ClosePath(1) = 7 | 1 << 3
}

TEST(MvtMap, TileNumbersAreChecked) {
    EXPECT_TRUE(valid_tile({0, 0, 0}));
    EXPECT_FALSE(valid_tile({0, 1, 0}));
    EXPECT_TRUE(valid_tile({16, 65535, 65535}));
    EXPECT_FALSE(valid_tile({16, 65536, 0}));
    EXPECT_FALSE(valid_tile({23, 0, 0}));
    EXPECT_FALSE(valid_tile({-1, 0, 0}));
}

namespace {

// A motorway running east and a residential street crossing it, near (38.9, -77.0).
road::Graph small_city() {
    road::GraphBuilder b;
    b.add_node(1, {38.900, -77.010});
    b.add_node(2, {38.900, -77.000});
    b.add_node(3, {38.900, -76.990});
    b.add_node(4, {38.905, -77.000});
    b.add_node(5, {38.895, -77.000});
    road::WayRules motorway{road::RoadClass::motorway, true, true, 90};
    road::WayRules residential{road::RoadClass::residential, true, true, 25};
    const std::int64_t m[] = {1, 2, 3};
    const std::int64_t r[] = {4, 2, 5};
    b.add_way(10, motorway, "Ring Road", m);
    b.add_way(11, residential, "Elm Street", r);
    auto g = b.build();
    EXPECT_TRUE(g.ok());
    return std::move(g).value();
}

TileId tile_at(geo::LatLon p, int z) {
    const double n = std::ldexp(1.0, z);
    const double lat = p.lat * M_PI / 180;
    return {z, static_cast<std::uint32_t>((p.lon + 180) / 360 * n),
            static_cast<std::uint32_t>((1 - std::log(std::tan(lat) + 1 / std::cos(lat)) / M_PI) /
                                       2 * n)};
}

std::map<std::string, std::string> classes_in(const std::string& tile) {
    std::map<std::string, std::string> out; // name -> class
    for (const auto& l : decode(tile)) {
        if (l.name != "roads") continue;
        for (const auto& f : l.features)
            out[f.properties.at("name")] = f.properties.at("class");
    }
    return out;
}

} // namespace

TEST(MvtMap, LowZoomsShowOnlyMajorRoads) {
    const road::Graph g = small_city();
    MapTiler tiler(&g, {});
    const auto z10 = classes_in(tiler.tile(tile_at({38.9, -77.0}, 10)));
    EXPECT_EQ(z10.size(), 1u);
    EXPECT_EQ(z10.count("Ring Road"), 1u);
    const auto z15 = classes_in(tiler.tile(tile_at({38.9, -77.0}, 15)));
    EXPECT_EQ(z15.at("Ring Road"), "motorway");
    EXPECT_EQ(z15.at("Elm Street"), "residential");
    // Nothing there: an empty tile (the server answers 204).
    EXPECT_EQ(tiler.tile(tile_at({10.0, 10.0}, 15)), "");
    const MapBounds b = tiler.bounds();
    EXPECT_NEAR(b.south_west.lat, 38.895, 1e-6);
    EXPECT_NEAR(b.north_east.lon, -76.990, 1e-6);
}

TEST(MvtMap, EachRoadIsOneFeatureWithAllItsPieces) {
    // Both roads are cut in two at their crossing; each is still one feature, of two lines.
    const road::Graph g = small_city();
    MapTiler tiler(&g, {});
    std::map<std::string, int> features, lines;
    for (const auto& l : decode(tiler.tile(tile_at({38.9, -77.0}, 15)))) {
        if (l.name != "roads") continue;
        for (const auto& f : l.features) {
            const std::string& name = f.properties.at("name");
            ++features[name];
            for (std::size_t i = 0; i < f.geometry.size();) {
                const std::uint32_t id = f.geometry[i] & 7, count = f.geometry[i] >> 3;
                if (id == 1) ++lines[name]; // MoveTo: a line starts
                i += 1 + (id == 7 ? 0 : 2 * count);
            }
        }
    }
    EXPECT_EQ(features, (std::map<std::string, int>{{"Elm Street", 1}, {"Ring Road", 1}}));
    EXPECT_EQ(lines, (std::map<std::string, int>{{"Elm Street", 2}, {"Ring Road", 2}}));
}

TEST(MvtMap, LinesAreClippedToTheTileAndItsBuffer) {
    const road::Graph g = small_city();
    MapTiler tiler(&g, {});
    // At zoom 17 the 1.7 km motorway spans several tiles; every point stays within the buffer.
    const TileId t = tile_at({38.9, -77.0}, 17);
    bool any = false;
    for (const auto& l : decode(tiler.tile(t))) {
        for (const auto& f : l.features) {
            for (const TilePoint& p : points(f.geometry)) {
                any = true;
                EXPECT_GE(p.x, -kTileBuffer);
                EXPECT_LE(p.x, static_cast<std::int32_t>(kTileExtent) + kTileBuffer);
                EXPECT_GE(p.y, -kTileBuffer);
                EXPECT_LE(p.y, static_cast<std::int32_t>(kTileExtent) + kTileBuffer);
            }
        }
    }
    EXPECT_TRUE(any);
}

TEST(MvtMap, AreasAreDrawnWithTheirNames) {
    geo::Boundary area{
        "jurisdiction",
        "District 2",
        {geo::Polygon{{{38.89, -77.02}, {38.89, -76.98}, {38.91, -76.98}, {38.91, -77.02}}, {}}}};
    geo::Boundary patrol{
        "patrol_area",
        "PSA 208",
        {geo::Polygon{{{38.895, -77.01}, {38.895, -76.99}, {38.905, -76.99}, {38.905, -77.01}},
                      {}}}};
    geo::Boundary other{"camera_field",
                        "ignored",
                        {geo::Polygon{{{38.895, -77.01}, {38.895, -76.99}, {38.905, -76.99}}, {}}}};
    MapTiler tiler(nullptr, {area, patrol, other});
    const auto layers = decode(tiler.tile(tile_at({38.9, -77.0}, 13)));
    std::map<std::string, std::vector<std::string>> names;
    for (const auto& l : layers) {
        for (const auto& f : l.features)
            names[l.name].push_back(f.properties.at("name"));
    }
    EXPECT_EQ(names["jurisdictions"], std::vector<std::string>{"District 2"});
    EXPECT_EQ(names["patrol_areas"], std::vector<std::string>{"PSA 208"});
    EXPECT_EQ(names["roads"].size(), 0u);
    EXPECT_FALSE(names["area_labels"].empty());
}
