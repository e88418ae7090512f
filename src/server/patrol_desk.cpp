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

// The n of a shift id "S<n>", or 0.
long shift_number(const std::string& id) {
    if (id.size() < 2 || id[0] != 'S') return 0;
    long n = 0;
    for (std::size_t i = 1; i < id.size(); ++i) {
        if (id[i] < '0' || id[i] > '9' || n > 100'000'000) return 0;
        n = n * 10 + (id[i] - '0');
    }
    return n;
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
    std::lock_guard lock(mutex_);
    if (event.seq > 0 && !applied_seqs_.insert(event.seq).second) return base::Status{};
    try {
        if (event.kind == "patrol.shift_assigned") {
            patrol::Shift s;
            s.id = j.at("shift_id").get<std::string>();
            s.unit = std::to_string(j.at("unit_id").get<std::int64_t>());
            s.area_id = j.at("area_id").get<std::string>();
            s.start = base::parse_iso8601(j.at("start").get<std::string>()).value_or(0);
            s.end = base::parse_iso8601(j.at("end").get<std::string>()).value_or(0);
            held_.erase(s.id);
            return add_shift_locked(s);
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
            visits_.push_back(std::move(v));
        }
    } catch (const nlohmann::json::exception& e) {
        return base::error(base::Code::corrupt_file, "payload",
                           fmt::format("event {}: {}: {}", event.seq, event.kind, e.what()));
    }
    return base::Status{};
}

base::Status PatrolDesk::add_shift_locked(const patrol::Shift& shift) {
    if (auto added = detector_.add_shift(shift); !added) return added;
    shifts_of_[shift.unit].push_back(shifts_.size());
    shifts_.push_back(shift);
    last_shift_number_ = std::max(last_shift_number_, shift_number(shift.id));
    return base::Status{};
}

base::Result<patrol::Shift> PatrolDesk::reserve_shift(patrol::Shift draft) {
    std::lock_guard lock(mutex_);
    auto overlaps = [&](const patrol::Shift& other) -> base::Status {
        if (other.unit != draft.unit || !(draft.start < other.end && other.start < draft.end)) {
            return base::Status{};
        }
        return base::error(base::Code::field_invalid, "start",
                           fmt::format("start: unit {} already has shift {} from {} to {}",
                                       draft.unit, other.id, base::format_iso8601(other.start),
                                       base::format_iso8601(other.end)));
    };
    if (auto it = shifts_of_.find(draft.unit); it != shifts_of_.end()) {
        for (std::size_t i : it->second) {
            if (auto free = overlaps(shifts_[i]); !free) return free.error();
        }
    }
    for (const auto& [id, held] : held_) {
        if (auto free = overlaps(held); !free) return free.error();
    }
    draft.id = fmt::format("S{}", ++last_shift_number_);
    held_.emplace(draft.id, draft);
    return draft;
}

void PatrolDesk::release_shift(const std::string& id) {
    std::lock_guard lock(mutex_);
    held_.erase(id);
}

void PatrolDesk::keep_fix_locked(const std::string& unit, base::TimeMs at, geo::LatLon where) {
    // Fixes are kept for shift reports only while the unit is on a shift (its own few shifts,
    // not every shift of the centre: this runs for every position report).
    auto it = shifts_of_.find(unit);
    if (it == shifts_of_.end()) return;
    const bool on_shift = std::any_of(it->second.begin(), it->second.end(), [&](std::size_t i) {
        return at >= shifts_[i].start && at < shifts_[i].end;
    });
    if (!on_shift) return;
    std::vector<patrol::Fix>& fixes = fixes_[unit];
    fixes.push_back({at, where});
    // Reports come back late over the air: keep the trace in time order.
    for (std::size_t i = fixes.size() - 1; i > 0 && fixes[i].at < fixes[i - 1].at; --i)
        std::swap(fixes[i], fixes[i - 1]);
}

std::vector<patrol::Visit> PatrolDesk::observe(const std::string& unit, base::TimeMs at,
                                               geo::LatLon where) {
    std::lock_guard lock(mutex_);
    keep_fix_locked(unit, at, where);
    detector_.observe(unit, at, where);
    return detector_.take_closed();
}

void PatrolDesk::restore_fix(const std::string& unit, base::TimeMs at, geo::LatLon where) {
    std::lock_guard lock(mutex_);
    keep_fix_locked(unit, at, where);
}

std::optional<base::TimeMs> PatrolDesk::fixes_needed_since(base::TimeMs now) const {
    std::lock_guard lock(mutex_);
    std::optional<base::TimeMs> since;
    for (const patrol::Shift& s : shifts_) {
        if (s.end > now - kKeepFixes && s.start <= now) {
            since = std::min(since.value_or(s.start), s.start);
        }
    }
    return since;
}

