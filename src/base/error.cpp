#include "base/error.hpp"

#include <array>
#include <cstddef>

namespace pingan::base {
namespace {

constexpr std::array kErrorTable = {
    ErrorInfo{Code::ok, 200, "ok", "OK"},
    ErrorInfo{Code::malformed_json, 400, "malformed_json", "Request body is not valid JSON"},
    ErrorInfo{Code::field_missing, 422, "field_missing", "A required field is missing"},
    ErrorInfo{Code::field_type, 422, "field_type", "A field has the wrong type"},
    ErrorInfo{Code::field_invalid, 422, "field_invalid", "A field has an invalid value"},
    ErrorInfo{Code::field_too_long, 422, "field_too_long", "A field is too long"},
    ErrorInfo{Code::body_too_large, 413, "body_too_large", "Request body is too large"},
    ErrorInfo{Code::bad_argument, 400, "bad_argument", "An argument is invalid"},
    ErrorInfo{Code::unauthenticated, 401, "unauthenticated", "Authentication required"},
    ErrorInfo{Code::forbidden, 403, "forbidden", "Your role may not do this"},
    ErrorInfo{Code::login_failed, 401, "login_failed", "User name or password is wrong"},
    ErrorInfo{Code::rate_limited, 429, "rate_limited", "Too many attempts"},
    ErrorInfo{Code::not_found, 404, "not_found", "No such resource"},
    ErrorInfo{Code::method_not_allowed, 405, "method_not_allowed", "Method not allowed here"},
    ErrorInfo{Code::unknown_incident, 404, "unknown_incident", "No such incident"},
    ErrorInfo{Code::unknown_unit, 404, "unknown_unit", "No such unit"},
    ErrorInfo{Code::unknown_user, 404, "unknown_user", "No such user"},
    ErrorInfo{Code::invalid_transition, 409, "invalid_transition", "Status change not allowed"},
    ErrorInfo{Code::unit_not_available, 409, "unit_not_available", "Unit is not available"},
    ErrorInfo{Code::already_assigned, 409, "already_assigned", "Unit is already assigned"},
    ErrorInfo{Code::duplicate_callsign, 409, "duplicate_callsign", "Call sign already in use"},
    ErrorInfo{Code::duplicate_username, 409, "duplicate_username", "User name already in use"},
    ErrorInfo{Code::unavailable, 503, "unavailable", "Service temporarily unavailable"},
    ErrorInfo{Code::internal, 500, "internal", "Internal error"},
    ErrorInfo{Code::io_error, 500, "io_error", "File could not be read or written"},
    ErrorInfo{Code::corrupt_file, 422, "corrupt_file", "File is corrupt or of the wrong format"},
    ErrorInfo{Code::off_road, 422, "off_road", "Location is too far from any road"},
    ErrorInfo{Code::unreachable, 422, "unreachable", "No route between the two places"},
    ErrorInfo{Code::unknown_item, 404, "unknown_item", "No such evidence item"},
    ErrorInfo{Code::duplicate_item, 409, "duplicate_item", "Evidence item code already in use"},
    ErrorInfo{Code::not_in_custody, 409, "not_in_custody", "Item is not in this person's custody"},
    ErrorInfo{Code::backdated_event, 409, "backdated_event", "Event is earlier than the last one"},
    ErrorInfo{Code::unsupported_media_type, 415, "unsupported_media_type",
              "Content type not accepted here"},
};

constexpr bool table_matches_enum() {
    for (std::size_t i = 0; i < kErrorTable.size(); ++i) {
        if (static_cast<std::size_t>(kErrorTable[i].code) != i) return false;
    }
    return true;
}
static_assert(kErrorTable.size() == static_cast<std::size_t>(Code::unsupported_media_type) + 1,
              "every Code needs exactly one row in kErrorTable");
static_assert(table_matches_enum(), "kErrorTable rows must be in enum order");

} // namespace

const ErrorInfo& info(Code code) {
    return kErrorTable[static_cast<std::size_t>(code)];
}

Error error(Code code, std::string field, std::string detail) {
    return Error{code, std::move(field), std::move(detail)};
}

Error error(Code code, std::string detail) {
    return Error{code, {}, std::move(detail)};
}

} // namespace pingan::base
