// /api/v1/incidents: intake, listing, dispatch, status, caller details.
#include <memory>

#include <fmt/core.h>

#include "server/api.hpp"
#include "server/body_reader.hpp"

namespace pingan::server {
namespace {

using base::Code;
using nlohmann::json;

constexpr std::size_t kMaxDescription = 4000;
constexpr std::size_t kMaxAddress = 500;

bool valid_code(std::string_view s) {
    for (char c : s) {
        const bool ok =
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
        if (!ok) return false;
    }
    return !s.empty();
}

void create_incident(ApiContext& ctx, Request& req, Reply reply) {
    BodyReader r(req.body);
    auto lat = r.number("lat", Need::required, -90, 90);
    auto lon = r.number("lon", Need::required, -180, 180);
    auto category = r.string("category", Need::required, 64);
    auto priority = r.integer("priority", Need::optional, 1, 4);
    auto description = r.string("description", Need::optional, kMaxDescription, true);
    auto address = r.string("address", Need::optional, kMaxAddress, true);
    auto received_at = r.time("received_at", Need::optional);
    std::optional<std::string> caller_name;
    std::optional<std::string> caller_phone;
    if (auto caller = r.object("caller", Need::optional)) {
        caller_name = caller->string("name", Need::optional, 200, true);
        caller_phone = caller->string("phone", Need::optional, 40, true);
        if (!caller->ok()) return reply(Response::problem(caller->error()));
    }
    if (r.ok() && !valid_code(*category)) {
        r.fail(Code::field_invalid, "category",
               fmt::format("category: '{}' is not a category code (lower-case letters, digits, "
                           "'_', '.', '-')",
                           category->substr(0, 64)));
    }
    if (r.ok() && *lat == 0 && *lon == 0) {
        r.fail(Code::field_invalid, "lat",
               "lat: 0,0 is not a place anyone calls from; the location is missing");
    }
    const base::TimeMs now = ctx.ops.clock().now_ms();
    if (r.ok() && received_at && *received_at > now + 60'000) {
        r.fail(Code::field_invalid, "received_at", "received_at: lies in the future");
    }
    if (!r.ok()) return reply(Response::problem(r.error()));

    ops::NewIncident in;
    in.location = {*lat, *lon};
    in.category = *category;
    in.priority = static_cast<int>(priority.value_or(3));
    in.description = description.value_or("");
    in.address = address.value_or("");
    in.received_at = received_at;
    const bool has_caller =
        (caller_name && !caller_name->empty()) || (caller_phone && !caller_phone->empty());
    in.has_caller = has_caller;
    const std::string actor = req.principal.username;
    // Set by the command (which runs at once), read by the completion (after the commit).
    auto id = std::make_shared<ops::Id>(0);
    ctx.ops.execute(
        [&](ops::Board& board, base::TimeMs at,
            store::Change& change) -> base::Result<std::string> {
            auto incident = board.create_incident(in, actor, at, change.events);
            if (!incident) return std::move(incident).error();
            *id = incident->id;
            if (has_caller) {
                change.side.emplace_back(store::CallerRecord{incident->id, caller_name.value_or(""),
                                                             caller_phone.value_or(""), at});
            }
            return change.events.front().payload; // the incident as JSON, rendered once
        },
        [id, reply = std::move(reply)](base::Result<std::string> result) {
            if (!result) return reply(Response::problem(result.error()));
            Response res{201, "application/json", std::move(result).value(), {}};
            res.headers.emplace_back("Location", fmt::format("/api/v1/incidents/{}", *id));
            reply(std::move(res));
        });
}

void list_incidents(ApiContext& ctx, Request& req, Reply reply) {
    store::IncidentQuery q;
    if (const std::string* statuses = req.query_param("status")) {
        std::string_view rest = *statuses;
        while (!rest.empty()) {
            const std::size_t comma = rest.find(',');
            const std::string_view item = rest.substr(0, comma);
            auto s = ops::parse_incident_status(item);
            if (!s) {
                return reply(Response::problem(base::error(
                    Code::bad_argument, "status",
                    fmt::format("status: '{}' is not an incident status", item.substr(0, 40)))));
            }
            q.statuses.push_back(*s);
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        }
    }
    auto limit = api::query_int(req, "limit", 100, 1, 1000);
    if (!limit) return reply(Response::problem(limit.error()));
    auto before = api::query_int(req, "before", 0, 0, INT64_MAX);
    if (!before) return reply(Response::problem(before.error()));
    q.limit = static_cast<int>(*limit);
    if (*before > 0) q.before_id = *before;
    auto rows = ctx.ops.store().incidents(q);
    if (!rows) return reply(Response::problem(rows.error()));
    std::string body =
        api::items_body(*rows, [](const ops::Incident& i) { return ops::to_json_text(i); });
    body.pop_back(); // reopen the object for the paging cursor
    const bool more = static_cast<std::int64_t>(rows->size()) == *limit;
    body += more ? fmt::format(R"(,"next_before":{}}})", rows->back().id)
                 : std::string(R"(,"next_before":null})");
    reply(Response{200, "application/json", std::move(body), {}});
}

void get_incident(ApiContext& ctx, Request& req, Reply reply) {
    auto id = api::path_id(req, 0, "id");
    if (!id) return reply(Response::problem(id.error()));
    auto incident = ctx.ops.store().incident(*id);
    if (!incident) return reply(Response::problem(incident.error()));
    if (!incident->has_value()) {
        return reply(Response::problem(base::error(
            Code::unknown_incident, "id", fmt::format("id: no incident with id {}", *id))));
    }
    auto assignments = ctx.ops.store().assignments_of(*id);
    if (!assignments) return reply(Response::problem(assignments.error()));
    std::string body;
    base::JsonWriter w(body);
    w.begin_object();
    ops::write_fields(w, **incident);
    w.key("assignments").begin_array();
    for (const auto& a : *assignments) {
        w.begin_object();
        ops::write_fields(w, a);
        w.end_object();
    }
    w.end_array().end_object();
    reply(Response{200, "application/json", std::move(body), {}});
}

void dispatch_unit(ApiContext& ctx, Request& req, Reply reply) {
    auto id = api::path_id(req, 0, "id");
    if (!id) return reply(Response::problem(id.error()));
    BodyReader r(req.body);
    auto unit_id = r.integer("unit_id", Need::required, 1, INT64_MAX);
    if (!r.ok()) return reply(Response::problem(r.error()));
    const std::string actor = req.principal.username;
    ctx.ops.execute(
        [&](ops::Board& board, base::TimeMs at,
            store::Change& change) -> base::Result<std::string> {
            auto a = board.dispatch(*id, *unit_id, actor, at, change.events);
            if (!a) return std::move(a).error();
            return ops::to_json_text(*a);
        },
        api::respond(std::move(reply), 201));
}

void change_status(ApiContext& ctx, Request& req, Reply reply) {
    auto id = api::path_id(req, 0, "id");
    if (!id) return reply(Response::problem(id.error()));
    BodyReader r(req.body);
    std::vector<std::string_view> names;
    for (auto s : ops::kAllIncidentStatuses)
        names.push_back(ops::to_string(s));
    auto status = r.one_of("status", Need::required, names);
    ops::StatusDetails details;
    details.disposition = r.string("disposition", Need::optional, 500, true).value_or("");
    details.reason = r.string("reason", Need::optional, 500, true).value_or("");
    if (auto m = r.integer("merged_into", Need::optional, 1, INT64_MAX)) details.merged_into = *m;
    if (!r.ok()) return reply(Response::problem(r.error()));
    const ops::IncidentStatus to = *ops::parse_incident_status(*status);
    const std::string actor = req.principal.username;
    ctx.ops.execute(
        [&](ops::Board& board, base::TimeMs at,
            store::Change& change) -> base::Result<std::string> {
            auto incident =
                board.change_incident_status(*id, to, details, actor, at, change.events);
            if (!incident) return std::move(incident).error();
            return ops::to_json_text(*incident);
        },
        api::respond(std::move(reply), 200));
}

// Caller details are personal data: the read is recorded in the event log (durably) before
// anything is shown.
void get_caller(ApiContext& ctx, Request& req, Reply reply) {
    auto id = api::path_id(req, 0, "id");
    if (!id) return reply(Response::problem(id.error()));
    auto caller = ctx.ops.store().caller(*id);
    if (!caller) return reply(Response::problem(caller.error()));
    if (!caller->has_value()) {
        return reply(Response::problem(
            base::error(Code::not_found, "id",
                        fmt::format("id: incident {} has no caller details on record", *id))));
    }
    const store::CallerRecord record = **caller;
    const std::string actor = req.principal.username;
    ctx.ops.execute(
        [&](ops::Board&, base::TimeMs at, store::Change& change) -> base::Result<std::string> {
            change.events.push_back(ops::Event::log_only(
                at, actor, "caller.read", fmt::format("incident/{}", record.incident_id),
                {{"incident_id", record.incident_id}}));
            return json{{"incident_id", record.incident_id},
                        {"name", record.name},
                        {"phone", record.phone},
                        {"recorded_at", base::format_iso8601(record.recorded_at)}}
                .dump();
        },
        api::respond(std::move(reply), 200));
}

} // namespace

void add_incident_routes(Router& router, ApiContext& ctx) {
    router.add("POST", "/api/v1/incidents",
               [&ctx](Request& req, Reply reply) { create_incident(ctx, req, std::move(reply)); });
    router.add("GET", "/api/v1/incidents",
               [&ctx](Request& req, Reply reply) { list_incidents(ctx, req, std::move(reply)); });
    router.add("GET", "/api/v1/incidents/{id}",
               [&ctx](Request& req, Reply reply) { get_incident(ctx, req, std::move(reply)); });
    router.add("POST", "/api/v1/incidents/{id}/dispatch",
               [&ctx](Request& req, Reply reply) { dispatch_unit(ctx, req, std::move(reply)); });
    router.add("POST", "/api/v1/incidents/{id}/status",
               [&ctx](Request& req, Reply reply) { change_status(ctx, req, std::move(reply)); });
    router.add("GET", "/api/v1/incidents/{id}/caller",
               [&ctx](Request& req, Reply reply) { get_caller(ctx, req, std::move(reply)); });
}

} // namespace pingan::server
