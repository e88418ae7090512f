// /api/v1/cameras: "the map moves, the video follows". The cameras standing in the console's
// map view, the cameras whose view cone covers an incident, and opening a camera's stream.
// Lists never carry stream addresses; a stream is handed out only to the roles that may watch
// (owner_only and on_request cameras: supervisors and admins) and every hand-out is an event.
#include <fmt/core.h>

#include "base/json_writer.hpp"
#include "cameras/coverage.hpp"
#include "server/api.hpp"
#include "server/body_reader.hpp"

namespace pingan::server {
namespace {

using base::Code;

void write_camera(base::JsonWriter& w, const cameras::Camera& c) {
    w.field("id", c.id)
        .field("lat", c.position.lat)
        .field("lon", c.position.lon)
        .field("heading_deg", c.heading_deg)
        .field("fov_deg", c.fov_deg)
        .field("range_m", c.range_m)
        .field("stream_kind", cameras::to_string(c.stream_kind))
        .field("owner", c.owner)
        .field("sharing", cameras::to_string(c.sharing));
}

// Cameras in a viewport, nearest its centre first.
void in_view(ApiContext& ctx, Request& req, Reply reply) {
    auto south = api::query_number(req, "south", -90, 90);
    if (!south) return reply(Response::problem(south.error()));
    auto west = api::query_number(req, "west", -180, 180);
    if (!west) return reply(Response::problem(west.error()));
    auto north = api::query_number(req, "north", -90, 90);
    if (!north) return reply(Response::problem(north.error()));
    auto east = api::query_number(req, "east", -180, 180);
    if (!east) return reply(Response::problem(east.error()));
    if (*north < *south) {
        return reply(Response::problem(
            base::error(Code::bad_argument, "north", "north: must not be south of south")));
    }
    auto limit = api::query_int(req, "limit", 100, 1, 1000);
    if (!limit) return reply(Response::problem(limit.error()));
    std::string body;
    base::JsonWriter w(body);
    w.begin_object();
    if (ctx.cameras == nullptr) {
        w.field("total", std::int64_t{0}).key("items").begin_array().end_array().end_object();
        return reply(Response{200, "application/json", std::move(body), {}});
    }
    const cameras::InView view = ctx.cameras->in_view(
        cameras::Viewport{{*south, *west}, {*north, *east}}, static_cast<std::size_t>(*limit));
    w.field("total", static_cast<std::int64_t>(view.total)).key("items").begin_array();
    for (const cameras::CameraInView& c : view.cameras) {
        w.begin_object();
        write_camera(w, ctx.cameras->cameras()[c.camera]);
        w.field("distance_m", c.distance_m).end_object();
    }
    w.end_array().end_object();
    reply(Response{200, "application/json", std::move(body), {}});
}

// Cameras whose view cone covers the incident's location, best view first.
void incident_cameras(ApiContext& ctx, Request& req, Reply reply) {
    auto id = api::path_id(req, 0, "id");
    if (!id) return reply(Response::problem(id.error()));
    auto where = ctx.ops.with_board([&](const ops::Board& board) -> std::optional<geo::LatLon> {
        if (const ops::Incident* inc = board.open_incident(*id)) return inc->location;
        return std::nullopt;
    });
    if (!where) {
        auto stored = ctx.ops.store().incident(*id);
        if (!stored) return reply(Response::problem(stored.error()));
        if (!stored->has_value()) {
            return reply(Response::problem(base::error(
                Code::unknown_incident, "id", fmt::format("id: no incident with id {}", *id))));
        }
        where = (*stored)->location;
    }
    std::string body;
    base::JsonWriter w(body);
    w.begin_object().field("incident_id", *id).key("items").begin_array();
    if (ctx.cameras != nullptr) {
        for (const cameras::CoveringCamera& c : ctx.cameras->covering(*where)) {
            w.begin_object();
            write_camera(w, ctx.cameras->cameras()[c.camera]);
            w.field("distance_m", c.sight.distance_m)
                .field("bearing_deg", c.sight.bearing_deg)
                .field("off_axis_deg", c.sight.off_axis_deg)
                .field("score", c.sight.score)
                .end_object();
        }
    }
    w.end_array().end_object();
    reply(Response{200, "application/json", std::move(body), {}});
}

// Hands out a camera's stream address, once the hand-out is durable in the log.
void view(ApiContext& ctx, Request& req, Reply reply) {
    const std::string camera_id = req.params.empty() ? std::string() : req.params[0];
    const cameras::Camera* camera = ctx.cameras != nullptr ? ctx.cameras->find(camera_id) : nullptr;
    if (camera == nullptr) {
        return reply(Response::problem(base::error(
            Code::not_found, "id", fmt::format("id: no camera '{}' in the register", camera_id))));
    }
    const auth::Role role = req.principal.role;
    if (camera->sharing != cameras::Sharing::shared && role != auth::Role::supervisor &&
        role != auth::Role::admin) {
        return reply(Response::problem(base::error(
            Code::forbidden, "id",
            fmt::format("id: camera '{}' is {} by {}: a supervisor must open it", camera->id,
                        cameras::to_string(camera->sharing), camera->owner))));
    }
    const std::string text = req.body.empty() ? std::string("{}") : req.body;
    BodyReader r(text);
    auto incident_id = r.integer("incident_id", Need::optional, 1, INT64_MAX);
    if (!r.ok()) return reply(Response::problem(r.error()));
    const std::string actor = req.principal.username;
    ctx.ops.execute(
        [&](ops::Board& board, base::TimeMs at,
            store::Change& change) -> base::Result<std::string> {
            if (incident_id && board.open_incident(*incident_id) == nullptr &&
                !board.incident_status(*incident_id)) {
                return base::error(
                    Code::unknown_incident, "incident_id",
                    fmt::format("incident_id: no incident with id {}", *incident_id));
            }
            nlohmann::json payload = {{"camera_id", camera->id},
                                      {"stream_kind", cameras::to_string(camera->stream_kind)},
                                      {"owner", camera->owner},
                                      {"sharing", cameras::to_string(camera->sharing)}};
            if (incident_id) payload["incident_id"] = *incident_id;
            change.events.push_back(
                ops::Event::log_only(at, actor, "camera.viewed", "camera/" + camera->id, payload));
            std::string body;
            base::JsonWriter w(body);
            w.begin_object()
                .field("id", camera->id)
                .field("stream_kind", cameras::to_string(camera->stream_kind))
                .field("stream_url", camera->stream_url)
                .end_object();
            return body;
        },
        api::respond(std::move(reply), 200));
}

} // namespace

void add_camera_routes(Router& router, ApiContext& ctx) {
    router.add("GET", "/api/v1/cameras",
               [&ctx](Request& req, Reply reply) { in_view(ctx, req, std::move(reply)); });
    router.add("GET", "/api/v1/incidents/{id}/cameras",
               [&ctx](Request& req, Reply reply) { incident_cameras(ctx, req, std::move(reply)); });
    router.add("POST", "/api/v1/cameras/{id}/view",
               [&ctx](Request& req, Reply reply) { view(ctx, req, std::move(reply)); });
}

} // namespace pingan::server
