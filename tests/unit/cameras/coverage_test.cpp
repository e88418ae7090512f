// View cones and the camera index: the cone's sides and range are inclusive and exact to well
// under a millimetre, the north wrap, domes, a point on the camera, ranking, viewports, and
// the grid index against a brute-force scan on random cameras (they must agree exactly).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include <gtest/gtest.h>

#include "cameras/coverage.hpp"

using namespace pingan;
using namespace pingan::cameras;

namespace {

constexpr geo::LatLon kPorto{41.1496, -8.6109}; // Avenida dos Aliados

Camera camera(std::string id, geo::LatLon at, double heading_deg, double fov_deg, double range_m) {
    Camera c;
    c.id = std::move(id);
    c.position = at;
    c.heading_deg = heading_deg;
    c.fov_deg = fov_deg;
    c.range_m = range_m;
    c.stream_kind = StreamKind::rtsp;
    c.stream_url = "rtsp://cam.example/" + c.id;
    c.owner = "PSP Porto";
    c.sharing = Sharing::shared;
    return c;
}

// The point `distance_m` from `from` along `bearing_deg`, in the camera's own plane.
geo::LatLon offset(geo::LatLon from, double bearing_deg, double distance_m) {
    const double b = bearing_deg * geo::kDegToRad;
    return geo::LocalProjection(from).to_latlon(distance_m * std::sin(b), distance_m * std::cos(b));
}

bool sees(const Camera& c, double bearing_deg, double distance_m) {
    return sight(c, offset(c.position, bearing_deg, distance_m)).has_value();
}

CameraIndex index_of(std::vector<Camera> cameras) {
    auto ix = CameraIndex::build(std::move(cameras));
    EXPECT_TRUE(ix.ok()) << (ix.ok() ? "" : ix.error().detail);
    return std::move(ix).value();
}

std::vector<std::string> ids(const CameraIndex& ix, const std::vector<CoveringCamera>& hits) {
    std::vector<std::string> out;
    for (const CoveringCamera& h : hits)
        out.push_back(ix.cameras()[h.camera].id);
    return out;
}

std::vector<std::string> ids(const CameraIndex& ix, const InView& view) {
    std::vector<std::string> out;
    for (const CameraInView& v : view.cameras)
        out.push_back(ix.cameras()[v.camera].id);
    return out;
}

} // namespace

TEST(Cone, SidesAreInclusiveAndSharp) {
    //        60°   axis 90°   120°
    //          \     |      /
    //           \    |     /      heading 90 (east), fov 60, range 100 m
    //            \   |    /
    //               cam
    const Camera c = camera("c", kPorto, 90, 60, 100);
    EXPECT_TRUE(sees(c, 90, 50));
    EXPECT_TRUE(sees(c, 60, 50));  // on the side: inclusive
    EXPECT_TRUE(sees(c, 120, 50)); //
    EXPECT_TRUE(sees(c, 60.001, 50));
    EXPECT_TRUE(sees(c, 119.999, 50));
    EXPECT_FALSE(sees(c, 59.999, 50));
    EXPECT_FALSE(sees(c, 120.001, 50));
    EXPECT_FALSE(sees(c, 270, 50)); // behind
    EXPECT_FALSE(sees(c, 0, 50));
    // Close to the apex the sides are as sharp.
    EXPECT_TRUE(sees(c, 60.01, 0.5));
    EXPECT_FALSE(sees(c, 59.99, 0.5));
}

TEST(Cone, HalfPlaneSideIsInclusive) {
    // fov 180 looking north: due east and due west lie exactly on the sides.
    const Camera c = camera("c", kPorto, 0, 180, 100);
    EXPECT_TRUE(sight(c, geo::LatLon{kPorto.lat, kPorto.lon + 0.0005}));
    EXPECT_TRUE(sight(c, geo::LatLon{kPorto.lat, kPorto.lon - 0.0005}));
    EXPECT_FALSE(sight(c, geo::LatLon{kPorto.lat - 1e-7, kPorto.lon + 0.0005}));
    EXPECT_TRUE(sight(c, geo::LatLon{kPorto.lat + 1e-7, kPorto.lon + 0.0005}));
}

