// /api/v1/patrol: the patrol plan (areas, required points), shifts assigning units to areas,
// visits (detected from position reports, or recorded by hand with a reason), the live status
// of every shift on duty with its overdue and about-to-be-missed points, and shift reports.
#include <iterator>
#include <set>

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include "io/boundaries_geojson.hpp"
#include "patrol/tour.hpp"
#include "road/graph.hpp"
#include "road/route.hpp"
#include "road/table.hpp"
#include "server/api.hpp"
#include "server/body_reader.hpp"
#include "server/patrol_desk.hpp"

namespace pingan::server {
namespace {

using base::Code;

// How long before a window ends a point short of visits raises a patrol_due alert.
constexpr int kAlertLeadS = 15 * 60;

PatrolDesk* require_desk(ApiContext& ctx, Reply& reply) {
    if (ctx.patrol == nullptr) {
        reply(Response::problem(base::error(
            Code::unavailable, "no patrol plan is loaded (pingan serve --patrol FILE)")));
    }
    return ctx.patrol;
}

void plan(ApiContext& ctx, Request&, Reply reply) {
    PatrolDesk* desk = require_desk(ctx, reply);
    if (desk == nullptr) return;
    nlohmann::json areas = nlohmann::json::array(), points = nlohmann::json::array();
    for (const patrol::PatrolArea& a : desk->plan().areas) {
        areas.push_back({{"id", a.id},
                         {"name", a.name},
                         {"geometry", nlohmann::json::parse(io::to_geojson_geometry(a.shape))}});
    }
    for (const patrol::RequiredPoint& p : desk->plan().points) {
        nlohmann::json windows = nlohmann::json::array();
        for (const patrol::DailyWindow& w : p.windows)
            windows.push_back(patrol::format_daily_window(w));
        points.push_back({{"id", p.id},
                          {"area_id", p.area_id},
                          {"name", p.name},
                          {"lat", p.location.lat},
                          {"lon", p.location.lon},
                          {"radius_m", p.radius_m},
                          {"min_dwell_s", p.min_dwell_s},
                          {"min_visits", p.min_visits},
                          {"windows", windows}});
    }
    reply(Response::json(200, {{"areas", areas}, {"points", points}}));
}

// One patrol event to append: its kind ("patrol.shift_assigned", "patrol.visit_recorded"),
// the unit it concerns and its payload (to_json of the shift or visit).
struct PatrolEvent {
    std::string kind;
    std::string unit;
    nlohmann::json payload;
};

using Committed = std::function<void(base::Result<std::vector<store::EventRecord>>)>;

// Appends the patrol events `build` makes, under the Board's lock (so it sees every other
// server's events first); once they are durable the desk applies them as the log has them,
// with their seq, exactly as it replays the log at start (so an event it has already taken
// from the log, when a rebuilt Board streamed it first, is not applied twice), and `then`
// hears the outcome.
void commit(ApiContext& ctx, std::string actor,
            std::function<base::Result<std::vector<PatrolEvent>>(const ops::Board&)> build,
            Committed then) {
    ctx.ops.execute_recorded(
        [&](ops::Board& board, base::TimeMs at,
            store::Change& change) -> base::Result<std::string> {
            auto events = build(board);
            if (!events) return events.error();
            for (const PatrolEvent& e : *events) {
                change.events.push_back(
                    ops::Event::log_only(at, actor, e.kind, "unit/" + e.unit, e.payload));
            }
            return std::string();
        },
        [&ctx, then = std::move(then)](base::Result<std::string> done,
                                       std::vector<store::EventRecord> records) {
            if (!done) return then(done.error());
            for (const store::EventRecord& r : records) {
                if (auto applied = ctx.patrol->apply(r); !applied) return then(applied.error());
            }
            then(std::move(records));
        });
}

// Visits the detector ended become patrol.visit_recorded events, counted once durable; then
// `then` runs (so a position report that ended a visit is answered after it is on record).
// Visits the store refused are given back to the desk for the next tick.
void record_visits(
    ApiContext& ctx, std::vector<patrol::Visit> visits, std::function<void()> then = [] {}) {
    if (visits.empty()) return then();
    std::vector<PatrolEvent> events;
    for (const patrol::Visit& v : visits)
        events.push_back({"patrol.visit_recorded", v.unit, to_json(v)});
    commit(
        ctx, "patrol", [events = std::move(events)](const ops::Board&) { return events; },
        [&ctx, visits = std::move(visits),
         then = std::move(then)](base::Result<std::vector<store::EventRecord>> done) mutable {
            if (!done) {
                spdlog::warn("{} patrol visit(s) not recorded, retried in a few seconds: {}",
                             visits.size(), done.error().detail);
                ctx.patrol->retry(std::move(visits));
            }
            then();
        });
}

// Answers 201 with the payload of the one event committed.
Committed created(Reply reply) {
    return [reply = std::move(reply)](base::Result<std::vector<store::EventRecord>> done) {
        if (!done) return reply(Response::problem(done.error()));
        reply(Response{201, "application/json", done->front().payload, {}});
    };
}

void assign_shift(ApiContext& ctx, Request& req, Reply reply) {
    PatrolDesk* desk = require_desk(ctx, reply);
    if (desk == nullptr) return;
    BodyReader r(req.body);
    auto unit_id = r.integer("unit_id", Need::required, 1, INT64_MAX);
    auto area_id = r.string("area_id", Need::required, 64);
    auto start = r.time("start", Need::required);
    auto end = r.time("end", Need::required);
    if (!r.ok()) return reply(Response::problem(r.error()));
    patrol::Shift draft{"S0", std::to_string(*unit_id), *area_id, *start, *end};
    if (auto valid = patrol::validate(draft, desk->plan()); !valid) {
        return reply(Response::problem(valid.error()));
    }
    // The id and the overlap check are settled under the Board's lock, where every shift
    // another server assigned is known, and held until the event is applied.
    auto held = std::make_shared<std::string>();
    commit(
        ctx, req.principal.username,
        [desk, draft, held,
         unit = *unit_id](const ops::Board& board) -> base::Result<std::vector<PatrolEvent>> {
            if (board.unit(unit) == nullptr) return ops::no_such_unit("unit_id", unit);
            auto shift = desk->reserve_shift(draft);
            if (!shift) return shift.error();
            *held = shift->id;
            return std::vector<PatrolEvent>{
                {"patrol.shift_assigned", shift->unit, to_json(*shift)}};
        },
        [desk, held,
         answer = created(std::move(reply))](base::Result<std::vector<store::EventRecord>> done) {
            if (!done && !held->empty()) desk->release_shift(*held);
            answer(std::move(done));
        });
}

void list_shifts(ApiContext& ctx, Request&, Reply reply) {
    PatrolDesk* desk = require_desk(ctx, reply);
    if (desk == nullptr) return;
    nlohmann::json items = nlohmann::json::array();
    for (const patrol::Shift& s : desk->shifts())
        items.push_back(to_json(s));
    reply(Response::json(200, {{"items", items}}));
}

void manual_visit(ApiContext& ctx, Request& req, Reply reply) {
    PatrolDesk* desk = require_desk(ctx, reply);
    if (desk == nullptr) return;
    BodyReader r(req.body);
    auto unit_id = r.integer("unit_id", Need::required, 1, INT64_MAX);
    auto point_id = r.string("point_id", Need::required, 64);
    auto reason = r.string("reason", Need::required, 500);
    auto at = r.time("at", Need::optional);
    if (!r.ok()) return reply(Response::problem(r.error()));
    auto visit = desk->manual_visit(std::to_string(*unit_id), *point_id,
                                    at.value_or(ctx.ops.clock().now_ms()), *reason);
    if (!visit) return reply(Response::problem(visit.error()));
    commit(
        ctx, req.principal.username,
        [event = PatrolEvent{"patrol.visit_recorded", visit->unit, to_json(*visit)}](
            const ops::Board&) { return std::vector<PatrolEvent>{event}; },
        created(std::move(reply)));
}

// The live view: every shift on duty with its points, and the alerts due now.
void status(ApiContext& ctx, Request& req, Reply reply) {
    PatrolDesk* desk = require_desk(ctx, reply);
    if (desk == nullptr) return;
    auto lead = api::query_int(req, "lead_min", 15, 0, 24 * 60);
    if (!lead) return reply(Response::problem(lead.error()));
    const base::TimeMs now = ctx.ops.clock().now_ms();
    nlohmann::json shifts = nlohmann::json::array(), alerts = nlohmann::json::array();
    for (const patrol::ShiftReport& r : desk->status(now))
        shifts.push_back(to_json(r));
    for (const patrol::DutyAlert& a : desk->alerts(now, static_cast<int>(*lead * 60)))
        alerts.push_back(to_json(a));
    reply(Response::json(
        200, {{"now", base::format_iso8601(now)}, {"shifts", shifts}, {"alerts", alerts}}));
}

// The breadcrumbs of a unit from `from` to `to`, for a shift older than the fixes in memory.
base::Result<std::vector<patrol::Fix>> stored_fixes(store::Store& store, ops::Id unit,
                                                    base::TimeMs from, base::TimeMs to) {
    std::vector<patrol::Fix> fixes;
    store::PositionQuery q{from, to, unit};
    for (;;) {
        auto page = store.positions(q);
        if (!page) return page.error();
        for (const store::PositionRow& p : *page)
            fixes.push_back({p.at, {p.lat, p.lon}});
        if (page->size() < static_cast<std::size_t>(q.limit)) return fixes;
        q.after_at = page->back().at;
        q.after_id = page->back().id;
    }
}

void shift_report(ApiContext& ctx, Request& req, Reply reply) {
    PatrolDesk* desk = require_desk(ctx, reply);
    if (desk == nullptr) return;
    const std::string id = req.params.empty() ? std::string() : req.params[0];
    const base::TimeMs now = ctx.ops.clock().now_ms();
    auto shift = desk->shift(id);
    if (!shift || desk->has_fixes_for(*shift)) {
        auto report = desk->report(id, now);
        if (!report) return reply(Response::problem(report.error()));
        return reply(Response::json(200, to_json(*report)));
    }
    // An old shift: its trace is read from the store, off the network threads.
    ctx.blocking.post([&ctx, desk, shift = *shift, now, reply = std::move(reply)] {
        auto fixes = stored_fixes(ctx.ops.store(), std::stoll(shift.unit), shift.start,
                                  std::min(shift.end, now + 1));
        if (!fixes) return reply(Response::problem(fixes.error()));
        auto report = desk->report(shift.id, now, std::span<const patrol::Fix>(*fixes));
        if (!report) return reply(Response::problem(report.error()));
        reply(Response::json(200, to_json(*report)));
    });
}

// A suggested tour of the points the shift still owes, from where the unit is now, by road:
// the order that meets the most windows, with arrival times.
void tour(ApiContext& ctx, Request& req, Reply reply) {
    PatrolDesk* desk = require_desk(ctx, reply);
    if (desk == nullptr) return;
    if (ctx.graph == nullptr) {
        return reply(Response::problem(base::error(
            Code::unavailable, "suggested tours need the road graph (pingan serve --graph)")));
    }
    const std::string id = req.params.empty() ? std::string() : req.params[0];
    const base::TimeMs now = ctx.ops.clock().now_ms();
    auto report = desk->report(id, now);
    if (!report) return reply(Response::problem(report.error()));
    const std::int64_t unit_id = std::stoll(report->unit);
    auto where = ctx.ops.with_board([&](const ops::Board& board) -> std::optional<geo::LatLon> {
        const ops::Unit* u = board.unit(unit_id);
        if (u == nullptr || !u->position) return std::nullopt;
        return u->position->at;
    });
    std::optional<road::RoadPosition> start;
    if (where) {
        if (auto snapped = ctx.graph->snap(*where)) start = *snapped;
    }
    if (!start) {
        return reply(Response::problem(base::error(
            Code::invalid_transition, "id",
            fmt::format("id: unit {} of shift {} has no position near a road", unit_id, id))));
    }
    // The duties still owed: pending, window not yet over.
    std::vector<const patrol::DutyResult*> owed;
    for (const patrol::DutyResult& d : report->duties) {
        if (d.state == patrol::DutyState::pending && d.duty.to > now) owed.push_back(&d);
    }
    std::vector<road::RoadPosition> places{*start};
    std::vector<patrol::TourStopSpec> specs;
    for (const patrol::DutyResult* d : owed) {
        const patrol::RequiredPoint* p = desk->plan().find_point(d->duty.point_id);
        auto snapped = ctx.graph->snap(p->location);
        places.push_back(snapped ? *snapped : road::RoadPosition{});
        specs.push_back({d->duty.from - now, d->duty.to - now, p->min_dwell_s * 1000LL});
    }
    nlohmann::json stops = nlohmann::json::array();
    patrol::Tour planned;
    if (!specs.empty()) {
        road::TableQuery query(*ctx.graph);
        const road::TimeTable table = query.table(places, places);
        patrol::TravelTimes travel;
        travel.nodes = places.size();
        for (road::TimeMs t : table.times)
            travel.times_ms.push_back(t == road::kNoTime ? -1 : static_cast<std::int64_t>(t));
        planned = patrol::plan_tour(travel, specs);
    }
    // The road path through the stops in the order planned, for the map.
    nlohmann::json path = nlohmann::json::array();
    road::RouteQuery route_query(*ctx.graph);
    std::size_t at_place = 0;
    for (const patrol::TourStop& s : planned.stops) {
        auto leg = route_query.route(places[at_place], places[s.stop + 1]);
        at_place = s.stop + 1;
        if (!leg) continue;
        for (std::size_t i = path.empty() ? 0 : 1; i < leg->points.size(); ++i)
            path.push_back({leg->points[i].lon, leg->points[i].lat});
    }
    for (const patrol::TourStop& s : planned.stops) {
        const patrol::DutyResult& d = *owed[s.stop];
        const patrol::RequiredPoint* p = desk->plan().find_point(d.duty.point_id);
        stops.push_back({{"point_id", p->id},
                         {"point_name", p->name},
                         {"lat", p->location.lat},
                         {"lon", p->location.lon},
                         {"arrive", base::format_iso8601(now + s.arrive_ms)},
                         {"start", base::format_iso8601(now + s.start_ms)},
                         {"window_to", base::format_iso8601(d.duty.to)},
                         {"late", s.late}});
    }
    reply(Response::json(200, {{"shift_id", id},
                               {"unit_id", unit_id},
                               {"from", {{"lat", start->point.lat}, {"lon", start->point.lon}}},
                               {"stops", stops},
                               {"path", path},
                               {"late", planned.late},
                               {"finish", base::format_iso8601(now + planned.finish_ms)},
                               {"exact", planned.exact}}));
}

// The alerts of the patrol desk on the Board's alert list (GET /api/v1/alerts, the stream):
// one per duty and kind, keyed "patrol_due/<shift>/<point>/<window start>", resolved once the
// duty is met, turns overdue (a patrol_overdue alert takes its place) or its shift ends.
void sync_patrol_alerts(ApiContext& ctx, std::vector<patrol::DutyAlert> due,
                        Operations::Done done) {
    ctx.ops.execute(
        [due = std::move(due)](ops::Board& board, base::TimeMs at,
                               store::Change& change) -> base::Result<std::string> {
            std::set<std::string> keys;
            for (const patrol::DutyAlert& a : due) {
                ops::Alert alert;
                const bool overdue = a.alert == patrol::Alert::overdue;
                alert.kind = overdue ? "patrol_overdue" : "patrol_due";
                alert.key = fmt::format("{}/{}/{}/{}", alert.kind, a.duty.shift_id, a.duty.point_id,
                                        a.duty.from);
                keys.insert(alert.key);
                if (board.open_alerts().contains(alert.key)) continue;
                alert.unit_id = std::stoll(a.duty.unit);
                const ops::Unit* unit = board.unit(*alert.unit_id);
                const std::string who = unit ? unit->callsign : "unit " + a.duty.unit;
                alert.message =
                    overdue ? fmt::format("patrol {}: {} did not visit {} ({}/{}) by {}",
                                          a.duty.shift_id, who, a.point_name, a.visits,
                                          a.duty.required, base::format_iso8601(a.duty.to))
                            : fmt::format("patrol {}: {} must visit {} ({}/{}) within {} min",
                                          a.duty.shift_id, who, a.point_name, a.visits,
                                          a.duty.required, a.minutes_left);
                alert.raised_at = at;
                board.raise_alert(std::move(alert), change.events);
            }
            std::vector<std::string> gone;
            for (const auto& [key, alert] : board.open_alerts()) {
                if ((alert.kind == "patrol_due" || alert.kind == "patrol_overdue") &&
                    !keys.contains(key)) {
                    gone.push_back(key);
                }
            }
            for (const std::string& key : gone)
                board.resolve_alert(key, at, change.events);
            return std::string();
        },
        std::move(done));
}

} // namespace

void patrol_tick(ApiContext& ctx, std::function<void()> done) {
    if (ctx.patrol == nullptr) return done();
    const base::TimeMs now = ctx.ops.clock().now_ms();
    record_visits(ctx, ctx.patrol->expire(now), [&ctx, now, done = std::move(done)] {
        sync_patrol_alerts(
            ctx, ctx.patrol->alerts(now, kAlertLeadS), [done](base::Result<std::string> synced) {
                if (!synced) {
                    spdlog::warn("patrol alerts not stored: {}", synced.error().detail);
                }
                done();
            });
    });
}

void patrol_positions(ApiContext& ctx, const std::vector<UnitPosition>& reports,
                      std::function<void()> then) {
    if (ctx.patrol == nullptr) return then();
    std::vector<patrol::Visit> ended;
    for (const UnitPosition& r : reports) {
        auto visits =
            ctx.patrol->observe(std::to_string(r.unit_id), r.position.reported_at, r.position.at);
        ended.insert(ended.end(), std::make_move_iterator(visits.begin()),
                     std::make_move_iterator(visits.end()));
    }
    record_visits(ctx, std::move(ended), std::move(then));
}

// The breadcrumbs of the shifts running in the last PatrolDesk::kKeepFixes, for their reports.
base::Status restore_patrol_fixes(ApiContext& ctx) {
    const base::TimeMs now = ctx.ops.clock().now_ms();
    const std::optional<base::TimeMs> since = ctx.patrol->fixes_needed_since(now);
    ctx.patrol->set_fixes_since(since.value_or(now));
    if (!since) return {};
    store::PositionQuery q{*since, INT64_MAX, std::nullopt};
    std::size_t restored = 0;
    for (;;) {
        auto page = ctx.ops.store().positions(q);
        if (!page) return page.error();
        for (const store::PositionRow& p : *page)
            ctx.patrol->restore_fix(std::to_string(p.unit_id), p.at, {p.lat, p.lon});
        restored += page->size();
        if (page->size() < static_cast<std::size_t>(q.limit)) break;
        q.after_at = page->back().at;
        q.after_id = page->back().id;
    }
    spdlog::info("patrol: read {} breadcrumbs since {} back for shift reports", restored,
                 base::format_iso8601(*since));
    return {};
}

base::Status load_patrol_log(ApiContext& ctx) {
    if (ctx.patrol == nullptr) return {};
    std::int64_t after = 0;
    for (;;) {
        auto events = ctx.ops.store().events_after(after, 1000);
        if (!events) return events.error();
        if (events->empty()) return restore_patrol_fixes(ctx);
        for (const store::EventRecord& e : *events) {
            after = e.seq;
            if (!e.kind.starts_with("patrol.")) continue;
            // The log is the record: a shift refused when it was assigned (it overlapped one
            // assigned at the same moment) is skipped, as it was then, not a reason to stop.
            if (auto applied = ctx.patrol->apply(e); !applied) {
                spdlog::warn("patrol event {} ({}) not applied: {}", e.seq, e.kind,
                             applied.error().detail);
            }
        }
    }
}

void add_patrol_routes(Router& router, ApiContext& ctx) {
    router.add("GET", "/api/v1/patrol/plan",
               [&ctx](Request& req, Reply reply) { plan(ctx, req, std::move(reply)); });
    router.add("GET", "/api/v1/patrol/shifts",
               [&ctx](Request& req, Reply reply) { list_shifts(ctx, req, std::move(reply)); });
    router.add("POST", "/api/v1/patrol/shifts",
               [&ctx](Request& req, Reply reply) { assign_shift(ctx, req, std::move(reply)); });
    router.add("GET", "/api/v1/patrol/shifts/{id}/report",
               [&ctx](Request& req, Reply reply) { shift_report(ctx, req, std::move(reply)); });
    router.add("GET", "/api/v1/patrol/shifts/{id}/tour",
               [&ctx](Request& req, Reply reply) { tour(ctx, req, std::move(reply)); });
    router.add("POST", "/api/v1/patrol/visits",
               [&ctx](Request& req, Reply reply) { manual_visit(ctx, req, std::move(reply)); });
    router.add("GET", "/api/v1/patrol/status",
               [&ctx](Request& req, Reply reply) { status(ctx, req, std::move(reply)); });
}

} // namespace pingan::server
