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

// Completes a request exactly once; may be called from any thread.
using Reply = std::function<void(Response)>;
using Handler = std::function<void(Request&, Reply)>;

} // namespace pingan::server
