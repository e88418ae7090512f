#include "io/time_zone.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include <fmt/core.h>

namespace pingan::io {
namespace {

std::int64_t be32(std::string_view b, std::size_t at) {
    const auto u = (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) << 24) |
                   (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 16) |
                   (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 8) |
                   static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3]));
    return static_cast<std::int32_t>(u);
}

std::int64_t be64(std::string_view b, std::size_t at) {
    const auto hi = static_cast<std::uint64_t>(static_cast<std::uint32_t>(be32(b, at)));
    const auto lo = static_cast<std::uint64_t>(static_cast<std::uint32_t>(be32(b, at + 4)));
    return static_cast<std::int64_t>((hi << 32) | lo);
}

// "+08:00", "-0500", "+8", "UTC+8", "Z", "UTC": offset in seconds.
std::optional<int> parse_fixed(std::string_view s) {
    if (s == "UTC" || s == "Z" || s == "GMT" || s == "Etc/UTC" || s == "utc") return 0;
    if (s.substr(0, 3) == "UTC" || s.substr(0, 3) == "GMT") s.remove_prefix(3);
    if (s.empty() || (s[0] != '+' && s[0] != '-')) return std::nullopt;
    const int sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
    int digits[4] = {0, 0, 0, 0};
    int n = 0;
    for (char c : s) {
        if (c == ':') continue;
        if (!std::isdigit(static_cast<unsigned char>(c)) || n == 4) return std::nullopt;
        digits[n++] = c - '0';
    }
    int h = 0, m = 0;
    if (n == 1) {
        h = digits[0];
    } else if (n == 2) {
        h = digits[0] * 10 + digits[1];
    } else if (n == 4) {
        h = digits[0] * 10 + digits[1];
        m = digits[2] * 10 + digits[3];
    } else {
        return std::nullopt;
    }
    if (h > 14 || m > 59) return std::nullopt;
    return sign * (h * 3600 + m * 60);
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool leap(std::int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// Local seconds of the Mm.w.d/time transition in year y.
std::int64_t rule_local_s(std::int64_t y, int month, int week, int wday, int time_s) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const std::int64_t first = days_from_civil(y, month, 1);
    const int first_wday = static_cast<int>(((first % 7) + 7 + 4) % 7); // 1970-01-01: Thursday
    int day = 1 + (wday - first_wday + 7) % 7 + (week - 1) * 7;
    const int month_days = kDays[month - 1] + (month == 2 && leap(y) ? 1 : 0);
    while (day > month_days)
        day -= 7;
    return (first + day - 1) * 86400 + time_s;
}

} // namespace

TimeZone TimeZone::fixed(std::string_view name, int offset_s) {
    TimeZone z;
    z.name_ = std::string(name);
    z.initial_offset_s_ = offset_s;
    return z;
}

base::Result<TimeZone> TimeZone::load(std::string_view name) {
    if (auto off = parse_fixed(name)) return fixed(name, *off);
    const bool plausible = !name.empty() && name.find("..") == std::string_view::npos &&
                           name.front() != '/' && std::all_of(name.begin(), name.end(), [](char c) {
                               return std::isalnum(static_cast<unsigned char>(c)) || c == '/' ||
                                      c == '_' || c == '-' || c == '+';
                           });
    if (!plausible) {
        return base::error(base::Code::bad_argument, "timezone",
                           fmt::format("'{}' is not a time zone (use an IANA name such as "
                                       "America/New_York, UTC, or an offset such as +08:00)",
                                       name));
    }
    const char* dir = std::getenv("TZDIR");
    const std::string path =
        fmt::format("{}/{}", dir != nullptr && *dir != 0 ? dir : "/usr/share/zoneinfo", name);
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return base::error(base::Code::bad_argument, "timezone",
                           fmt::format("unknown time zone '{}' (no {})", name, path));
    }
    const std::string bytes{std::istreambuf_iterator<char>(in), {}};
    return from_tzif(name, bytes);
}

