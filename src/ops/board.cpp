#include "ops/board.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <map>

#include <fmt/core.h>

namespace pingan::ops {
namespace {

using base::Code;
using base::error;

constexpr std::uint8_t kUnknownStatus = 0xff;

std::string subject(std::string_view kind, Id id) {
    return fmt::format("{}/{}", kind, id);
}

std::string label(const Incident& i) {
    return i.number.empty() ? std::to_string(i.id) : i.number;
}

} // namespace

Board::Board(BoardConfig config) : config_(config) {}

namespace {

// A grid of 0.002° (about 220 m north-south) for finding open incidents near a point.
constexpr double kCellDeg = 0.002;

std::int64_t cell_coord(double deg) {
    return static_cast<std::int64_t>(std::floor(deg / kCellDeg));
}

std::uint64_t cell_key(std::int64_t lat_cell, std::int64_t lon_cell) {
    return (static_cast<std::uint64_t>(lat_cell) << 32) ^
           (static_cast<std::uint64_t>(lon_cell) & 0xffffffffULL);
}

} // namespace

void Board::index_open(const Incident& i) {
    open_cells_[cell_key(cell_coord(i.location.lat), cell_coord(i.location.lon))].push_back(i.id);
}

void Board::unindex_open(const Incident& i) {
    auto it = open_cells_.find(cell_key(cell_coord(i.location.lat), cell_coord(i.location.lon)));
    if (it == open_cells_.end()) return;
    std::erase(it->second, i.id);
    if (it->second.empty()) open_cells_.erase(it);
}

std::vector<const Incident*> Board::open_near(geo::LatLon p, double radius_m) const {
    std::vector<const Incident*> out;
    const double dlat = radius_m / 110'000.0; // never less than the true extent
    const double cos_lat = std::cos(p.lat * 3.14159265358979323846 / 180.0);
    const double dlon = cos_lat > 1e-3 ? dlat / cos_lat : 360.0;
    const std::int64_t lat0 = cell_coord(p.lat - dlat), lat1 = cell_coord(p.lat + dlat);
    const std::int64_t lon0 = cell_coord(p.lon - dlon), lon1 = cell_coord(p.lon + dlon);
    // Near the antimeridian or the poles, or for a huge radius: every open incident.
    if (p.lon - dlon < -180 || p.lon + dlon > 180 || (lat1 - lat0 + 1) * (lon1 - lon0 + 1) > 400) {
        out.reserve(open_.size());
        for (const auto& [id, inc] : open_)
            out.push_back(&inc);
        return out;
    }
    for (std::int64_t a = lat0; a <= lat1; ++a) {
        for (std::int64_t b = lon0; b <= lon1; ++b) {
            auto it = open_cells_.find(cell_key(a, b));
            if (it == open_cells_.end()) continue;
            for (Id id : it->second)
                out.push_back(&open_.at(id));
        }
    }
    return out;
}

void Board::load(BoardSnapshot s) {
    open_.clear();
    open_cells_.clear();
    status_by_id_.clear();
    units_.clear();
    callsigns_.clear();
    active_.clear();
    active_by_incident_.clear();
    last_number_by_year_.clear();
    max_incident_id_ = s.max_incident_id;
    max_unit_id_ = s.max_unit_id;
    max_assignment_id_ = s.max_assignment_id;
    for (const auto& [id, status] : s.statuses)
        remember_status(id, status);
    for (auto& i : s.open_incidents) {
        remember_status(i.id, i.status);
        index_open(i);
        open_.emplace(i.id, std::move(i));
    }
    for (auto& u : s.units) {
        callsigns_.insert(u.callsign);
        units_.emplace(u.id, std::move(u));
    }
    for (auto& a : s.active_assignments) {
        active_by_incident_[a.incident_id].push_back(a.id);
        active_.emplace(a.id, std::move(a));
    }
    for (const auto& [year, seq] : s.last_number_by_year)
        last_number_by_year_[year] = seq;
    alerts_.clear();
    timer_alerts_.clear();
    for (auto& a : s.open_alerts) {
        index_timer_alert(a);
        alerts_.emplace(a.key, std::move(a));
    }
    max_alert_id_ = s.max_alert_id;
}

namespace {

std::string alert_subject(const Alert& a) {
    if (a.incident_id) return fmt::format("incident/{}", *a.incident_id);
    if (a.unit_id) return fmt::format("unit/{}", *a.unit_id);
    // Alerts about other things (a case deadline, a storage location) say what in their key:
    // "case_deadline/case/3" is about "case/3".
    const std::size_t slash = a.key.find('/');
    return slash == std::string::npos ? std::string("unit/0") : a.key.substr(slash + 1);
}

} // namespace

bool Board::raise_alert(Alert alert, std::vector<Event>& out) {
    if (alerts_.count(alert.key) != 0) return false;
    alert.id = ++max_alert_id_;
    out.push_back(Event{alert.raised_at, "system", "alert.raised", alert_subject(alert),
                        to_json_text(alert), alert});
    alerts_.emplace(alert.key, std::move(alert));
    return true;
}

bool Board::resolve_alert(const std::string& key, TimeMs at, std::vector<Event>& out) {
    auto it = alerts_.find(key);
    if (it == alerts_.end()) return false;
    Alert a = it->second;
    a.resolved_at = at;
    out.push_back(Event{at, "system", "alert.resolved", alert_subject(a), to_json_text(a), a});
    alerts_.erase(it);
    return true;
}

namespace {

// Timer alert kinds; the code of an alert is its kind in the top bits and its subject's id.
constexpr std::array<std::string_view, 4> kTimerKinds = {"not_dispatched", "not_on_scene",
                                                         "not_en_route", "on_scene_long"};
std::uint64_t timer_code(std::size_t kind, Id subject) {
    return (static_cast<std::uint64_t>(kind) << 60) | static_cast<std::uint64_t>(subject);
}

} // namespace

void Board::index_timer_alert(const Alert& a) {
    for (std::size_t k = 0; k < kTimerKinds.size(); ++k) {
        if (a.kind != kTimerKinds[k]) continue;
        // Keys end with the subject's id: "not_en_route/assignment/17".
        const std::size_t slash = a.key.rfind('/');
        Id id = 0;
        const char* first = a.key.data() + (slash == std::string::npos ? 0 : slash + 1);
        const char* last = a.key.data() + a.key.size();
        if (std::from_chars(first, last, id).ec == std::errc() && id > 0) {
            timer_alerts_[timer_code(k, id)] = TimerAlert{a.key, false};
        }
        return;
    }
}

void Board::check_timers(TimeMs now, const TargetsByPriority& targets, std::vector<Event>& out) {
    // Every condition that holds now. NFPA 1221 segments: call processing (received ->
    // dispatched), turnout (dispatched -> en route), response (received -> on scene). A
    // condition already alerted is only marked; new ones are collected by key so they are
    // raised in key order, after the resolutions, as before.
    std::map<std::string, Alert> raised;
    auto target = [&](const Incident& i) -> const TimerTargets& {
        return targets[static_cast<std::size_t>(std::clamp(i.priority, 1, 4) - 1)];
    };
    auto holds = [&](std::size_t kind, Id subject, std::string_view subject_kind, Id incident,
                     std::optional<Id> unit, const auto& message) {
        auto [it, inserted] = timer_alerts_.try_emplace(timer_code(kind, subject));
        it->second.holds = true;
        if (!inserted) return;
        Alert a;
        a.kind = std::string(kTimerKinds[kind]);
        a.key = fmt::format("{}/{}/{}", a.kind, subject_kind, subject);
        a.incident_id = incident;
        a.unit_id = unit;
        a.message = message();
        a.raised_at = now;
        it->second.key = a.key;
        raised.emplace(a.key, std::move(a));
    };
    // Plain references, not structured bindings: the lambdas below use them, which clang 14
    // (the fuzz build) does not allow for bindings.
    for (const auto& open_entry : open_) {
        const Id id = open_entry.first;
        const Incident& inc = open_entry.second;
        const TimerTargets& t = target(inc);
        const TimeMs waited = now - inc.received_at;
        if (inc.status == IncidentStatus::received && waited > t.dispatch_ms) {
            holds(0, id, "incident", id, std::nullopt, [&] {
                return fmt::format("incident {} (P{}) not dispatched after {} s", inc.number,
                                   inc.priority, waited / 1000);
            });
        }
        if ((inc.status == IncidentStatus::received || inc.status == IncidentStatus::dispatched) &&
            !inc.on_scene_at && waited > t.on_scene_ms) {
            holds(1, id, "incident", id, std::nullopt, [&] {
                return fmt::format("incident {} (P{}): no unit on scene after {} s", inc.number,
                                   inc.priority, waited / 1000);
            });
        }
    }
    for (const auto& active_entry : active_) {
        const Id aid = active_entry.first;
        const Assignment& a = active_entry.second;
        auto inc = open_.find(a.incident_id);
        if (inc == open_.end()) continue;
        const TimerTargets& t = target(inc->second);
        const Unit& u = units_.at(a.unit_id);
        if (!a.en_route_at && !a.on_scene_at && now - a.dispatched_at > t.en_route_ms) {
            holds(2, aid, "assignment", a.incident_id, a.unit_id, [&] {
                return fmt::format("unit {} not en route to {} after {} s", u.callsign,
                                   inc->second.number, (now - a.dispatched_at) / 1000);
            });
        }
        if (a.on_scene_at && now - *a.on_scene_at > t.on_scene_max_ms) {
            holds(3, aid, "assignment", a.incident_id, a.unit_id, [&] {
                return fmt::format("unit {} on scene at {} for {} min; check on it", u.callsign,
                                   inc->second.number, (now - *a.on_scene_at) / 60'000);
            });
        }
    }
    // Timer alerts whose condition has passed are resolved, in key order.
    std::vector<std::string> passed;
    for (auto it = timer_alerts_.begin(); it != timer_alerts_.end();) {
        if (it->second.holds) {
            it->second.holds = false;
            ++it;
        } else {
            passed.push_back(std::move(it->second.key));
            it = timer_alerts_.erase(it);
        }
    }
    std::sort(passed.begin(), passed.end());
    for (const std::string& key : passed)
        resolve_alert(key, now, out);
    for (auto& [key, a] : raised)
        raise_alert(std::move(a), out);
}

void Board::remember_status(Id id, IncidentStatus s) {
    if (id <= 0) return;
    const auto index = static_cast<std::size_t>(id);
    if (status_by_id_.size() <= index) status_by_id_.resize(index + 1, kUnknownStatus);
    status_by_id_[index] = static_cast<std::uint8_t>(s);
}

const Incident* Board::open_incident(Id id) const {
    auto it = open_.find(id);
    return it == open_.end() ? nullptr : &it->second;
}

std::optional<IncidentStatus> Board::incident_status(Id id) const {
    if (id <= 0 || static_cast<std::size_t>(id) >= status_by_id_.size()) return std::nullopt;
    const std::uint8_t s = status_by_id_[static_cast<std::size_t>(id)];
    if (s == kUnknownStatus) return std::nullopt;
    return static_cast<IncidentStatus>(s);
}

const Unit* Board::unit(Id id) const {
    auto it = units_.find(id);
    return it == units_.end() ? nullptr : &it->second;
}

std::vector<Assignment> Board::active_assignments_of(Id incident_id) const {
    std::vector<Assignment> result;
    if (auto it = active_by_incident_.find(incident_id); it != active_by_incident_.end()) {
        for (Id a : it->second)
            result.push_back(active_.at(a));
    }
    return result;
}

base::Result<Incident*> Board::find_open_incident(Id id, std::string_view field) {
    if (auto it = open_.find(id); it != open_.end()) return &it->second;
    if (auto status = incident_status(id)) {
        return error(Code::invalid_transition, std::string(field),
                     fmt::format("incident {} is {}; it accepts no further changes", id,
                                 to_string(*status)));
    }
    return error(Code::unknown_incident, std::string(field),
                 fmt::format("{}: no incident with id {}", field, id));
}

base::Error no_such_unit(std::string_view field, Id id) {
    return error(Code::unknown_unit, std::string(field),
                 fmt::format("{}: no unit with id {}", field, id));
}

base::Result<Unit*> Board::find_unit(Id id, std::string_view field) {
    if (auto it = units_.find(id); it != units_.end()) return &it->second;
    return no_such_unit(field, id);
}

void Board::set_status(Incident& incident, IncidentStatus to, std::string_view actor, TimeMs at,
                       std::vector<Event>& out, std::string_view reason) {
    const IncidentStatus from = incident.status;
    incident.status = to;
    incident.updated_at = at;
    switch (to) {
    case IncidentStatus::dispatched:
        if (!incident.dispatched_at) incident.dispatched_at = at;
        break;
    case IncidentStatus::on_scene:
        if (!incident.on_scene_at) incident.on_scene_at = at;
        break;
    case IncidentStatus::cleared:
        incident.cleared_at = at;
        break;
    case IncidentStatus::closed:
    case IncidentStatus::diverted:
    case IncidentStatus::merged:
    case IncidentStatus::cancelled:
        incident.closed_at = at;
        break;
    case IncidentStatus::received:
        break;
    }
    // The payload is the incident after the change plus what changed, so that projections
    // are plain upserts and the log alone can rebuild them.
    std::string payload;
    payload.reserve(640);
    base::JsonWriter w(payload);
    w.begin_object();
    write_fields(w, incident);
    w.field("from", to_string(from)).field("to", to_string(to));
    if (!reason.empty()) w.field("reason", reason);
    w.end_object();
    out.push_back(Event{at, std::string(actor), "incident.status", subject("incident", incident.id),
                        std::move(payload), incident});
    remember_status(incident.id, to);
}

void Board::set_status(Unit& unit, UnitStatus to, std::string_view actor, TimeMs at,
                       std::vector<Event>& out) {
    std::string payload;
    base::JsonWriter w(payload);
    w.begin_object()
        .field("id", unit.id)
        .field("callsign", unit.callsign)
        .field("from", to_string(unit.status))
        .field("to", to_string(to));
    if (unit.incident_id) w.field("incident_id", *unit.incident_id);
    if (unit.assignment_id) w.field("assignment_id", *unit.assignment_id);
    w.end_object();
    UnitStatusChange change{unit.id, to, at, std::nullopt, std::nullopt};
    if (is_assigned(to)) {
        change.incident_id = unit.incident_id;
        change.assignment_id = unit.assignment_id;
    }
    unit.status = to;
    unit.status_at = at;
    out.push_back(Event{at, std::string(actor), "unit.status", subject("unit", unit.id),
                        std::move(payload), change});
}

void Board::update_assignment(Assignment& a, std::string_view field, TimeMs at,
                              std::string_view actor, std::vector<Event>& out) {
    if (field == "en_route_at") a.en_route_at = at;
    if (field == "on_scene_at") a.on_scene_at = at;
    if (field == "cleared_at") a.cleared_at = at;
    std::string payload;
    base::JsonWriter w(payload);
    w.begin_object();
    write_fields(w, a);
    w.field("changed", field).end_object();
    out.push_back(Event{at, std::string(actor), "assignment.updated", subject("assignment", a.id),
                        std::move(payload), a});
}

Id Board::release(Unit& unit, std::string_view actor, TimeMs at, std::vector<Event>& out) {
    const Id assignment_id = *unit.assignment_id;
    const Id incident_id = *unit.incident_id;
    set_status(unit, UnitStatus::available, actor, at, out);
    unit.incident_id.reset();
    unit.assignment_id.reset();
    auto it = active_.find(assignment_id);
    update_assignment(it->second, "cleared_at", at, actor, out);
    active_.erase(it);
    auto& list = active_by_incident_[incident_id];
    list.erase(std::remove(list.begin(), list.end(), assignment_id), list.end());
    if (list.empty()) active_by_incident_.erase(incident_id);
    return incident_id;
}

base::Result<Incident> Board::create_incident(const NewIncident& in, std::string_view actor,
                                              TimeMs at, std::vector<Event>& out) {
    Incident incident;
    incident.id = max_incident_id_ + 1;
    incident.received_at = in.received_at.value_or(at);
    const int year = base::to_civil(incident.received_at, config_.utc_offset_minutes).year;
    incident.number = incident_number(year, last_number_by_year_[year] + 1);
    incident.status = IncidentStatus::received;
    incident.category = in.category;
    incident.priority = in.priority;
    incident.location = in.location;
    incident.address = in.address;
    incident.description = in.description;
    incident.created_by = std::string(actor);
    incident.updated_at = at;
    incident.has_caller = in.has_caller;
    incident.jurisdiction = in.jurisdiction;
    incident.patrol_area = in.patrol_area;
    incident.location_kind = in.location_kind;
    incident.triage = in.triage;
    incident.likely_duplicates = in.likely_duplicates;

    ++max_incident_id_;
    ++last_number_by_year_[year];
    remember_status(incident.id, incident.status);
    out.push_back(Event{at, std::string(actor), "incident.created",
                        subject("incident", incident.id), to_json_text(incident), incident});
    index_open(incident);
    open_.emplace(incident.id, incident);
    return incident;
}

base::Result<Assignment> Board::dispatch(Id incident_id, Id unit_id, std::string_view actor,
                                         TimeMs at, std::vector<Event>& out,
                                         std::optional<int> recommended_rank) {
    auto incident = find_open_incident(incident_id, "id");
    if (!incident) return std::move(incident).error();
    Incident& inc = **incident;
    const bool can_take_units =
        inc.status == IncidentStatus::received || inc.status == IncidentStatus::dispatched ||
        inc.status == IncidentStatus::on_scene || inc.status == IncidentStatus::cleared;
    if (!can_take_units) {
        return error(Code::invalid_transition, "id",
                     fmt::format("incident {} is {}; units cannot be dispatched to it", label(inc),
                                 to_string(inc.status)));
    }
    auto unit = find_unit(unit_id, "unit_id");
    if (!unit) return std::move(unit).error();
    Unit& u = **unit;
    if (u.status != UnitStatus::available) {
        if (u.incident_id == inc.id) {
            return error(Code::already_assigned, "unit_id",
                         fmt::format("unit_id: unit {} is already assigned to incident {}",
                                     u.callsign, label(inc)));
        }
        return error(
            Code::unit_not_available, "unit_id",
            fmt::format("unit_id: unit {} is {}, not available", u.callsign, to_string(u.status)));
    }

    Assignment a;
    a.id = ++max_assignment_id_;
    a.incident_id = inc.id;
    a.unit_id = u.id;
    a.dispatched_at = at;
    a.dispatched_by = std::string(actor);
    a.recommended_rank = recommended_rank;
    out.push_back(Event{at, std::string(actor), "assignment.created", subject("assignment", a.id),
                        to_json_text(a), a});
    u.incident_id = inc.id;
    u.assignment_id = a.id;
    set_status(u, UnitStatus::dispatched, actor, at, out);
    if (inc.status == IncidentStatus::received || inc.status == IncidentStatus::cleared) {
        set_status(inc, IncidentStatus::dispatched, actor, at, out);
    }
    active_by_incident_[inc.id].push_back(a.id);
    active_.emplace(a.id, a);
    return a;
}

base::Result<Incident> Board::change_incident_status(Id incident_id, IncidentStatus to,
                                                     const StatusDetails& details,
                                                     std::string_view actor, TimeMs at,
                                                     std::vector<Event>& out) {
    auto found = find_open_incident(incident_id, "id");
    if (!found) return std::move(found).error();
    Incident& inc = **found;
    if (to == IncidentStatus::received || to == IncidentStatus::dispatched ||
        to == IncidentStatus::on_scene) {
        return error(Code::invalid_transition, "status",
                     fmt::format("status: an incident becomes {} through dispatch and unit status, "
                                 "not directly",
                                 to_string(to)));
    }
    if (!allowed(inc.status, to)) {
        return error(Code::invalid_transition, "status",
                     fmt::format("status: incident {} cannot go from {} to {}", label(inc),
                                 to_string(inc.status), to_string(to)));
    }
    if (to == IncidentStatus::merged) {
        if (!details.merged_into) {
            return error(Code::field_missing, "merged_into",
                         "merged_into: required when status is merged");
        }
        if (*details.merged_into == inc.id || open_incident(*details.merged_into) == nullptr) {
            return error(
                Code::field_invalid, "merged_into",
                fmt::format("merged_into: {} is not another open incident", *details.merged_into));
        }
        inc.merged_into = details.merged_into;
    }
    if (to == IncidentStatus::closed) inc.disposition = details.disposition;

    // Clearing or cancelling releases every unit still on the incident.
    if (to == IncidentStatus::cleared || to == IncidentStatus::cancelled) {
        auto it = active_by_incident_.find(inc.id);
        const std::vector<Id> assignments =
            it == active_by_incident_.end() ? std::vector<Id>{} : it->second;
        for (Id a : assignments)
            release(units_.at(active_.at(a).unit_id), actor, at, out);
    }
    set_status(inc, to, actor, at, out, details.reason);
    Incident result = inc;
    if (is_terminal(to)) {
        unindex_open(inc);
        open_.erase(inc.id);
    }
    return result;
}

base::Result<Unit> Board::create_unit(const NewUnit& in, std::string_view actor, TimeMs at,
                                      std::vector<Event>& out) {
    if (callsigns_.count(in.callsign) != 0) {
        return error(Code::duplicate_callsign, "callsign",
                     fmt::format("callsign: {} is already used by another unit", in.callsign));
    }
    Unit u;
    u.id = ++max_unit_id_;
    u.callsign = in.callsign;
    u.agency = in.agency;
    u.type = in.type;
    u.capabilities = in.capabilities;
    u.home_station = in.home_station;
    u.status = UnitStatus::available;
    u.status_at = at;
    u.position = in.position;
    u.home_jurisdiction = in.home_jurisdiction;
    callsigns_.insert(u.callsign);
    out.push_back(
        Event{at, std::string(actor), "unit.created", subject("unit", u.id), to_json_text(u), u});
    units_.emplace(u.id, u);
    return u;
}

base::Result<Unit> Board::change_unit_status(Id unit_id, UnitStatus to, std::string_view actor,
                                             TimeMs at, std::vector<Event>& out) {
    auto found = find_unit(unit_id, "id");
    if (!found) return std::move(found).error();
    Unit& u = **found;
    if (to == UnitStatus::dispatched) {
        return error(Code::invalid_transition, "status",
                     "status: a unit is dispatched with POST /api/v1/incidents/{id}/dispatch, "
                     "which also records the assignment");
    }
    if (!allowed(u.status, to)) {
        return error(Code::invalid_transition, "status",
                     fmt::format("status: unit {} cannot go from {} to {}", u.callsign,
                                 to_string(u.status), to_string(to)));
    }
    if (!is_assigned(u.status)) {
        set_status(u, to, actor, at, out);
        return u;
    }

    Assignment& a = active_.at(*u.assignment_id);
    Incident* inc = nullptr;
    if (auto it = open_.find(a.incident_id); it != open_.end()) inc = &it->second;
    if (to == UnitStatus::available) {
        release(u, actor, at, out);
        if (inc != nullptr && !active_by_incident_.contains(inc->id)) {
            // Last unit left: an attended incident is cleared; an unattended one goes back to
            // the pending queue (the unit was recalled before arriving).
            if (inc->status == IncidentStatus::on_scene) {
                set_status(*inc, IncidentStatus::cleared, actor, at, out);
            } else if (inc->status == IncidentStatus::dispatched) {
                set_status(*inc, IncidentStatus::received, actor, at, out,
                           "all units recalled before arrival");
            }
        }
        return u;
    }
    set_status(u, to, actor, at, out);
    if (to == UnitStatus::en_route) update_assignment(a, "en_route_at", at, actor, out);
    if (to == UnitStatus::on_scene) {
        update_assignment(a, "on_scene_at", at, actor, out);
        if (inc != nullptr && inc->status == IncidentStatus::dispatched) {
            set_status(*inc, IncidentStatus::on_scene, actor, at, out);
        }
    }
    return u;
}

base::Result<Unit> Board::update_position(Id unit_id, const Position& p) {
    auto found = find_unit(unit_id, "id");
    if (!found) return std::move(found).error();
    Unit& u = **found;
    if (!u.position || u.position->reported_at <= p.reported_at) u.position = p;
    return u;
}

} // namespace pingan::ops
