// Duplicate calls (重复报警): a new call near an open incident of a compatible category, not
// long after it, is flagged as a likely duplicate at intake. The call-taker decides; merging
// keeps every caller's record.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/time.hpp"
#include "geo/latlon.hpp"
#include "triage/taxonomy.hpp"

namespace pingan::triage {

struct DuplicateRule {
    double radius_m = 200;                // how near
    base::TimeMs window_ms = 15 * 60'000; // how soon after the open incident was received
    std::size_t max_listed = 10;          // the nearest this many are listed (a busy square can
                                          // hold a hundred open calls; nobody reads them all)
};

struct OpenCall {
    std::int64_t id = 0;
    geo::LatLon location;
    base::TimeMs received_at = 0;
    std::string_view category;
};

// Ids of open calls that the new one likely repeats, nearest first, at most rule.max_listed.
std::vector<std::int64_t> likely_duplicates(const std::vector<OpenCall>& open, geo::LatLon location,
                                            base::TimeMs received_at, std::string_view category,
                                            const Taxonomy& taxonomy, const DuplicateRule& rule);

} // namespace pingan::triage
