#include "io/time_format.hpp"

#include <array>
#include <cctype>
#include <charconv>

#include <fmt/core.h>

namespace pingan::io {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};

bool digits(std::string_view s, std::size_t& i, int min, int max, int& out) {
    int n = 0;
    int v = 0;
    while (i < s.size() && n < max && std::isdigit(static_cast<unsigned char>(s[i]))) {
        v = v * 10 + (s[i] - '0');
        ++i;
        ++n;
    }
    out = v;
    return n >= min;
}

bool parse_offset(std::string_view s, std::size_t& i, int& offset_s) {
    if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
        ++i;
        offset_s = 0;
        return true;
    }
    if (i >= s.size() || (s[i] != '+' && s[i] != '-')) return false;
    const int sign = s[i] == '-' ? -1 : 1;
    ++i;
    int h = 0, m = 0;
    if (!digits(s, i, 2, 2, h)) return false;
    if (i < s.size() && s[i] == ':') ++i;
    if (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        if (!digits(s, i, 2, 2, m)) return false;
    }
    if (h > 14 || m > 59) return false;
    offset_s = sign * (h * 3600 + m * 60);
    return true;
}

bool valid_civil(const base::CivilTime& c) {
    static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (c.month < 1 || c.month > 12 || c.day < 1 || c.hour > 23 || c.minute > 59 || c.second > 60) {
        return false;
    }
    const bool leap = (c.year % 4 == 0 && c.year % 100 != 0) || c.year % 400 == 0;
    const int days = c.month == 2 && !leap ? 28 : kDays[c.month - 1];
    return c.day <= days;
}

std::optional<ParsedTime> parse_epoch(std::string_view v, bool ms) {
    std::int64_t n = 0;
    const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
    return ParsedTime{ms ? n : n * 1000, 0};
}

std::optional<ParsedTime> parse_iso(std::string_view v) {
    base::CivilTime c;
    std::size_t i = 0;
    if (!digits(v, i, 4, 4, c.year) || i >= v.size() || v[i++] != '-' ||
        !digits(v, i, 2, 2, c.month) || i >= v.size() || v[i++] != '-' ||
        !digits(v, i, 2, 2, c.day)) {
        return std::nullopt;
    }
    ParsedTime out;
    if (i < v.size()) {
        if (v[i] != 'T' && v[i] != ' ') return std::nullopt;
        ++i;
        if (!digits(v, i, 2, 2, c.hour) || i >= v.size() || v[i++] != ':' ||
            !digits(v, i, 2, 2, c.minute)) {
            return std::nullopt;
        }
        if (i < v.size() && v[i] == ':') {
            ++i;
            if (!digits(v, i, 2, 2, c.second)) return std::nullopt;
            if (i < v.size() && (v[i] == '.' || v[i] == ',')) {
                ++i;
                int frac = 0, n = 0;
                while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) {
                    if (n < 3) frac = frac * 10 + (v[i] - '0');
                    ++n;
                    ++i;
                }
                if (n == 0) return std::nullopt;
                for (int k = n; k < 3; ++k)
                    frac *= 10;
                c.millisecond = frac;
            }
        }
        if (i < v.size()) {
            int off = 0;
            if (!parse_offset(v, i, off)) return std::nullopt;
            out.offset_s = off;
        }
    }
    if (i != v.size() || !valid_civil(c)) return std::nullopt;
    out.local_ms = base::from_civil(c);
    return out;
}

} // namespace

base::Status check_time_format(std::string_view f) {
    if (f == "iso8601" || f == "epoch_s" || f == "epoch_ms") return {};
    if (f.empty()) return base::error(base::Code::bad_argument, "format", "empty time format");
    bool has_date = false;
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (f[i] != '%') continue;
        if (i + 1 >= f.size()) {
            return base::error(base::Code::bad_argument, "format",
                               fmt::format("time format '{}' ends with a lone %", f));
        }
        const char c = f[++i];
        if (std::string_view("YymdeHIMSpbz%").find(c) == std::string_view::npos) {
            return base::error(base::Code::bad_argument, "format",
                               fmt::format("time format '{}': %{} is not supported (use %Y %y %m "
                                           "%d %e %H %I %M %S %p %b %z)",
                                           f, c));
        }
        if (c == 'Y' || c == 'y') has_date = true;
    }
    if (!has_date) {
        return base::error(base::Code::bad_argument, "format",
                           fmt::format("time format '{}' has no year (%Y or %y)", f));
    }
    return {};
}

