#include "patrol/visits.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <iterator>
#include <limits>
#include <set>
#include <tuple>
#include <unordered_map>

#include <fmt/core.h>

namespace pingan::patrol {
namespace {

using base::Code;
using base::TimeMs;

constexpr TimeMs kNever = std::numeric_limits<TimeMs>::min();
constexpr double kMPerDegLat = geo::kEarthRadiusM * geo::kDegToRad;
// The grid never has more cells than this (16 MB of offsets), whatever the plan's extent.
constexpr double kMaxCells = 4'000'000;
constexpr double kMinCellM = 50;

// A required point as the detector tests it: distances in an equirectangular frame around the
// point itself (exact to millimetres within a few kilometres), compared squared.
struct PointRec {
    double lat = 0;
    double lon = 0;
    double m_per_deg_lon = 0; // at the point's own latitude
    double enter_m2 = 0;      // radius_m squared
    double exit_m2 = 0;       // exit radius squared
    TimeMs min_dwell_ms = 0;
    std::uint32_t area = 0; // index into area_ids

    double distance2_m2(geo::LatLon p) const {
        const double dy = (p.lat - lat) * kMPerDegLat;
        const double dx = (p.lon - lon) * m_per_deg_lon;
        return dx * dx + dy * dy;
    }
};

// Uniform grid in a local projection: each cell lists the points whose entry circle's bounding
// box overlaps it, so one cell look-up yields every point a fix may enter (CSR arrays).
class PointGrid {
public:
    void build(const std::vector<PointRec>& points, const std::vector<double>& radii_m) {
        if (points.empty()) return;
        double min_lat = 90, max_lat = -90, min_lon = 180, max_lon = -180;
        for (const PointRec& p : points) {
            min_lat = std::min(min_lat, p.lat);
            max_lat = std::max(max_lat, p.lat);
            min_lon = std::min(min_lon, p.lon);
            max_lon = std::max(max_lon, p.lon);
        }
        proj_ = geo::LocalProjection({(min_lat + max_lat) / 2, (min_lon + max_lon) / 2});
        // Boxes of every entry circle, in projected metres. x depends on lon only and y on lat
        // only, so the box of the circle's lat/lon extent holds every fix within the radius.
        std::vector<std::array<double, 4>> boxes; // x0, y0, x1, y1
        boxes.reserve(points.size());
        double x_min = std::numeric_limits<double>::infinity(), y_min = x_min;
        double x_max = -x_min, y_max = -x_min;
        for (std::size_t i = 0; i < points.size(); ++i) {
            const PointRec& p = points[i];
            const double dlat = radii_m[i] / kMPerDegLat;
            const double dlon = radii_m[i] / p.m_per_deg_lon;
            const double margin_m = 1; // rounding between the two frames
            std::array<double, 4> b = {proj_.x_m({p.lat, p.lon - dlon}) - margin_m,
                                       proj_.y_m({p.lat - dlat, p.lon}) - margin_m,
                                       proj_.x_m({p.lat, p.lon + dlon}) + margin_m,
                                       proj_.y_m({p.lat + dlat, p.lon}) + margin_m};
            x_min = std::min(x_min, b[0]);
            y_min = std::min(y_min, b[1]);
            x_max = std::max(x_max, b[2]);
            y_max = std::max(y_max, b[3]);
            boxes.push_back(b);
        }
        // Cells twice the usual radius put a point in at most four cells; the 90th percentile
        // keeps one huge radius from coarsening the grid for all (it just spans more cells).
        std::vector<double> sorted = radii_m;
        std::sort(sorted.begin(), sorted.end());
        cell_m_ = std::max(kMinCellM, 2 * sorted[sorted.size() * 9 / 10]);
        const double w = x_max - x_min, h = y_max - y_min;
        cell_m_ = std::max(cell_m_, std::sqrt(w * h / kMaxCells));
        x0_ = x_min;
        y0_ = y_min;
        nx_ = std::max(1, static_cast<int>(std::ceil(w / cell_m_)));
        ny_ = std::max(1, static_cast<int>(std::ceil(h / cell_m_)));
        const std::size_t cells = static_cast<std::size_t>(nx_) * static_cast<std::size_t>(ny_);
        // Two passes: count per cell, then fill.
        first_.assign(cells + 1, 0);
        auto for_cells = [&](const std::array<double, 4>& b, auto&& f) {
            const int ix0 = clamp_x((b[0] - x0_) / cell_m_), ix1 = clamp_x((b[2] - x0_) / cell_m_);
            const int iy0 = clamp_y((b[1] - y0_) / cell_m_), iy1 = clamp_y((b[3] - y0_) / cell_m_);
            for (int iy = iy0; iy <= iy1; ++iy) {
                for (int ix = ix0; ix <= ix1; ++ix)
                    f(index(ix, iy));
            }
        };
        for (const auto& b : boxes)
            for_cells(b, [&](std::size_t c) { ++first_[c + 1]; });
        for (std::size_t c = 0; c < cells; ++c)
            first_[c + 1] += first_[c];
        items_.resize(first_[cells]);
        std::vector<std::uint32_t> fill(first_.begin(), first_.end() - 1);
        for (std::size_t i = 0; i < boxes.size(); ++i)
            for_cells(boxes[i], [&](std::size_t c) { items_[fill[c]++] = std::uint32_t(i); });
    }

