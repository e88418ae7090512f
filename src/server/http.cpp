#include "server/http.hpp"

#include "base/error.hpp"

namespace pingan::server {

Response Response::json(int status, const nlohmann::json& body) {
    return Response{status,
                    "application/json",
                    body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                    {}};
}

Response Response::problem(const base::Error& e) {
    nlohmann::json body = {
        {"type", "/problems/" + std::string(e.slug())},
        {"title", std::string(base::info(e.code).title)},
        {"status", e.http_status()},
        {"code", std::string(e.slug())},
        {"detail", e.detail.empty() ? std::string(base::info(e.code).title) : e.detail},
    };
    if (!e.field.empty()) body["field"] = e.field;
    Response r = json(e.http_status(), body);
    r.content_type = "application/problem+json";
    if (e.code == base::Code::unavailable) r.headers.emplace_back("Retry-After", "1");
    return r;
}

} // namespace pingan::server