int time_resolution_s(std::string_view f) {
    if (f == "iso8601" || f == "epoch_s" || f == "epoch_ms") return 1;
    if (f.find("%S") != std::string_view::npos) return 1;
    if (f.find("%M") != std::string_view::npos) return 60;
    if (f.find("%H") != std::string_view::npos || f.find("%I") != std::string_view::npos) {
        return 3600;
    }
    return 86400;
}

std::optional<ParsedTime> parse_time(std::string_view v, std::string_view f) {
    if (f == "iso8601") return parse_iso(v);
    if (f == "epoch_s") return parse_epoch(v, false);
    if (f == "epoch_ms") return parse_epoch(v, true);
    base::CivilTime c;
    c.day = 1;
    ParsedTime out;
    int hour12 = -1;
    int pm = -1;
    std::size_t i = 0;
    for (std::size_t k = 0; k < f.size(); ++k) {
        const char fc = f[k];
        if (fc == ' ') {
            if (i >= v.size() || v[i] != ' ') return std::nullopt;
            while (i < v.size() && v[i] == ' ')
                ++i;
            continue;
        }
        if (fc != '%') {
            if (i >= v.size() || v[i] != fc) return std::nullopt;
            ++i;
            continue;
        }
        const char conv = f[++k];
        bool ok = true;
        switch (conv) {
        case 'Y':
            ok = digits(v, i, 4, 4, c.year);
            break;
        case 'y': {
            int y = 0;
            ok = digits(v, i, 2, 2, y);
            c.year = y >= 69 ? 1900 + y : 2000 + y;
            break;
        }
        case 'm':
            ok = digits(v, i, 1, 2, c.month);
            break;
        case 'd':
            ok = digits(v, i, 1, 2, c.day);
            break;
        case 'e':
            while (i < v.size() && v[i] == ' ')
                ++i;
            ok = digits(v, i, 1, 2, c.day);
            break;
        case 'H':
            ok = digits(v, i, 1, 2, c.hour);
            break;
        case 'I':
            ok = digits(v, i, 1, 2, hour12) && hour12 >= 1 && hour12 <= 12;
            break;
        case 'M':
            ok = digits(v, i, 1, 2, c.minute);
            break;
        case 'S':
            ok = digits(v, i, 2, 2, c.second);
            if (ok && i + 1 < v.size() && v[i] == '.' &&
                std::isdigit(static_cast<unsigned char>(v[i + 1]))) {
                ++i;
                int frac = 0, n = 0;
                while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) {
                    if (n < 3) frac = frac * 10 + (v[i] - '0');
                    ++n;
                    ++i;
                }
                for (int z = n; z < 3; ++z)
                    frac *= 10;
                c.millisecond = frac;
            }
            break;
        case 'p': {
            if (i + 2 > v.size()) return std::nullopt;
            const char a = static_cast<char>(std::toupper(static_cast<unsigned char>(v[i])));
            const char b = static_cast<char>(std::toupper(static_cast<unsigned char>(v[i + 1])));
            if (b != 'M' || (a != 'A' && a != 'P')) return std::nullopt;
            pm = a == 'P';
            i += 2;
            break;
        }
        case 'b': {
            if (i + 3 > v.size()) return std::nullopt;
            std::string m3;
            for (std::size_t z = 0; z < 3; ++z)
                m3 += static_cast<char>(std::tolower(static_cast<unsigned char>(v[i + z])));
            ok = false;
            for (std::size_t z = 0; z < kMonths.size(); ++z) {
                if (kMonths[z] == m3) {
                    c.month = static_cast<int>(z) + 1;
                    ok = true;
                }
            }
            i += 3;
            break;
        }
        case 'z': {
            int off = 0;
            ok = parse_offset(v, i, off);
            out.offset_s = off;
            break;
        }
        case '%':
            ok = i < v.size() && v[i++] == '%';
            break;
        default:
            return std::nullopt;
        }
        if (!ok) return std::nullopt;
    }
    if (i != v.size()) return std::nullopt;
    if (hour12 >= 0) {
        if (pm < 0) return std::nullopt;
        c.hour = hour12 % 12 + (pm == 1 ? 12 : 0);
    }
    if (!valid_civil(c)) return std::nullopt;
    out.local_ms = base::from_civil(c);
    return out;
}

} // namespace pingan::io