    // The points whose entry box holds p (empty outside the grid).
    std::span<const std::uint32_t> candidates(geo::LatLon p) const {
        if (first_.empty()) return {};
        const double fx = (proj_.x_m(p) - x0_) / cell_m_;
        const double fy = (proj_.y_m(p) - y0_) / cell_m_;
        if (!(fx >= 0 && fy >= 0 && fx < nx_ && fy < ny_)) return {};
        const std::size_t c = index(static_cast<int>(fx), static_cast<int>(fy));
        return {items_.data() + first_[c], items_.data() + first_[c + 1]};
    }

private:
    int clamp_x(double f) const { return std::clamp(static_cast<int>(f), 0, nx_ - 1); }
    int clamp_y(double f) const { return std::clamp(static_cast<int>(f), 0, ny_ - 1); }
    std::size_t index(int ix, int iy) const {
        return static_cast<std::size_t>(iy) * static_cast<std::size_t>(nx_) +
               static_cast<std::size_t>(ix);
    }

    geo::LocalProjection proj_{geo::LatLon{}};
    double x0_ = 0, y0_ = 0, cell_m_ = 1;
    int nx_ = 0, ny_ = 0;
    std::vector<std::uint32_t> first_; // cell -> first index into items_; size cells + 1
    std::vector<std::uint32_t> items_; // point indices, grouped by cell
};

struct ShiftRec {
    std::string id;
    std::uint32_t area = 0;
    TimeMs start = 0;
    TimeMs end = 0;
};

// A unit within a point's exit radius: a visit once its dwell reaches min_dwell.
struct Candidate {
    std::uint32_t point = 0;
    TimeMs arrived = 0;
    TimeMs last_inside = 0;        // latest fix within the exit radius
    TimeMs first_outside = kNever; // first fix beyond it since last_inside
};

struct UnitTrack {
    std::string unit;
    std::vector<ShiftRec> shifts; // by start; never overlapping, so ends are ordered too
    int current = -1;             // shift of the latest fix, -1 for none
    TimeMs last_fix = kNever;
    std::vector<Candidate> active; // all within shifts[current]
};

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

} // namespace

struct VisitDetector::Impl {
    Plan plan;
    TimeMs leave_after_ms = 0;
    TimeMs max_gap_ms = 0;
    std::vector<PointRec> points;
    std::vector<std::string> area_ids;
    PointGrid grid;
    std::unordered_map<std::string, UnitTrack, StringHash, std::equal_to<>> units;
    std::set<std::string, std::less<>> shift_ids;
    std::vector<Visit> closed;
    DetectorStats stats;

    bool qualifies(const Candidate& c) const {
        return c.last_inside - c.arrived >= points[c.point].min_dwell_ms;
    }

