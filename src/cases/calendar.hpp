// Civil dates and the working-day calendar of a centre: Saturdays and Sundays are rest days,
// public holidays are added from config, and make-up working days (调休上班) turn a weekend day
// into a working day. Loaded from config/holidays.toml; the caller reads the file.
#pragma once

#include <compare>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"

namespace pingan::cases {

// A day of the proleptic Gregorian calendar, with no time zone attached.
struct Date {
    int year = 1970;
    int month = 1; // 1..12
    int day = 1;   // 1..31

    friend auto operator<=>(const Date&, const Date&) = default;
};

// Days since 1970-01-01 (negative before).
std::int64_t day_number(Date d);
Date date_from_day_number(std::int64_t n);
// 1 = Monday .. 7 = Sunday (ISO 8601).
int iso_weekday(Date d);
bool valid_date(Date d);
Date add_days(Date d, std::int64_t n);
// The same day n months later; when that month is shorter, its last day. A start on the last
// day of a month ends on the last day of the target month (month rule of PRC procedure: "from
// a day of this month to the same day of the next month is one month").
Date add_months(Date d, int n);
// "2026-10-01"
std::string format_date(Date d);

// The local date of an instant at a fixed UTC offset (minutes east of UTC; China: +480).
Date local_date(base::TimeMs t, int utc_offset_minutes);
// The instant at which a local date begins (00:00 local).
base::TimeMs start_of_day(Date d, int utc_offset_minutes);

struct Holiday {
    std::string name;
    Date from;                         // first rest day
    Date to;                           // last rest day (inclusive)
    std::vector<Date> makeup_workdays; // weekend days worked instead (调休上班)
};

class WorkCalendar {
public:
    // Weekends only, no holidays.
    WorkCalendar() = default;

    // Parses TOML text with [[holiday]] tables (name, from, to, optional makeup_workdays, all
    // TOML dates). A problem names the entry and the field.
    static base::Result<WorkCalendar> parse(std::string_view toml_text);

    // Adds a holiday; refuses to < from, a span over 31 days, or a make-up day inside a holiday.
    base::Status add(Holiday holiday);

    bool is_working_day(Date d) const;
    // The n-th working day after `start`; `start` itself is not counted (n >= 0; n = 0 gives
    // `start`).
    Date add_working_days(Date start, int n) const;
    // `d` if it is a working day, else the first working day after it.
    Date first_working_day_from(Date d) const;
    const std::vector<Holiday>& holidays() const { return holidays_; }

private:
    std::vector<Holiday> holidays_;
    std::set<std::int64_t> rest_days_;   // day numbers of holiday rest days
    std::set<std::int64_t> makeup_days_; // day numbers of make-up working days
};

} // namespace pingan::cases
