#include "io/eido.hpp"

#include <algorithm>
#include <cstdio>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "io/xml_text.hpp"

namespace pingan::io {
namespace {

using base::Code;
using Doc = nlohmann::ordered_json;

Doc id_ref(const std::string& id) {
    return Doc{{"$ref", id}};
}

std::string iso(base::TimeMs t) {
    return base::format_iso8601(t);
}

// PIDF-LO style location: a WGS-84 GML point ("lat lon") and the civic address as text.
std::string location_xml(const ops::Incident& i) {
    std::string xml = "<location xmlns=\"urn:ietf:params:xml:ns:pidf:geopriv10\" "
                      "xmlns:gml=\"http://www.opengis.net/gml\">"
                      "<gml:Point srsName=\"urn:ogc:def:crs:EPSG::4326\">";
    xml +=
        fmt::format("<gml:pos>{:.7f} {:.7f}</gml:pos></gml:Point>", i.location.lat, i.location.lon);
    if (!i.address.empty())
        xml += "<civicAddressText>" + xml_escape(i.address) + "</civicAddressText>";
    xml += "</location>";
    return xml;
}

} // namespace

std::string eido_json(const EidoExport& in) {
    const ops::Incident& i = *in.incident;
    const std::string incident_id = fmt::format("urn:pingan:incident:{}", i.number);
    const std::string location_id = incident_id + ":location";
    const std::string call_id = incident_id + ":call";
    const std::string notes_id = incident_id + ":notes";
    auto resource_id = [&](ops::Id unit) {
        return fmt::format("{}:resource:{}", incident_id, unit);
    };
    auto dispatch_id = [&](ops::Id a) { return fmt::format("{}:dispatch:{}", incident_id, a); };

    Doc doc;
    const std::string message_id = fmt::format("urn:pingan:eido:{}:{}", i.number, i.updated_at);
    doc["$id"] = message_id;
    doc["eidoMessageIdentifier"] = message_id;
    doc["lastUpdateTimestamp"] = iso(i.updated_at);
    doc["sendingSystemIdentifier"] = in.sending_system;

    Doc incident;
    incident["$id"] = incident_id;
    incident["componentIdentifier"] = incident_id;
    incident["lastUpdateTimestamp"] = iso(i.updated_at);
    incident["incidentTrackingIdentifier"] = i.number;
    incident["incidentTypeCommonRegistryText"] = in.category ? in.category->en : i.category;
    incident["incidentTypeInternalCode"] = i.category;
    if (in.category) incident["incidentTypeInternalText"] = in.category->zh;
    incident["incidentCommonPriorityNumber"] = i.priority;
    incident["incidentStatusCommonRegistryText"] = std::string(ops::to_string(i.status));
    if (!i.disposition.empty()) incident["dispositionText"] = i.disposition;
    if (i.merged_into) incident["mergedIntoIncidentReference"] = *i.merged_into;
    incident["locationReference"] = Doc::array({id_ref(location_id)});
    incident["callReference"] = Doc::array({id_ref(call_id)});
    Doc resources = Doc::array();
    Doc dispatches = Doc::array();
    Doc resource_refs = Doc::array();
    Doc dispatch_refs = Doc::array();
    std::vector<ops::Id> listed;
    for (const EidoResource& r : in.resources) {
        const ops::Assignment& a = r.assignment;
        if (std::find(listed.begin(), listed.end(), a.unit_id) == listed.end()) {
            listed.push_back(a.unit_id);
            Doc res;
            res["$id"] = resource_id(a.unit_id);
            res["lastUpdateTimestamp"] = iso(r.unit ? r.unit->status_at : a.dispatched_at);
            if (r.unit) {
                res["resourceIdentifier"] = r.unit->callsign;
                res["resourceAgencyText"] = std::string(ops::to_string(r.unit->agency));
                res["resourceTypeText"] = r.unit->type;
                res["resourceCapabilitiesText"] = r.unit->capabilities;
                res["resourceStatusText"] = std::string(ops::to_string(r.unit->status));
                if (!r.unit->home_station.empty()) res["homeStationText"] = r.unit->home_station;
            } else {
                res["resourceIdentifier"] = fmt::format("unit {}", a.unit_id);
            }
            resource_refs.push_back(id_ref(resource_id(a.unit_id)));
            resources.push_back(std::move(res));
        }
        // NFPA 1221 segments: dispatched, en route, on scene, cleared.
        Doc d;
        d["$id"] = dispatch_id(a.id);
        d["emergencyResourceReference"] = id_ref(resource_id(a.unit_id));
        d["dispatchedTimestamp"] = iso(a.dispatched_at);
        if (a.en_route_at) d["enRouteTimestamp"] = iso(*a.en_route_at);
        if (a.on_scene_at) d["onSceneTimestamp"] = iso(*a.on_scene_at);
        if (a.cleared_at) d["clearedTimestamp"] = iso(*a.cleared_at);
        d["dispatchedBy"] = a.dispatched_by;
        if (a.recommended_rank) d["recommendedRank"] = *a.recommended_rank;
        dispatch_refs.push_back(id_ref(dispatch_id(a.id)));
        dispatches.push_back(std::move(d));
    }
    incident["emergencyResourceReference"] = resource_refs;
    incident["dispatchReference"] = dispatch_refs;
    if (!i.description.empty()) incident["notesReference"] = Doc::array({id_ref(notes_id)});
    doc["incidentComponent"] = Doc::array({std::move(incident)});

    Doc location;
    location["$id"] = location_id;
    location["lastUpdateTimestamp"] = iso(i.received_at);
    location["locationByValue"] = location_xml(i);
    if (!i.location_kind.empty()) location["locationTypeDescription"] = i.location_kind;
    if (!i.jurisdiction.empty()) location["jurisdictionText"] = i.jurisdiction;
    if (!i.patrol_area.empty()) location["patrolAreaText"] = i.patrol_area;
    doc["locationComponent"] = Doc::array({std::move(location)});

    Doc call;
    call["$id"] = call_id;
    call["lastUpdateTimestamp"] = iso(i.received_at);
    call["callStartTimestamp"] = iso(i.received_at);
    call["callTakerText"] = i.created_by;
    call["callerInformationOnRecord"] = i.has_caller; // details stay in pingan, role-gated
    call["locationReference"] = Doc::array({id_ref(location_id)});
    doc["callComponent"] = Doc::array({std::move(call)});

    doc["emergencyResourceComponent"] = std::move(resources);
    doc["dispatchComponent"] = std::move(dispatches);

    Doc notes = Doc::array();
    if (!i.description.empty()) {
        notes.push_back(Doc{{"$id", notes_id},
                            {"lastUpdateTimestamp", iso(i.received_at)},
                            {"notesTimestamp", iso(i.received_at)},
                            {"notesAuthorText", i.created_by},
                            {"notesText", i.description}});
    }
    doc["notesComponent"] = std::move(notes);
    return doc.dump();
}

namespace {

using Json = nlohmann::json;

base::Error bad(std::string field, std::string reason, Code code = Code::field_invalid) {
    std::string detail = field + ": " + reason;
    return base::error(code, std::move(field), std::move(detail));
}

// Components may come as an array (the standard) or a single object.
const Json* first_component(const Json& doc, const char* name) {
    auto it = doc.find(name);
    if (it == doc.end()) return nullptr;
    if (it->is_array()) return it->empty() || !(*it)[0].is_object() ? nullptr : &(*it)[0];
    return it->is_object() ? &*it : nullptr;
}

std::string text_of(const Json& obj, const char* name) {
    auto it = obj.find(name);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "lastUpdateTimestamp" as the issue and our output spell it, or "lastUpdateTimeStamp".
std::optional<base::TimeMs> time_of(const Json& obj, std::initializer_list<const char*> names) {
    for (const char* n : names) {
        const std::string t = text_of(obj, n);
        if (!t.empty()) return base::parse_iso8601(t);
    }
    return std::nullopt;
}

} // namespace

base::Result<EidoIncoming> parse_eido(std::string_view text) {
    Json doc = Json::parse(text, nullptr, false);
    if (doc.is_discarded()) {
        return base::error(Code::malformed_json, "", "the body is not JSON");
    }
    if (!doc.is_object()) return bad("$", "an EIDO document is a JSON object");
    const Json* inc = first_component(doc, "incidentComponent");
    if (inc == nullptr)
        return bad("incidentComponent", "missing; an EIDO needs one incident", Code::field_missing);
    EidoIncoming out;
    out.tracking_id = text_of(*inc, "incidentTrackingIdentifier");
    if (out.tracking_id.empty() || out.tracking_id.size() > 64) {
        return bad("incidentComponent[0].incidentTrackingIdentifier",
                   "required, a string of 1 to 64 characters");
    }
    out.type_code = text_of(*inc, "incidentTypeInternalCode");
    out.type_text = text_of(*inc, "incidentTypeCommonRegistryText");
    if (out.type_code.empty() && out.type_text.empty()) {
        return bad("incidentComponent[0].incidentTypeCommonRegistryText",
                   "an incident type is required (or incidentTypeInternalCode)");
    }
    if (auto p = inc->find("incidentCommonPriorityNumber"); p != inc->end()) {
        if (!p->is_number_integer() || p->get<int>() < 1 || p->get<int>() > 4) {
            return bad("incidentComponent[0].incidentCommonPriorityNumber",
                       "must be an integer from 1 (most urgent) to 4");
        }
        out.priority = p->get<int>();
    }
    out.status = text_of(*inc, "incidentStatusCommonRegistryText");
    out.disposition = text_of(*inc, "dispositionText");

    const Json* loc = first_component(doc, "locationComponent");
    if (loc == nullptr)
        return bad("locationComponent", "missing; pingan needs where it happened",
                   Code::field_missing);
    const std::string by_value = text_of(*loc, "locationByValue");
    const auto pos = xml_element_text(by_value, "pos");
    if (!pos) {
        return bad("locationComponent[0].locationByValue",
                   "needs a GML point (<gml:pos>lat lon</gml:pos>) in WGS-84");
    }
    double lat = 0;
    double lon = 0;
    char extra = 0;
    if (std::sscanf(pos->c_str(), "%lf %lf %c", &lat, &lon, &extra) != 2 || lat < -90 || lat > 90 ||
        lon < -180 || lon > 180) {
        return bad("locationComponent[0].locationByValue",
                   fmt::format("'{}' is not 'lat lon' in degrees", pos->substr(0, 60)));
    }
    out.location = {lat, lon};
    if (auto addr = xml_element_text(by_value, "civicAddressText")) out.address = *addr;
    out.location_kind = text_of(*loc, "locationTypeDescription");

    if (const Json* call = first_component(doc, "callComponent")) {
        out.received_at = time_of(*call, {"callStartTimestamp", "callStartTimeStamp"});
    }
    if (!out.received_at) {
        out.received_at = time_of(*inc, {"lastUpdateTimestamp", "lastUpdateTimeStamp"});
    }
    if (auto notes = doc.find("notesComponent"); notes != doc.end() && notes->is_array()) {
        for (const Json& n : *notes) {
            if (!n.is_object()) continue;
            const std::string t = text_of(n, "notesText");
            if (t.empty()) continue;
            if (!out.notes.empty()) out.notes += '\n';
            out.notes += t;
        }
    }
    if (out.notes.size() > 4000) out.notes.resize(4000);
    return out;
}

} // namespace pingan::io
