#include "cases/calendar.hpp"

#include <fmt/core.h>
#include <toml++/toml.h>

namespace pingan::cases {
namespace {

constexpr std::int64_t kMsPerDay = 86'400'000;
constexpr int kMaxHolidayDays = 31;

int days_in_month(int y, int m) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : kDays[m - 1];
}

base::Error problem(const std::string& where, const std::string& detail) {
    return base::error(base::Code::corrupt_file, where,
                       fmt::format("holidays: {}: {}", where, detail));
}

std::optional<Date> read_date(const toml::node* node) {
    if (node == nullptr) return std::nullopt;
    const auto d = node->value<toml::date>();
    if (!d) return std::nullopt;
    return Date{d->year, d->month, d->day};
}

} // namespace

std::int64_t day_number(Date d) {
    return base::from_civil(base::CivilTime{d.year, d.month, d.day, 0, 0, 0, 0}) / kMsPerDay;
}

Date date_from_day_number(std::int64_t n) {
    const base::CivilTime c = base::to_civil(n * kMsPerDay);
    return Date{c.year, c.month, c.day};
}

int iso_weekday(Date d) {
    // 1970-01-01 was a Thursday (4).
    const std::int64_t w = (day_number(d) + 3) % 7;
    return static_cast<int>(w < 0 ? w + 7 : w) + 1;
}

bool valid_date(Date d) {
    return d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= days_in_month(d.year, d.month);
}

Date add_days(Date d, std::int64_t n) {
    return date_from_day_number(day_number(d) + n);
}

Date add_months(Date d, int n) {
    const int index = d.year * 12 + (d.month - 1) + n;
    Date out{index / 12, index % 12 + 1, 1};
    const int last = days_in_month(out.year, out.month);
    const bool from_month_end = d.day == days_in_month(d.year, d.month);
    out.day = from_month_end || d.day > last ? last : d.day;
    return out;
}

std::string format_date(Date d) {
    return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
}

Date local_date(base::TimeMs t, int utc_offset_minutes) {
    const base::CivilTime c = base::to_civil(t, utc_offset_minutes);
    return Date{c.year, c.month, c.day};
}

base::TimeMs start_of_day(Date d, int utc_offset_minutes) {
    return base::from_civil(base::CivilTime{d.year, d.month, d.day, 0, 0, 0, 0},
                            utc_offset_minutes);
}

base::Result<WorkCalendar> WorkCalendar::parse(std::string_view toml_text) {
    toml::table doc;
    try {
        doc = toml::parse(toml_text);
    } catch (const toml::parse_error& e) {
        return problem(fmt::format("line {}", e.source().begin.line), std::string(e.description()));
    }
    WorkCalendar cal;
    const toml::node* list_node = doc.get("holiday");
    if (list_node == nullptr) return cal;
    const toml::array* list = list_node->as_array();
    if (list == nullptr) return problem("holiday", "must be an array of [[holiday]] tables");
    for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string where = fmt::format("holiday[{}]", i);
        const toml::table* row = list->get(i)->as_table();
        if (row == nullptr) return problem(where, "must be a table");
        Holiday h;
        h.name = (*row)["name"].value_or(std::string());
        if (h.name.empty()) return problem(where + ".name", "is required");
        const auto from = read_date(row->get("from"));
        if (!from) return problem(where + ".from", "must be a date such as 2026-10-01");
        // A one-day holiday may leave out `to`.
        const toml::node* to_node = row->get("to");
        const auto to = to_node == nullptr ? from : read_date(to_node);
        if (!to) return problem(where + ".to", "must be a date such as 2026-10-07");
        h.from = *from;
        h.to = *to;
        if (const toml::node* m = row->get("makeup_workdays")) {
            const toml::array* days = m->as_array();
            if (days == nullptr) return problem(where + ".makeup_workdays", "must be an array");
            for (std::size_t k = 0; k < days->size(); ++k) {
                const auto d = read_date(days->get(k));
                if (!d) {
                    return problem(fmt::format("{}.makeup_workdays[{}]", where, k),
                                   "must be a date");
                }
                h.makeup_workdays.push_back(*d);
            }
        }
        if (base::Status st = cal.add(std::move(h)); !st) {
            return problem(where, st.error().detail);
        }
    }
    return cal;
}

base::Status WorkCalendar::add(Holiday holiday) {
    if (!valid_date(holiday.from) || !valid_date(holiday.to)) {
        return base::error(base::Code::field_invalid, "from", "a holiday date is not a valid date");
    }
    const std::int64_t first = day_number(holiday.from);
    const std::int64_t last = day_number(holiday.to);
    if (last < first) {
        return base::error(base::Code::field_invalid, "to",
                           fmt::format("'{}' ends ({}) before it starts ({})", holiday.name,
                                       format_date(holiday.to), format_date(holiday.from)));
    }
    if (last - first + 1 > kMaxHolidayDays) {
        return base::error(
            base::Code::field_invalid, "to",
            fmt::format("'{}' spans more than {} days", holiday.name, kMaxHolidayDays));
    }
    for (const Date d : holiday.makeup_workdays) {
        const std::int64_t n = day_number(d);
        if (!valid_date(d) || rest_days_.count(n) != 0 || (n >= first && n <= last)) {
            return base::error(base::Code::field_invalid, "makeup_workdays",
                               fmt::format("make-up working day {} of '{}' falls on a holiday",
                                           format_date(d), holiday.name));
        }
    }
    for (std::int64_t n = first; n <= last; ++n) {
        if (makeup_days_.count(n) != 0) {
            return base::error(base::Code::field_invalid, "from",
                               fmt::format("'{}' covers {}, already a make-up working day",
                                           holiday.name, format_date(date_from_day_number(n))));
        }
    }
    for (std::int64_t n = first; n <= last; ++n)
        rest_days_.insert(n);
    for (const Date d : holiday.makeup_workdays)
        makeup_days_.insert(day_number(d));
    holidays_.push_back(std::move(holiday));
    return {};
}

bool WorkCalendar::is_working_day(Date d) const {
    const std::int64_t n = day_number(d);
    if (makeup_days_.count(n) != 0) return true;
    if (rest_days_.count(n) != 0) return false;
    return iso_weekday(d) <= 5;
}

Date WorkCalendar::add_working_days(Date start, int n) const {
    // Holidays span at most 31 days each, so every step ends after finitely many days.
    std::int64_t day = day_number(start);
    for (int counted = 0; counted < n;) {
        ++day;
        if (is_working_day(date_from_day_number(day))) ++counted;
    }
    return date_from_day_number(day);
}

Date WorkCalendar::first_working_day_from(Date d) const {
    while (!is_working_day(d))
        d = add_days(d, 1);
    return d;
}

} // namespace pingan::cases
