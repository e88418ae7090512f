#include <bit>
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "server/body_reader.hpp"
#include "server/flat_json.hpp"

using namespace pingan::server;
using nlohmann::json;

namespace {

// The flat reader's fields, as the object nlohmann would have built.
json as_object(const FlatObject& flat) {
    json j = json::object();
    for (const FlatField& f : flat)
        j[f.key] = f.value;
    return j;
}

void expect_same_as_nlohmann(const std::string& body) {
    const auto flat = read_flat_object(body);
    ASSERT_TRUE(flat.has_value()) << body;
    const json want = json::parse(body);
    const json got = as_object(*flat);
    ASSERT_EQ(got, want) << body;
    for (const auto& [key, value] : want.items()) {
        EXPECT_EQ(got[key].type(), value.type()) << body << " at " << key;
        if (value.is_number_float()) {
            EXPECT_EQ(std::bit_cast<std::uint64_t>(got[key].get<double>()),
                      std::bit_cast<std::uint64_t>(value.get<double>()))
                << body << " at " << key;
        }
    }
}

} // namespace

TEST(FlatJson, ReadsScalarFieldsAsNlohmannTypesThem) {
    expect_same_as_nlohmann(R"({"lat":38.912300,"lon":-77.045600,"heading":123,"speed":12.5})");
    expect_same_as_nlohmann(R"( { "a" : -0 , "b": 0, "c": -12, "d": 999999999999999999 } )");
    expect_same_as_nlohmann(R"({"x": 0.1, "y": -0.0, "z": 123456789.123456789012345678901})");
    expect_same_as_nlohmann("{\"t\": true, \"f\": false, \"n\": null, \"s\": \"\xe6\x8a\xa5 \"}");
    expect_same_as_nlohmann("{}");
    expect_same_as_nlohmann("\t{\r\n}\n");
}

TEST(FlatJson, KeepsFieldOrderAndTypes) {
    const auto flat = read_flat_object(R"({"b": 1, "a": -1, "c": 1.5})");
    ASSERT_TRUE(flat);
    ASSERT_EQ(flat->size(), 3u);
    EXPECT_EQ((*flat)[0].key, "b");
    EXPECT_TRUE((*flat)[0].value.is_number_unsigned());
    EXPECT_TRUE((*flat)[1].value.is_number_integer() && !(*flat)[1].value.is_number_unsigned());
    EXPECT_TRUE((*flat)[2].value.is_number_float());
}

TEST(FlatJson, LeavesEverythingElseToTheFullParser) {
    for (const char* body : {
             "",                              // empty
             "[1]",                           // not an object
             R"({"a": {"b": 1}})",            // nested object
             R"({"a": [1]})",                 // array
             R"({"a": "x\"y"})",              // escape in a value
             R"({"a\n": 1})",                 // escape in a key
             "{\"a\": \"x\x01y\"}",           // raw control character
             R"({"a": 1e3})",                 // exponent
             R"({"a": 01})",                  // leading zero (invalid JSON)
             R"({"a": 1.})",                  // empty fraction (invalid JSON)
             R"({"a": .5})",                  // no integer part (invalid JSON)
             R"({"a": +1})",                  // plus sign (invalid JSON)
             R"({"a": 1234567890123456789})", // 19 digits: may not fit int64
             R"({"a": 1, "a": 2})",           // duplicate key
             R"({"a": 1,})",                  // trailing comma (invalid JSON)
             R"({"a": 1} x)",                 // trailing bytes
             R"({"a": tru})",                 // broken literal
             R"({"a" 1})",                    // missing colon
             "\xef\xbb\xbf{}",                // byte-order mark
         }) {
        EXPECT_FALSE(read_flat_object(body).has_value()) << body;
    }
}

TEST(FlatJson, BodyReaderReadsAFlatBodyAsItReadsATree) {
    // Same fields, once flat and once with a nested object that sends it to nlohmann.
    for (const char* body : {R"({"lat": 38.9, "priority": 2, "name": " x ", "gone": null})",
                             R"({"lat": 38.9, "priority": 2, "name": " x ", "gone": null,
                                 "nested": {"k": 1}})"}) {
        BodyReader r(body);
        EXPECT_DOUBLE_EQ(*r.number("lat", Need::required, -90, 90), 38.9) << body;
        EXPECT_EQ(*r.integer("priority", Need::required, 1, 4), 2) << body;
        EXPECT_EQ(*r.string("name", Need::required, 8), "x") << body;
        EXPECT_FALSE(r.has("gone")) << body;
        EXPECT_FALSE(r.has("absent")) << body;
        EXPECT_TRUE(r.ok()) << body;
        r.number("gone", Need::required, 0, 1);
        ASSERT_FALSE(r.ok()) << body;
        EXPECT_EQ(r.error().field, "gone") << body;
    }
}
