// Exchange with other systems: EIDO (NENA-STA-021) in and out, CAP 1.2 public alerts out.
#include <algorithm>
#include <cctype>

#include <fmt/core.h>

#include "io/cap.hpp"
#include "io/eido.hpp"
#include "server/api.hpp"
#include "server/intake.hpp"

namespace pingan::server {
namespace {

using base::Code;

bool same_text(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// Our code when the sender used it, else the category whose English or Chinese name (or code)
// is the sender's type text.
const triage::Category* category_of(const triage::Taxonomy& taxonomy, const io::EidoIncoming& in) {
    if (!in.type_code.empty()) {
        if (const triage::Category* c = taxonomy.find(in.type_code)) return c;
    }
    for (const triage::Category& c : taxonomy.categories()) {
        if (same_text(c.en, in.type_text) || c.zh == in.type_text || c.code == in.type_text) {
            return &c;
        }
    }
    return nullptr;
}

struct Loaded {
    ops::Incident incident;
    std::vector<io::EidoResource> resources;
};

base::Result<Loaded> load(ApiContext& ctx, ops::Id id) {
    auto incident = ctx.ops.store().incident(id);
    if (!incident) return std::move(incident).error();
    if (!incident->has_value()) {
        return base::error(Code::unknown_incident, "id",
                           fmt::format("id: no incident with id {}", id));
    }
    Loaded out{std::move(**incident), {}};
    auto assignments = ctx.ops.store().assignments_of(id);
    if (!assignments) return std::move(assignments).error();
    for (ops::Assignment& a : *assignments) {
        auto unit = ctx.ops.store().unit(a.unit_id);
        if (!unit) return std::move(unit).error();
        out.resources.push_back({std::move(a), std::move(*unit)});
    }
    return out;
}

const triage::Category* find_category(ApiContext& ctx, const std::string& code) {
    const Centre* centre = ctx.ops.centre();
    return centre != nullptr ? centre->taxonomy.find(code) : nullptr;
}

void get_eido(ApiContext& ctx, Request& req, Reply reply) {
    auto id = api::path_id(req, 0, "id");
    if (!id) return reply(Response::problem(id.error()));
    auto loaded = load(ctx, *id);
    if (!loaded) return reply(Response::problem(loaded.error()));
    io::EidoExport out;
    out.incident = &loaded->incident;
    out.category = find_category(ctx, loaded->incident.category);
    out.resources = std::move(loaded->resources);
    reply(Response{200, "application/json", io::eido_json(out), {}});
}

void get_cap(ApiContext& ctx, Request& req, Reply reply) {
    auto id = api::path_id(req, 0, "id");
    if (!id) return reply(Response::problem(id.error()));
    auto radius = api::query_int(req, "radius_m", 500, 50, 50'000);
    if (!radius) return reply(Response::problem(radius.error()));
    auto loaded = load(ctx, *id);
    if (!loaded) return reply(Response::problem(loaded.error()));
    io::CapInput in;
    in.incident = &loaded->incident;
    in.category = find_category(ctx, loaded->incident.category);
    in.radius_m = static_cast<double>(*radius);
    reply(Response{200, "application/cap+xml; charset=utf-8", io::cap_xml(in), {}});
}

// An EIDO naming one of our incidents (incidentTrackingIdentifier "2026-000123") updates it: a
// later status (cleared, closed, cancelled) is applied through the state machine. Any other
// EIDO is a new call and goes through intake like one typed in (triage, jurisdiction,
// duplicates — a foreign incident sent twice is flagged as a likely duplicate, not created
// silently twice — and the recommendation).
void post_eido(ApiContext& ctx, Request& req, Reply reply) {
    const Centre* centre = ctx.ops.centre();
    if (centre == nullptr) {
        return reply(Response::problem(
            base::error(Code::unavailable, "the centre's configuration is not loaded")));
    }
    auto in = io::parse_eido(req.body);
    if (!in) return reply(Response::problem(in.error()));
    const triage::Category* category = category_of(centre->taxonomy, *in);
    if (category == nullptr) {
        const std::string_view named = in->type_code.empty() ? in->type_text : in->type_code;
        return reply(Response::problem(base::error(
            Code::field_invalid,
            in->type_code.empty() ? "incidentComponent[0].incidentTypeCommonRegistryText"
                                  : "incidentComponent[0].incidentTypeInternalCode",
            fmt::format("the incident type '{}' is not in this centre's taxonomy (GET "
                        "/api/v1/taxonomy lists codes and names)",
                        named.substr(0, 80)))));
    }
    const std::string actor = req.principal.username;
    auto ours = ctx.ops.store().incident_by_number(in->tracking_id);
    if (!ours) return reply(Response::problem(ours.error()));
    if (ours->has_value()) {
        const ops::Id id = **ours;
        std::optional<ops::IncidentStatus> to;
        if (!in->status.empty()) {
            to = ops::parse_incident_status(in->status);
            using S = ops::IncidentStatus;
            if (!to || (*to != S::cleared && *to != S::closed && *to != S::cancelled)) {
                return reply(Response::problem(base::error(
                    Code::field_invalid, "incidentComponent[0].incidentStatusCommonRegistryText",
                    fmt::format("'{}': an update may set cleared, closed or cancelled; other "
                                "changes are made by dispatch in this centre",
                                in->status.substr(0, 40)))));
            }
        }
        ctx.ops.execute(
            [&, id](ops::Board& board, base::TimeMs at,
                    store::Change& change) -> base::Result<std::string> {
                const auto current = board.incident_status(id);
                if (to && current && *current != *to) {
                    ops::StatusDetails details;
                    details.disposition = in->disposition;
                    details.reason = "update received as EIDO";
                    auto changed =
                        board.change_incident_status(id, *to, details, actor, at, change.events);
                    if (!changed) return std::move(changed).error();
                    return ops::to_json_text(*changed);
                }
                auto row = ctx.ops.store().incident(id);
                if (!row) return std::move(row).error();
                return ops::to_json_text(**row);
            },
            api::respond(std::move(reply), 200));
        return;
    }
    CallIntake call;
    call.lat = in->location.lat;
    call.lon = in->location.lon;
    call.category = category->code;
    call.priority = in->priority;
    call.description = in->notes;
    call.address = in->address.substr(0, 500);
    const base::TimeMs now = ctx.ops.clock().now_ms();
    if (in->received_at && *in->received_at <= now + 60'000) call.received_at = in->received_at;
    if (!in->location_kind.empty()) call.location_kind = in->location_kind;
    take_call(ctx, std::move(call), actor, std::move(reply));
}

} // namespace

void add_exchange_routes(Router& router, ApiContext& ctx) {
    router.add("GET", "/api/v1/incidents/{id}/eido",
               [&ctx](Request& req, Reply reply) { get_eido(ctx, req, std::move(reply)); });
    router.add("GET", "/api/v1/incidents/{id}/cap",
               [&ctx](Request& req, Reply reply) { get_cap(ctx, req, std::move(reply)); });
    router.add("POST", "/api/v1/eido",
               [&ctx](Request& req, Reply reply) { post_eido(ctx, req, std::move(reply)); });
}

} // namespace pingan::server
