#include "patrol/shift_report.hpp"

#include <algorithm>
#include <map>
#include <string_view>
#include <tuple>
#include <utility>

namespace pingan::patrol {
namespace {

using base::TimeMs;

struct Count {
    int visits = 0;
    int manual = 0;
};

// Visits by unit and point, and points by id: the live view asks for every duty of hundreds of
// shifts, which must not scan every visit and every point each time.
class Lookup {
public:
    Lookup(const Plan& plan, std::span<const Visit> visits) {
        for (const RequiredPoint& p : plan.points)
            points_.emplace(p.id, &p);
        for (const Visit& v : visits)
            visits_[{v.unit, v.point_id}].push_back(&v);
    }

    const RequiredPoint& point(std::string_view id) const { return *points_.at(id); }

    Count count(const Duty& duty, const RequiredPoint& point) const {
        Count n;
        const auto found = visits_.find({duty.unit, duty.point_id});
        if (found == visits_.end()) return n;
        for (const Visit* v : found->second) {
            if (counts_for(*v, duty, point)) {
                ++n.visits;
                if (v->manual) ++n.manual;
            }
        }
        return n;
    }

private:
    std::map<std::string_view, const RequiredPoint*> points_;
    std::map<std::pair<std::string_view, std::string_view>, std::vector<const Visit*>> visits_;
};

// Adds up a trace's distance, idle time and time in the area by the rules of ReportOptions.
void read_trace(std::vector<Fix> fixes, const PatrolArea& area, const ReportOptions& options,
                ShiftReport& r) {
    std::stable_sort(fixes.begin(), fixes.end(),
                     [](const Fix& a, const Fix& b) { return a.at < b.at; });
    r.fixes = fixes.size();
    const TimeMs idle_min_ms = TimeMs{options.idle_min_s} * 1000;
    const TimeMs max_gap_ms = TimeMs{options.max_gap_s} * 1000;
    TimeMs idle_run_ms = 0;
    auto end_idle_run = [&] {
        if (idle_run_ms > idle_min_ms) r.idle_s += static_cast<double>(idle_run_ms) / 1000.0;
        idle_run_ms = 0;
    };
    bool was_inside = !fixes.empty() && geo::contains(area.shape, fixes.front().where);
    for (std::size_t i = 1; i < fixes.size(); ++i) {
        const Fix& a = fixes[i - 1];
        const Fix& b = fixes[i];
        const bool inside = geo::contains(area.shape, b.where);
        const TimeMs dt_ms = b.at - a.at;
        const bool both_inside = was_inside && inside;
        const bool one_inside = was_inside != inside;
        was_inside = inside;
        if (dt_ms <= 0) continue; // a repeated report: no time passed
        const double dt_s = static_cast<double>(dt_ms) / 1000.0;
        const double d_m = geo::distance_m(a.where, b.where);
        const double speed_mps = d_m / dt_s;
        if (speed_mps > options.max_speed_mps) {
            ++r.jumps_skipped;
            end_idle_run();
            continue;
        }
        r.distance_m += d_m;
        if (dt_ms > max_gap_ms) {
            end_idle_run();
            continue;
        }
        if (both_inside) r.time_in_area_s += dt_s;
        if (one_inside) r.time_in_area_s += dt_s / 2;
        if (speed_mps < options.idle_speed_mps) {
            idle_run_ms += dt_ms;
        } else {
            end_idle_run();
        }
    }
    end_idle_run();
}

} // namespace

std::string_view to_string(DutyState s) {
    switch (s) {
    case DutyState::met:
        return "met";
    case DutyState::pending:
        return "pending";
    case DutyState::missed:
        return "missed";
    }
    return "?";
}

std::string_view to_string(Alert a) {
    switch (a) {
    case Alert::overdue:
        return "overdue";
    case Alert::about_to_miss:
        return "about_to_miss";
    }
    return "?";
}

bool counts_for(const Visit& visit, const Duty& duty, const RequiredPoint& point) {
    if (visit.unit != duty.unit || visit.point_id != duty.point_id) return false;
    if (visit.manual) return duty.from <= visit.arrived && visit.arrived < duty.to;
    const TimeMs from = std::max(visit.arrived, duty.from);
    const TimeMs to = std::min(visit.until(), duty.to);
    return from < duty.to && to >= from && to - from >= TimeMs{point.min_dwell_s} * 1000;
}

base::Result<ShiftReport> shift_report(const Plan& plan, const Shift& shift,
                                       std::span<const Fix> fixes, std::span<const Visit> visits,
                                       TimeMs as_of, const ReportOptions& options) {
    if (auto s = validate(shift, plan); !s) return s.error();
    ShiftReport r;
    r.shift_id = shift.id;
    r.unit = shift.unit;
    r.area_id = shift.area_id;
    const Lookup lookup(plan, visits);
    for (Duty& duty : duties(plan, shift)) {
        const RequiredPoint& point = lookup.point(duty.point_id);
        const Count n = lookup.count(duty, point);
        DutyResult d{std::move(duty), point.name, n.visits, n.manual, DutyState::pending};
        if (d.visits >= d.duty.required) {
            d.state = DutyState::met;
            ++r.met;
        } else if (d.duty.to <= as_of) {
            d.state = DutyState::missed;
            ++r.missed;
        } else {
            ++r.pending;
        }
        r.duties.push_back(std::move(d));
    }
    std::vector<Fix> in_shift;
    for (const Fix& f : fixes) {
        if (shift.start <= f.at && f.at < shift.end && geo::is_valid(f.where)) {
            in_shift.push_back(f);
        }
    }
    read_trace(std::move(in_shift), *plan.find_area(shift.area_id), options, r);
    return r;
}

std::vector<DutyAlert> overdue(const Plan& plan, std::span<const Shift> shifts,
                               std::span<const Visit> visits, TimeMs now, int lead_s) {
    const TimeMs lead_ms = TimeMs{lead_s} * 1000;
    const Lookup lookup(plan, visits);
    std::vector<DutyAlert> out;
    for (const Shift& shift : shifts) {
        for (Duty& duty : duties(plan, shift)) {
            if (duty.to > now + lead_ms) continue;
            const RequiredPoint& point = lookup.point(duty.point_id);
            const Count n = lookup.count(duty, point);
            if (n.visits >= duty.required) continue;
            DutyAlert a{std::move(duty), point.name, n.visits, Alert::overdue, 0};
            if (a.duty.to > now) {
                a.alert = Alert::about_to_miss;
                a.minutes_left = static_cast<int>((a.duty.to - now + 59'999) / 60'000);
            }
            out.push_back(std::move(a));
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const DutyAlert& a, const DutyAlert& b) {
        return std::tie(a.alert, a.duty.to) < std::tie(b.alert, b.duty.to);
    });
    return out;
}

} // namespace pingan::patrol