    Visit visit_of(const UnitTrack& u, const Candidate& c) const {
        Visit v;
        v.unit = u.unit;
        v.point_id = plan.points[c.point].id;
        v.shift_id = u.shifts[static_cast<std::size_t>(u.current)].id;
        v.arrived = c.arrived;
        v.dwell_s = static_cast<double>(c.last_inside - c.arrived) / 1000.0;
        return v;
    }

    void close(const UnitTrack& u, const Candidate& c) {
        if (!qualifies(c)) {
            ++stats.drive_bys;
            return;
        }
        Visit v = visit_of(u, c);
        v.left = c.last_inside;
        closed.push_back(std::move(v));
        ++stats.visits_closed;
    }

    void close_all(UnitTrack& u) {
        for (const Candidate& c : u.active)
            close(u, c);
        u.active.clear();
    }

    // Closes on several units at once come out in unit order by time of leaving, so that the
    // output does not depend on hash-map order.
    template <class F>
    void close_units(F&& should_close) {
        const std::size_t first = closed.size();
        for (auto& [key, u] : units) {
            if (!u.active.empty() && should_close(u)) close_all(u);
        }
        std::sort(closed.begin() + static_cast<std::ptrdiff_t>(first), closed.end(),
                  [](const Visit& a, const Visit& b) {
                      return std::tie(*a.left, a.unit, a.point_id) <
                             std::tie(*b.left, b.unit, b.point_id);
                  });
    }

    int shift_at(const UnitTrack& u, TimeMs at) const {
        if (u.current >= 0) {
            const ShiftRec& s = u.shifts[static_cast<std::size_t>(u.current)];
            if (s.start <= at && at < s.end) return u.current;
        }
        auto it = std::upper_bound(u.shifts.begin(), u.shifts.end(), at,
                                   [](TimeMs t, const ShiftRec& s) { return t < s.start; });
        if (it == u.shifts.begin()) return -1;
        --it;
        return at < it->end ? static_cast<int>(it - u.shifts.begin()) : -1;
    }

