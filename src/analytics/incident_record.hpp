// A historical incident record: one row of a city's open-data file (or one closed live
// incident) as pingan stores it for analytics and replay. Place-based: a record says when,
// what and where, never who.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "analytics/incident_facts.hpp"
#include "base/time.hpp"
#include "geo/latlon.hpp"

namespace pingan::analytics {

struct IncidentRecord {
    std::string source;     // data set, e.g. "dc", or the mapping's source name
    std::string source_key; // identity of the row within the source
    base::TimeMs received_at = 0;
    std::string category;                // taxonomy code
    std::string source_category;         // the category as the source wrote it
    std::optional<geo::LatLon> location; // as given, even when it is a bad geocode
    bool geocode_ok = false;             // location present and inside the source's map area
    std::string jurisdiction;            // the source's district label ("" when unknown)
    std::string patrol_area;             // the source's beat / PSA / post
    std::optional<base::TimeMs> dispatched_at, en_route_at, on_scene_at, cleared_at;
    std::string disposition;
    std::int32_t time_resolution_s = 1; // 86400 when the source gives dates only
};

// The analytics view of a record (a location only when geocode_ok). The views point into the
// record, which must outlive the fact until IncidentFactsBuilder::add has copied it.
IncidentFact fact_of(const IncidentRecord& r);

} // namespace pingan::analytics
