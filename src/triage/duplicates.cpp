#include "triage/duplicates.hpp"

#include <algorithm>
#include <cmath>

namespace pingan::triage {

std::vector<std::int64_t> likely_duplicates(const std::vector<OpenCall>& open, geo::LatLon location,
                                            base::TimeMs received_at, std::string_view category,
                                            const Taxonomy& taxonomy, const DuplicateRule& rule) {
    // A box in degrees that holds the radius (110 km per degree of latitude is less than the
    // least there is, so the box is never too small). Most open calls fail this cheap test
    // before the category comparison and the great-circle distance, which dominated intake
    // with thousands of open incidents (bench/dispatch).
    const double dlat = rule.radius_m / 110'000.0;
    const double cos_lat = std::cos(location.lat * 3.14159265358979323846 / 180.0);
    const double dlon = cos_lat > 1e-3 ? dlat / cos_lat : 360.0;
    std::vector<std::pair<double, std::int64_t>> hits;
    for (const OpenCall& c : open) {
        const base::TimeMs gap = received_at - c.received_at;
        if (gap < -rule.window_ms || gap > rule.window_ms) continue;
        if (std::abs(c.location.lat - location.lat) > dlat) continue;
        double lon_gap = std::abs(c.location.lon - location.lon);
        if (lon_gap > 180.0) lon_gap = 360.0 - lon_gap;
        if (lon_gap > dlon) continue;
        if (!taxonomy.compatible(c.category, category)) continue;
        const double d = geo::distance_m(c.location, location);
        if (d <= rule.radius_m) hits.emplace_back(d, c.id);
    }
    const auto listed = std::min(hits.size(), rule.max_listed);
    std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(listed), hits.end());
    hits.resize(listed);
    std::vector<std::int64_t> out;
    out.reserve(hits.size());
    for (const auto& [d, id] : hits)
        out.push_back(id);
    return out;
}

} // namespace pingan::triage
