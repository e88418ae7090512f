// Breadcrumb digests hash a canonical text of numbers, the same on SQLite and PostgreSQL
// (store/position_digest.hpp).
#include <gtest/gtest.h>

#include "base/sha256.hpp"
#include "store/position_digest.hpp"

namespace pingan::store {
namespace {

// What PostgreSQL 15 prints for these float8 values (extra_float_digits >= 1), checked with psql.
TEST(PositionDigest, CanonicalFloatsAreWhatPostgresPrints) {
    EXPECT_EQ(canonical_real(38.9), "38.9");
    EXPECT_EQ(canonical_real(-77.0), "-77");
    EXPECT_EQ(canonical_real(0.0), "0");
    EXPECT_EQ(canonical_real(-0.0), "-0");
    EXPECT_EQ(canonical_real(1e15), "1e+15");
    EXPECT_EQ(canonical_real(1e14), "100000000000000");
    EXPECT_EQ(canonical_real(0.0001), "0.0001");
    EXPECT_EQ(canonical_real(0.00001), "1e-05");
    EXPECT_EQ(canonical_real(123.456e-7), "1.23456e-05");
    EXPECT_EQ(canonical_real(1.5e300), "1.5e+300");
    EXPECT_EQ(canonical_real(0.1 + 0.2), "0.30000000000000004"); // 17 digits, exact
}

PositionRow row(Id id, double lat) {
    return PositionRow{id, 7, 1000 * id, lat, -77.0, std::nullopt, 12.5};
}

// The digest of row(1, 38.9 + 1e-4), row(2, 38.9) in the form SQLite's own text gave before:
// 15 significant digits, ".0" on whole numbers.
std::string old_sqlite_digest() {
    base::Sha256 old;
    for (const char* f : {"1", "7", "1000", "38.9001", "-77.0", "null", "12.5", "2", "7", "2000",
                          "38.9", "-77.0", "null", "12.5"}) {
        const std::string v(f);
        old.update(std::to_string(v.size()) + ":" + v + ",");
    }
    return old.hex();
}

TEST(PositionDigest, AcceptsTheCanonicalAndTheOldSqliteForm) {
    PositionDigester a;
    a.add(row(1, 38.9 + 1e-4));
    a.add(row(2, 38.9));
    auto d = a.finish();
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->count, 2);
    EXPECT_EQ(d->first_id, 1);
    EXPECT_EQ(d->last_id, 2);
    EXPECT_TRUE(a.accepts(d->sha256));

    EXPECT_TRUE(a.accepts(old_sqlite_digest()));

    PositionDigester changed;
    changed.add(row(1, 38.9 + 2e-4));
    changed.add(row(2, 38.9));
    changed.finish();
    EXPECT_FALSE(changed.accepts(d->sha256));
    EXPECT_FALSE(a.accepts(""));
}

// A new digest is computed in the canonical form only, and is the same as the one a check
// computes; the 15-digit form is then neither computed nor accepted.
TEST(PositionDigest, ANewDigestIsTheCanonicalFormOnly) {
    PositionDigester check;
    PositionDigester fresh(PositionDigester::Forms::canonical);
    for (PositionDigester* d : {&check, &fresh}) {
        d->add(row(1, 38.9 + 1e-4));
        d->add(row(2, 38.9));
    }
    const auto checked = check.finish();
    const auto made = fresh.finish();
    ASSERT_TRUE(checked.has_value() && made.has_value());
    EXPECT_EQ(made->sha256, checked->sha256);
    EXPECT_EQ(made->count, 2);
    EXPECT_TRUE(fresh.accepts(made->sha256));

    EXPECT_TRUE(check.accepts(old_sqlite_digest()));
    EXPECT_FALSE(fresh.accepts(old_sqlite_digest()));
}

} // namespace
} // namespace pingan::store
