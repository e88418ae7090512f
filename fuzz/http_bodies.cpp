// Request bodies of every route that takes one, through the real router and handlers on a real
// (scratch) SQLite store: the first byte picks the route, the rest is the body. Bad input must
// get a 4xx problem naming the field; a 5xx answer, a crash or a hang is a bug.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <unistd.h>
#include <utility>

#include "auth/login_limiter.hpp"
#include "auth/sessions.hpp"
#include "base/clock.hpp"
#include "server/api.hpp"
#include "server/centre.hpp"
#include "server/metrics.hpp"
#include "server/operations.hpp"
#include "server/router.hpp"
#include "server/stream_hub.hpp"
#include "server/worker_pool.hpp"
#include "store/sqlite_store.hpp"

namespace {

using namespace pingan;

struct Route {
    std::string_view method;
    std::string_view path; // ids are 1: the unit and incident the harness creates first
};

constexpr std::array kRoutes{
    Route{"POST", "/api/v1/login"},
    Route{"POST", "/api/v1/users"},
    Route{"POST", "/api/v1/units"},
    Route{"POST", "/api/v1/units/1/status"},
    Route{"POST", "/api/v1/units/1/position"},
    Route{"POST", "/api/v1/incidents"},
    Route{"POST", "/api/v1/incidents/1/dispatch"},
    Route{"POST", "/api/v1/incidents/1/status"},
    Route{"POST", "/api/v1/incidents/1/merge"},
    Route{"POST", "/api/v1/triage"},
    Route{"POST", "/api/v1/eido"},
};

// The server's handlers wired as `pingan serve` wires them, minus the network.
struct Harness {
    std::filesystem::path dir;
    std::unique_ptr<store::SqliteStore> store;
    base::ManualClock clock{1'767'225'600'000}; // 2026-01-01T00:00:00Z
    server::Centre centre;
    server::Metrics metrics;
    server::StreamHub hub;
    std::unique_ptr<server::Operations> ops;
    auth::SessionRegistry sessions;
    auth::LoginLimiter limiter;
    server::WorkerPool blocking{1};
    std::unique_ptr<server::Router> router;
    std::unique_ptr<server::ApiContext> ctx;
    std::string token;

    Harness() {
        char tmpl[] = "/dev/shm/pingan-fuzz-XXXXXX";
        if (mkdtemp(tmpl) == nullptr) std::abort();
        dir = tmpl;
        store = store::SqliteStore::open((dir / "fuzz.db").string()).value();
        if (!server::load_config(PINGAN_CONFIG_DIR, centre)) std::abort();
        ops =
            std::make_unique<server::Operations>(*store, clock, ops::BoardConfig{0}, hub, metrics);
        ops->attach(centre);
        if (!ops->start()) std::abort();
        router = std::make_unique<server::Router>(sessions, clock, metrics);
        ctx = std::make_unique<server::ApiContext>(
            server::ApiContext{*ops, sessions, limiter, metrics, blocking});
        ctx->manual_clock = &clock;
        server::add_auth_routes(*router, *ctx);
        server::add_incident_routes(*router, *ctx);
        server::add_unit_routes(*router, *ctx);
        server::add_dispatch_routes(*router, *ctx);
        server::add_exchange_routes(*router, *ctx);
        token = auth::new_token();
        sessions.add(auth::token_hash(token),
                     {auth::Principal{"admin", auth::Role::admin, std::nullopt},
                      clock.now_ms() + 365LL * 24 * 3'600'000});
        // Unit 1 and incident 1, so that the routes with an id have something to act on.
        expect_created("/api/v1/units",
                       R"({"callsign":"F1","agency":"police","lat":38.9,"lon":-77})");
        expect_created("/api/v1/incidents",
                       R"({"lat":38.9,"lon":-77,"category":"theft","priority":3})");
    }
    ~Harness() {
        ops->stop();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }

    server::Response call(std::string_view method, std::string_view path, std::string body) {
        server::Request req;
        req.method = std::string(method);
        req.path = std::string(path);
        req.body = std::move(body);
        req.authorization = "Bearer " + token;
        req.client = "127.0.0.1";
        auto promise = std::make_shared<std::promise<server::Response>>();
        auto answer = promise->get_future();
        router->handle(req,
                       [promise](server::Response res) { promise->set_value(std::move(res)); });
        if (answer.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
            std::fprintf(stderr, "no answer within 20 s from %.*s %.*s\n",
                         static_cast<int>(method.size()), method.data(),
                         static_cast<int>(path.size()), path.data());
            std::abort();
        }
        return answer.get();
    }

    void expect_created(std::string_view path, std::string body) {
        const auto res = call("POST", path, std::move(body));
        if (res.status != 201) {
            std::fprintf(stderr, "setup %.*s: %d %s\n", static_cast<int>(path.size()), path.data(),
                         res.status, res.body.c_str());
            std::abort();
        }
    }
};

Harness& harness() {
    static Harness h;
    return h;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const Route& route = kRoutes[data[0] % kRoutes.size()];
    std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
    const auto res = harness().call(route.method, route.path, body);
    // 503 is the store asking to retry, never the body's fault; any other 5xx is a bug.
    if (res.status >= 500 && res.status != 503) {
        std::fprintf(stderr, "%.*s %.*s answered %d: %s\n", static_cast<int>(route.method.size()),
                     route.method.data(), static_cast<int>(route.path.size()), route.path.data(),
                     res.status, res.body.c_str());
        std::abort();
    }
    return 0;
}
