#include "server/router.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>

#include <fmt/core.h>

#include "server/metrics.hpp"

namespace pingan::server {
namespace {

using base::Code;

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < path.size()) {
        while (i < path.size() && path[i] == '/')
            ++i;
        const std::size_t j = path.find('/', i);
        const std::size_t end = j == std::string_view::npos ? path.size() : j;
        if (end > i) out.push_back(path.substr(i, end - i));
        i = end;
    }
    return out;
}

std::string bearer_token(const Request& req) {
    constexpr std::string_view kPrefix = "Bearer ";
    std::string_view h = req.authorization;
    if (h.size() > kPrefix.size() && h.substr(0, kPrefix.size()) == kPrefix) {
        return std::string(h.substr(kPrefix.size()));
    }
    if (const std::string* t = req.query_param("token")) return *t;
    return {};
}

} // namespace

Router::Router(const auth::SessionRegistry& sessions, const base::Clock& clock, Metrics& metrics)
    : sessions_(sessions), clock_(clock), metrics_(metrics) {}

void Router::add(std::string_view method, std::string_view pattern, Handler handler) {
    for (const RouteRule& rule : kRoleMatrix) {
        if (rule.method == method && rule.pattern == pattern) {
            Route r;
            r.rule = &rule;
            for (auto s : split_path(pattern))
                r.segments.emplace_back(s);
            r.handler = std::move(handler);
            r.metric_index = metrics_.add_route(fmt::format("{} {}", method, pattern));
            routes_.push_back(std::move(r));
            return;
        }
    }
    throw std::logic_error(fmt::format(
        "route {} {} is not in the role matrix (server/role_matrix.hpp)", method, pattern));
}

void Router::check_complete() const {
    for (const RouteRule& rule : kRoleMatrix) {
        int handlers = 0;
        for (const Route& r : routes_)
            handlers += r.rule == &rule ? 1 : 0;
        if (handlers != 1) {
            throw std::logic_error(fmt::format("route {} {} has {} handlers; it needs exactly one",
                                               rule.method, rule.pattern, handlers));
        }
    }
}

bool Router::match(const Route& r, const std::vector<std::string_view>& path,
                   std::vector<std::string>& params) {
    if (r.segments.size() != path.size()) return false;
    params.clear();
    for (std::size_t i = 0; i < path.size(); ++i) {
        const std::string& seg = r.segments[i];
        const std::size_t close = seg.find('}');
        if (seg.size() > 2 && seg.front() == '{' && close != std::string::npos) {
            // "{y}.mvt": a placeholder with a fixed suffix (tile URLs end in a file type).
            const std::string_view suffix = std::string_view(seg).substr(close + 1);
            const std::string_view p = path[i];
            if (p.size() <= suffix.size() || p.substr(p.size() - suffix.size()) != suffix) {
                return false;
            }
            params.emplace_back(p.substr(0, p.size() - suffix.size()));
        } else if (seg != path[i]) {
            return false;
        }
    }
    return true;
}

std::optional<auth::Principal> Router::authenticate(const Request& req) const {
    const std::string token = bearer_token(req);
    if (token.empty() || token.size() > 256) return std::nullopt;
    return sessions_.find(auth::token_hash(token), clock_.now_ms());
}

std::optional<Response> Router::authorise(Request& req, std::string_view method,
                                          std::string_view pattern) const {
    for (const Route& r : routes_) {
        if (r.rule->method != method || r.rule->pattern != pattern) continue;
        if (r.rule->is_public) return std::nullopt;
        auto principal = authenticate(req);
        if (!principal) {
            return Response::problem(base::error(
                Code::unauthenticated, "Authorization",
                "Authorization: a valid bearer token is required (POST /api/v1/login)"));
        }
        req.principal = *principal;
        if (!r.rule->roles.contains(principal->role)) {
            return Response::problem(base::error(
                Code::forbidden,
                fmt::format("role {} may not {} {}", to_string(principal->role), method, pattern)));
        }
        return std::nullopt;
    }
    return Response::problem(base::error(Code::not_found, "no such route"));
}

void Router::handle(Request& req, Reply reply) const {
    const auto started = std::chrono::steady_clock::now();
    const std::vector<std::string_view> path = split_path(req.path);
    const Route* found = nullptr;
    bool path_matched = false;
    std::string allow;
    std::vector<std::string> params;
    for (const Route& r : routes_) {
        if (!match(r, path, params)) continue;
        path_matched = true;
        allow += (allow.empty() ? "" : ", ") + std::string(r.rule->method);
        if (r.rule->method == req.method) {
            found = &r;
            break;
        }
    }
    const std::size_t metric = found != nullptr ? found->metric_index : Metrics::kUnmatched;
    // Shared so that a handler that throws after taking its copy can still be answered.
    struct Once {
        Reply reply;
        std::atomic<bool> done{false};
    };
    auto once = std::make_shared<Once>();
    once->reply = std::move(reply);
    Reply measured = [this, metric, started, once](Response res) {
        if (once->done.exchange(true)) return;
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        metrics_.request(metric, res.status, seconds);
        once->reply(std::move(res));
    };

    if (found == nullptr) {
        if (path_matched) {
            Response res = Response::problem(
                base::error(Code::method_not_allowed, fmt::format("{} is not allowed on {}; use {}",
                                                                  req.method, req.path, allow)));
            res.headers.emplace_back("Allow", allow);
            measured(std::move(res));
        } else {
            measured(Response::problem(
                base::error(Code::not_found, fmt::format("no route for {}", req.path))));
        }
        return;
    }
    req.params = std::move(params);
    if (auto refused = authorise(req, found->rule->method, found->rule->pattern)) {
        measured(std::move(*refused));
        return;
    }
    try {
        found->handler(req, measured);
    } catch (const std::exception& e) {
        // Handlers report expected failures as problems; reaching here is a bug.
        fmt::print(stderr, "pingan: handler {} {} threw: {}\n", found->rule->method,
                   found->rule->pattern, e.what());
        measured(Response::problem(base::error(Code::internal, "internal error; see server log")));
    }
}

} // namespace pingan::server
