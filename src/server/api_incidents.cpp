// /api/v1/incidents: intake, listing, dispatch, status, caller details.
#include <cmath>
#include <memory>

#include <fmt/core.h>

#include "base/json_writer.hpp"
#include "server/api.hpp"
#include "server/body_reader.hpp"
#include "server/intake.hpp"

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

// POST /api/v1/incidents: validate the call-taker's form, then take the call.
void create_incident(ApiContext& ctx, Request& req, Reply reply) {
    BodyReader r(req.body);
    auto lat = r.number("lat", Need::required, -90, 90);
    auto lon = r.number("lon", Need::required, -180, 180);
    auto category = r.string("category", Need::optional, 64);
    auto priority = r.integer("priority", Need::optional, 1, 4);
    auto description = r.string("description", Need::optional, kMaxDescription, true);
    auto address = r.string("address", Need::optional, kMaxAddress, true);
    auto received_at = r.time("received_at", Need::optional);
    auto location_kind = r.string("location_kind", Need::optional, 32);
    std::optional<std::string> caller_name;
    std::optional<std::string> caller_phone;
    if (auto caller = r.object("caller", Need::optional)) {
        caller_name = caller->string("name", Need::optional, 200, true);
        caller_phone = caller->string("phone", Need::optional, 40, true);
        if (!caller->ok()) return reply(Response::problem(caller->error()));
    }
    if (r.ok() && category && !valid_code(*category)) {
        r.fail(Code::field_invalid, "category",
               fmt::format("category: '{}' is not a category code (lower-case letters, digits, "
                           "'_', '.', '-')",
                           category->substr(0, 64)));
    }
    if (r.ok() && location_kind && !valid_code(*location_kind)) {
        r.fail(Code::field_invalid, "location_kind",
               "location_kind: use a lower-case word such as residence, road, school");
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

    CallIntake call;
    call.lat = *lat;
    call.lon = *lon;
    call.category = std::move(category);
    if (priority) call.priority = static_cast<int>(*priority);
    call.description = std::move(description);
    call.address = std::move(address);
    call.received_at = received_at;
    call.location_kind = std::move(location_kind);
    call.caller_name = std::move(caller_name);
    call.caller_phone = std::move(caller_phone);
    take_call(ctx, std::move(call), req.principal.username, std::move(reply));
}

} // namespace