TEST(Cone, WideLensBeyondHalfPlane) {
    // fov 300: only a 60° wedge behind it (150°..210° for heading 0) is blind.
    const Camera c = camera("c", kPorto, 0, 300, 100);
    EXPECT_TRUE(sees(c, 149.99, 50));
    EXPECT_TRUE(sees(c, 150, 50));
    EXPECT_FALSE(sees(c, 150.01, 50));
    EXPECT_FALSE(sees(c, 180, 50));
    EXPECT_FALSE(sees(c, 209.99, 50));
    EXPECT_TRUE(sees(c, 210, 50));
    EXPECT_TRUE(sees(c, 90, 50));
    EXPECT_TRUE(sees(c, 270, 50));
}

TEST(Cone, AcrossNorth) {
    // heading 350, fov 40: from 330 through north to 10.
    const Camera c = camera("c", kPorto, 350, 40, 100);
    EXPECT_TRUE(sees(c, 5, 50));
    EXPECT_TRUE(sees(c, 0, 50));
    EXPECT_TRUE(sees(c, 359.5, 50));
    EXPECT_TRUE(sees(c, 10, 50));
    EXPECT_TRUE(sees(c, 330, 50));
    EXPECT_TRUE(sees(c, 9.999, 50));
    EXPECT_FALSE(sees(c, 10.001, 50));
    EXPECT_TRUE(sees(c, 330.001, 50));
    EXPECT_FALSE(sees(c, 329.999, 50));
    EXPECT_FALSE(sees(c, 180, 50));
    // Bearing and off-axis angle across the wrap: 5° is 15° right of 350°.
    const auto s = sight(c, offset(c.position, 5, 50));
    ASSERT_TRUE(s);
    EXPECT_NEAR(s->bearing_deg, 5, 1e-9);
    EXPECT_NEAR(s->off_axis_deg, 15, 1e-9);
    const auto left = sight(c, offset(c.position, 335, 50));
    ASSERT_TRUE(left);
    EXPECT_NEAR(left->bearing_deg, 335, 1e-9);
    EXPECT_NEAR(left->off_axis_deg, -15, 1e-9);
}

TEST(Cone, RangeIsInclusive) {
    const Camera c = camera("c", kPorto, 45, 90, 100);
    EXPECT_TRUE(sees(c, 45, 99.999));
    EXPECT_TRUE(sees(c, 45, 100)); // on the arc: inclusive
    EXPECT_FALSE(sees(c, 45, 100.001));
    EXPECT_TRUE(sees(c, 0, 100)); // the arc's end on a side
    EXPECT_FALSE(sees(c, 0, 100.001));
    // Distances are those of the globe to well under a millimetre per 100 m.
    const geo::LatLon p = offset(c.position, 45, 99.999);
    EXPECT_NEAR(sight(c, p)->distance_m, geo::distance_m(c.position, p), 1e-3);
}

TEST(Cone, DomeSeesAllAroundWithoutAngleTerm) {
    const Camera c = camera("dome", kPorto, 123, 360, 80);
    for (double b = 0; b < 360; b += 7.5) {
        EXPECT_TRUE(sees(c, b, 79.99)) << b;
        EXPECT_FALSE(sees(c, b, 80.01)) << b;
        const auto s = sight(c, offset(c.position, b, 40));
        ASSERT_TRUE(s);
        EXPECT_DOUBLE_EQ(s->score, s->distance_m / 80) << b; // no preferred axis
    }
}

TEST(Cone, PointOnTheCameraIsSeen) {
    const Camera c = camera("c", kPorto, 200, 10, 30);
    const auto s = sight(c, kPorto);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->distance_m, 0);
    EXPECT_EQ(s->bearing_deg, 200);
    EXPECT_EQ(s->off_axis_deg, 0);
    EXPECT_EQ(s->score, 0);
}

TEST(Cone, InvalidPointIsNotSeen) {
    const Camera c = camera("c", kPorto, 0, 360, 30);
    EXPECT_FALSE(sight(c, geo::LatLon{std::nan(""), kPorto.lon}));
    EXPECT_FALSE(sight(c, geo::LatLon{95, kPorto.lon}));
}

