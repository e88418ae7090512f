#include "server/patrol_desk.hpp"

#include <algorithm>

#include <fmt/core.h>

#include "base/time.hpp"

namespace pingan::server {

namespace {

std::string_view state_name(patrol::DutyState s) {
    switch (s) {
    case patrol::DutyState::met:
        return "met";
    case patrol::DutyState::missed:
        return "missed";
    case patrol::DutyState::pending:
        return "pending";
    }
    return "pending";
}

nlohmann::json time_or_null(std::optional<base::TimeMs> t) {
    return t ? nlohmann::json(base::format_iso8601(*t)) : nlohmann::json(nullptr);
}

} // namespace

nlohmann::json to_json(const patrol::Shift& s) {
    return {{"shift_id", s.id},
            {"unit_id", std::stoll(s.unit)},
            {"area_id", s.area_id},
            {"start", base::format_iso8601(s.start)},
            {"end", base::format_iso8601(s.end)}};
}

nlohmann::json to_json(const patrol::Visit& v) {
    return {{"unit_id", std::stoll(v.unit)},
            {"point_id", v.point_id},
            {"shift_id", v.shift_id},
            {"arrived", base::format_iso8601(v.arrived)},
            {"left", time_or_null(v.left)},
            {"dwell_s", v.dwell_s},
            {"manual", v.manual},
            {"reason", v.reason}};
}

nlohmann::json to_json(const patrol::ShiftReport& r) {
    nlohmann::json duties = nlohmann::json::array();
    for (const patrol::DutyResult& d : r.duties) {
        duties.push_back({{"point_id", d.duty.point_id},
                          {"point_name", d.point_name},
                          {"from", base::format_iso8601(d.duty.from)},
                          {"to", base::format_iso8601(d.duty.to)},
                          {"required", d.duty.required},
                          {"visits", d.visits},
                          {"manual_visits", d.manual_visits},
                          {"state", state_name(d.state)}});
    }
    return {{"shift_id", r.shift_id},
            {"unit_id", std::stoll(r.unit)},
            {"area_id", r.area_id},
            {"met", r.met},
            {"missed", r.missed},
            {"pending", r.pending},
            {"time_in_area_s", r.time_in_area_s},
            {"distance_m", r.distance_m},
            {"idle_s", r.idle_s},
            {"fixes", r.fixes},
            {"duties", std::move(duties)}};
}

nlohmann::json to_json(const patrol::DutyAlert& a) {
    return {{"kind", a.alert == patrol::Alert::overdue ? "overdue" : "about_to_miss"},
            {"shift_id", a.duty.shift_id},
            {"unit_id", std::stoll(a.duty.unit)},
            {"point_id", a.duty.point_id},
            {"point_name", a.point_name},
            {"visits", a.visits},
            {"required", a.duty.required},
            {"to", base::format_iso8601(a.duty.to)},
            {"minutes_left", a.minutes_left}};
}

base::Result<std::unique_ptr<PatrolDesk>> PatrolDesk::create(patrol::Plan plan) {
    auto detector = patrol::VisitDetector::create(plan);
    if (!detector) return detector.error();
    return std::unique_ptr<PatrolDesk>(
        new PatrolDesk(std::move(plan), std::move(detector).value()));
}

PatrolDesk::PatrolDesk(patrol::Plan plan, patrol::VisitDetector detector)
    : plan_(std::move(plan)), detector_(std::move(detector)) {}

base::Status PatrolDesk::apply(const store::EventRecord& event) {
    auto j = nlohmann::json::parse(event.payload, nullptr, false);
    if (!j.is_object()) return base::Status{};
    try {
        if (event.kind == "patrol.shift_assigned") {
            patrol::Shift s;
            s.id = j.at("shift_id").get<std::string>();
            s.unit = std::to_string(j.at("unit_id").get<std::int64_t>());
            s.area_id = j.at("area_id").get<std::string>();
            s.start = base::parse_iso8601(j.at("start").get<std::string>()).value_or(0);
            s.end = base::parse_iso8601(j.at("end").get<std::string>()).value_or(0);
            return add_shift(s);
        }
        if (event.kind == "patrol.visit_recorded") {
            patrol::Visit v;
            v.unit = std::to_string(j.at("unit_id").get<std::int64_t>());
            v.point_id = j.at("point_id").get<std::string>();
            v.shift_id = j.at("shift_id").get<std::string>();
            v.arrived = base::parse_iso8601(j.at("arrived").get<std::string>()).value_or(0);
            if (j.at("left").is_string())
                v.left = base::parse_iso8601(j.at("left").get<std::string>());
            v.dwell_s = j.at("dwell_s").get<double>();
            v.manual = j.at("manual").get<bool>();
            v.reason = j.at("reason").get<std::string>();
            add_visit(std::move(v));
        }
    } catch (const nlohmann::json::exception& e) {
        return base::error(base::Code::corrupt_file, "payload",
                           fmt::format("event {}: {}: {}", event.seq, event.kind, e.what()));
    }
    return base::Status{};
}

base::Status PatrolDesk::add_shift(const patrol::Shift& shift) {
    std::lock_guard lock(mutex_);
    if (auto added = detector_.add_shift(shift); !added) return added;
    shifts_of_[shift.unit].push_back(shifts_.size());
    shifts_.push_back(shift);
    return base::Status{};
}

base::Status PatrolDesk::check_shift(const patrol::Shift& shift) const {
    std::lock_guard lock(mutex_);
    auto it = shifts_of_.find(shift.unit);
    if (it == shifts_of_.end()) return base::Status{};
    for (std::size_t i : it->second) {
        const patrol::Shift& other = shifts_[i];
        if (shift.start < other.end && other.start < shift.end) {
            return base::error(base::Code::field_invalid, "start",
                               fmt::format("start: unit {} already has shift {} from {} to {}",
                                           shift.unit, other.id, base::format_iso8601(other.start),
                                           base::format_iso8601(other.end)));
        }
    }
    return base::Status{};
}

void PatrolDesk::add_visit(patrol::Visit visit) {
    std::lock_guard lock(mutex_);
    visits_.push_back(std::move(visit));
}

std::vector<patrol::Visit> PatrolDesk::observe(const std::string& unit, base::TimeMs at,
                                               geo::LatLon where) {
    std::lock_guard lock(mutex_);
    // Fixes are kept for shift reports only while the unit is on a shift (its own few shifts,
    // not every shift of the centre: this runs for every position report).
    if (auto it = shifts_of_.find(unit); it != shifts_of_.end()) {
        const bool on_shift = std::any_of(it->second.begin(), it->second.end(), [&](std::size_t i) {
            return at >= shifts_[i].start && at < shifts_[i].end;
        });
        if (on_shift) fixes_[unit].push_back({at, where});
    }
    detector_.observe(unit, at, where);
    return detector_.take_closed();
}

std::vector<patrol::Visit> PatrolDesk::expire(base::TimeMs now) {
    std::lock_guard lock(mutex_);
    detector_.expire(now);
    return detector_.take_closed();
}

std::vector<patrol::Shift> PatrolDesk::shifts() const {
    std::lock_guard lock(mutex_);
    return shifts_;
}

std::string PatrolDesk::next_shift_id() const {
    std::lock_guard lock(mutex_);
    return fmt::format("S{}", shifts_.size() + 1);
}

base::Result<patrol::Visit> PatrolDesk::manual_visit(const std::string& unit,
                                                     const std::string& point_id, base::TimeMs at,
                                                     const std::string& reason) const {
    std::lock_guard lock(mutex_);
    return patrol::manual_visit(plan_, shifts_, unit, point_id, at, reason);
}

std::vector<patrol::Visit> PatrolDesk::all_visits_locked() const {
    std::vector<patrol::Visit> all = visits_;
    for (patrol::Visit& v : detector_.open_visits())
        all.push_back(std::move(v));
    return all;
}

std::vector<patrol::ShiftReport> PatrolDesk::status(base::TimeMs now) const {
    std::lock_guard lock(mutex_);
    const std::vector<patrol::Visit> visits = all_visits_locked();
    std::vector<patrol::ShiftReport> out;
    for (const patrol::Shift& s : shifts_) {
        if (now < s.start || now >= s.end) continue; // the live view: shifts on duty now
        auto it = fixes_.find(s.unit);
        const std::span<const patrol::Fix> fixes =
            it == fixes_.end() ? std::span<const patrol::Fix>() : std::span(it->second);
        if (auto r = patrol::shift_report(plan_, s, fixes, visits, now)) out.push_back(*r);
    }
    return out;
}

std::vector<patrol::DutyAlert> PatrolDesk::alerts(base::TimeMs now, int lead_s) const {
    std::lock_guard lock(mutex_);
    return patrol::overdue(plan_, shifts_, all_visits_locked(), now, lead_s);
}

base::Result<patrol::ShiftReport> PatrolDesk::report(const std::string& shift_id,
                                                     base::TimeMs now) const {
    std::lock_guard lock(mutex_);
    auto s = std::find_if(shifts_.begin(), shifts_.end(),
                          [&](const patrol::Shift& x) { return x.id == shift_id; });
    if (s == shifts_.end()) {
        return base::error(base::Code::not_found, "id",
                           fmt::format("id: no patrol shift {}", shift_id));
    }
    auto it = fixes_.find(s->unit);
    const std::span<const patrol::Fix> fixes =
        it == fixes_.end() ? std::span<const patrol::Fix>() : std::span(it->second);
    return patrol::shift_report(plan_, *s, fixes, all_visits_locked(), now);
}

} // namespace pingan::server
