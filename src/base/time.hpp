// Time on the wire and in the store: UTC milliseconds since the Unix epoch, written as
// ISO-8601 with milliseconds ("2026-11-21T21:20:48.123Z").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pingan::base {

using TimeMs = std::int64_t; // milliseconds since 1970-01-01T00:00:00Z

// Civil date of a UTC offset-adjusted instant.
struct CivilTime {
    int year = 1970;
    int month = 1; // 1..12
    int day = 1;   // 1..31
    int hour = 0;
    int minute = 0;
    int second = 0;
    int millisecond = 0;
};

CivilTime to_civil(TimeMs t, int utc_offset_minutes = 0);
TimeMs from_civil(const CivilTime& c, int utc_offset_minutes = 0);

// "2026-11-21T21:20:48.123Z"
std::string format_iso8601(TimeMs t);
// Accepts "YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM|±HHMM|±HH)"; a space may stand for 'T'.
// Returns nothing for anything else, including out-of-range fields.
std::optional<TimeMs> parse_iso8601(std::string_view text);

} // namespace pingan::base