void PatrolDesk::set_fixes_since(base::TimeMs since) {
    std::lock_guard lock(mutex_);
    fixes_since_ = since;
}

std::vector<patrol::Visit> PatrolDesk::expire(base::TimeMs now) {
    std::lock_guard lock(mutex_);
    const base::TimeMs horizon = now - kKeepFixes;
    if (fixes_since_ < horizon) {
        fixes_since_ = horizon;
        for (auto it = fixes_.begin(); it != fixes_.end();) {
            std::vector<patrol::Fix>& f = it->second;
            f.erase(f.begin(), std::lower_bound(
                                   f.begin(), f.end(), horizon,
                                   [](const patrol::Fix& x, base::TimeMs t) { return x.at < t; }));
            it = f.empty() ? fixes_.erase(it) : std::next(it);
        }
    }
    detector_.expire(now);
    std::vector<patrol::Visit> closed = detector_.take_closed();
    closed.insert(closed.end(), std::make_move_iterator(unrecorded_.begin()),
                  std::make_move_iterator(unrecorded_.end()));
    unrecorded_.clear();
    return closed;
}

void PatrolDesk::retry(std::vector<patrol::Visit> visits) {
    std::lock_guard lock(mutex_);
    unrecorded_.insert(unrecorded_.end(), std::make_move_iterator(visits.begin()),
                       std::make_move_iterator(visits.end()));
}

std::vector<patrol::Shift> PatrolDesk::shifts() const {
    std::lock_guard lock(mutex_);
    return shifts_;
}

std::optional<patrol::Shift> PatrolDesk::shift(const std::string& id) const {
    std::lock_guard lock(mutex_);
    for (const patrol::Shift& s : shifts_) {
        if (s.id == id) return s;
    }
    return std::nullopt;
}

base::Result<patrol::Visit> PatrolDesk::manual_visit(const std::string& unit,
                                                     const std::string& point_id, base::TimeMs at,
                                                     const std::string& reason) const {
    std::lock_guard lock(mutex_);
    return patrol::manual_visit(plan_, shifts_, unit, point_id, at, reason);
}

std::vector<patrol::Visit> PatrolDesk::all_visits_locked() const {
    std::vector<patrol::Visit> all = visits_;
    all.insert(all.end(), unrecorded_.begin(), unrecorded_.end());
    for (patrol::Visit& v : detector_.open_visits())
        all.push_back(std::move(v));
    return all;
}

std::span<const patrol::Fix> PatrolDesk::fixes_locked(const std::string& unit) const {
    auto it = fixes_.find(unit);
    return it == fixes_.end() ? std::span<const patrol::Fix>() : std::span(it->second);
}

std::vector<patrol::ShiftReport> PatrolDesk::status(base::TimeMs now) const {
    std::lock_guard lock(mutex_);
    const std::vector<patrol::Visit> visits = all_visits_locked();
    std::vector<patrol::ShiftReport> out;
    for (const patrol::Shift& s : shifts_) {
        if (now < s.start || now >= s.end) continue; // the live view: shifts on duty now
        if (auto r = patrol::shift_report(plan_, s, fixes_locked(s.unit), visits, now)) {
            out.push_back(*r);
        }
    }
    return out;
}

std::vector<patrol::DutyAlert> PatrolDesk::alerts(base::TimeMs now, int lead_s) const {
    std::lock_guard lock(mutex_);
    std::vector<patrol::Shift> on_duty;
    for (const patrol::Shift& s : shifts_) {
        if (s.start <= now && now < s.end) on_duty.push_back(s);
    }
    return patrol::overdue(plan_, on_duty, all_visits_locked(), now, lead_s);
}

bool PatrolDesk::has_fixes_for(const patrol::Shift& shift) const {
    std::lock_guard lock(mutex_);
    return shift.start >= fixes_since_;
}

base::Result<patrol::ShiftReport>
PatrolDesk::report(const std::string& shift_id, base::TimeMs now,
                   std::optional<std::span<const patrol::Fix>> fixes) const {
    std::lock_guard lock(mutex_);
    auto s = std::find_if(shifts_.begin(), shifts_.end(),
                          [&](const patrol::Shift& x) { return x.id == shift_id; });
    if (s == shifts_.end()) {
        return base::error(base::Code::not_found, "id",
                           fmt::format("id: no patrol shift {}", shift_id));
    }
    return patrol::shift_report(plan_, *s, fixes ? *fixes : fixes_locked(s->unit),
                                all_visits_locked(), now);
}

} // namespace pingan::server
