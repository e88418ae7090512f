// Time zones for importing local times: UTC, fixed offsets ("+08:00") and IANA zones
// ("America/New_York") read from the system's compiled tz database (TZif files, RFC 8536,
// including the POSIX TZ rule in the footer for instants after the last listed transition).
// GCC 12's <chrono> has no time-zone database, hence this small reader.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"

namespace pingan::io {

class TimeZone {
public:
    // "UTC", "Z", "+08:00", "-0500", "UTC+8", or an IANA name looked up under $TZDIR
    // (default /usr/share/zoneinfo). bad_argument naming the zone when it is unknown.
    static base::Result<TimeZone> load(std::string_view name);
    // Parses TZif bytes (for tests and for callers with their own database).
    static base::Result<TimeZone> from_tzif(std::string_view name, std::string_view bytes);
    static TimeZone fixed(std::string_view name, int offset_s);

    const std::string& name() const { return name_; }
    // UTC offset in seconds in effect at a UTC instant.
    int offset_at(base::TimeMs utc) const;
    // The UTC instant of a local wall-clock time (given as ms since 1970 of that wall clock).
    // Ambiguous times (clocks set back) resolve to the earlier instant; times skipped by a
    // spring-forward gap are read with the offset before the gap (so they land after it).
    base::TimeMs to_utc(base::TimeMs local) const;

private:
    // POSIX TZ rule "EST5EDT,M3.2.0,M11.1.0": a standard offset and an optional DST period.
    struct Rule {
        int std_offset_s = 0;
        bool has_dst = false;
        int dst_offset_s = 0;
        // Mm.w.d/time transitions: month, week (5 = last), weekday (0 = Sunday), local secs.
        int start_month = 0, start_week = 0, start_day = 0, start_time_s = 7200;
        int end_month = 0, end_week = 0, end_day = 0, end_time_s = 7200;
    };
    static std::optional<Rule> parse_rule(std::string_view text);
    int rule_offset(base::TimeMs utc) const;

    std::string name_;
    std::vector<std::int64_t> transitions_s_; // UTC seconds, ascending
    std::vector<int> offsets_after_s_;        // offset in effect from each transition on
    int initial_offset_s_ = 0;                // before the first transition
    std::optional<Rule> rule_;                // after the last transition
};

// A UTC offset as ISO 8601 writes it ("+08:00", "-05:00"); TimeZone::load reads it back.
std::string offset_text(int offset_s);

} // namespace pingan::io
