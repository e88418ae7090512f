#include "patrol/plan.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/core.h>

namespace pingan::patrol {
namespace {

using base::Code;

constexpr int kMinutesPerDay = 1440;
constexpr base::TimeMs kMsPerMinute = 60'000;
constexpr base::TimeMs kMsPerDay = 86'400'000;

// "HH:MM" at text[pos..pos+5); hours 0..24, minutes 0..59.
std::optional<int> read_clock(std::string_view text) {
    if (text.size() != 5 || text[2] != ':') return std::nullopt;
    for (std::size_t i : {0u, 1u, 3u, 4u}) {
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
    }
    const int h = (text[0] - '0') * 10 + (text[1] - '0');
    const int m = (text[3] - '0') * 10 + (text[4] - '0');
    if (h > 24 || m > 59 || (h == 24 && m != 0)) return std::nullopt;
    return h * 60 + m;
}

// The window as minutes of a two-day span: [from, to) with to > from.
std::pair<int, int> unwrapped(DailyWindow w) {
    return {w.from_min, w.to_min > w.from_min ? w.to_min : w.to_min + kMinutesPerDay};
}

bool overlap(DailyWindow a, DailyWindow b) {
    const auto [af, at] = unwrapped(a);
    const auto [bf, bt] = unwrapped(b);
    // b may also recur a day before or after a.
    for (int shift : {-kMinutesPerDay, 0, kMinutesPerDay}) {
        if (af < bt + shift && bf + shift < at) return true;
    }
    return false;
}

// Local midnight (as a UTC instant) of the local day holding t.
base::TimeMs local_midnight(base::TimeMs t, int utc_offset_minutes) {
    const base::TimeMs local = t + utc_offset_minutes * kMsPerMinute;
    base::TimeMs day = local / kMsPerDay;
    if (local % kMsPerDay < 0) --day;
    return day * kMsPerDay - utc_offset_minutes * kMsPerMinute;
}

} // namespace

std::optional<DailyWindow> parse_daily_window(std::string_view text) {
    const auto dash = text.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    const auto from = read_clock(text.substr(0, dash));
    const auto to = read_clock(text.substr(dash + 1));
    if (!from || !to || *from == kMinutesPerDay) return std::nullopt;
    const DailyWindow w{*from, *to};
    if (w.from_min == w.to_min || (w.from_min == 0 && w.to_min == kMinutesPerDay)) {
        // "08:00-08:00" is empty; "00:00-24:00" is the whole day, which is no window at all.
        return std::nullopt;
    }
    return w;
}

std::string format_daily_window(DailyWindow w) {
    return fmt::format("{:02}:{:02}-{:02}:{:02}", w.from_min / 60, w.from_min % 60, w.to_min / 60,
                       w.to_min % 60);
}

const PatrolArea* Plan::find_area(std::string_view id) const {
    for (const PatrolArea& a : areas) {
        if (a.id == id) return &a;
    }
    return nullptr;
}

const RequiredPoint* Plan::find_point(std::string_view id) const {
    for (const RequiredPoint& p : points) {
        if (p.id == id) return &p;
    }
    return nullptr;
}

base::Status validate(const PatrolArea& area) {
    if (area.id.empty()) return base::error(Code::field_missing, "id", "id: an area needs an id");
    if (area.shape.empty()) {
        return base::error(Code::field_invalid, "shape",
                           fmt::format("shape: area '{}' has no polygon", area.id));
    }
    for (const geo::Polygon& p : area.shape) {
        if (p.outer.size() < 3) {
            return base::error(
                Code::field_invalid, "shape",
                fmt::format("shape: area '{}' has a ring of fewer than three points", area.id));
        }
    }
    return {};
}

base::Status validate(const RequiredPoint& point) {
    if (point.id.empty()) return base::error(Code::field_missing, "id", "id: a point needs an id");
    const std::string& id = point.id;
    if (point.area_id.empty()) {
        return base::error(Code::field_missing, "area_id",
                           fmt::format("area_id: point '{}' names no patrol area", id));
    }
    if (!geo::is_valid(point.location)) {
        return base::error(
            Code::field_invalid, "location",
            fmt::format("location: point '{}' is not a valid latitude/longitude", id));
    }
    if (!(point.radius_m >= 1 && point.radius_m <= kMaxRadiusM)) {
        return base::error(Code::field_invalid, "radius_m",
                           fmt::format("radius_m: point '{}' has {} m; it must be 1 to {} m", id,
                                       point.radius_m, kMaxRadiusM));
    }
    if (point.min_dwell_s < 0 || point.min_dwell_s > kMaxDwellS) {
        return base::error(Code::field_invalid, "min_dwell_s",
                           fmt::format("min_dwell_s: point '{}' has {} s; it must be 0 to {} s", id,
                                       point.min_dwell_s, kMaxDwellS));
    }
    if (point.min_visits < 1 || point.min_visits > kMaxVisits) {
        return base::error(Code::field_invalid, "min_visits",
                           fmt::format("min_visits: point '{}' has {}; it must be 1 to {}", id,
                                       point.min_visits, kMaxVisits));
    }
    for (std::size_t i = 0; i < point.windows.size(); ++i) {
        const DailyWindow w = point.windows[i];
        if (w.from_min < 0 || w.from_min >= kMinutesPerDay || w.to_min < 0 ||
            w.to_min > kMinutesPerDay || w.from_min == w.to_min) {
            return base::error(Code::field_invalid, "windows",
                               fmt::format("windows: point '{}' window {} is not a non-empty "
                                           "span of minutes within a day",
                                           id, i));
        }
        for (std::size_t j = 0; j < i; ++j) {
            // Overlapping windows would owe the same visits twice.
            if (overlap(point.windows[j], w)) {
                return base::error(Code::field_invalid, "windows",
                                   fmt::format("windows: point '{}' windows {} and {} overlap", id,
                                               format_daily_window(point.windows[j]),
                                               format_daily_window(w)));
            }
        }
    }
    if (point.route_id.empty() != (point.route_seq == 0) || point.route_seq < 0) {
        return base::error(Code::field_invalid, "route_seq",
                           fmt::format("route_seq: point '{}' must have a route_seq of 1 or more "
                                       "exactly when it has a route_id",
                                       id));
    }
    return {};
}

base::Status validate(const Plan& plan) {
    if (std::abs(plan.utc_offset_minutes) > kMaxUtcOffsetMinutes) {
        return base::error(Code::field_invalid, "utc_offset_minutes",
                           fmt::format("utc_offset_minutes: {} is beyond ±{} minutes",
                                       plan.utc_offset_minutes, kMaxUtcOffsetMinutes));
    }
    std::set<std::string_view> area_ids;
    for (const PatrolArea& a : plan.areas) {
        if (auto s = validate(a); !s) return s;
        if (!area_ids.insert(a.id).second) {
            return base::error(Code::field_invalid, "id",
                               fmt::format("id: two areas have the id '{}'", a.id));
        }
    }
    std::set<std::string_view> point_ids;
    std::map<std::string_view, std::vector<int>> routes; // route id -> route_seq seen
    for (const RequiredPoint& p : plan.points) {
        if (auto s = validate(p); !s) return s;
        if (!point_ids.insert(p.id).second) {
            return base::error(Code::field_invalid, "id",
                               fmt::format("id: two points have the id '{}'", p.id));
        }
        if (!area_ids.contains(p.area_id)) {
            return base::error(Code::field_invalid, "area_id",
                               fmt::format("area_id: point '{}' names area '{}', which the plan "
                                           "does not have",
                                           p.id, p.area_id));
        }
        if (!p.route_id.empty()) routes[p.route_id].push_back(p.route_seq);
    }
    for (auto& [route, seqs] : routes) {
        std::sort(seqs.begin(), seqs.end());
        for (std::size_t i = 0; i < seqs.size(); ++i) {
            if (seqs[i] != static_cast<int>(i) + 1) {
                return base::error(Code::field_invalid, "route_seq",
                                   fmt::format("route_seq: route '{}' is not numbered 1 to {} "
                                               "without gaps or repeats",
                                               route, seqs.size()));
            }
        }
    }
    return {};
}

base::Status validate(const Shift& shift, const Plan& plan) {
    if (shift.id.empty()) return base::error(Code::field_missing, "id", "id: a shift needs an id");
    if (shift.unit.empty()) {
        return base::error(Code::field_missing, "unit",
                           fmt::format("unit: shift '{}' names no unit", shift.id));
    }
    if (plan.find_area(shift.area_id) == nullptr) {
        return base::error(Code::field_invalid, "area_id",
                           fmt::format("area_id: shift '{}' names area '{}', which the plan does "
                                       "not have",
                                       shift.id, shift.area_id));
    }
    if (shift.end <= shift.start) {
        return base::error(Code::field_invalid, "end",
                           fmt::format("end: shift '{}' ends at or before its start", shift.id));
    }
    return {};
}

std::vector<Duty> duties(const Plan& plan, const Shift& shift) {
    std::vector<Duty> out;
    auto add = [&](const RequiredPoint& p, base::TimeMs from, base::TimeMs to) {
        from = std::max(from, shift.start);
        to = std::min(to, shift.end);
        if (from < to) out.push_back({shift.id, shift.unit, p.id, from, to, p.min_visits});
    };
    for (const RequiredPoint& p : plan.points) {
        if (p.area_id != shift.area_id) continue;
        if (p.windows.empty()) {
            add(p, shift.start, shift.end);
            continue;
        }
        const std::size_t first = out.size();
        // A window crossing midnight starts the local day before; start one day early.
        for (base::TimeMs day = local_midnight(shift.start, plan.utc_offset_minutes) - kMsPerDay;
             day < shift.end; day += kMsPerDay) {
            for (const DailyWindow& w : p.windows) {
                const auto [from, to] = unwrapped(w);
                add(p, day + from * kMsPerMinute, day + to * kMsPerMinute);
            }
        }
        std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
                  [](const Duty& a, const Duty& b) { return a.from < b.from; });
    }
    return out;
}

} // namespace pingan::patrol
