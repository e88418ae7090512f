#include <set>

#include <gtest/gtest.h>

#include "config_files.hpp"
#include "triage/taxonomy.hpp"

using namespace pingan;
using namespace pingan::triage;

namespace {

Taxonomy shipped() {
    auto t = Taxonomy::parse(test::read_config("taxonomy.toml"));
    EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().detail);
    return std::move(t).value();
}

} // namespace

TEST(Taxonomy, ShippedDefaultHasTheCentresCategories) {
    const Taxonomy t = shipped();
    for (const char* code : {"criminal", "public_order", "traffic", "fire", "medical", "dispute",
                             "assistance", "non_police", "theft", "noise", "utility"}) {
        EXPECT_NE(t.find(code), nullptr) << code;
    }
    EXPECT_EQ(t.find("fire")->service, Service::fire);
    EXPECT_EQ(t.find("medical")->service, Service::ems);
    EXPECT_EQ(t.find("noise")->service, Service::city_line);
    EXPECT_EQ(t.find("criminal")->zh, "刑事案件");
    EXPECT_LE(t.targets(1).on_scene_s, t.targets(4).on_scene_s);
    EXPECT_EQ(t.targets(1).on_scene_s, 300); // the 5-minute response target for P1
}

TEST(Taxonomy, GroupsMakeCategoriesCompatible) {
    const Taxonomy t = shipped();
    EXPECT_EQ(t.group("theft"), "criminal");
    EXPECT_EQ(t.group("criminal"), "criminal");
    EXPECT_TRUE(t.compatible("theft", "burglary"));
    EXPECT_TRUE(t.compatible("theft", "criminal"));
    EXPECT_FALSE(t.compatible("theft", "fire"));
}

TEST(Taxonomy, MapsEveryCategoryOfTheSharedDataSets) {
    const Taxonomy t = shipped();
    // DC OFFENSE values (all nine), Baltimore and Sacramento samples.
    const std::vector<std::pair<std::string, std::string>> dc = {
        {"THEFT/OTHER", "theft"},
        {"THEFT F/AUTO", "theft"},
        {"MOTOR VEHICLE THEFT", "vehicle_theft"},
        {"ROBBERY", "robbery"},
        {"ASSAULT W/DANGEROUS WEAPON", "assault"},
        {"BURGLARY", "burglary"},
        {"SEX ABUSE", "sexual_assault"},
        {"HOMICIDE", "homicide"},
        {"ARSON", "arson"}};
    for (const auto& [value, code] : dc)
        EXPECT_EQ(t.code_for_source("dc", value), code) << value;
    EXPECT_EQ(t.code_for_source("baltimore", "ROBB HWY FIREARM"), "robbery");
    EXPECT_EQ(t.code_for_source("baltimore", "LARCENY- FROM AUTO"), "theft");
    EXPECT_EQ(t.code_for_source("baltimore", "AGG. ASSLT.- GUN"), "assault");
    EXPECT_EQ(t.code_for_source("sacramento", "DISTURBANCE-NOISE"), "noise");
    EXPECT_EQ(t.code_for_source("sacramento", "VEHICLE ACCIDENT-INJURIES"), "traffic");
    EXPECT_EQ(t.code_for_source("sacramento", "STOLEN VEHICLE-REPORT"), "vehicle_theft");
    EXPECT_FALSE(t.code_for_source("dc", "PARKING TICKET").has_value());
}

TEST(Taxonomy, BadFilesAreRefusedByName) {
    auto missing_priority =
        Taxonomy::parse("[[category]]\ncode='x'\nzh='x'\nen='x'\nservice='police'\npriority=2\n");
    ASSERT_FALSE(missing_priority.ok());
    EXPECT_NE(missing_priority.error().detail.find("priorities.P1"), std::string::npos);
    const std::string priorities =
        "[priorities.P1]\ndispatch_s=1\nen_route_s=1\non_scene_s=1\non_scene_max_s=1\n"
        "[priorities.P2]\ndispatch_s=1\nen_route_s=1\non_scene_s=1\non_scene_max_s=1\n"
        "[priorities.P3]\ndispatch_s=1\nen_route_s=1\non_scene_s=1\non_scene_max_s=1\n"
        "[priorities.P4]\ndispatch_s=1\nen_route_s=1\non_scene_s=1\non_scene_max_s=1\n";
    auto bad_service = Taxonomy::parse(
        priorities + "[[category]]\ncode='x'\nzh='x'\nen='x'\nservice='army'\npriority=2\n");
    ASSERT_FALSE(bad_service.ok());
    EXPECT_NE(bad_service.error().detail.find("army"), std::string::npos);
    auto bad_parent = Taxonomy::parse(
        priorities +
        "[[category]]\ncode='x'\nzh='x'\nen='x'\nservice='police'\npriority=2\nparent='y'\n");
    ASSERT_FALSE(bad_parent.ok());
    EXPECT_NE(bad_parent.error().detail.find("parent"), std::string::npos);
    auto not_toml = Taxonomy::parse("this is = = not toml");
    ASSERT_FALSE(not_toml.ok());
    EXPECT_NE(not_toml.error().detail.find("line 1"), std::string::npos);
}
