// Place-based hotspot analysis of incident records: kernel density, Getis-Ord Gi* and the
// near-repeat Knox table on one grid, from the facts cache. This is the engine call behind
// `pingan hotspots` and the API; every report carries its parameters, seeds and the span of
// the data it used, so that a map can always say what it shows and be reproduced.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analytics/gi_star.hpp"
#include "analytics/grid.hpp"
#include "analytics/incident_facts.hpp"
#include "analytics/kde.hpp"
#include "analytics/knox.hpp"
#include "base/result.hpp"

namespace pingan::analytics {

struct HotspotRequest {
    Period period;
    // Category codes or top-level groups (e.g. "criminal"); empty: every category.
    std::vector<std::string> categories;
    double cell_m = 100;
    std::optional<double> margin_m; // around the data; default: the KDE bandwidth
    std::optional<GridSpec> grid;   // a fixed grid instead of one covering the data
    std::size_t max_cells = 4'000'000;
    bool run_kde = true;
    bool run_gi_star = true;
    bool run_knox = true;
    KdeParams kde;
    GiStarParams gi_star;
    KnoxParams knox;
    std::size_t max_knox_events = 100'000; // the pair enumeration grows with density²
};

struct HotspotReport {
    HotspotRequest request; // as applied (grid filled in)
    GridSpec grid;
    std::size_t selected = 0;                                  // facts in the period and categories
    std::size_t located = 0;                                   // of those, with a usable location
    std::size_t outside_grid = 0;                              // located but beyond a fixed grid
    std::optional<TimeMs> first_received_at, last_received_at; // of the selected facts
    std::vector<double> counts;                                // incidents per cell
    std::optional<KdeResult> kde;
    std::optional<GiStarResult> gi_star;
    std::optional<KnoxResult> knox;
};

// bad_argument when the period is empty or holds no located incident of the categories, the
// grid would exceed max_cells, or an analysis refuses its parameters (the message says which).
base::Result<HotspotReport> hotspots(const IncidentFacts& facts, const HotspotRequest& request);

} // namespace pingan::analytics
