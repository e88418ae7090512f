// The car profile: which ways are roads, directions and speeds from OSM tags.
#include <gtest/gtest.h>

#include "road/profile.hpp"

namespace pingan::road {
namespace {

bool eval(std::initializer_list<Tag> tags, WayRules& r) {
    const std::vector<Tag> v(tags);
    return Profile::car().evaluate(v, r);
}

TEST(Profile, AccessAndClasses) {
    WayRules r;
    EXPECT_TRUE(eval({{"highway", "residential"}}, r));
    EXPECT_EQ(r.road_class, RoadClass::residential);
    EXPECT_TRUE(r.forward && r.backward);
    EXPECT_FALSE(eval({{"highway", "footway"}}, r));
    EXPECT_FALSE(eval({{"highway", "residential"}, {"access", "private"}}, r));
    EXPECT_FALSE(eval({{"highway", "residential"}, {"motor_vehicle", "no"}}, r));
    EXPECT_TRUE(eval({{"highway", "residential"}, {"access", "no"}, {"motor_vehicle", "yes"}}, r));
    EXPECT_TRUE(eval({{"highway", "service"}}, r));
    EXPECT_DOUBLE_EQ(r.speed_kmh, 15); // kept but slow
    EXPECT_FALSE(eval({{"highway", "pedestrian"}, {"area", "yes"}}, r));
}

TEST(Profile, OneWays) {
    WayRules r;
    ASSERT_TRUE(eval({{"highway", "primary"}, {"oneway", "yes"}}, r));
    EXPECT_TRUE(r.forward && !r.backward);
    ASSERT_TRUE(eval({{"highway", "primary"}, {"oneway", "-1"}}, r));
    EXPECT_TRUE(!r.forward && r.backward);
    ASSERT_TRUE(eval({{"highway", "motorway"}}, r));
    EXPECT_TRUE(r.forward && !r.backward);
    ASSERT_TRUE(eval({{"highway", "tertiary"}, {"junction", "roundabout"}}, r));
    EXPECT_TRUE(r.forward && !r.backward);
    ASSERT_TRUE(eval({{"highway", "motorway"}, {"oneway", "no"}}, r));
    EXPECT_TRUE(r.forward && r.backward);
    EXPECT_FALSE(eval({{"highway", "primary"}, {"oneway", "reversible"}}, r));
}

TEST(Profile, Maxspeed) {
    EXPECT_DOUBLE_EQ(parse_maxspeed_kmh("50"), 50);
    EXPECT_DOUBLE_EQ(parse_maxspeed_kmh("50 km/h"), 50);
    EXPECT_NEAR(parse_maxspeed_kmh("30 mph"), 48.28, 0.01);
    EXPECT_DOUBLE_EQ(parse_maxspeed_kmh("PT:urban"), 50);
    EXPECT_DOUBLE_EQ(parse_maxspeed_kmh("none"), 0);
    EXPECT_DOUBLE_EQ(parse_maxspeed_kmh("fast"), 0);
    WayRules r;
    ASSERT_TRUE(eval({{"highway", "primary"}, {"maxspeed", "80"}}, r));
    EXPECT_DOUBLE_EQ(r.speed_kmh, 72);
    ASSERT_TRUE(eval({{"highway", "primary"}, {"maxspeed", "garbage"}}, r));
    EXPECT_DOUBLE_EQ(r.speed_kmh, 55); // class default
}

} // namespace
} // namespace pingan::road