base::Result<TimeZone> TimeZone::from_tzif(std::string_view name, std::string_view b) {
    auto corrupt = [&](std::string_view why) {
        return base::error(base::Code::bad_argument, "timezone",
                           fmt::format("time zone '{}': not a valid TZif file ({})", name, why));
    };
    if (b.size() < 44 || b.substr(0, 4) != "TZif") return corrupt("no TZif header");
    const char version = b[4];
    struct Counts {
        std::int64_t isut, isstd, leap, time, type, chars;
    };
    auto counts_at = [&](std::size_t at) {
        return Counts{be32(b, at + 20), be32(b, at + 24), be32(b, at + 28),
                      be32(b, at + 32), be32(b, at + 36), be32(b, at + 40)};
    };
    Counts c = counts_at(0);
    std::size_t at = 44;
    int time_size = 4;
    if (version >= '2') {
        // Skip the version 1 block; use the 64-bit one that follows.
        at += static_cast<std::size_t>(c.time * 5 + c.type * 6 + c.chars + c.leap * 8 + c.isstd +
                                       c.isut);
        if (b.size() < at + 44 || b.substr(at, 4) != "TZif") return corrupt("no second header");
        c = counts_at(at);
        at += 44;
        time_size = 8;
    }
    const std::size_t need =
        static_cast<std::size_t>(c.time * (time_size + 1) + c.type * 6 + c.chars +
                                 c.leap * (time_size + 4) + c.isstd + c.isut);
    if (c.type < 1 || b.size() < at + need) return corrupt("truncated");
    TimeZone z;
    z.name_ = std::string(name);
    std::vector<std::uint8_t> idx(static_cast<std::size_t>(c.time));
    for (std::int64_t i = 0; i < c.time; ++i) {
        z.transitions_s_.push_back(time_size == 8 ? be64(b, at + static_cast<std::size_t>(i) * 8)
                                                  : be32(b, at + static_cast<std::size_t>(i) * 4));
    }
    at += static_cast<std::size_t>(c.time * time_size);
    for (std::int64_t i = 0; i < c.time; ++i)
        idx[static_cast<std::size_t>(i)] =
            static_cast<std::uint8_t>(b[at + static_cast<std::size_t>(i)]);
    at += static_cast<std::size_t>(c.time);
    std::vector<int> type_offset(static_cast<std::size_t>(c.type));
    std::vector<bool> type_dst(static_cast<std::size_t>(c.type));
    for (std::int64_t i = 0; i < c.type; ++i) {
        type_offset[static_cast<std::size_t>(i)] =
            static_cast<int>(be32(b, at + static_cast<std::size_t>(i) * 6));
        type_dst[static_cast<std::size_t>(i)] = b[at + static_cast<std::size_t>(i) * 6 + 4] != 0;
    }
    at += static_cast<std::size_t>(c.type * 6);
    for (std::uint8_t t : idx) {
        if (t >= c.type) return corrupt("transition type out of range");
        z.offsets_after_s_.push_back(type_offset[t]);
    }
    // Before the first transition: the first standard-time type (RFC 8536 §3.2), else type 0.
    z.initial_offset_s_ = type_offset[0];
    for (std::size_t t = 0; t < type_dst.size(); ++t) {
        if (!type_dst[t]) {
            z.initial_offset_s_ = type_offset[t];
            break;
        }
    }
    at += static_cast<std::size_t>(c.chars + c.leap * (time_size + 4) + c.isstd + c.isut);
    if (version >= '2' && at < b.size() && b[at] == '\n') {
        const std::size_t end = b.find('\n', at + 1);
        if (end != std::string_view::npos && end > at + 1) {
            z.rule_ = parse_rule(b.substr(at + 1, end - at - 1));
        }
    }
    return z;
}

