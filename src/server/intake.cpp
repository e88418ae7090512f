#include "server/intake.hpp"

#include <fmt/core.h>

#include "base/json_writer.hpp"

namespace pingan::server {

std::vector<ops::Agency> agencies_for(const triage::Category& category) {
    switch (category.service) {
    case triage::Service::police:
        return {ops::Agency::police};
    case triage::Service::fire:
        return {ops::Agency::fire};
    case triage::Service::ems:
        return {ops::Agency::ems};
    case triage::Service::city_line:
        return {};
    }
    return {};
}

std::string recommendations_json(const std::vector<dispatch::Recommendation>& items) {
    std::string out;
    base::JsonWriter w(out);
    w.begin_array();
    for (const dispatch::Recommendation& r : items) {
        const dispatch::Reasons& why = r.reasons;
        w.begin_object()
            .field("unit_id", r.unit_id)
            .field("callsign", r.callsign)
            .field("eta_s", why.eta_s)
            .field("distance_m", why.distance_m);
        w.key("reasons")
            .begin_object()
            .field("eta_s", why.eta_s)
            .field("distance_m", why.distance_m)
            .field("straight_m", why.straight_m)
            .field("status", ops::to_string(why.status))
            .field("capability_match", why.capability_match)
            .field("jurisdiction_match", why.jurisdiction_match)
            .field("coverage_lost_share", why.coverage_lost_share)
            .end_object();
        w.end_object();
    }
    w.end_array();
    return out;
}

std::string form_escape(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else if (c == ' ') {
            out += '+';
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        }
    }
    return out;
}

store::OutboxItem open311_request(const ops::Incident& incident, const Centre& centre,
                                  const std::string& caller_phone, base::TimeMs now) {
    const HandoffConfig& h = centre.dispatch.handoff;
    std::string service_code = incident.category;
    if (auto it = h.service_codes.find(incident.category); it != h.service_codes.end()) {
        service_code = it->second;
    }
    std::string body =
        fmt::format("service_code={}&lat={:.7f}&long={:.7f}", form_escape(service_code),
                    incident.location.lat, incident.location.lon);
    if (!h.jurisdiction_id.empty()) body += "&jurisdiction_id=" + form_escape(h.jurisdiction_id);
    if (!incident.address.empty()) body += "&address_string=" + form_escape(incident.address);
    body +=
        "&description=" + form_escape(incident.description.empty() ? std::string(incident.category)
                                                                   : incident.description);
    body += "&attribute%5Bpingan_number%5D=" + form_escape(incident.number);
    if (h.send_caller_phone && !caller_phone.empty()) body += "&phone=" + form_escape(caller_phone);
    store::OutboxItem item;
    item.incident_id = incident.id;
    item.kind = "open311";
    item.idempotency_key = "pingan-" + incident.number;
    item.body = std::move(body);
    item.status = h.url.empty() ? "manual" : "pending";
    item.next_attempt_at = now;
    item.created_at = now;
    return item;
}

std::string handoff_json(const store::OutboxItem& item) {
    std::string out;
    base::JsonWriter w(out);
    w.begin_object()
        .field("status", item.status)
        .field("attempts", item.attempts)
        .field("remote_id", item.remote_id)
        .field("last_error", item.last_error)
        .time_field("delivered_at", item.delivered_at)
        .end_object();
    return out;
}

} // namespace pingan::server
