// JSON documents of the analyses, as `pingan … --format json` writes them and as the API will
// return them. Every document says what it was computed from: the period, the parameters,
// the seed, and the span of the data.
#pragma once

#include <string>

#include "analytics/compstat.hpp"
#include "analytics/hotspots.hpp"
#include "analytics/road_coverage.hpp"

namespace pingan::analytics {

std::string to_json(const CompStatReport& report);

struct HotspotJsonOptions {
    bool cells = true; // per-cell arrays (counts, density, z, p, label); large for big grids
};
std::string to_json(const HotspotReport& report, const HotspotJsonOptions& options = {});

std::string to_json(const PostPlan& plan);

} // namespace pingan::analytics
