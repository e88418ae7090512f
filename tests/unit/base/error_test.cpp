#include <set>
#include <string>

#include <gtest/gtest.h>

#include "base/error.hpp"

using namespace pingan::base;

TEST(ErrorTable, EveryCodeHasAUniqueSlugAndA4xxOr5xxStatus) {
    std::set<std::string> slugs;
    for (int i = 1; i <= static_cast<int>(Code::unsupported_media_type); ++i) {
        const ErrorInfo& row = info(static_cast<Code>(i));
        EXPECT_EQ(static_cast<int>(row.code), i);
        EXPECT_GE(row.http_status, 400) << row.slug;
        EXPECT_LT(row.http_status, 600) << row.slug;
        EXPECT_TRUE(slugs.insert(std::string(row.slug)).second) << "duplicate slug " << row.slug;
    }
}

TEST(ErrorTable, ErrorCarriesFieldAndDetail) {
    Error e = error(Code::field_missing, "lat", "lat is required");
    EXPECT_EQ(e.http_status(), 422);
    EXPECT_EQ(e.slug(), "field_missing");
    EXPECT_EQ(e.field, "lat");
}