TEST(CameraIndex, RanksByScoreThenId) {
    // The point P; every camera sees it.
    //   far   : 150 m south of P, looking straight at it, range 200   0.75 + 0       = 0.75
    //   edge  : 40 m west of P, P on the side of its cone, range 100  0.40 + 0.5     = 0.90
    //   dome  : 85 m north-east of P, range 100                       0.85 + 0       = 0.85
    //   near  : 20 m east of P, 10° off axis of a 60° lens, range 100 0.20 + 0.5/3   = 0.3667
    //   bad   : 10 m north of P, looking away (not covering)
    const geo::LatLon p = kPorto;
    auto from = [&](double bearing_from_p, double d) { return offset(p, bearing_from_p, d); };
    std::vector<Camera> cams = {
        camera("far", from(180, 150), 0, 20, 200), camera("edge", from(270, 40), 60, 60, 100),
        camera("dome", from(45, 85), 0, 360, 100), camera("near", from(90, 20), 280, 60, 100),
        camera("bad", from(0, 10), 0, 90, 100),
    };
    const CameraIndex ix = index_of(cams);
    const auto hits = ix.covering(p);
    EXPECT_EQ(ids(ix, hits), (std::vector<std::string>{"near", "far", "dome", "edge"}));
    ASSERT_EQ(hits.size(), 4u);
    EXPECT_NEAR(hits[0].sight.score, 0.2 + 0.5 * 10 / 30, 1e-6);
    EXPECT_NEAR(hits[0].sight.off_axis_deg, -10, 1e-6); // P is left of near's axis
    EXPECT_NEAR(hits[1].sight.score, 0.75, 1e-6);
    // Placed diagonally in P's plane, measured in the dome's own: 0.35 mm apart at 85 m.
    EXPECT_NEAR(hits[2].sight.score, 0.85, 1e-4);
    EXPECT_NEAR(hits[3].sight.score, 0.9, 1e-6);
    // Two cameras identical but for their ids tie exactly; the id decides.
    cams.push_back(camera("a-twin", cams[0].position, 0, 20, 200));
    const CameraIndex twins = index_of(cams);
    EXPECT_EQ(ids(twins, twins.covering(p)),
              (std::vector<std::string>{"near", "a-twin", "far", "dome", "edge"}));
}

TEST(CameraIndex, BuildRefusesBadAndDuplicateCameras) {
    std::vector<Camera> cams = {camera("a", kPorto, 0, 90, 50), camera("b", kPorto, 0, 90, 50)};
    cams[1].fov_deg = 0;
    auto bad = CameraIndex::build(cams);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().field, "fov_deg");
    EXPECT_EQ(bad.error().detail, "camera 1 (b): fov_deg: must be within (0, 360], not 0");

    cams[1] = camera("a", kPorto, 0, 90, 50);
    auto dup = CameraIndex::build(cams);
    ASSERT_FALSE(dup.ok());
    EXPECT_EQ(dup.error().field, "id");
    EXPECT_EQ(dup.error().detail, "camera 1 (a): id: already used by camera 0");

    auto empty = CameraIndex::build({});
    ASSERT_TRUE(empty.ok());
    EXPECT_TRUE(empty->covering(kPorto).empty());
    EXPECT_TRUE(empty->in_view({{41, -9}, {42, -8}}, 10).cameras.empty());
}

TEST(CameraIndex, InvalidQueryPointFindsNothing) {
    const CameraIndex ix = index_of({camera("a", kPorto, 0, 360, 50)});
    EXPECT_EQ(ix.covering(kPorto).size(), 1u);
    EXPECT_TRUE(ix.covering({std::nan(""), kPorto.lon}).empty());
    EXPECT_TRUE(ix.covering({kPorto.lat, 200}).empty());
}

TEST(CameraIndex, AcrossTheAntimeridian) {
    // Taveuni, Fiji, lies across 180°: a dome at 179.9995 E sees a point at 179.9995 W.
    const geo::LatLon cam{-16.85, 179.9995};
    const geo::LatLon east{-16.85, -179.9995}; // about 107 m away
    const CameraIndex ix = index_of(
        {camera("taveuni", cam, 0, 360, 150), camera("suva", {-18.14, 178.44}, 0, 90, 50)});
    EXPECT_EQ(ix.unindexed(), 1u);
    const auto hits = ix.covering(east);
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_NEAR(hits[0].sight.distance_m, geo::distance_m(cam, east), 0.05);
    EXPECT_NEAR(hits[0].sight.bearing_deg, 90, 0.01);
    // A viewport across the antimeridian lists both sides of it.
    const InView v = ix.in_view({{-17, 179.9}, {-16.5, -179.9}}, 10);
    EXPECT_EQ(ids(ix, v), (std::vector<std::string>{"taveuni"}));
}

