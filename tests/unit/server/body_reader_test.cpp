#include <gtest/gtest.h>

#include "server/body_reader.hpp"

using namespace pingan;
using namespace pingan::server;
using base::Code;

TEST(BodyReader, ReadsValidFields) {
    BodyReader r(R"({"lat": 38.9, "lon": -77.0, "category": " theft ", "priority": 2,
                     "caps": ["k9"], "at": "2026-11-21T08:00:00Z"})");
    EXPECT_DOUBLE_EQ(*r.number("lat", Need::required, -90, 90), 38.9);
    EXPECT_EQ(*r.string("category", Need::required, 64), "theft");
    EXPECT_EQ(*r.integer("priority", Need::optional, 1, 4), 2);
    EXPECT_EQ(r.string_list("caps", Need::optional, 4, 8)->at(0), "k9");
    EXPECT_TRUE(r.time("at", Need::required).has_value());
    EXPECT_FALSE(r.string("absent", Need::optional, 10).has_value());
    EXPECT_TRUE(r.ok());
}

struct Case {
    const char* body;
    Code code;
    const char* field;
};

class BodyReaderProblems : public ::testing::TestWithParam<Case> {};

TEST_P(BodyReaderProblems, NamesTheFieldAndTheReason) {
    const Case& c = GetParam();
    BodyReader r(c.body);
    r.number("lat", Need::required, -90, 90);
    r.integer("priority", Need::optional, 1, 4);
    r.string("description", Need::optional, 20, true);
    if (auto caller = r.object("caller", Need::optional)) {
        caller->string("phone", Need::optional, 5);
        if (!caller->ok()) r.fail(caller->error().code, "", caller->error().detail);
        if (!caller->ok()) {
            EXPECT_EQ(caller->error().field, c.field);
            return;
        }
    }
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.error().code, c.code) << r.error().detail;
    EXPECT_EQ(r.error().field, c.field) << r.error().detail;
    EXPECT_NE(r.error().detail.find(c.field), std::string::npos) << r.error().detail;
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, BodyReaderProblems,
    ::testing::Values(
        Case{"", Code::malformed_json, "body"}, Case{"{", Code::malformed_json, "body"},
        Case{"[1,2]", Code::field_type, "body"}, Case{"{}", Code::field_missing, "lat"},
        Case{R"({"lat": "38.9"})", Code::field_type, "lat"},
        Case{R"({"lat": 91})", Code::field_invalid, "lat"},
        Case{R"({"lat": 1, "priority": 2.5})", Code::field_type, "priority"},
        Case{R"({"lat": 1, "priority": 9})", Code::field_invalid, "priority"},
        Case{R"({"lat": 1, "priority": 18446744073709551615})", Code::field_invalid, "priority"},
        Case{R"({"lat": 1, "description": "abcdefghijklmnopqrstuvwxyz"})", Code::field_too_long,
             "description"},
        Case{"{\"lat\": 1, \"description\": \"bad \xff\xfe bytes\"}", Code::malformed_json,
             "description"},
        Case{"{\"lat\": 1, \"caller\": {\"name\": \"\xc3\x28\"}}", Code::malformed_json,
             "caller.name"},
        Case{R"({"lat": 1, "description": "a\u0001b"})", Code::field_invalid, "description"},
        Case{R"({"lat": 1, "caller": {"phone": "1234567"}})", Code::field_too_long,
             "caller.phone"}));

TEST(BodyReader, RejectsOverlongAndSurrogateEncodings) {
    // Overlong "/" and an encoded UTF-16 surrogate are not valid UTF-8.
    for (const char* body :
         {"{\"d\": \"\xc0\xaf\"}", "{\"d\": \"\xed\xa0\x80\"}", "{\"d\": \"\xf4\x90\x80\x80\"}"}) {
        BodyReader r(body);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().field, "d");
    }
    BodyReader chinese("{\"d\": \"\xe6\x8a\xa5\xe8\xad\xa6\"}"); // 报警
    EXPECT_TRUE(chinese.ok());
    EXPECT_EQ(*chinese.string("d", Need::required, 10), "\xe6\x8a\xa5\xe8\xad\xa6");
}

TEST(BodyReader, OneOfListsTheAllowedValues) {
    BodyReader r(R"({"status": "flying"})");
    r.one_of("status", Need::required, {"available", "off_duty"});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Code::field_invalid);
    EXPECT_NE(r.error().detail.find("available, off_duty"), std::string::npos);
}
