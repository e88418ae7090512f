// Dispatch workflow routes: recommendations, containment plans, triage suggestions, the
// taxonomy, alerts, coverage, and the manual clock for tests.
#include <fmt/core.h>

#include "base/json_writer.hpp"
#include "dispatch/containment.hpp"
#include "server/api.hpp"
#include "server/body_reader.hpp"
#include "server/intake.hpp"

namespace pingan::server {
namespace {

using base::Code;

const Centre* require_centre(ApiContext& ctx, Reply& reply) {
    const Centre* c = ctx.ops.centre();
    if (c == nullptr) {
        reply(Response::problem(
            base::error(Code::unavailable, "the centre's configuration is not loaded")));
    }
    return c;
}

// The open incident `id`, or why there is nothing to `verb` (send, contain) to it.
base::Result<const ops::Incident*> open_incident(const ops::Board& board, ops::Id id,
                                                 std::string_view verb) {
    if (const ops::Incident* inc = board.open_incident(id)) return inc;
    if (auto status = board.incident_status(id)) {
        return base::error(
            Code::invalid_transition, "id",
            fmt::format("id: incident {} is {}; nothing to {}", id, ops::to_string(*status), verb));
    }
    return base::error(Code::unknown_incident, "id", fmt::format("id: no incident with id {}", id));
}

// Units for an incident, computed now from live positions. The list is recorded (event and
// projection) when it differs from the last one shown, so every decision can be reviewed.
void recommendations(ApiContext& ctx, Request& req, Reply reply) {
    auto id = api::path_id(req, 0, "id");
    if (!id) return reply(Response::problem(id.error()));
    const Centre* centre = require_centre(ctx, reply);
    if (centre == nullptr) return;
    dispatch::Policy policy = centre->dispatch.policy;
    if (const std::string* p = req.query_param("policy")) {
        auto parsed = dispatch::parse_policy(*p);
        if (!parsed) {
            return reply(Response::problem(
                base::error(Code::bad_argument, "policy", "policy: must be eta or straight")));
        }
        policy = *parsed;
    }
    auto k = api::query_int(req, "k", static_cast<std::int64_t>(centre->dispatch.count), 1, 50);
    if (!k) return reply(Response::problem(k.error()));
    auto last = ctx.ops.store().recommendation_of(*id);
    if (!last) return reply(Response::problem(last.error()));
    const std::string previous = last->has_value() ? (*last)->items : std::string();
    const std::string actor = req.principal.username;
    ctx.ops.execute(
        [&](ops::Board& board, base::TimeMs at,
            store::Change& change) -> base::Result<std::string> {
            auto found = open_incident(board, *id, "send");
            if (!found) return std::move(found).error();
            const ops::Incident* inc = *found;
            dispatch::Need need;
            need.location = inc->location;
            need.jurisdiction = inc->jurisdiction;
            if (const triage::Category* cat = centre->taxonomy.find(inc->category)) {
                need.agencies = agencies_for(*cat);
            }
            need.k = static_cast<std::size_t>(*k);
            const std::string items =
                recommendations_json(ctx.ops.recommender().recommend(need, policy, at));
            // Recorded when the ranking differs from what was last shown (same units, same
            // order); ETAs drift every second and are not a new decision.
            auto units_of = [](const std::string& text) {
                std::vector<ops::Id> ids;
                auto j = nlohmann::json::parse(text, nullptr, false);
                if (j.is_array()) {
                    for (const auto& it : j)
                        ids.push_back(it.value("unit_id", ops::Id{0}));
                }
                return ids;
            };
            if (policy == centre->dispatch.policy && units_of(items) != units_of(previous)) {
                std::string payload;
                base::JsonWriter w(payload);
                w.begin_object()
                    .field("incident_id", *id)
                    .field("policy", dispatch::to_string(policy))
                    .key("items")
                    .raw(items)
                    .end_object();
                change.events.push_back(ops::Event{at, actor, "incident.recommended",
                                                   fmt::format("incident/{}", *id),
                                                   std::move(payload), std::monostate{}});
                change.side.emplace_back(store::RecommendationWrite{*id, at, items});
            }
            return fmt::format(R"({{"incident_id":{},"policy":"{}","items":{}}})", *id,
                               dispatch::to_string(policy), items);
        },
        api::respond(std::move(reply), 200));
}

// The plan as JSON: checkpoints most urgent first, each with the unit assigned (if any unit can
// be there before the escaping vehicle) and the others that could.
std::string containment_json(const dispatch::ContainmentPlan& plan, const road::Graph& graph,
                             const ops::Board& board, ops::Id incident_id) {
    auto callsign = [&](road::UnitKey key) {
        const ops::Unit* u = board.unit(static_cast<ops::Id>(key));
        return u != nullptr ? u->callsign : std::string();
    };
    std::string out;
    base::JsonWriter w(out);
    w.begin_object()
        .field("incident_id", incident_id)
        .field("escape_s", plan.escape_ms / 1000.0)
        .field("depth_s", plan.depth_ms / 1000.0)
        .field("elapsed_s", plan.elapsed_ms / 1000.0)
        .field("reached_junctions", static_cast<std::int64_t>(plan.reached_nodes))
        .field("staffed", static_cast<std::int64_t>(plan.staffed()))
        .key("checkpoints")
        .begin_array();
    for (const dispatch::Checkpoint& c : plan.checkpoints) {
        std::string street;
        for (road::ArcId a : c.cut_arcs) {
            street = std::string(graph.name(graph.data().arc_seg[a] >> 1));
            if (!street.empty()) break;
        }
        w.begin_object()
            .field("lat", c.point.lat)
            .field("lon", c.point.lon)
            .field("street", street)
            .field("road_class", road::to_string(c.road_class))
            .field("escape_s", c.escape_ms / 1000.0)
            .field("junctions", static_cast<std::int64_t>(c.exits.size()));
        if (c.staffed) {
            w.field("unit_id", static_cast<ops::Id>(c.staffed->unit))
                .field("callsign", callsign(c.staffed->unit))
                .field("eta_s", c.staffed->eta_ms / 1000.0)
                .field("margin_s",
                       (static_cast<double>(c.escape_ms) - plan.elapsed_ms - c.staffed->eta_ms) /
                           1000.0);
        } else {
            w.key("unit_id").null();
            if (c.best_eta_ms != road::kNoTime) w.field("best_eta_s", c.best_eta_ms / 1000.0);
        }
        w.key("alternatives").begin_array();
        for (const dispatch::StaffingOption& o : c.alternatives) {
            w.begin_object()
                .field("unit_id", static_cast<ops::Id>(o.unit))
                .field("callsign", callsign(o.unit))
                .field("eta_s", o.eta_ms / 1000.0)
                .end_object();
        }
        w.end_array().end_object();
    }
    w.end_array().end_object();
    return out;
}

// A containment plan for a serious incident: checkpoints on the roads out of what an escaping
// vehicle can reach within escape_min, staffed by available police units that get there
// first. Recorded on the incident (incident.containment_planned) and answered.
void containment(ApiContext& ctx, Request& req, Reply reply) {
    auto id = api::path_id(req, 0, "id");
    if (!id) return reply(Response::problem(id.error()));
    const Centre* centre = require_centre(ctx, reply);
    if (centre == nullptr) return;
    if (centre->graph == nullptr) {
        return reply(Response::problem(base::error(
            Code::unavailable, "containment plans need the road graph (pingan serve --graph)")));
    }
    BodyReader r(req.body);
    auto escape_min = r.integer("escape_min", Need::optional, 1, 60);
    auto depth_s = r.integer("depth_s", Need::optional, 1, 3600);
    auto radius = r.number("merge_radius_m", Need::optional, 0, 2000);
    if (!r.ok()) return reply(Response::problem(r.error()));
    const road::Graph& graph = *centre->graph;
    const std::string actor = req.principal.username;
    ctx.ops.execute(
        [&](ops::Board& board, base::TimeMs at,
            store::Change& change) -> base::Result<std::string> {
            auto found = open_incident(board, *id, "contain");
            if (!found) return std::move(found).error();
            const ops::Incident* inc = *found;
            auto where = graph.snap(inc->location);
            if (!where) {
                return base::error(Code::off_road, "id",
                                   fmt::format("id: incident {} is not near a road", *id));
            }
            std::vector<dispatch::ContainmentUnit> units;
            for (const auto& [unit_id, u] : board.units()) {
                if (u.agency != ops::Agency::police || u.status != ops::UnitStatus::available ||
                    !u.position) {
                    continue;
                }
                if (auto p = graph.snap(u.position->at)) {
                    units.push_back({static_cast<road::UnitKey>(unit_id), *p});
                }
            }
            dispatch::ContainmentRequest request;
            request.escape_ms = static_cast<road::TimeMs>(escape_min.value_or(10) * 60'000);
            request.depth_ms = static_cast<road::TimeMs>(depth_s.value_or(0) * 1000);
            request.elapsed_ms = at > inc->received_at
                                     ? static_cast<road::TimeMs>(std::min<base::TimeMs>(
                                           at - inc->received_at, 24 * 3'600'000))
                                     : 0;
            if (radius) request.merge_radius_m = *radius;
            const dispatch::ContainmentPlan plan =
                dispatch::plan_containment(graph, *where, units, request);
            std::string body = containment_json(plan, graph, board, *id);
            change.events.push_back(ops::Event{at, actor, "incident.containment_planned",
                                               fmt::format("incident/{}", *id), body,
                                               std::monostate{}});
            return body;
        },
        api::respond(std::move(reply), 200));
}

void suggest(ApiContext& ctx, Request& req, Reply reply) {
    const Centre* centre = require_centre(ctx, reply);
    if (centre == nullptr) return;
    BodyReader r(req.body);
    auto text = r.string("text", Need::required, 4000, true);
    auto kind = r.string("location_kind", Need::optional, 32);
    if (!r.ok()) return reply(Response::problem(r.error()));
    auto s = centre->triage->suggest(triage::CallFacts{
        *text, kind.value_or(""), centre->minute_of_day(ctx.ops.clock().now_ms())});
    if (!s) return reply(Response::no_content());
    std::string body;
    base::JsonWriter w(body);
    w.begin_object()
        .field("category", s->category)
        .field("priority", s->priority)
        .field("score", s->score)
        .key("reasons")
        .begin_array();
    for (const auto& reason : s->reasons)
        w.value(reason);
    w.end_array().end_object();
    reply(Response{200, "application/json", std::move(body), {}});
}

void taxonomy(ApiContext& ctx, Request&, Reply reply) {
    const Centre* centre = require_centre(ctx, reply);
    if (centre == nullptr) return;
    std::string body;
    base::JsonWriter w(body);
    w.begin_object().key("categories").begin_array();
    for (const triage::Category& c : centre->taxonomy.categories()) {
        w.begin_object()
            .field("code", c.code)
            .field("zh", c.zh)
            .field("en", c.en)
            .field("service", triage::to_string(c.service))
            .field("priority", c.priority)
            .field("parent", c.parent)
            .end_object();
    }
    w.end_array().key("priorities").begin_object();
    for (int p = 1; p <= 4; ++p) {
        const triage::PriorityTargets& t = centre->taxonomy.targets(p);
        w.key(std::to_string(p))
            .begin_object()
            .field("dispatch_s", t.dispatch_s)
            .field("en_route_s", t.en_route_s)
            .field("on_scene_s", t.on_scene_s)
            .field("on_scene_max_s", t.on_scene_max_s)
            .end_object();
    }
    w.end_object().end_object();
    reply(Response{200, "application/json", std::move(body), {}});
}

void alerts(ApiContext& ctx, Request& req, Reply reply) {
    const std::string* open = req.query_param("open");
    if (open != nullptr && *open != "true" && *open != "false") {
        return reply(Response::problem(
            base::error(Code::bad_argument, "open", "open: must be true or false")));
    }
    auto limit = api::query_int(req, "limit", 200, 1, 1000);
    if (!limit) return reply(Response::problem(limit.error()));
    auto rows =
        ctx.ops.store().alerts(open == nullptr || *open == "true", static_cast<int>(*limit));
    if (!rows) return reply(Response::problem(rows.error()));
    reply(Response{200,
                   "application/json",
                   api::items_body(*rows, [](const ops::Alert& a) { return ops::to_json_text(a); }),
                   {}});
}

// The covered road pieces as GeoJSON lines, with the share of the whole network.
void coverage(ApiContext& ctx, Request& req, Reply reply) {
    const Centre* centre = require_centre(ctx, reply);
    if (centre == nullptr) return;
    if (!centre->graph) {
        return reply(Response::problem(
            base::error(Code::unavailable, "no road graph is loaded (pingan serve --graph FILE)")));
    }
    const std::int64_t configured = centre->dispatch.coverage_minutes * 60LL;
    auto within = api::query_int(req, "within", configured, 1, 3600);
    if (!within) return reply(Response::problem(within.error()));
    if (*within != configured) {
        return reply(Response::problem(
            base::error(Code::bad_argument, "within",
                        fmt::format("within: this centre computes coverage for {} s (dispatch.toml "
                                    "coverage_minutes)",
                                    configured))));
    }
    ops::Agency agency = ops::Agency::police;
    if (const std::string* a = req.query_param("agency")) {
        auto parsed = ops::parse_agency(*a);
        if (!parsed) {
            return reply(Response::problem(
                base::error(Code::bad_argument, "agency", "agency: police, fire or ems")));
        }
        agency = *parsed;
    }
    ctx.ops.execute(
        [&](ops::Board&, base::TimeMs at, store::Change&) -> base::Result<std::string> {
            dispatch::Recommender& rec = ctx.ops.recommender();
            const double share = rec.coverage_share(agency, at);
            std::string body;
            base::JsonWriter w(body);
            w.begin_object()
                .field("type", "FeatureCollection")
                .field("within_s", *within)
                .field("agency", ops::to_string(agency))
                .field("share", share)
                .key("features")
                .begin_array();
            for (const road::CoveredPiece& piece : rec.coverage_pieces(agency, at)) {
                w.begin_object().field("type", "Feature").key("geometry").begin_object();
                w.field("type", "LineString").key("coordinates").begin_array();
                for (const geo::LatLon& p :
                     centre->graph->shape_between(piece.segment, piece.from_m, piece.to_m)) {
                    w.begin_array().value(p.lon).value(p.lat).end_array();
                }
                w.end_array().end_object().key("properties").begin_object().end_object();
                w.end_object();
            }
            w.end_array().end_object();
            return body;
        },
        api::respond(std::move(reply), 200));
}

void move_clock(ApiContext& ctx, Request& req, Reply reply) {
    if (ctx.manual_clock == nullptr) {
        return reply(Response::problem(base::error(
            Code::not_found, "the clock is real; start pingan serve --manual-clock to move it")));
    }
    BodyReader r(req.body);
    auto advance = r.integer("advance_s", Need::optional, 0, 366LL * 86400);
    auto to = r.time("now", Need::optional);
    if (r.ok() && !advance && !to) r.fail(Code::field_missing, "advance_s", "advance_s: or now");
    if (!r.ok()) return reply(Response::problem(r.error()));
    if (to) ctx.manual_clock->set(*to);
    if (advance) ctx.manual_clock->advance(*advance * 1000);
    // Answered once the alerts due at the new time (timers, patrols) are durable, so tests
    // read them next.
    const base::TimeMs now = ctx.manual_clock->now_ms();
    ctx.ops.check_timers([&ctx, now, reply = std::move(reply)](base::Result<std::string> checked) {
        if (!checked) return reply(Response::problem(checked.error()));
        patrol_tick(ctx, [now, reply] {
            reply(Response::json(200, {{"now", base::format_iso8601(now)}}));
        });
    });
}

} // namespace

void add_dispatch_routes(Router& router, ApiContext& ctx) {
    router.add("GET", "/api/v1/incidents/{id}/recommendations",
               [&ctx](Request& req, Reply reply) { recommendations(ctx, req, std::move(reply)); });
    router.add("POST", "/api/v1/incidents/{id}/containment",
               [&ctx](Request& req, Reply reply) { containment(ctx, req, std::move(reply)); });
    router.add("POST", "/api/v1/triage",
               [&ctx](Request& req, Reply reply) { suggest(ctx, req, std::move(reply)); });
    router.add("GET", "/api/v1/taxonomy",
               [&ctx](Request& req, Reply reply) { taxonomy(ctx, req, std::move(reply)); });
    router.add("GET", "/api/v1/alerts",
               [&ctx](Request& req, Reply reply) { alerts(ctx, req, std::move(reply)); });
    router.add("GET", "/api/v1/coverage",
               [&ctx](Request& req, Reply reply) { coverage(ctx, req, std::move(reply)); });
    router.add("POST", "/api/v1/test/clock",
               [&ctx](Request& req, Reply reply) { move_clock(ctx, req, std::move(reply)); });
}

} // namespace pingan::server
