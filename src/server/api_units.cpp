// /api/v1/units (fleet, status, AVL positions) and /api/v1/events (the log).
#include <fmt/core.h>

#include "ops/case_book.hpp"
#include "server/api.hpp"
#include "server/body_reader.hpp"
#include "server/case_scope.hpp"

namespace pingan::server {
namespace {

using base::Code;
using nlohmann::json;

// Reports in one POST /api/v1/positions (about 100 KB of JSON).
constexpr std::size_t kMaxPositionBatch = 1000;

std::string_view default_type(ops::Agency a) {
    switch (a) {
    case ops::Agency::police:
        return "patrol_car";
    case ops::Agency::fire:
        return "engine";
    case ops::Agency::ems:
        return "ambulance";
    }
    return "patrol_car";
}

// A unit account may report only for its own unit.
std::optional<base::Error> check_own_unit(const Request& req, ops::Id unit_id) {
    if (req.principal.role != auth::Role::unit) return std::nullopt;
    if (req.principal.unit_id == unit_id) return std::nullopt;
    return base::error(Code::forbidden,
                       fmt::format("user {} reports for unit {}, not unit {}",
                                   req.principal.username,
                                   req.principal.unit_id ? std::to_string(*req.principal.unit_id)
                                                         : std::string("(none)"),
                                   unit_id));
}

void create_unit(ApiContext& ctx, Request& req, Reply reply) {
    BodyReader r(req.body);
    auto callsign = r.string("callsign", Need::required, 32);
    auto agency = r.one_of("agency", Need::required, {"police", "fire", "ems"});
    auto type = r.string("type", Need::optional, 32);
    auto capabilities = r.string_list("capabilities", Need::optional, 16, 32);
    auto home_station = r.string("home_station", Need::optional, 100, true);
    auto home_jurisdiction = r.string("home_jurisdiction", Need::optional, 100, true);
    auto lat = r.number("lat", Need::optional, -90, 90);
    auto lon = r.number("lon", Need::optional, -180, 180);
    if (r.ok() && lat.has_value() != lon.has_value()) {
        r.fail(Code::field_missing, lat ? "lon" : "lat",
               fmt::format("{}: lat and lon come together", lat ? "lon" : "lat"));
    }
    if (!r.ok()) return reply(Response::problem(r.error()));
    ops::NewUnit in;
    in.callsign = *callsign;
    in.agency = *ops::parse_agency(*agency);
    in.type = type.value_or(std::string(default_type(in.agency)));
    in.capabilities = capabilities.value_or(std::vector<std::string>{});
    in.home_station = home_station.value_or("");
    // The unit's own area: as given, else where it starts.
    in.home_jurisdiction = home_jurisdiction.value_or("");
    if (in.home_jurisdiction.empty() && lat && ctx.ops.centre() != nullptr) {
        if (const geo::Boundary* j =
                ctx.ops.centre()->boundaries.locate("jurisdiction", {*lat, *lon})) {
            in.home_jurisdiction = j->name;
        }
    }
    const std::string actor = req.principal.username;
    ctx.ops.execute(
        [&](ops::Board& board, base::TimeMs at,
            store::Change& change) -> base::Result<std::string> {
            if (lat) in.position = ops::Position{{*lat, *lon}, std::nullopt, std::nullopt, at};
            auto unit = board.create_unit(in, actor, at, change.events);
            if (!unit) return std::move(unit).error();
            return change.events.front().payload;
        },
        api::respond(std::move(reply), 201));
}

void list_units(ApiContext& ctx, Request& req, Reply reply) {
    std::optional<ops::UnitStatus> status;
    if (const std::string* s = req.query_param("status")) {
        status = ops::parse_unit_status(*s);
        if (!status) {
            return reply(Response::problem(
                base::error(Code::bad_argument, "status",
                            fmt::format("status: '{}' is not a unit status", s->substr(0, 40)))));
        }
    }
    auto units = ctx.ops.store().units();
    if (!units) return reply(Response::problem(units.error()));
    std::vector<const ops::Unit*> wanted;
    for (const auto& u : *units) {
        if (!status || u.status == *status) wanted.push_back(&u);
    }
    reply(
        Response{200,
                 "application/json",
                 api::items_body(wanted, [](const ops::Unit* u) { return ops::to_json_text(*u); }),
                 {}});
}

void get_unit(ApiContext& ctx, Request& req, Reply reply) {
    auto id = api::path_id(req, 0, "id");
    if (!id) return reply(Response::problem(id.error()));
    auto unit = ctx.ops.store().unit(*id);
    if (!unit) return reply(Response::problem(unit.error()));
    if (!unit->has_value()) {
        return reply(Response::problem(ops::no_such_unit("id", *id)));
    }
    reply(Response{200, "application/json", ops::to_json_text(**unit), {}});
}

void change_unit_status(ApiContext& ctx, Request& req, Reply reply) {
    auto id = api::path_id(req, 0, "id");
    if (!id) return reply(Response::problem(id.error()));
    if (auto refused = check_own_unit(req, *id)) return reply(Response::problem(*refused));
    BodyReader r(req.body);
    std::vector<std::string_view> names;
    for (auto s : ops::kAllUnitStatuses)
        names.push_back(ops::to_string(s));
    auto status = r.one_of("status", Need::required, names);
    if (!r.ok()) return reply(Response::problem(r.error()));
    const ops::UnitStatus to = *ops::parse_unit_status(*status);
    const std::string actor = req.principal.username;
    ctx.ops.execute(
        [&](ops::Board& board, base::TimeMs at,
            store::Change& change) -> base::Result<std::string> {
            auto unit = board.change_unit_status(*id, to, actor, at, change.events);
            if (!unit) return std::move(unit).error();
            return ops::to_json_text(*unit);
        },
        api::respond(std::move(reply), 200));
}

// The fields of one position report (a body, or one item of a batch); nothing when a field is
// wrong, which `r` then names.
std::optional<ops::Position> read_position(BodyReader& r, base::TimeMs now) {
    auto lat = r.number("lat", Need::required, -90, 90);
    auto lon = r.number("lon", Need::required, -180, 180);
    auto heading = r.number("heading", Need::optional, 0, 360);
    auto speed = r.number("speed", Need::optional, 0, 150);
    auto at = r.time("at", Need::optional);
    if (r.ok() && at && *at > now + 60'000) {
        r.fail(Code::field_invalid, "at", "at: lies in the future");
    }
    if (!r.ok()) return std::nullopt;
    return ops::Position{{*lat, *lon}, heading, speed, at.value_or(now)};
}

// After the positions are durable: the stream's next unit.positions frame, then the patrol
// desk (visits to patrol points), then `then`.
void after_positions(ApiContext& ctx, const std::vector<UnitPosition>& reports,
                     std::function<void()> then) {
    ctx.metrics.positions(reports.size());
    for (const UnitPosition& u : reports)
        ctx.ops.hub().note_position(u.unit_id, u.position);
    patrol_positions(ctx, reports, std::move(then));
}

// Stores the reports (all or, when a unit is unknown, none) and answers with `ok` once they are
// durable. `field(i)` names report i's unit in a refusal.
void store_positions(ApiContext& ctx, std::shared_ptr<std::vector<UnitPosition>> reports,
                     std::function<std::string(std::size_t)> field, Response ok, Reply reply) {
    ctx.ops.execute(
        [&](ops::Board& board, base::TimeMs, store::Change& change) -> base::Result<std::string> {
            for (std::size_t i = 0; i < reports->size(); ++i) {
                const ops::Id id = (*reports)[i].unit_id;
                if (board.unit(id) == nullptr) return ops::no_such_unit(field(i), id);
            }
            for (const UnitPosition& u : *reports) {
                if (auto unit = board.update_position(u.unit_id, u.position); !unit) {
                    return std::move(unit).error();
                }
                change.side.emplace_back(store::PositionRecord{u.unit_id, u.position});
            }
            return std::string();
        },
        [&ctx, reports, ok = std::move(ok),
         reply = std::move(reply)](base::Result<std::string> result) mutable {
            if (!result) return reply(Response::problem(result.error()));
            after_positions(ctx, *reports,
                            [ok = std::move(ok), reply = std::move(reply)] { reply(ok); });
        });
}

void report_position(ApiContext& ctx, Request& req, Reply reply) {
    auto id = api::path_id(req, 0, "id");
    if (!id) return reply(Response::problem(id.error()));
    if (auto refused = check_own_unit(req, *id)) return reply(Response::problem(*refused));
    BodyReader r(req.body);
    auto p = read_position(r, ctx.ops.clock().now_ms());
    if (!p) return reply(Response::problem(r.error()));
    auto reports = std::make_shared<std::vector<UnitPosition>>();
    reports->push_back({*id, *p});
    store_positions(
        ctx, std::move(reports), [](std::size_t) { return std::string("id"); },
        Response::no_content(), std::move(reply));
}

// POST /api/v1/positions: many units' reports in one request, as an AVL gateway relays them.
// One request and one commit for up to kMaxPositionBatch reports.
void report_positions(ApiContext& ctx, Request& req, Reply reply) {
    BodyReader r(req.body);
    auto items = r.objects("items", Need::required, kMaxPositionBatch);
    if (!items) return reply(Response::problem(r.error()));
    if (items->empty()) {
        return reply(Response::problem(
            base::error(Code::field_invalid, "items", "items: at least one report")));
    }
    const base::TimeMs now = ctx.ops.clock().now_ms();
    auto reports = std::make_shared<std::vector<UnitPosition>>();
    reports->reserve(items->size());
    for (BodyReader& item : *items) {
        auto unit = item.integer("unit_id", Need::required, 1, INT64_MAX);
        auto p = read_position(item, now);
        if (!item.ok()) return reply(Response::problem(item.error()));
        if (auto refused = check_own_unit(req, *unit)) return reply(Response::problem(*refused));
        reports->push_back({*unit, *p});
    }
    const std::size_t count = reports->size();
    store_positions(
        ctx, std::move(reports), [](std::size_t i) { return fmt::format("items[{}].unit_id", i); },
        Response{200, "application/json", fmt::format(R"({{"accepted":{}}})", count), {}},
        std::move(reply));
}

void list_events(ApiContext& ctx, Request& req, Reply reply) {
    auto after = api::query_int(req, "after", 0, 0, INT64_MAX);
    if (!after) return reply(Response::problem(after.error()));
    auto limit = api::query_int(req, "limit", 100, 1, 1000);
    if (!limit) return reply(Response::problem(limit.error()));
    auto events = ctx.ops.store().events_after(*after, static_cast<int>(*limit));
    if (!events) return reply(Response::problem(events.error()));
    auto head = ctx.ops.store().head_seq();
    if (!head) return reply(Response::problem(head.error()));
    // Events are spliced as stored JSON text rather than parsed again. Case, evidence and
    // notice events keep their payload for the roles that handle cases.
    const bool case_events = CaseScope(req.principal).events_whole();
    std::string body = R"({"items":[)";
    for (std::size_t i = 0; i < events->size(); ++i) {
        if (i > 0) body += ',';
        const store::EventRecord& r = (*events)[i];
        body += StreamHub::event_json(r, !case_events && ops::CaseBook::is_book_event(r.kind));
    }
    body += fmt::format(R"(],"head":{}}})", *head);
    reply(Response{200, "application/json", std::move(body), {}});
}

} // namespace

void add_unit_routes(Router& router, ApiContext& ctx) {
    router.add("POST", "/api/v1/units",
               [&ctx](Request& req, Reply reply) { create_unit(ctx, req, std::move(reply)); });
    router.add("GET", "/api/v1/units",
               [&ctx](Request& req, Reply reply) { list_units(ctx, req, std::move(reply)); });
    router.add("GET", "/api/v1/units/{id}",
               [&ctx](Request& req, Reply reply) { get_unit(ctx, req, std::move(reply)); });
    router.add("POST", "/api/v1/units/{id}/status", [&ctx](Request& req, Reply reply) {
        change_unit_status(ctx, req, std::move(reply));
    });
    router.add("POST", "/api/v1/units/{id}/position",
               [&ctx](Request& req, Reply reply) { report_position(ctx, req, std::move(reply)); });
    router.add("POST", "/api/v1/positions",
               [&ctx](Request& req, Reply reply) { report_positions(ctx, req, std::move(reply)); });
    router.add("GET", "/api/v1/events",
               [&ctx](Request& req, Reply reply) { list_events(ctx, req, std::move(reply)); });
}

} // namespace pingan::server
