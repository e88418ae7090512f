// What happens to a call at intake besides creating the incident: the shapes the dispatch
// workflow stores and shows (recommendation lists, the 12345 hand-off request).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dispatch/recommender.hpp"
#include "ops/model.hpp"
#include "server/api.hpp"
#include "server/centre.hpp"
#include "store/store.hpp"

namespace pingan::server {

// A call as intake takes it, from the call-taker's form or from another system (EIDO).
// Fields are validated already; category and priority, when absent, come from triage.
struct CallIntake {
    double lat = 0;
    double lon = 0;
    std::optional<std::string> category;
    std::optional<int> priority;
    std::optional<std::string> description;
    std::optional<std::string> address;
    std::optional<base::TimeMs> received_at;
    std::optional<std::string> location_kind;
    std::optional<std::string> caller_name;
    std::optional<std::string> caller_phone;
};

// Triage, point-in-polygon, duplicates, create; then the 12345 hand-off or the
// recommendation; one durable change, answered 201 with the incident, warnings and the list.
void take_call(ApiContext& ctx, CallIntake call, const std::string& actor, Reply reply);

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
