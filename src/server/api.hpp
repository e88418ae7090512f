// Route handlers of the REST API, grouped by resource. Each add_* function registers its
// handlers with the router; the role matrix decides who may call them.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "auth/login_limiter.hpp"
#include "auth/sessions.hpp"
#include "geo/boundary.hpp"
#include "server/http.hpp"
#include "server/operations.hpp"
#include "server/router.hpp"
#include "server/worker_pool.hpp"

namespace pingan::road {
class Graph;
class AddressIndex;
} // namespace pingan::road

namespace pingan::store {
class RecordStore;
} // namespace pingan::store

namespace pingan::cameras {
class CameraIndex;
} // namespace pingan::cameras

namespace pingan::server {
class PatrolDesk;
} // namespace pingan::server

namespace pingan::server {

struct ApiContext {
    Operations& ops;
    auth::SessionRegistry& sessions;
    auth::LoginLimiter& limiter;
    Metrics& metrics;
    WorkerPool& blocking;
    base::TimeMs token_ttl_ms = 12 * 3'600'000; // one shift
    // serve --lock-after: this many failed logins in a row disable the account until an
    // administrator enables it; 0 = off (throttling only).
    int lock_after_failures = 0;
    // The base map and address search (api_map.cpp). Null when serve runs without --graph:
    // tiles and geocoding then answer 503 and the console shows no base map.
    const road::Graph* graph = nullptr;
    const road::AddressIndex* addresses = nullptr;
    // The areas drawn on the map (jurisdictions, patrol areas), read when the first tile is
    // made. Unset: the map has no area layers.
    std::function<std::vector<geo::Boundary>()> boundaries = {};
    int utc_offset_minutes = 0; // the centre's time zone, for the console's clocks
    // Historical incident records for the analytics routes (api_analytics.cpp), read only on
    // the one thread of `analytics`. Null: those routes answer 503.
    store::RecordStore* records = nullptr;
    WorkerPool* analytics = nullptr;
    // Set when serve runs with --manual-clock: tests move time with POST /api/v1/test/clock.
    base::ManualClock* manual_clock = nullptr;
    // The camera register (serve --cameras). Null: no cameras are listed.
    const cameras::CameraIndex* cameras = nullptr;
    // The patrol plan, shifts and visits (serve --patrol). Null: patrol routes answer 503.
    PatrolDesk* patrol = nullptr;
};

void add_auth_routes(Router& router, ApiContext& ctx); // login, logout, me, users, health, metrics
void add_incident_routes(Router& router, ApiContext& ctx); // incidents, dispatch, status, caller
void add_unit_routes(Router& router, ApiContext& ctx);     // units, status, position, events
void add_map_routes(Router& router, ApiContext& ctx);      // tiles, map style, geocoding
// recommendations, triage, taxonomy, alerts, coverage, test clock
void add_dispatch_routes(Router& router, ApiContext& ctx);
// cameras in a viewport, cameras covering an incident, opening a camera's stream (logged)
void add_camera_routes(Router& router, ApiContext& ctx);
// patrol plan, shifts, visits (detected and manual), live status and alerts, shift reports
void add_patrol_routes(Router& router, ApiContext& ctx);
// Reads the shifts and visits of the log into ctx.patrol, and the breadcrumbs its shift
// reports need (at start).
base::Status load_patrol_log(ApiContext& ctx);
// Ends the visits of units gone silent and brings the patrol alerts on the Board up to date
// with the clock (every few seconds, and when a test moves the clock); then `done`.
void patrol_tick(ApiContext& ctx, std::function<void()> done);
// A report of where a unit was, as stored.
struct UnitPosition {
    ops::Id unit_id;
    ops::Position position;
};
// Units' accepted positions, in the order stored, for visit detection; `then` runs once the
// visits they ended are durable (at once when they ended none).
void patrol_positions(ApiContext& ctx, const std::vector<UnitPosition>& reports,
                      std::function<void()> then);
// EIDO in and out, CAP alerts out
void add_exchange_routes(Router& router, ApiContext& ctx);
// CompStat, hotspots and the span of the incident records, for analysts
void add_analytics_routes(Router& router, ApiContext& ctx);
// Cases, evidence custody, notices, oversight and the read audit (issue 8). Load the rules
// first: case_limits.toml and holidays.toml from `config_dir`, at ctx.utc_offset_minutes.
base::Status load_case_rules(ApiContext& ctx, const std::string& config_dir);
void add_case_routes(Router& router, ApiContext& ctx);

// Shared by the handlers.
namespace api {
// The positive integer in path segment `index`, or a problem naming the parameter.
base::Result<ops::Id> path_id(const Request& req, std::size_t index, std::string_view name);
// Answers `reply` with `status` and the JSON text body, or with the problem.
Operations::Done respond(Reply reply, int status);
// A JSON object {"items": [...]} from records already rendered as JSON text.
template <class Range, class Render>
std::string items_body(const Range& records, Render render) {
    std::string body = R"({"items":[)";
    bool first = true;
    for (const auto& r : records) {
        if (!first) body += ',';
        first = false;
        body += render(r);
    }
    body += "]}";
    return body;
}
// Query integer parameter within [min, max], or the default when absent.
base::Result<std::int64_t> query_int(const Request& req, const std::string& name,
                                     std::int64_t fallback, std::int64_t min, std::int64_t max);
// Required query number within [min, max] (a problem naming the parameter otherwise).
base::Result<double> query_number(const Request& req, const std::string& name, double min,
                                  double max);
} // namespace api

} // namespace pingan::server
