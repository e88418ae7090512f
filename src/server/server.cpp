#include "server/server.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include "auth/login_limiter.hpp"
#include "server/api.hpp"
#include "server/http_server.hpp"
#include "store/sqlite_store.hpp"

namespace pingan::server {

int serve(const ServeOptions& options) {
    auto opened = store::SqliteStore::open(options.db_path);
    if (!opened) {
        fmt::print(stderr, "pingan: error: {}\n", opened.error().detail);
        return 2;
    }
    std::unique_ptr<store::SqliteStore> store = std::move(opened).value();
    base::SystemClock clock;
    Metrics metrics;
    StreamHub hub;
    Operations ops(*store, clock, ops::BoardConfig{options.utc_offset_minutes}, hub, metrics);
    ops.digest_interval = std::chrono::seconds(options.digest_interval_s);
    if (auto started = ops.start(); !started) {
        fmt::print(stderr, "pingan: error: {}\n", started.error().detail);
        return 1;
    }

    auth::SessionRegistry sessions;
    auto live = store->live_sessions(clock.now_ms());
    if (!live) {
        fmt::print(stderr, "pingan: error: {}\n", live.error().detail);
        return 1;
    }
    for (const auto& s : *live) {
        if (auto role = auth::parse_role(s.role)) {
            sessions.add(s.token_hash,
                         {auth::Principal{s.username, *role, s.unit_id}, s.expires_at});
        }
    }
    auth::LoginLimiter limiter;
    WorkerPool blocking(2);
    Router router(sessions, clock, metrics);
    ApiContext ctx{ops, sessions, limiter, metrics, blocking, options.token_ttl_s * 1000};
    add_auth_routes(router, ctx);
    add_incident_routes(router, ctx);
    add_unit_routes(router, ctx);

    HttpServer::Options http;
    http.bind = options.bind;
    http.port = options.port;
    http.threads = options.threads;
    http.static_dir = options.static_dir;
    HttpServer server(http, router, ops, metrics);
    router.check_complete();
    auto port = server.listen();
    if (!port) {
        fmt::print(stderr, "pingan: error: {}\n", port.error().detail);
        return 1;
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
    spdlog::info("pingan serving on http://{}:{} (database {})", options.bind, *port,
                 options.db_path);
    server.run();
    ops.stop();
    spdlog::info("pingan stopped");
    return 0;
}

} // namespace pingan::server