TEST(CameraIndex, InViewListsCamerasNearestTheCentreFirst) {
    // A 5 x 5 lattice of cameras 0.001° apart (about 111 m north-south, 84 m east-west);
    // ids "r<row>c<col>".
    double lat[5], lon[5];
    std::vector<Camera> cams;
    for (int r = 0; r < 5; ++r) {
        lat[r] = 41.15 + r * 0.001;
        lon[r] = -8.61 + r * 0.001;
    }
    for (int r = 0; r < 5; ++r) {
        for (int c = 0; c < 5; ++c) {
            cams.push_back(camera("r" + std::to_string(r) + "c" + std::to_string(c),
                                  {lat[r], lon[c]}, 0, 90, 50));
        }
    }
    const CameraIndex ix = index_of(cams);
    // Rows 1..3, columns 1..3, edges exactly on cameras (inclusive): centre r2c2.
    const Viewport v{{lat[1], lon[1]}, {lat[3], lon[3]}};
    const InView all = ix.in_view(v, 100);
    EXPECT_EQ(all.total, 9u);
    ASSERT_EQ(all.cameras.size(), 9u);
    EXPECT_EQ(ix.cameras()[all.cameras[0].camera].id, "r2c2");
    EXPECT_NEAR(all.cameras[0].distance_m, 0, 1e-6);
    for (std::size_t i = 1; i < all.cameras.size(); ++i)
        EXPECT_LE(all.cameras[i - 1].distance_m, all.cameras[i].distance_m);
    // Then the east and west neighbours (84 m, about equal), before north and south (111 m).
    const InView three = ix.in_view(v, 3);
    EXPECT_EQ(three.total, 9u);
    std::vector<std::string> first = ids(ix, three);
    ASSERT_EQ(first.size(), 3u);
    EXPECT_EQ(first[0], "r2c2");
    std::sort(first.begin() + 1, first.end());
    EXPECT_EQ(first, (std::vector<std::string>{"r2c2", "r2c1", "r2c3"}));
    EXPECT_TRUE(ix.in_view(v, 0).cameras.empty());
    // Just inside the edges is no different; just outside loses the edge row.
    EXPECT_EQ(ix.in_view({{lat[1] + 1e-7, lon[1]}, {lat[3], lon[3]}}, 100).total, 6u);
    EXPECT_EQ(ix.in_view({{lat[1] - 1e-7, lon[1]}, {lat[3], lon[3]}}, 100).total, 9u);
    EXPECT_EQ(ix.in_view({{lat[1], lon[1]}, {lat[3], lon[3] - 1e-7}}, 100).total, 6u);
    // Outside the lattice, inverted or invalid: nothing.
    EXPECT_EQ(ix.in_view({{42, -8}, {43, -7}}, 100).total, 0u);
    EXPECT_EQ(ix.in_view({{lat[3], lon[1]}, {lat[1], lon[3]}}, 100).total, 0u);
    EXPECT_EQ(ix.in_view({{lat[1], lon[1]}, {std::nan(""), lon[3]}}, 100).total, 0u);
    // A viewport larger than the whole set.
    EXPECT_EQ(ix.in_view({{40, -10}, {42, -7}}, 100).total, 25u);
}

namespace {

// Every camera's own test, ranked as the index ranks: the reference.
std::vector<CoveringCamera> brute_force(const std::vector<Camera>& cams, geo::LatLon p) {
    std::vector<CoveringCamera> out;
    for (std::uint32_t i = 0; i < cams.size(); ++i) {
        if (auto s = sight(cams[i], p)) out.push_back({i, *s});
    }
    std::sort(out.begin(), out.end(), [&](const CoveringCamera& a, const CoveringCamera& b) {
        if (a.sight.score != b.sight.score) return a.sight.score < b.sight.score;
        return cams[a.camera].id < cams[b.camera].id;
    });
    return out;
}

std::vector<Camera> random_cameras(std::mt19937_64& rng, std::size_t n, geo::LatLon sw,
                                   geo::LatLon ne) {
    std::uniform_real_distribution<double> lat(sw.lat, ne.lat), lon(sw.lon, ne.lon);
    std::uniform_real_distribution<double> heading(0, 360), fov(1, 360), range(30, 300);
    std::bernoulli_distribution dome(0.15);
    std::vector<Camera> out;
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(camera("cam" + std::to_string(i), {lat(rng), lon(rng)}, heading(rng),
                             dome(rng) ? 360 : fov(rng), range(rng)));
    }
    return out;
}

} // namespace