    void observe(std::string_view unit, TimeMs at, geo::LatLon where) {
        ++stats.fixes;
        if (!geo::is_valid(where)) {
            ++stats.invalid;
            return;
        }
        auto found = units.find(unit);
        if (found == units.end()) { // no shift was ever added for this unit
            ++stats.outside_shift;
            return;
        }
        UnitTrack& u = found->second;
        if (at < u.last_fix) {
            ++stats.out_of_order;
            return;
        }
        const bool gap = u.last_fix != kNever && at - u.last_fix > max_gap_ms;
        u.last_fix = at;
        const int s = shift_at(u, at);
        if (s != u.current || gap) {
            close_all(u);
            u.current = s;
        }
        if (s < 0) {
            ++stats.outside_shift;
            return;
        }
        // Points the unit is already at: stay, or leave after leave_after_ms outside.
        for (std::size_t i = 0; i < u.active.size();) {
            Candidate& c = u.active[i];
            if (points[c.point].distance2_m2(where) <= points[c.point].exit_m2) {
                c.last_inside = at;
                c.first_outside = kNever;
            } else {
                if (c.first_outside == kNever) c.first_outside = at;
                if (at - c.first_outside >= leave_after_ms) {
                    close(u, c);
                    u.active[i] = u.active.back();
                    u.active.pop_back();
                    continue;
                }
            }
            ++i;
        }
        // Points the unit arrives at.
        const std::uint32_t area = u.shifts[static_cast<std::size_t>(s)].area;
        for (const std::uint32_t p : grid.candidates(where)) {
            const PointRec& pr = points[p];
            if (pr.area != area || pr.distance2_m2(where) > pr.enter_m2) continue;
            const bool already = std::any_of(u.active.begin(), u.active.end(),
                                             [p](const Candidate& c) { return c.point == p; });
            if (!already) u.active.push_back({p, at, at, kNever});
        }
    }
};

base::Result<VisitDetector> VisitDetector::create(const Plan& plan, DetectorOptions options) {
    if (auto s = validate(plan); !s) return s.error();
    if (!(options.exit_factor >= 1) || !(options.exit_margin_m >= 0) || options.leave_after_s < 0 ||
        options.max_gap_s <= 0) {
        return base::error(Code::field_invalid, "options",
                           "options: exit_factor must be at least 1, exit_margin_m and "
                           "leave_after_s not negative, max_gap_s positive");
    }
    auto impl = std::make_unique<Impl>();
    impl->plan = plan;
    impl->leave_after_ms = TimeMs{options.leave_after_s} * 1000;
    impl->max_gap_ms = TimeMs{options.max_gap_s} * 1000;
    for (const PatrolArea& a : plan.areas)
        impl->area_ids.push_back(a.id);
    std::vector<double> radii;
    for (const RequiredPoint& p : plan.points) {
        PointRec r;
        r.lat = p.location.lat;
        r.lon = p.location.lon;
        r.m_per_deg_lon = kMPerDegLat * std::cos(p.location.lat * geo::kDegToRad);
        r.enter_m2 = p.radius_m * p.radius_m;
        const double exit_m =
            std::max(p.radius_m * options.exit_factor, p.radius_m + options.exit_margin_m);
        r.exit_m2 = exit_m * exit_m;
        r.min_dwell_ms = TimeMs{p.min_dwell_s} * 1000;
        r.area = static_cast<std::uint32_t>(
            std::find(impl->area_ids.begin(), impl->area_ids.end(), p.area_id) -
            impl->area_ids.begin());
        impl->points.push_back(r);
        radii.push_back(p.radius_m);
    }
    impl->grid.build(impl->points, radii);
    return VisitDetector(std::move(impl));
}

VisitDetector::VisitDetector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VisitDetector::~VisitDetector() = default;
VisitDetector::VisitDetector(VisitDetector&&) noexcept = default;
VisitDetector& VisitDetector::operator=(VisitDetector&&) noexcept = default;

base::Status VisitDetector::add_shift(const Shift& shift) {
    Impl& d = *impl_;
    if (auto s = validate(shift, d.plan); !s) return s;
    if (d.shift_ids.contains(shift.id)) {
        return base::error(Code::field_invalid, "id",
                           fmt::format("id: a shift with the id '{}' was added already", shift.id));
    }
    auto [it, inserted] = d.units.try_emplace(shift.unit);
    UnitTrack& u = it->second;
    if (inserted) u.unit = shift.unit;
    for (const ShiftRec& other : u.shifts) {
        if (shift.start < other.end && other.start < shift.end) {
            return base::error(Code::field_invalid, "start",
                               fmt::format("start: shift '{}' of unit '{}' overlaps its shift "
                                           "'{}'",
                                           shift.id, shift.unit, other.id));
        }
    }
    ShiftRec rec{shift.id, 0, shift.start, shift.end};
    rec.area = static_cast<std::uint32_t>(
        std::find(d.area_ids.begin(), d.area_ids.end(), shift.area_id) - d.area_ids.begin());
    auto pos = std::upper_bound(u.shifts.begin(), u.shifts.end(), shift.start,
                                [](TimeMs t, const ShiftRec& s) { return t < s.start; });
    const int index = static_cast<int>(pos - u.shifts.begin());
    u.shifts.insert(pos, std::move(rec));
    if (u.current >= index) ++u.current;
    d.shift_ids.insert(shift.id);
    return {};
}

void VisitDetector::drop_shifts_ended_by(TimeMs t) {
    Impl& d = *impl_;
    d.close_units([t](const UnitTrack& u) {
        return u.current >= 0 && u.shifts[static_cast<std::size_t>(u.current)].end <= t;
    });
    for (auto it = d.units.begin(); it != d.units.end();) {
        UnitTrack& u = it->second;
        if (u.current >= 0 && u.shifts[static_cast<std::size_t>(u.current)].end <= t) {
            u.current = -1;
        }
        // Ends are ordered, so the shifts to drop are a prefix.
        const auto keep = std::find_if(u.shifts.begin(), u.shifts.end(),
                                       [t](const ShiftRec& s) { return s.end > t; });
        const int dropped = static_cast<int>(keep - u.shifts.begin());
        for (auto s = u.shifts.begin(); s != keep; ++s)
            d.shift_ids.erase(s->id);
        u.shifts.erase(u.shifts.begin(), keep);
        if (u.current >= 0) u.current -= dropped;
        // A unit without shifts is forgotten; its positions are ignored until it has one.
        it = u.shifts.empty() ? d.units.erase(it) : std::next(it);
    }
}

void VisitDetector::observe(std::string_view unit, TimeMs at, geo::LatLon where) {
    impl_->observe(unit, at, where);
}

void VisitDetector::expire(TimeMs now) {
    const TimeMs max_gap_ms = impl_->max_gap_ms;
    impl_->close_units([&](const UnitTrack& u) { return now - u.last_fix > max_gap_ms; });
}

void VisitDetector::flush() {
    impl_->close_units([](const UnitTrack&) { return true; });
}

std::vector<Visit> VisitDetector::take_closed() {
    std::vector<Visit> out;
    out.swap(impl_->closed);
    return out;
}

std::vector<Visit> VisitDetector::open_visits() const {
    const Impl& d = *impl_;
    std::vector<Visit> out;
    for (const auto& [key, u] : d.units) {
        for (const Candidate& c : u.active) {
            if (d.qualifies(c)) out.push_back(d.visit_of(u, c));
        }
    }
    std::sort(out.begin(), out.end(), [](const Visit& a, const Visit& b) {
        return std::tie(a.unit, a.arrived, a.point_id) < std::tie(b.unit, b.arrived, b.point_id);
    });
    return out;
}

const DetectorStats& VisitDetector::stats() const {
    return impl_->stats;
}

base::Result<Visit> manual_visit(const Plan& plan, std::span<const Shift> shifts,
                                 std::string_view unit, std::string_view point_id, TimeMs at,
                                 std::string_view reason) {
    const bool blank = std::all_of(reason.begin(), reason.end(), [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    });
    if (blank) {
        return base::error(Code::field_missing, "reason",
                           "reason: a manual visit needs the reason it was not detected");
    }
    const RequiredPoint* point = plan.find_point(point_id);
    if (point == nullptr) {
        return base::error(Code::field_invalid, "point_id",
                           fmt::format("point_id: the plan has no point '{}'", point_id));
    }
    const auto shift = std::find_if(shifts.begin(), shifts.end(), [&](const Shift& s) {
        return s.unit == unit && s.area_id == point->area_id && s.start <= at && at < s.end;
    });
    if (shift == shifts.end()) {
        return base::error(Code::field_invalid, "at",
                           fmt::format("at: unit '{}' had no shift in area '{}' of point '{}' at "
                                       "{}",
                                       unit, point->area_id, point_id, base::format_iso8601(at)));
    }
    // A visit outside every window of a windowed point would count for nothing: refused.
    if (!point->windows.empty()) {
        const std::vector<Duty> owed = duties(plan, *shift);
        const bool in_window = std::any_of(owed.begin(), owed.end(), [&](const Duty& d) {
            return d.point_id == point->id && d.from <= at && at < d.to;
        });
        if (!in_window) {
            std::string windows;
            for (const DailyWindow& w : point->windows)
                windows += (windows.empty() ? "" : ", ") + format_daily_window(w);
            return base::error(Code::field_invalid, "at",
                               fmt::format("at: point '{}' is owed only in its windows ({}); a "
                                           "visit at {} would count for none of them",
                                           point_id, windows, base::format_iso8601(at)));
        }
    }
    Visit v;
    v.unit = std::string(unit);
    v.point_id = point->id;
    v.shift_id = shift->id;
    v.arrived = at;
    v.left = at;
    v.manual = true;
    v.reason = std::string(reason);
    return v;
}

} // namespace pingan::patrol