std::optional<TimeZone::Rule> TimeZone::parse_rule(std::string_view s) {
    // std name: letters or <...>; offset: [+-]hh[:mm[:ss]] (POSIX sign: west is positive).
    std::size_t i = 0;
    auto name = [&]() {
        if (i < s.size() && s[i] == '<') {
            const std::size_t e = s.find('>', i);
            if (e == std::string_view::npos) return false;
            i = e + 1;
            return true;
        }
        const std::size_t b = i;
        while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i])))
            ++i;
        return i - b >= 3;
    };
    auto number = [&](int& v) {
        if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
        v = 0;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
            v = v * 10 + (s[i++] - '0');
        return true;
    };
    auto offset = [&](int& secs) {
        int sign = 1;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) sign = s[i++] == '-' ? -1 : 1;
        int h = 0, m = 0, sec = 0;
        if (!number(h)) return false;
        if (i < s.size() && s[i] == ':') {
            ++i;
            if (!number(m)) return false;
            if (i < s.size() && s[i] == ':') {
                ++i;
                if (!number(sec)) return false;
            }
        }
        secs = sign * (h * 3600 + m * 60 + sec);
        return true;
    };
    auto date = [&](int& month, int& week, int& day, int& time_s) {
        if (i >= s.size() || s[i] != 'M') return false; // only the Mm.w.d form is in use
        ++i;
        if (!number(month) || i >= s.size() || s[i++] != '.' || !number(week) || i >= s.size() ||
            s[i++] != '.' || !number(day)) {
            return false;
        }
        time_s = 7200;
        if (i < s.size() && s[i] == '/') {
            ++i;
            if (!offset(time_s)) return false;
        }
        return month >= 1 && month <= 12 && week >= 1 && week <= 5 && day >= 0 && day <= 6;
    };
    Rule r;
    int posix = 0;
    if (!name() || !offset(posix)) return std::nullopt;
    r.std_offset_s = -posix;
    if (i == s.size()) return r;
    if (!name()) return std::nullopt;
    r.has_dst = true;
    r.dst_offset_s = r.std_offset_s + 3600;
    if (i < s.size() && s[i] != ',') {
        if (!offset(posix)) return std::nullopt;
        r.dst_offset_s = -posix;
    }
    if (i >= s.size() || s[i++] != ',') return std::nullopt;
    if (!date(r.start_month, r.start_week, r.start_day, r.start_time_s)) return std::nullopt;
    if (i >= s.size() || s[i++] != ',') return std::nullopt;
    if (!date(r.end_month, r.end_week, r.end_day, r.end_time_s)) return std::nullopt;
    return i == s.size() ? std::optional<Rule>(r) : std::nullopt;
}

int TimeZone::rule_offset(base::TimeMs utc) const {
    const Rule& r = *rule_;
    if (!r.has_dst) return r.std_offset_s;
    const std::int64_t t = utc >= 0 ? utc / 1000 : -((-utc + 999) / 1000);
    const base::CivilTime civil = base::to_civil(utc, r.std_offset_s / 60);
    // DST starts at a local standard time and ends at a local daylight time.
    const std::int64_t start =
        rule_local_s(civil.year, r.start_month, r.start_week, r.start_day, r.start_time_s) -
        r.std_offset_s;
    const std::int64_t end =
        rule_local_s(civil.year, r.end_month, r.end_week, r.end_day, r.end_time_s) - r.dst_offset_s;
    const bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
    return dst ? r.dst_offset_s : r.std_offset_s;
}

int TimeZone::offset_at(base::TimeMs utc) const {
    const std::int64_t t = utc >= 0 ? utc / 1000 : -((-utc + 999) / 1000);
    if (transitions_s_.empty() || t < transitions_s_.front()) {
        if (transitions_s_.empty() && rule_) return rule_offset(utc);
        return initial_offset_s_;
    }
    if (t >= transitions_s_.back() && rule_) return rule_offset(utc);
    const auto it = std::upper_bound(transitions_s_.begin(), transitions_s_.end(), t);
    return offsets_after_s_[static_cast<std::size_t>(it - transitions_s_.begin()) - 1];
}

base::TimeMs TimeZone::to_utc(base::TimeMs local) const {
    // The offsets in effect a day either side cover every transition near this time.
    const int before = offset_at(local - 86'400'000);
    const int after = offset_at(local + 86'400'000);
    std::optional<base::TimeMs> best;
    for (int off : {before, after}) {
        const base::TimeMs t = local - static_cast<base::TimeMs>(off) * 1000;
        if (offset_at(t) == off && (!best || t < *best)) best = t;
    }
    return best ? *best : local - static_cast<base::TimeMs>(before) * 1000;
}

std::string offset_text(int offset_s) {
    const int a = std::abs(offset_s);
    return fmt::format("{}{:02d}:{:02d}", offset_s < 0 ? '-' : '+', a / 3600, a % 3600 / 60);
}

} // namespace pingan::io
