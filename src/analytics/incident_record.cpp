#include "analytics/incident_record.hpp"

namespace pingan::analytics {

IncidentFact fact_of(const IncidentRecord& r) {
    IncidentFact f;
    f.received_at = r.received_at;
    f.category = r.category;
    f.jurisdiction = r.jurisdiction;
    f.disposition = r.disposition;
    if (r.geocode_ok) f.location = r.location;
    f.dispatched_at = r.dispatched_at;
    f.en_route_at = r.en_route_at;
    f.on_scene_at = r.on_scene_at;
    f.time_resolution_s = r.time_resolution_s;
    return f;
}

} // namespace pingan::analytics
