// Transport-neutral request and response used by route handlers. The Beast adapter
// (http_server.cpp) fills a Request and sends a Response; handlers never see Beast.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/sessions.hpp"
#include "base/error.hpp"

namespace pingan::server {

struct Request {
    std::string method;                       // "GET", "POST", …
    std::string path;                         // decoded, without the query string
    std::map<std::string, std::string> query; // decoded query parameters
    std::string body;
    std::string content_type;  // Content-Type header, if any
    std::string authorization; // Authorization header, if any
    std::string idempotency_key;
    std::string client;              // remote address, for throttling and logs
    std::vector<std::string> params; // values of {placeholders} in the matched pattern
    auth::Principal principal;       // set by the router once the token is checked

    const std::string* query_param(const std::string& name) const {
        auto it = query.find(name);
        return it == query.end() ? nullptr : &it->second;
    }
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers; // extra headers

    static Response json(int status, const nlohmann::json& body);
    static Response no_content() { return Response{204, "", "", {}}; }
    // RFC 9457 problem details naming the field and the reason.
    static Response problem(const base::Error& e);
};

// Request bodies are limited to kBodyLimit bytes, except uploads (POST
// /api/v1/evidence/{code}/photos), which may carry up to kUploadLimit.
inline constexpr std::size_t kBodyLimit = 1 << 20;
inline constexpr std::size_t kUploadLimit = 8 << 20;
// Frames queued for one stream client before it is closed (1008) to reconnect with ?after=
// (serve --stream-queue-limit).
inline constexpr std::size_t kStreamQueueLimit = 50'000;
// Whether a request line names an upload route (its raw target, query string allowed).
bool is_upload(std::string_view method, std::string_view target);

// Completes a request exactly once; may be called from any thread.
using Reply = std::function<void(Response)>;
using Handler = std::function<void(Request&, Reply)>;

} // namespace pingan::server
