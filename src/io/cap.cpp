#include "io/cap.hpp"

#include <fmt/core.h>

#include "base/time.hpp"
#include "io/xml_text.hpp"

namespace pingan::io {
namespace {

// CAP's dateTime: seconds, an explicit offset, never "Z".
std::string cap_time(base::TimeMs t) {
    return base::format_iso8601(t).substr(0, 19) + "-00:00";
}

// CAP <category> from the service that answers the incident.
std::string_view cap_category(const triage::Category* c) {
    if (c == nullptr) return "Other";
    switch (c->service) {
    case triage::Service::police:
        return "Security";
    case triage::Service::fire:
        return "Fire";
    case triage::Service::ems:
        return "Health";
    case triage::Service::city_line:
        return "Infra";
    }
    return "Other";
}

struct Severity {
    std::string_view urgency;
    std::string_view severity;
};

Severity from_priority(int p) {
    switch (p) {
    case 1:
        return {"Immediate", "Severe"};
    case 2:
        return {"Immediate", "Moderate"};
    case 3:
        return {"Expected", "Minor"};
    default:
        return {"Future", "Minor"};
    }
}

bool withdrawn(ops::IncidentStatus s) {
    using S = ops::IncidentStatus;
    return s == S::cleared || s == S::closed || s == S::cancelled || s == S::merged ||
           s == S::diverted;
}

} // namespace

std::string cap_xml(const CapInput& in) {
    const ops::Incident& i = *in.incident;
    const std::string alert_id = "pingan-" + i.number;
    const std::string alert_sent = cap_time(i.received_at);
    const bool cancel = withdrawn(i.status);
    const Severity sev = from_priority(i.priority);
    std::string area = i.jurisdiction;
    if (!i.patrol_area.empty()) area += (area.empty() ? "" : " / ") + i.patrol_area;
    if (area.empty()) area = fmt::format("{:.4f}, {:.4f}", i.location.lat, i.location.lon);

    std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n";
    x += "  <identifier>" + xml_escape(cancel ? alert_id + "-withdrawn" : alert_id) +
         "</identifier>\n";
    x += "  <sender>" + xml_escape(in.sender) + "</sender>\n";
    x += "  <sent>" + (cancel ? cap_time(i.updated_at) : alert_sent) + "</sent>\n";
    x += "  <status>Actual</status>\n";
    x += std::string("  <msgType>") + (cancel ? "Cancel" : "Alert") + "</msgType>\n";
    x += "  <scope>Public</scope>\n";
    if (cancel) {
        x += "  <references>" + xml_escape(in.sender) + "," + xml_escape(alert_id) + "," +
             alert_sent + "</references>\n";
    }
    x += "  <incidents>" + xml_escape(i.number) + "</incidents>\n";
    // One info block per language the centre speaks: Chinese first, then English.
    struct Lang {
        std::string_view code;
        std::string event;
        std::string headline;
    };
    const std::string zh = in.category && !in.category->zh.empty() ? in.category->zh : i.category;
    const std::string en = in.category && !in.category->en.empty() ? in.category->en : i.category;
    const Lang langs[] = {
        {"zh-CN", zh, cancel ? zh + "警情已处置：" + area : zh + "警情：" + area + "，请注意避让"},
        {"en-US", en,
         cancel ? en + " incident resolved: " + area
                : en + " incident: " + area + ", avoid the area"},
    };
    for (const Lang& l : langs) {
        x += "  <info>\n";
        x += "    <language>" + std::string(l.code) + "</language>\n";
        x += "    <category>" + std::string(cap_category(in.category)) + "</category>\n";
        x += "    <event>" + xml_escape(l.event) + "</event>\n";
        x += "    <urgency>" + std::string(cancel ? "Past" : sev.urgency) + "</urgency>\n";
        x += "    <severity>" + std::string(sev.severity) + "</severity>\n";
        x += "    <certainty>Observed</certainty>\n";
        x += "    <headline>" + xml_escape(l.headline) + "</headline>\n";
        x += "    <area>\n";
        x += "      <areaDesc>" + xml_escape(area) + "</areaDesc>\n";
        x += fmt::format("      <circle>{:.6f},{:.6f} {:.3f}</circle>\n", i.location.lat,
                         i.location.lon, in.radius_m / 1000.0);
        x += "    </area>\n";
        x += "  </info>\n";
    }
    x += "</alert>\n";
    return x;
}

} // namespace pingan::io
