// Report periods and lists as people type them, read the same way by the CLI (`pingan report
// compstat`, `hotspots`, `plan posts`, `replay`) and by the analytics API: dates or ISO-8601
// times in a time zone ("2024-01-31" as an end means the whole of that day), the period a
// report compares against, and comma-separated lists.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/compstat.hpp"
#include "analytics/incident_facts.hpp"
#include "base/result.hpp"
#include "io/time_zone.hpp"

namespace pingan::io {

struct PeriodText {
    std::string from, to, tz = "UTC";
};

struct ReportPeriod {
    analytics::Period period;
    TimeZone zone = TimeZone::fixed("UTC", 0);
};

// bad_argument with field "tz", "from" or "to"; the detail says what is wrong with the value
// without naming the field (the CLI writes "--from: …", the API "from: …").
base::Result<ReportPeriod> parse_report_period(const PeriodText& text);

// A date (YYYY-MM-DD, local midnight in `zone`; as an end, the midnight after it) or an
// ISO-8601 time with its offset. Nothing when the text is neither.
std::optional<base::TimeMs> parse_period_bound(std::string_view text, const TimeZone& zone,
                                               bool end);

// The same local dates one year earlier (29 February becomes 28 February).
analytics::Period previous_year(const analytics::Period& p, const TimeZone& zone);

// "previous-year", "previous-period" or "none"; bad_argument with field "compare" otherwise.
base::Result<analytics::Compare> parse_compare(std::string_view text);

// The comparison period a report uses, or nothing for Compare::none.
std::optional<analytics::Period>
comparison_period(analytics::Compare compare, const analytics::Period& p, const TimeZone& zone);

// "a, b,,c" -> {"a", "b", "c"}: split at commas, trimmed, empty parts dropped.
std::vector<std::string> split_list(std::string_view s);

// "100,200,400" -> {100, 200, 400}; false when a part is not a number or the list is empty.
bool parse_numbers(std::string_view s, std::vector<double>& out);

} // namespace pingan::io
