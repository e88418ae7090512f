// Parsing the time stamps of incident files with a strptime-like format, so that a mapping
// file states exactly what a column holds ("%Y/%m/%d %H:%M:%S%z", "%m/%d/%Y %I:%M %p").
//
// Conversions: %Y (4-digit year), %y (2-digit: 69–99 → 19xx, else 20xx), %m, %d, %e, %H, %I,
// %M (1 or 2 digits), %S (2 digits, optionally followed by a fraction ".123"), %p (AM/PM),
// %b (English month abbreviation), %z (Z, +hh, +hhmm, +hh:mm), %%. A space matches one or
// more spaces; any other character matches itself. Whole-value formats: "iso8601"
// (YYYY-MM-DD[T ]hh:mm[:ss[.fff]][offset]), "epoch_s", "epoch_ms".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "base/time.hpp"

namespace pingan::io {

struct ParsedTime {
    base::TimeMs local_ms = 0;   // the wall-clock time as if it were UTC
    std::optional<int> offset_s; // when the value carried an offset (%z, iso8601, epoch)
};

// Checks a format string: bad_argument naming the unsupported conversion.
base::Status check_time_format(std::string_view format);
// Nothing when the value does not match the format.
std::optional<ParsedTime> parse_time(std::string_view value, std::string_view format);
// How finely a format resolves time, in seconds: 1 with %S (or epoch, iso8601), 60 with %M,
// 3600 with only hours, 86400 for dates.
int time_resolution_s(std::string_view format);

} // namespace pingan::io