// Intake: triage, locate (jurisdiction, patrol area), look for duplicates, create; then either
// divert to 12345 (non-police categories) or recommend units. One durable change.
void take_call(ApiContext& ctx, CallIntake call, const std::string& actor, Reply reply) {
    const Centre* centre = ctx.ops.centre();
    const base::TimeMs now = ctx.ops.clock().now_ms();
    const auto& category = call.category;
    const auto& priority = call.priority;
    const auto& description = call.description;
    const auto& address = call.address;
    const auto& received_at = call.received_at;
    const auto& location_kind = call.location_kind;
    const auto& caller_name = call.caller_name;
    const auto& caller_phone = call.caller_phone;
    // Triage: a suggestion from the call text; the call-taker's category, if given, decides.
    std::optional<triage::Suggestion> suggestion;
    if (centre != nullptr && description && !description->empty()) {
        suggestion = centre->triage->suggest(
            triage::CallFacts{*description, location_kind.value_or(""),
                              centre->minute_of_day(received_at.value_or(now))});
    }
    if (!category && !suggestion) {
        return reply(Response::problem(
            base::error(Code::field_missing, "category",
                        "category: required (the description did not suggest one)")));
    }
    const std::string decided = category ? *category : suggestion->category;
    const triage::Category* cat = centre != nullptr ? centre->taxonomy.find(decided) : nullptr;
    if (centre != nullptr && cat == nullptr) {
        return reply(Response::problem(base::error(
            Code::field_invalid, "category",
            fmt::format("category: '{}' is not in the taxonomy (GET /api/v1/taxonomy lists the "
                        "codes)",
                        decided))));
    }
    int decided_priority = 3;
    if (priority) {
        decided_priority = static_cast<int>(*priority);
    } else if (suggestion && suggestion->category == decided) {
        decided_priority = suggestion->priority;
    } else if (cat != nullptr) {
        decided_priority = cat->priority;
    }
    std::string triage_text;
    {
        base::JsonWriter w(triage_text);
        w.begin_object().key("suggested");
        if (suggestion) {
            w.begin_object()
                .field("category", suggestion->category)
                .field("priority", suggestion->priority)
                .field("score", suggestion->score)
                .key("reasons")
                .begin_array();
            for (const auto& reason : suggestion->reasons)
                w.value(reason);
            w.end_array().end_object();
        } else {
            w.null();
        }
        w.key("decided")
            .begin_object()
            .field("category", decided)
            .field("priority", decided_priority)
            .end_object();
        w.field("accepted", suggestion.has_value() && suggestion->category == decided &&
                                suggestion->priority == decided_priority)
            .end_object();
    }

    ops::NewIncident in;
    in.location = {call.lat, call.lon};
    in.category = decided;
    in.priority = decided_priority;
    in.description = description.value_or("");
    in.address = address.value_or("");
    in.received_at = received_at;
    in.location_kind = location_kind.value_or("");
    in.triage = std::move(triage_text);
    const bool has_caller =
        (caller_name && !caller_name->empty()) || (caller_phone && !caller_phone->empty());
    in.has_caller = has_caller;
    std::vector<std::string> warnings;
    if (centre != nullptr) {
        if (const geo::Boundary* j = centre->boundaries.locate("jurisdiction", in.location)) {
            in.jurisdiction = j->name;
        } else if (!centre->boundaries.layers().empty()) {
            warnings.emplace_back("outside_jurisdiction");
        }
        if (const geo::Boundary* p = centre->boundaries.locate("patrol_area", in.location)) {
            in.patrol_area = p->name;
        }
    }
    const bool divert = cat != nullptr && cat->service == triage::Service::city_line;
    auto id = std::make_shared<ops::Id>(0); // set by the command, read by the completion
    ctx.ops.execute(
        [&](ops::Board& board, base::TimeMs at,
            store::Change& change) -> base::Result<std::string> {
            if (centre != nullptr) {
                // Only the open calls near in time and place go to the full check (a grid in
                // the Board; tens of thousands of open incidents must not slow intake).
                const triage::DuplicateRule& rule = centre->dispatch.duplicates;
                const base::TimeMs when = in.received_at.value_or(at);
                std::vector<triage::OpenCall> open;
                for (const ops::Incident* o : board.open_near(in.location, rule.radius_m)) {
                    if (o->status == ops::IncidentStatus::cleared ||
                        std::abs(o->received_at - when) > rule.window_ms) {
                        continue;
                    }
                    open.push_back({o->id, o->location, o->received_at, o->category});
                }
                in.likely_duplicates = triage::likely_duplicates(
                    open, in.location, in.received_at.value_or(at), in.category, centre->taxonomy,
                    centre->dispatch.duplicates);
            }
            auto incident = board.create_incident(in, actor, at, change.events);
            if (!incident) return std::move(incident).error();
            *id = incident->id;
            if (has_caller) {
                change.side.emplace_back(store::CallerRecord{incident->id, caller_name.value_or(""),
                                                             caller_phone.value_or(""), at});
            }
            std::string recommended = "[]";
            ops::Incident final_state = *incident;
            if (divert) {
                // Non-police: handed to the 12345 line through the outbox, in this same change.
                ops::StatusDetails why;
                why.reason = "non-police request: handed to the 12345 city service line";
                auto diverted = board.change_incident_status(
                    incident->id, ops::IncidentStatus::diverted, why, actor, at, change.events);
                if (!diverted) return std::move(diverted).error();
                final_state = *diverted;
                change.side.emplace_back(store::OutboxWrite{
                    open311_request(final_state, *centre, caller_phone.value_or(""), at), true});
            } else {
                dispatch::Need need;
                need.location = incident->location;
                need.jurisdiction = incident->jurisdiction;
                if (cat != nullptr) need.agencies = agencies_for(*cat);
                need.k = centre != nullptr ? centre->dispatch.count : 5;
                const dispatch::Policy policy =
                    centre != nullptr ? centre->dispatch.policy : dispatch::Policy::eta;
                auto items = ctx.ops.recommender().recommend(need, policy, at);
                recommended = recommendations_json(items);
                if (!items.empty()) {
                    std::string payload;
                    base::JsonWriter w(payload);
                    w.begin_object()
                        .field("incident_id", incident->id)
                        .field("policy", dispatch::to_string(policy))
                        .key("items")
                        .raw(recommended)
                        .end_object();
                    change.events.push_back(ops::Event{at, actor, "incident.recommended",
                                                       fmt::format("incident/{}", incident->id),
                                                       std::move(payload), std::monostate{}});
                    change.side.emplace_back(
                        store::RecommendationWrite{incident->id, at, recommended});
                }
            }
            std::string body;
            base::JsonWriter w(body);
            w.begin_object();
            ops::write_fields(w, final_state);
            w.key("warnings").begin_array();
            for (const auto& warning : warnings)
                w.value(warning);
            w.end_array();
            w.key("recommendations").raw(recommended).end_object();
            return body;
        },
        [id, reply = std::move(reply)](base::Result<std::string> result) {
            if (!result) return reply(Response::problem(result.error()));
            Response res{201, "application/json", std::move(result).value(), {}};
            res.headers.emplace_back("Location", fmt::format("/api/v1/incidents/{}", *id));
            reply(std::move(res));
        });
}

