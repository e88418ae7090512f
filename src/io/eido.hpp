// NENA-STA-021 Emergency Incident Data Object (EIDO), JSON encoding: the incident as other
// centres and systems exchange it, and the part of an incoming EIDO pingan takes over.
//
// Out: a prologue ($id, eidoMessageIdentifier, lastUpdateTimestamp, sendingSystemIdentifier)
// and the incident, location, call, emergency resource, dispatch and notes components, linked
// by {"$ref": "<$id>"}. The location is a PIDF-LO fragment (GML point, civic address text) in
// locationByValue, as the standard carries it. Caller details never leave: the call component
// says a caller is on record, not who.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "ops/model.hpp"
#include "triage/taxonomy.hpp"

namespace pingan::io {

struct EidoResource {
    ops::Assignment assignment;
    std::optional<ops::Unit> unit; // as registered; absent if it has since been removed
};

struct EidoExport {
    const ops::Incident* incident = nullptr;
    const triage::Category* category = nullptr; // null when the code is not in the taxonomy
    std::vector<EidoResource> resources;        // every assignment, oldest first
    std::string sending_system = "pingan";
};

// The EIDO JSON document.
std::string eido_json(const EidoExport& in);

// What pingan takes from an incoming EIDO (its first incident component).
struct EidoIncoming {
    std::string tracking_id; // incidentTrackingIdentifier: ours ("2026-000123") or foreign
    std::string type_code;   // incidentTypeInternalCode, may be empty
    std::string type_text;   // incidentTypeCommonRegistryText, may be empty
    std::optional<int> priority;
    std::string status; // incidentStatusCommonRegistryText, may be empty
    geo::LatLon location;
    std::string address;
    std::string location_kind;
    std::optional<base::TimeMs> received_at; // the call's start, else the incident's update time
    std::string notes;                       // the notes' texts, oldest first, one per line
    std::string disposition;
};

// Reads the document; a problem names the member (JSON pointer style, e.g.
// "locationComponent[0].locationByValue") and the reason.
base::Result<EidoIncoming> parse_eido(std::string_view text);

} // namespace pingan::io
