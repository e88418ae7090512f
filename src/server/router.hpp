// Matches a request to a route of the role matrix, checks the token and the role, and calls
// the route's handler. Every route in kRoleMatrix must have exactly one handler (checked by
// Router::check_complete at start-up).
#pragma once

#include <string>
#include <vector>

#include "auth/sessions.hpp"
#include "base/clock.hpp"
#include "server/http.hpp"
#include "server/role_matrix.hpp"

namespace pingan::server {

class Metrics;

class Router {
public:
    Router(const auth::SessionRegistry& sessions, const base::Clock& clock, Metrics& metrics);

    void add(std::string_view method, std::string_view pattern, Handler handler);
    // Throws std::logic_error naming any matrix row without a handler, or handler without a row.
    void check_complete() const;

    // Resolves the principal from "Authorization: Bearer <token>" (or the token query
    // parameter, which browsers need for WebSockets).
    std::optional<auth::Principal> authenticate(const Request& req) const;

    // Finds the route, authorises and handles the request. `reply` is called exactly once.
    void handle(Request& req, Reply reply) const;

    // Authorises a request for `pattern` without handling it (used for WebSocket upgrades).
    // Returns an error response, or nothing when the request may proceed.
    std::optional<Response> authorise(Request& req, std::string_view method,
                                      std::string_view pattern) const;

private:
    struct Route {
        const RouteRule* rule = nullptr;
        std::vector<std::string> segments;
        Handler handler;
        std::size_t metric_index = 0;
    };
    static bool match(const Route& r, const std::vector<std::string_view>& path,
                      std::vector<std::string>& params);

    const auth::SessionRegistry& sessions_;
    const base::Clock& clock_;
    Metrics& metrics_;
    std::vector<Route> routes_;
};

} // namespace pingan::server
