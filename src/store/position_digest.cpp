#include "store/position_digest.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include <sqlite3.h>

namespace pingan::store {
namespace {

void netstring(base::Sha256& h, std::string_view v) {
    char len[24];
    auto end = std::to_chars(len, len + sizeof len, v.size()).ptr;
    h.update(std::string_view(len, static_cast<std::size_t>(end - len)));
    h.update(":");
    h.update(v);
    h.update(",");
}

std::string integer_text(std::int64_t v) {
    char buf[24];
    auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    return std::string(buf, end);
}

// SQLite's text of a REAL: 15 significant digits, ".0" kept on whole numbers.
std::string sqlite15_real(double v) {
    char* p = sqlite3_mprintf("%!.15g", v);
    std::string out = p != nullptr ? p : "";
    sqlite3_free(p);
    return out;
}

template <class Format>
void add_row(base::Sha256& h, const PositionRow& row, Format real) {
    netstring(h, integer_text(row.id));
    netstring(h, integer_text(row.unit_id));
    netstring(h, integer_text(row.at));
    netstring(h, real(row.lat));
    netstring(h, real(row.lon));
    netstring(h, row.heading ? real(*row.heading) : std::string("null"));
    netstring(h, row.speed ? real(*row.speed) : std::string("null"));
}

} // namespace

std::string canonical_real(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
    // Shortest round-trip digits in scientific form: [-]d[.ddd]e±XX.
    char buf[64];
    auto end = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific).ptr;
    const std::string sci(buf, end);
    const auto e = sci.find('e');
    const int exponent = std::atoi(sci.c_str() + e + 1);
    if (exponent < -4 || exponent >= 15) return sci;
    const bool negative = sci[0] == '-';
    std::string digits;
    for (std::size_t i = negative ? 1 : 0; i < e; ++i) {
        if (sci[i] != '.') digits += sci[i];
    }
    std::string out = negative ? "-" : "";
    if (exponent < 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-exponent - 1), '0');
        out += digits;
    } else {
        const auto whole = static_cast<std::size_t>(exponent) + 1;
        if (digits.size() <= whole) {
            out += digits;
            out.append(whole - digits.size(), '0');
        } else {
            out += digits.substr(0, whole);
            out += '.';
            out += digits.substr(whole);
        }
    }
    return out;
}

void PositionDigester::add(const PositionRow& row) {
    if (digest_.count == 0) digest_.first_id = row.id;
    digest_.last_id = row.id;
    ++digest_.count;
    add_row(canonical_, row, canonical_real);
    if (forms_ == Forms::accepted) add_row(legacy_, row, sqlite15_real);
}

std::optional<PositionDigest> PositionDigester::finish() {
    digest_.sha256 = canonical_.hex();
    if (forms_ == Forms::accepted) legacy_hex_ = legacy_.hex();
    if (digest_.count == 0) return std::nullopt;
    return digest_;
}

bool PositionDigester::accepts(const std::string& sha256) const {
    return !sha256.empty() &&
           (sha256 == digest_.sha256 || (forms_ == Forms::accepted && sha256 == legacy_hex_));
}

} // namespace pingan::store
