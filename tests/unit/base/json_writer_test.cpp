#include <optional>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/json_writer.hpp"

using namespace pingan::base;

TEST(JsonWriter, WritesNestedCompactJson) {
    std::string out;
    JsonWriter w(out);
    w.begin_object().field("a", 1).field("b", "x").key("c").begin_array().value(1.5).null().value(
        true);
    w.begin_object().field("d", std::optional<int>()).end_object().end_array();
    w.key("e").raw(R"({"f":[]})").end_object();
    EXPECT_EQ(out, R"({"a":1,"b":"x","c":[1.5,null,true,{"d":null}],"e":{"f":[]}})");
}

TEST(JsonWriter, EscapesAndRepairsStrings) {
    std::string out;
    JsonWriter w(out);
    w.begin_array()
        .value(std::string_view("quote\" back\\ nl\n tab\t bell\x07"))
        .value(std::string_view("报警 ok"))
        .value(std::string_view("bad \xff byte"))
        .end_array();
    auto parsed = nlohmann::json::parse(out); // must be valid JSON
    EXPECT_EQ(parsed[0], "quote\" back\\ nl\n tab\t bell\x07");
    EXPECT_EQ(parsed[1], "报警 ok");
    EXPECT_EQ(parsed[2], "bad \xef\xbf\xbd byte");
}

TEST(JsonWriter, NumbersReadBackExactly) {
    for (double v : {38.917123456789, -77.0, 1e-5, 123456789.123, 0.1 + 0.2}) {
        std::string out;
        JsonWriter(out).value(v);
        EXPECT_EQ(nlohmann::json::parse(out).get<double>(), v) << out;
    }
    std::string nan;
    JsonWriter(nan).value(std::numeric_limits<double>::quiet_NaN());
    EXPECT_EQ(nan, "null");
}

TEST(JsonWriter, TimesAreIso8601) {
    std::string out;
    JsonWriter(out).time(0);
    EXPECT_EQ(out, R"("1970-01-01T00:00:00.000Z")");
}
