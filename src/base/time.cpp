#include "base/time.hpp"

#include <charconv>
#include <cstdio>

namespace pingan::base {
namespace {

constexpr std::int64_t kMsPerDay = 86'400'000;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, int& m, int& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0));
}

int days_in_month(int y, int m) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : kDays[m - 1];
}

bool read_int(std::string_view s, std::size_t pos, std::size_t len, int& out) {
    if (pos + len > s.size()) return false;
    for (std::size_t i = pos; i < pos + len; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
    }
    std::from_chars(s.data() + pos, s.data() + pos + len, out);
    return true;
}

} // namespace

CivilTime to_civil(TimeMs t, int utc_offset_minutes) {
    t += static_cast<TimeMs>(utc_offset_minutes) * 60'000;
    std::int64_t days = t / kMsPerDay;
    std::int64_t rem = t % kMsPerDay;
    if (rem < 0) {
        rem += kMsPerDay;
        --days;
    }
    CivilTime c;
    civil_from_days(days, c.year, c.month, c.day);
    c.hour = static_cast<int>(rem / 3'600'000);
    c.minute = static_cast<int>(rem / 60'000 % 60);
    c.second = static_cast<int>(rem / 1000 % 60);
    c.millisecond = static_cast<int>(rem % 1000);
    return c;
}

TimeMs from_civil(const CivilTime& c, int utc_offset_minutes) {
    const std::int64_t days =
        days_from_civil(c.year, static_cast<unsigned>(c.month), static_cast<unsigned>(c.day));
    return days * kMsPerDay + c.hour * 3'600'000LL + c.minute * 60'000LL + c.second * 1000LL +
           c.millisecond - static_cast<TimeMs>(utc_offset_minutes) * 60'000;
}

std::string format_iso8601(TimeMs t) {
    const CivilTime c = to_civil(t);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", c.year, c.month, c.day,
                  c.hour, c.minute, c.second, c.millisecond);
    return buf;
}

std::optional<TimeMs> parse_iso8601(std::string_view s) {
    CivilTime c;
    if (!read_int(s, 0, 4, c.year) || s.size() < 16 || s[4] != '-' || !read_int(s, 5, 2, c.month) ||
        s[7] != '-' || !read_int(s, 8, 2, c.day) || (s[10] != 'T' && s[10] != ' ') ||
        !read_int(s, 11, 2, c.hour) || s[13] != ':' || !read_int(s, 14, 2, c.minute)) {
        return std::nullopt;
    }
    std::size_t pos = 16;
    if (pos < s.size() && s[pos] == ':') {
        if (!read_int(s, pos + 1, 2, c.second)) return std::nullopt;
        pos += 3;
        if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
            ++pos;
            int digits = 0;
            int ms = 0;
            while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
                if (digits < 3) ms = ms * 10 + (s[pos] - '0');
                ++digits;
                ++pos;
            }
            if (digits == 0) return std::nullopt;
            for (int i = digits; i < 3; ++i)
                ms *= 10;
            c.millisecond = ms;
        }
    }
    int offset = 0;
    if (pos == s.size()) return std::nullopt; // a time without zone is ambiguous
    if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
        // +HH:MM, +HHMM or +HH
        int oh = 0;
        int om = 0;
        if (!read_int(s, pos + 1, 2, oh)) return std::nullopt;
        std::size_t mpos = pos + 3;
        if (mpos < s.size() && s[mpos] == ':') ++mpos;
        if (mpos < s.size()) {
            if (!read_int(s, mpos, 2, om)) return std::nullopt;
            mpos += 2;
        }
        if (oh > 23 || om > 59) return std::nullopt;
        offset = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
        pos = mpos;
    } else {
        return std::nullopt;
    }
    if (pos != s.size()) return std::nullopt;
    if (c.month < 1 || c.month > 12 || c.day < 1 || c.day > days_in_month(c.year, c.month) ||
        c.hour > 23 || c.minute > 59 || c.second > 60) {
        return std::nullopt;
    }
    if (c.second == 60) c.second = 59; // leap second: clamp, we do not model them
    return from_civil(c, offset);
}

} // namespace pingan::base
