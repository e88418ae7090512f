#include "triage/duplicates.hpp"

#include <algorithm>

namespace pingan::triage {

std::vector<std::int64_t> likely_duplicates(const std::vector<OpenCall>& open, geo::LatLon location,
                                            base::TimeMs received_at, std::string_view category,
                                            const Taxonomy& taxonomy, const DuplicateRule& rule) {
    std::vector<std::pair<double, std::int64_t>> hits;
    for (const OpenCall& c : open) {
        const base::TimeMs gap = received_at - c.received_at;
        if (gap < -rule.window_ms || gap > rule.window_ms) continue;
        if (!taxonomy.compatible(c.category, category)) continue;
        const double d = geo::distance_m(c.location, location);
        if (d <= rule.radius_m) hits.emplace_back(d, c.id);
    }
    std::sort(hits.begin(), hits.end());
    std::vector<std::int64_t> out;
    out.reserve(hits.size());
    for (const auto& [d, id] : hits)
        out.push_back(id);
    return out;
}

} // namespace pingan::triage