TEST(CameraIndex, AgreesExactlyWithBruteForce) {
    // 2,000 cameras in 4.4 km x 4.2 km of Porto (about six cones over an average point),
    // 2,000 random points, and 2,000 points on the very edges of random cones (sides and arc),
    // where a grid that lost a sliver would show.
    std::mt19937_64 rng(20240917);
    const geo::LatLon sw{41.14, -8.64}, ne{41.18, -8.59};
    const std::vector<Camera> cams = random_cameras(rng, 2000, sw, ne);
    const CameraIndex ix = index_of(cams);
    EXPECT_EQ(ix.unindexed(), 0u);
    EXPECT_GT(ix.cell_count(), 1u);

    std::vector<geo::LatLon> points;
    std::uniform_real_distribution<double> lat(sw.lat - 0.003, ne.lat + 0.003);
    std::uniform_real_distribution<double> lon(sw.lon - 0.004, ne.lon + 0.004);
    for (int i = 0; i < 2000; ++i)
        points.push_back({lat(rng), lon(rng)});
    std::uniform_int_distribution<std::size_t> pick(0, cams.size() - 1);
    std::uniform_real_distribution<double> unit(0, 1);
    for (int i = 0; i < 2000; ++i) {
        const Camera& c = cams[pick(rng)];
        const double side = c.heading_deg + (i % 2 == 0 ? 1 : -1) * c.fov_deg / 2;
        switch (i % 4) {
        case 0:
        case 1:
            points.push_back(offset(c.position, side, c.range_m * unit(rng)));
            break;
        case 2:
            points.push_back(offset(c.position, c.heading_deg, c.range_m));
            break;
        default:
            points.push_back(offset(c.position, side, c.range_m));
            break;
        }
    }
    points.push_back(cams[0].position);

    std::size_t hits = 0, empty = 0;
    std::vector<CoveringCamera> got, scan;
    for (const geo::LatLon& p : points) {
        const std::vector<CoveringCamera> want = brute_force(cams, p);
        ix.covering(p, got);
        ASSERT_EQ(got, want) << "at " << p.lat << ", " << p.lon;
        ix.covering_scan(p, scan);
        ASSERT_EQ(scan, want);
        hits += want.size();
        empty += want.empty();
    }
    // Not a vacuous agreement: thousands of hits, and some points seen by nobody.
    EXPECT_GT(hits, 10000u);
    EXPECT_GT(empty, 10u);
    std::printf("%zu points, %zu hits, %zu seen by no camera; grid %zu cells of %.0f m, %zu "
                "entries\n",
                points.size(), hits, empty, ix.cell_count(), ix.cell_m(), ix.grid_entries());
}

TEST(CameraIndex, InViewAgreesWithBruteForce) {
    std::mt19937_64 rng(7);
    const geo::LatLon sw{41.10, -8.70}, ne{41.20, -8.55};
    const std::vector<Camera> cams = random_cameras(rng, 2000, sw, ne);
    const CameraIndex ix = index_of(cams);
    std::uniform_real_distribution<double> lat(sw.lat - 0.02, ne.lat + 0.02);
    std::uniform_real_distribution<double> lon(sw.lon - 0.02, ne.lon + 0.02);
    std::uniform_real_distribution<double> size(0.0005, 0.05);
    for (int i = 0; i < 500; ++i) {
        const double s = lat(rng), w = lon(rng);
        const Viewport v{{s, w}, {s + size(rng), w + size(rng)}};
        std::vector<std::string> want;
        for (const Camera& c : cams) {
            if (c.position.lat >= v.south_west.lat && c.position.lat <= v.north_east.lat &&
                c.position.lon >= v.south_west.lon && c.position.lon <= v.north_east.lon)
                want.push_back(c.id);
        }
        const InView got = ix.in_view(v, cams.size());
        ASSERT_EQ(got.total, want.size());
        std::vector<std::string> got_ids = ids(ix, got);
        std::sort(got_ids.begin(), got_ids.end());
        std::sort(want.begin(), want.end());
        ASSERT_EQ(got_ids, want);
    }
}
