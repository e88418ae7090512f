// What happens to a call at intake besides creating the incident: the shapes the dispatch
// workflow stores and shows (recommendation lists, the 12345 hand-off request).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dispatch/recommender.hpp"
#include "ops/model.hpp"
#include "server/centre.hpp"
#include "store/store.hpp"

namespace pingan::server {

// The agencies that answer a category (empty for the 12345 line).
std::vector<ops::Agency> agencies_for(const triage::Category& category);

// {"unit_id","callsign","eta_s","distance_m","reasons":{…}} per unit, as a JSON array.
std::string recommendations_json(const std::vector<dispatch::Recommendation>& items);

// The Open311 GeoReport v2 service request for a diverted incident (form-encoded body, without
// the api_key, which is added when sending). Status "manual" when no endpoint is configured.
store::OutboxItem open311_request(const ops::Incident& incident, const Centre& centre,
                                  const std::string& caller_phone, base::TimeMs now);

// The delivery state shown on an incident: {"status","attempts","remote_id","last_error"}.
std::string handoff_json(const store::OutboxItem& item);

// application/x-www-form-urlencoded escaping.
std::string form_escape(std::string_view s);

} // namespace pingan::server
