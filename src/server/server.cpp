#include "server/server.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include "auth/login_limiter.hpp"
#include "cameras/coverage.hpp"
#include "io/boundaries_geojson.hpp"
#include "io/cameras_import.hpp"
#include "io/osm_addresses.hpp"
#include "io/patrol_geojson.hpp"
#include "road/address_index.hpp"
#include "road/graph.hpp"
#include "server/api.hpp"
#include "server/handoff_worker.hpp"
#include "server/http_server.hpp"
#include "server/patrol_desk.hpp"
#include "server/retention_worker.hpp"
#include "server/ticker.hpp"
#include "store/open_store.hpp"
#include "store/records.hpp"

namespace pingan::server {
namespace {

// The live sessions of the store, replacing those `into` held.
base::Status load_sessions(store::Store& store, base::TimeMs now, auth::SessionRegistry& into) {
    auto live = store.live_sessions(now);
    if (!live) return live.error();
    std::unordered_map<std::string, auth::SessionRegistry::Session> sessions;
    for (const auto& s : *live) {
        if (auto role = auth::parse_role(s.role)) {
            sessions[s.token_hash] = {auth::Principal{s.username, *role, s.unit_id, s.team},
                                      s.expires_at};
        }
    }
    into.replace_all(std::move(sessions));
    return {};
}

} // namespace

int serve(const ServeOptions& options) {
    auto opened = store::open_store(options.db_path);
    if (!opened) {
        fmt::print(stderr, "pingan: error: {}\n", opened.error().detail);
        return 2;
    }
    std::unique_ptr<store::Store> store = std::move(opened).value();
    // The clock: real, or (tests only) one that moves when told to.
    base::SystemClock system_clock;
    std::unique_ptr<base::ManualClock> manual_clock;
    if (!options.manual_clock.empty()) {
        auto start = base::parse_iso8601(options.manual_clock);
        if (!start) {
            fmt::print(stderr, "pingan: error: --manual-clock: '{}' is not an ISO time\n",
                       options.manual_clock);
            return 2;
        }
        manual_clock = std::make_unique<base::ManualClock>(*start);
        spdlog::warn("manual clock at {}: time moves only by POST /api/v1/test/clock",
                     options.manual_clock);
    }
    const base::Clock& clock = manual_clock ? static_cast<const base::Clock&>(*manual_clock)
                                            : static_cast<const base::Clock&>(system_clock);
    // The centre: taxonomy, triage rules, dispatch settings, areas (the road graph below).
    Centre centre;
    centre.utc_offset_minutes = options.utc_offset_minutes;
    if (auto loaded = load_config(options.config_dir, centre); !loaded) {
        fmt::print(stderr, "pingan: error: {}\n", loaded.error().detail);
        return 2;
    }
    if (!options.policy.empty()) {
        auto policy = dispatch::parse_policy(options.policy);
        if (!policy) {
            fmt::print(stderr, "pingan: error: --policy: '{}' is not eta or straight\n",
                       options.policy);
            return 2;
        }
        centre.dispatch.policy = *policy;
    }
    auto areas = store->boundaries();
    if (!areas) {
        fmt::print(stderr, "pingan: error: {}\n", areas.error().detail);
        return 1;
    }
    for (const auto& row : *areas) {
        auto shape = io::read_geojson_geometry(row.geometry);
        if (!shape) {
            fmt::print(stderr, "pingan: error: area {} {}: {}\n", row.layer, row.name,
                       shape.error().detail);
            return 1;
        }
        centre.boundaries.add(geo::Boundary{row.layer, row.name, std::move(shape).value()});
    }
    Metrics metrics;
    StreamHub hub;
    auth::SessionRegistry sessions; // before ops: its catch-up may reload sessions until it stops
    Operations ops(*store, clock, ops::BoardConfig{options.utc_offset_minutes}, hub, metrics);
    ops.digest_interval = std::chrono::seconds(options.digest_interval_s);

    if (auto loaded = load_sessions(*store, clock.now_ms(), sessions); !loaded) {
        fmt::print(stderr, "pingan: error: {}\n", loaded.error().detail);
        return 1;
    }
    // Sessions opened or ended through another server on the same database count here too.
    ops.foreign_events = [&](const std::vector<store::EventRecord>& records) {
        const bool sessions_changed =
            std::any_of(records.begin(), records.end(),
                        [](const auto& r) { return r.kind.starts_with("session."); });
        if (!sessions_changed) return;
        if (auto reloaded = load_sessions(*store, clock.now_ms(), sessions); !reloaded) {
            spdlog::warn("cannot reload sessions after another server's change: {}",
                         reloaded.error().detail);
        }
    };
    // The road map: tiles and address search (api_map.cpp); later routing too.
    std::unique_ptr<road::Graph> graph;
    std::unique_ptr<road::AddressIndex> addresses;
    if (!options.graph_path.empty()) {
        auto loaded = road::Graph::load(options.graph_path);
        if (!loaded) {
            fmt::print(stderr, "pingan: error: --graph: {}\n", loaded.error().detail);
            return 2;
        }
        graph = std::make_unique<road::Graph>(std::move(loaded).value());
        std::vector<road::AddressPoint> points;
        const std::string address_path = io::address_file_for(options.graph_path);
        if (std::filesystem::exists(address_path)) {
            auto read = io::load_addresses(address_path);
            if (!read) {
                fmt::print(stderr, "pingan: error: {}\n", read.error().detail);
                return 2;
            }
            points = std::move(read).value();
        }
        addresses = std::make_unique<road::AddressIndex>(road::AddressIndex::build(*graph, points));
        spdlog::info("road map {}: {} segments, {} streets, {} intersections, {} addresses",
                     options.graph_path, graph->segment_count(), addresses->street_count(),
                     addresses->intersection_count(), addresses->address_count());
        centre.graph = std::move(graph);
    }
    // The camera register: read-only while serving; a bad file stops the start, naming the
    // line and the field.
    std::unique_ptr<cameras::CameraIndex> camera_index;
    if (!options.cameras_path.empty()) {
        auto text = read_config_text(options.cameras_path);
        if (!text) {
            fmt::print(stderr, "pingan: error: --cameras: {}\n", text.error().detail);
            return 2;
        }
        const bool csv = std::filesystem::path(options.cameras_path).extension() == ".csv";
        auto list = csv ? io::read_cameras_csv(*text) : io::read_cameras_geojson(*text);
        auto built = list ? cameras::CameraIndex::build(std::move(list).value())
                          : base::Result<cameras::CameraIndex>(list.error());
        if (!built) {
            fmt::print(stderr, "pingan: error: --cameras {}: {}\n", options.cameras_path,
                       built.error().detail);
            return 2;
        }
        camera_index = std::make_unique<cameras::CameraIndex>(std::move(built).value());
        spdlog::info("camera register {}: {} cameras", options.cameras_path, camera_index->size());
    }
    // The patrol plan (read-only); shifts and visits are read from the log once started.
    std::unique_ptr<PatrolDesk> patrol_desk;
    if (!options.patrol_path.empty()) {
        auto text = read_config_text(options.patrol_path);
        if (!text) {
            fmt::print(stderr, "pingan: error: --patrol: {}\n", text.error().detail);
            return 2;
        }
        auto read = io::read_patrol_plan(*text, options.utc_offset_minutes);
        auto desk = read ? PatrolDesk::create(std::move(read->plan))
                         : base::Result<std::unique_ptr<PatrolDesk>>(read.error());
        if (!desk) {
            fmt::print(stderr, "pingan: error: --patrol {}: {}\n", options.patrol_path,
                       desk.error().detail);
            return 2;
        }
        for (const std::string& w : read->warnings)
            spdlog::warn("patrol plan {}: {}", options.patrol_path, w);
        patrol_desk = std::move(desk).value();
        spdlog::info("patrol plan {}: {} areas, {} required points", options.patrol_path,
                     patrol_desk->plan().areas.size(), patrol_desk->plan().points.size());
    }
    // Shifts and visits another server on the same database recorded (the start-up read of
    // the log and these may overlap: the desk skips an event it has applied).
    if (patrol_desk) {
        ops.foreign_events = [&desk = *patrol_desk, sessions_hook = std::move(ops.foreign_events)](
                                 const std::vector<store::EventRecord>& records) {
            sessions_hook(records);
            for (const store::EventRecord& r : records) {
                if (!r.kind.starts_with("patrol.")) continue;
                if (auto applied = desk.apply(r); !applied) {
                    spdlog::warn("patrol event {} ({}) not applied: {}", r.seq, r.kind,
                                 applied.error().detail);
                }
            }
        };
    }
    ops.attach(centre);
    if (auto started = ops.start(); !started) {
        fmt::print(stderr, "pingan: error: {}\n", started.error().detail);
        return 1;
    }

    auth::LoginLimiter limiter;
    WorkerPool blocking(2);
    Router router(sessions, clock, metrics);
    ApiContext ctx{ops, sessions, limiter, metrics, blocking, options.token_ttl_s * 1000};
    ctx.lock_after_failures = options.lock_after;
    add_auth_routes(router, ctx);
    add_incident_routes(router, ctx);
    add_unit_routes(router, ctx);
    ctx.graph = centre.graph.get();
    ctx.manual_clock = manual_clock.get();
    add_dispatch_routes(router, ctx);
    ctx.cameras = camera_index.get();
    add_camera_routes(router, ctx);
    ctx.patrol = patrol_desk.get();
    if (auto loaded = load_patrol_log(ctx); !loaded) {
        fmt::print(stderr, "pingan: error: patrol shifts and visits: {}\n", loaded.error().detail);
        return 1;
    }
    add_patrol_routes(router, ctx);
    add_exchange_routes(router, ctx);
    ctx.utc_offset_minutes = options.utc_offset_minutes;
    ctx.addresses = addresses.get();
    add_map_routes(router, ctx);
    if (auto rules = load_case_rules(ctx, options.config_dir); !rules) {
        fmt::print(stderr, "pingan: error: {}\n", rules.error().detail);
        return 2;
    }
    add_case_routes(router, ctx);
    // Analytics reads the records on its own connection to the same database file, on one
    // thread of its own: a long report never delays intake, dispatch or logins.
    auto records = store::open_records(options.db_path);
    if (!records) {
        fmt::print(stderr, "pingan: error: {}\n", records.error().detail);
        return 1;
    }
    WorkerPool analytics(1);
    ctx.records = records->get();
    ctx.analytics = &analytics;
    add_analytics_routes(router, ctx);

    HttpServer::Options http;
    http.bind = options.bind;
    http.port = options.port;
    http.threads = options.threads;
    http.idle_timeout = std::chrono::seconds(options.idle_timeout_s);
    http.stream_queue_limit = options.stream_queue_limit;
    http.static_dir = options.static_dir;
    if (camera_index) http.media_origins = camera_index->stream_origins();
    http.tls_cert = options.tls_cert;
    http.tls_key = options.tls_key;
    HttpServer server(http, router, ops, metrics);
    HandoffWorker handoff(ops, centre.dispatch.handoff);
    handoff.start();
    RetentionWorker retention(ops, options.caller_retention_days * 86'400'000LL);
    retention.start();
    // Patrol alerts follow the clock; a unit gone silent at a point ends its visit.
    Ticker patrol_ticker(std::chrono::seconds(5), [&ctx] {
        std::promise<void> ticked;
        patrol_tick(ctx, [&ticked] { ticked.set_value(); });
        ticked.get_future().wait();
    });
    if (patrol_desk) patrol_ticker.start();
    router.check_complete();
    auto port = server.listen();
    if (!port) {
        fmt::print(stderr, "pingan: error: {}\n", port.error().detail);
        return port.error().code == base::Code::bad_argument ? 2 : 1;
    }
    if (!options.port_file.empty()) {
        // Written then renamed, so a reader never sees a half-written number.
        const std::string tmp = options.port_file + ".tmp";
        {
            std::ofstream out(tmp);
            out << *port << "\n";
        }
        std::filesystem::rename(tmp, options.port_file);
    }
    spdlog::info("pingan serving on {}://{}:{} (database {})",
                 options.tls_cert.empty() ? "http" : "https", options.bind, *port, options.db_path);
    server.run();
    patrol_ticker.stop();
    retention.stop();
    handoff.stop();
    ops.stop();
    spdlog::info("pingan stopped");
    return 0;
}

} // namespace pingan::server
