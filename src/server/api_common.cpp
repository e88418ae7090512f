#include <charconv>
#include <cmath>

#include <fmt/core.h>

#include "server/api.hpp"

namespace pingan::server::api {

base::Result<ops::Id> path_id(const Request& req, std::size_t index, std::string_view name) {
    const std::string& text = req.params.at(index);
    ops::Id id = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
        return base::error(
            base::Code::field_invalid, std::string(name),
            fmt::format("{}: '{}' is not a positive integer id", name, text.substr(0, 40)));
    }
    return id;
}

Operations::Done respond(Reply reply, int status) {
    return [reply = std::move(reply), status](base::Result<std::string> r) {
        if (!r) {
            reply(Response::problem(r.error()));
        } else if (status == 204) {
            reply(Response::no_content());
        } else {
            reply(Response{status, "application/json", std::move(r).value(), {}});
        }
    };
}

base::Result<std::int64_t> query_int(const Request& req, const std::string& name,
                                     std::int64_t fallback, std::int64_t min, std::int64_t max) {
    const std::string* text = req.query_param(name);
    if (text == nullptr || text->empty()) return fallback;
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc() || end != text->data() + text->size() || v < min || v > max) {
        return base::error(base::Code::bad_argument, name,
                           fmt::format("{}: must be an integer from {} to {}", name, min, max));
    }
    return v;
}

base::Result<double> query_number(const Request& req, const std::string& name, double min,
                                  double max) {
    const std::string* t = req.query_param(name);
    if (t == nullptr || t->empty()) {
        return base::error(base::Code::bad_argument, name, fmt::format("{}: required", name));
    }
    double v = 0;
    const auto [end, ec] = std::from_chars(t->data(), t->data() + t->size(), v);
    if (ec != std::errc() || end != t->data() + t->size() || !std::isfinite(v) || v < min ||
        v > max) {
        return base::error(base::Code::bad_argument, name,
                           fmt::format("{}: must be a number from {} to {}", name, min, max));
    }
    return v;
}

} // namespace pingan::server::api
