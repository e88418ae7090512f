// Digests of breadcrumb rows (positions.digest events), the same on every backend.
//
// A digest is SHA-256 over the rows in id order, each field as a netstring
// ("<length>:<text>,") in the order id, unit_id, at, lat, lon, heading, speed. The text of a
// field is its canonical form, so a digest written on SQLite verifies after the rows were
// copied to PostgreSQL and back (pingan db copy):
//   integers   decimal, as std::to_chars prints them
//   floats     the shortest digits that read back as the same double, in fixed notation when
//              the decimal exponent is in [-4, 15), else as d.ddde±XX (PostgreSQL's float8
//              output with extra_float_digits > 0); "NaN", "Infinity", "-Infinity"
//   NULL       "null"
// Digests written before this form existed hashed each database's own text of the row:
// SQLite prints floats with 15 significant digits ("%!.15g"), PostgreSQL as above. A digest is
// therefore also accepted in the 15-digit form, so those digests still verify on either
// backend; the 15-digit form misses a change past the 15th digit, as it always did.
#pragma once

#include <optional>
#include <string>

#include "base/sha256.hpp"
#include "store/hash_chain.hpp"
#include "store/store.hpp"

namespace pingan::store {

// The canonical text of a float (see above).
std::string canonical_real(double v);

class PositionDigester {
public:
    // The forms a digester computes: a new digest is written in the canonical form only;
    // checking a stored digest also needs the 15-digit form of older ones, which costs about
    // as much again (sqlite3_mprintf per float).
    enum class Forms { canonical, accepted };

    explicit PositionDigester(Forms forms = Forms::accepted) : forms_(forms) {}

    void add(const PositionRow& row);
    // The canonical digest of the rows added, or nothing when none were.
    std::optional<PositionDigest> finish();
    // After finish(): whether `sha256` is the digest of these rows in any form computed.
    bool accepts(const std::string& sha256) const;

private:
    Forms forms_;
    base::Sha256 canonical_;
    base::Sha256 legacy_; // floats with 15 significant digits, as SQLite printed them
    PositionDigest digest_;
    std::string legacy_hex_;
};

} // namespace pingan::store
