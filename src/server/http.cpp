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

bool is_upload(std::string_view method, std::string_view target) {
    constexpr std::string_view kPrefix = "/api/v1/evidence/";
    constexpr std::string_view kSuffix = "/photos";
    if (method != "POST") return false;
    const std::string_view path = target.substr(0, target.find('?'));
    if (!path.starts_with(kPrefix) || !path.ends_with(kSuffix)) return false;
    const std::string_view code =
        path.substr(kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size());
    // One path segment; size() > kPrefix+kSuffix rules out their overlap.
    return path.size() > kPrefix.size() + kSuffix.size() && code.find('/') == std::string::npos;
}

} // namespace pingan::server