namespace {

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
    auto handoff = ctx.ops.store().outbox_of(*id);
    if (!handoff) return reply(Response::problem(handoff.error()));
    w.key("handoff");
    if (handoff->has_value()) {
        w.raw(handoff_json(**handoff));
    } else {
        w.null();
    }
    w.key("assignments").begin_array();
    for (const auto& a : *assignments) {
        w.begin_object();
        ops::write_fields(w, a);
        w.end_object();
    }
    w.end_array().end_object();
    reply(Response{200, "application/json", std::move(body), {}});
}

// Dispatch records where the unit stood in the recommendation list the dispatcher saw.
void dispatch_unit(ApiContext& ctx, Request& req, Reply reply) {
    auto id = api::path_id(req, 0, "id");
    if (!id) return reply(Response::problem(id.error()));
    BodyReader r(req.body);
    auto unit_id = r.integer("unit_id", Need::required, 1, INT64_MAX);
    if (!r.ok()) return reply(Response::problem(r.error()));
    auto shown = ctx.ops.store().recommendation_of(*id);
    if (!shown) return reply(Response::problem(shown.error()));
    std::optional<int> rank;
    if (shown->has_value()) {
        const json items = json::parse((*shown)->items, nullptr, false);
        for (std::size_t i = 0; items.is_array() && i < items.size(); ++i) {
            if (items[i].value("unit_id", ops::Id{0}) == *unit_id) rank = static_cast<int>(i + 1);
        }
    }
    const std::string actor = req.principal.username;
    ctx.ops.execute(
        [&](ops::Board& board, base::TimeMs at,
            store::Change& change) -> base::Result<std::string> {
            auto a = board.dispatch(*id, *unit_id, actor, at, change.events, rank);
            if (!a) return std::move(a).error();
            return ops::to_json_text(*a);
        },
        api::respond(std::move(reply), 201));
}

// Merging a duplicate call into the incident it repeats; every caller's record is kept.
void merge_incident(ApiContext& ctx, Request& req, Reply reply) {
    auto id = api::path_id(req, 0, "id");
    if (!id) return reply(Response::problem(id.error()));
    BodyReader r(req.body);
    auto into = r.integer("into", Need::required, 1, INT64_MAX);
    if (!r.ok()) return reply(Response::problem(r.error()));
    const std::string actor = req.principal.username;
    ctx.ops.execute(
        [&](ops::Board& board, base::TimeMs at,
            store::Change& change) -> base::Result<std::string> {
            ops::StatusDetails details;
            details.merged_into = *into;
            details.reason = "duplicate call";
            auto merged = board.change_incident_status(*id, ops::IncidentStatus::merged, details,
                                                       actor, at, change.events);
            if (!merged) {
                base::Error e = std::move(merged).error();
                if (e.field == "merged_into") {
                    e.field = "into";
                    e.detail = "into: " + e.detail.substr(e.detail.find(':') + 2);
                }
                return e;
            }
            return ops::to_json_text(*merged);
        },
        api::respond(std::move(reply), 200));
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
// anything is shown. Callers of incidents merged into this one are this incident's callers.
void get_caller(ApiContext& ctx, Request& req, Reply reply) {
    auto id = api::path_id(req, 0, "id");
    if (!id) return reply(Response::problem(id.error()));
    auto merged = ctx.ops.store().merged_into(*id);
    if (!merged) return reply(Response::problem(merged.error()));
    std::vector<ops::Id> ids{*id};
    ids.insert(ids.end(), merged->begin(), merged->end());
    auto callers = ctx.ops.store().callers_of(ids);
    if (!callers) return reply(Response::problem(callers.error()));
    if (callers->empty()) {
        return reply(Response::problem(
            base::error(Code::not_found, "id",
                        fmt::format("id: incident {} has no caller details on record", *id))));
    }
    const std::vector<store::CallerRecord> records = std::move(callers).value();
    const std::string actor = req.principal.username;
    ctx.ops.execute(
        [&](ops::Board&, base::TimeMs at, store::Change& change) -> base::Result<std::string> {
            change.events.push_back(
                ops::Event::log_only(at, actor, "caller.read", fmt::format("incident/{}", *id),
                                     {{"incident_id", *id}, {"records", records.size()}}));
            json items = json::array();
            for (const auto& c : records) {
                items.push_back({{"incident_id", c.incident_id},
                                 {"name", c.name},
                                 {"phone", c.phone},
                                 {"recorded_at", base::format_iso8601(c.recorded_at)}});
            }
            return json{{"items", std::move(items)}}.dump();
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
    router.add("POST", "/api/v1/incidents/{id}/merge",
               [&ctx](Request& req, Reply reply) { merge_incident(ctx, req, std::move(reply)); });
}

} // namespace pingan::server
