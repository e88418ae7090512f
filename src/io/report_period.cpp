#include "io/report_period.hpp"

#include <charconv>

#include <fmt/core.h>

#include "base/time.hpp"

namespace pingan::io {

std::optional<base::TimeMs> parse_period_bound(std::string_view text, const TimeZone& zone,
                                               bool end) {
    if (auto t = base::parse_iso8601(text)) return t;
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    auto num = [&](std::size_t at, std::size_t len, int& v) {
        const auto [p, ec] = std::from_chars(text.data() + at, text.data() + at + len, v);
        return ec == std::errc() && p == text.data() + at + len;
    };
    int y = 0, m = 0, d = 0;
    if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d) || m < 1 || m > 12 || d < 1 || d > 31) {
        return std::nullopt;
    }
    base::TimeMs local = base::from_civil(base::CivilTime{y, m, d, 0, 0, 0, 0});
    if (base::to_civil(local).day != d) return std::nullopt; // 2024-02-30
    if (end) local += 86'400'000;
    return zone.to_utc(local);
}

base::Result<ReportPeriod> parse_report_period(const PeriodText& text) {
    auto zone = TimeZone::load(text.tz);
    if (!zone) return base::error(base::Code::bad_argument, "tz", zone.error().detail);
    constexpr std::string_view kForm = "is not a date (YYYY-MM-DD) or an ISO-8601 time";
    const auto from = parse_period_bound(text.from, *zone, false);
    if (!from) {
        return base::error(base::Code::bad_argument, "from",
                           fmt::format("'{}' {}", text.from.substr(0, 64), kForm));
    }
    const auto to = parse_period_bound(text.to, *zone, true);
    if (!to) {
        return base::error(base::Code::bad_argument, "to",
                           fmt::format("'{}' {}", text.to.substr(0, 64), kForm));
    }
    if (*to <= *from) {
        return base::error(base::Code::bad_argument, "to",
                           fmt::format("{} is not after from {}", text.to, text.from));
    }
    return ReportPeriod{{*from, *to}, std::move(zone).value()};
}

analytics::Period previous_year(const analytics::Period& p, const TimeZone& zone) {
    auto shift = [&](base::TimeMs utc) {
        const int off_min = zone.offset_at(utc) / 60;
        base::CivilTime c = base::to_civil(utc, off_min);
        c.year -= 1;
        if (c.month == 2 && c.day == 29) c.day = 28;
        return zone.to_utc(base::from_civil(c));
    };
    return {shift(p.from), shift(p.to)};
}

base::Result<analytics::Compare> parse_compare(std::string_view text) {
    if (text == "previous-year") return analytics::Compare::previous_year;
    if (text == "previous-period") return analytics::Compare::previous_period;
    if (text == "none") return analytics::Compare::none;
    return base::error(
        base::Code::bad_argument, "compare",
        fmt::format("'{}' is not previous-year, previous-period or none", text.substr(0, 64)));
}

std::optional<analytics::Period>
comparison_period(analytics::Compare compare, const analytics::Period& p, const TimeZone& zone) {
    switch (compare) {
    case analytics::Compare::previous_year:
        return previous_year(p, zone);
    case analytics::Compare::previous_period:
        return analytics::Period{p.from - p.length_ms(), p.from};
    case analytics::Compare::none:
        break;
    }
    return std::nullopt;
}

std::vector<std::string> split_list(std::string_view s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        const std::size_t comma = s.find(',', start);
        std::string_view part = s.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        while (!part.empty() && part.front() == ' ')
            part.remove_prefix(1);
        while (!part.empty() && part.back() == ' ')
            part.remove_suffix(1);
        if (!part.empty()) out.emplace_back(part);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return out;
}

bool parse_numbers(std::string_view s, std::vector<double>& out) {
    out.clear();
    for (const std::string& part : split_list(s)) {
        double v = 0;
        const auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
        if (ec != std::errc() || p != part.data() + part.size()) return false;
        out.push_back(v);
    }
    return !out.empty();
}

} // namespace pingan::io
