// The one error table of pingan: every expected failure has a code, an HTTP status, a problem
// type and a title. Append new codes at the end of both the enum and the table.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pingan::base {

enum class Code : std::uint16_t {
    ok = 0,
    // Request shape (HTTP bodies, query strings, CLI arguments).
    malformed_json, // body is not JSON, or not UTF-8
    field_missing,  // a required field is absent
    field_type,     // a field has the wrong JSON type
    field_invalid,  // a field's value is out of range or not one of the allowed values
    field_too_long, // a string field exceeds its limit
    body_too_large, // request body over the server's limit
    bad_argument,   // CLI or query-string argument invalid
    // Authentication and authorisation.
    unauthenticated, // no token, unknown token, or expired token
    forbidden,       // the caller's role may not use this route
    login_failed,    // wrong user name or password (never says which)
    rate_limited,    // too many failed logins; retry later
    // Lookups.
    not_found,          // no such route
    method_not_allowed, // route exists, method does not
    unknown_incident,
    unknown_unit,
    unknown_user,
    // Domain rules.
    invalid_transition, // state machine refuses from -> to
    unit_not_available, // dispatch of a unit that is not available
    already_assigned,   // unit already on this incident
    duplicate_callsign,
    duplicate_username,
    // Infrastructure.
    unavailable, // the store cannot accept writes now (retry)
    internal,
    io_error,     // a file could not be read or written
    corrupt_file, // a file is truncated, of the wrong format, or fails its checks
    // Road network.
    off_road,    // a coordinate is farther than the snapping radius from any road
    unreachable, // no route between two road positions
    // Cases and evidence custody.
    unknown_item,    // no evidence item with this code
    duplicate_item,  // an evidence item with this code already exists
    not_in_custody,  // the giver (or disposer) does not hold the item
    backdated_event, // an event earlier than the item's last event
    // Attachments.
    unsupported_media_type, // a body's Content-Type is not one the route takes
    // Appended codes go here, and in kErrorTable.
};

struct ErrorInfo {
    Code code;
    int http_status;
    std::string_view slug;  // stable machine name, also the problem type suffix
    std::string_view title; // short human summary; the detail names field and reason
};

// Looks up the table row of a code. Never fails for a declared code.
const ErrorInfo& info(Code code);

// An expected failure: what went wrong, which field (if any), and why in plain words.
struct Error {
    Code code = Code::internal;
    std::string field;  // JSON field, query parameter or CLI option; empty when not about one
    std::string detail; // full sentence naming the field and the reason

    int http_status() const { return info(code).http_status; }
    std::string_view slug() const { return info(code).slug; }
};

// Convenience constructors so that handlers read `return error(Code::unknown_unit, "unit_id",
// ...)`.
Error error(Code code, std::string field, std::string detail);
Error error(Code code, std::string detail);

} // namespace pingan::base
