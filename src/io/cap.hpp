// OASIS Common Alerting Protocol 1.2: a public alert about an incident's area, for the
// broadcasters and alerting systems a centre feeds. Only what the public needs: the kind of
// incident, the area (a circle around the location, named by jurisdiction and patrol area),
// urgency and severity from the priority. Never the call text or anything about the caller.
#pragma once

#include <string>

#include "ops/model.hpp"
#include "triage/taxonomy.hpp"

namespace pingan::io {

struct CapInput {
    const ops::Incident* incident = nullptr;
    const triage::Category* category = nullptr; // null: the code is used as the event name
    std::string sender = "pingan";              // the centre's CAP sender id
    double radius_m = 500;                      // the alert circle around the incident
};

// The <alert> document. An open incident gives msgType Alert; a closed, cleared, cancelled or
// merged one gives Cancel referencing that Alert, so receivers withdraw it.
std::string cap_xml(const CapInput& in);

} // namespace pingan::io
