// The Board: live operational state (open incidents, units, active assignments) and the
// commands that change it. Pure: no I/O, no clock, no locks. A command either succeeds,
// changes the Board and appends its events to `out`, or fails with a named error and changes
// nothing. The caller (server::Operations) serialises commands and makes events durable.
#pragma once

#include <array>
#include <map>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "ops/case_book.hpp"
#include "ops/model.hpp"

namespace pingan::ops {

// The refusal of a unit id that names no unit, naming the field the id came in.
base::Error no_such_unit(std::string_view field, Id id);

struct BoardConfig {
    int utc_offset_minutes = 0; // the centre's standard time offset; decides the numbering year
};

struct NewIncident {
    geo::LatLon location;
    std::string category;
    int priority = 3;
    std::string description;
    std::string address;
    bool has_caller = false;
    std::optional<TimeMs> received_at; // when the call was received, if earlier than now
    std::string jurisdiction;          // stamped by the caller (point-in-polygon)
    std::string patrol_area;
    std::string location_kind;
    std::string triage; // JSON text, see Incident::triage
    std::vector<Id> likely_duplicates;
};

struct NewUnit {
    std::string callsign;
    Agency agency = Agency::police;
    std::string type;
    std::vector<std::string> capabilities;
    std::string home_station;
    std::optional<Position> position;
    std::string home_jurisdiction;
};

// Extra data of an incident status change.
struct StatusDetails {
    std::string disposition;       // on close
    std::string reason;            // on cancel / divert
    std::optional<Id> merged_into; // on merge
};

// Response-time targets of one priority, in milliseconds (NFPA 1221 segments).
struct TimerTargets {
    TimeMs dispatch_ms = 0;     // call received -> first unit dispatched
    TimeMs en_route_ms = 0;     // unit dispatched -> en route
    TimeMs on_scene_ms = 0;     // call received -> first unit on scene
    TimeMs on_scene_max_ms = 0; // a unit on scene longer than this
};
using TargetsByPriority = std::array<TimerTargets, 4>; // index priority - 1

// What the store hands the Board on start: enough to validate every later command.
struct BoardSnapshot {
    std::vector<Incident> open_incidents;
    std::vector<std::pair<Id, IncidentStatus>> statuses; // every incident ever, for terminal ones
    std::vector<Unit> units;
    std::vector<Assignment> active_assignments;
    Id max_incident_id = 0;
    Id max_unit_id = 0;
    Id max_assignment_id = 0;
    std::vector<std::pair<int, std::int64_t>> last_number_by_year; // year -> last sequence used
    std::vector<Alert> open_alerts;
    Id max_alert_id = 0;
};

class Board {
public:
    explicit Board(BoardConfig config = {});

    // Replaces all state with the snapshot (start-up, or after a failed commit).
    void load(BoardSnapshot snapshot);

    base::Result<Incident> create_incident(const NewIncident& in, std::string_view actor, TimeMs at,
                                           std::vector<Event>& out);
    // `recommended_rank`: where the unit stood in the recommendation list the dispatcher saw.
    base::Result<Assignment> dispatch(Id incident_id, Id unit_id, std::string_view actor, TimeMs at,
                                      std::vector<Event>& out,
                                      std::optional<int> recommended_rank = std::nullopt);
    base::Result<Incident> change_incident_status(Id incident_id, IncidentStatus to,
                                                  const StatusDetails& details,
                                                  std::string_view actor, TimeMs at,
                                                  std::vector<Event>& out);
    base::Result<Unit> create_unit(const NewUnit& in, std::string_view actor, TimeMs at,
                                   std::vector<Event>& out);
    base::Result<Unit> change_unit_status(Id unit_id, UnitStatus to, std::string_view actor,
                                          TimeMs at, std::vector<Event>& out);
    // Latest position of a unit; not an event (positions are high-rate breadcrumbs). A report
    // older than the one held is accepted but does not replace it.
    base::Result<Unit> update_position(Id unit_id, const Position& p);

    // Raises the timer alerts whose condition holds at `now` and resolves those that no
    // longer hold. Each alert is raised once per condition (its key).
    void check_timers(TimeMs now, const TargetsByPriority& targets, std::vector<Event>& out);
    // Raises an alert of another source (e.g. the 12345 hand-off) unless one with the key is
    // open, or resolves one. Return whether anything changed.
    bool raise_alert(Alert alert, std::vector<Event>& out);
    bool resolve_alert(const std::string& key, TimeMs at, std::vector<Event>& out);
    const std::map<std::string, Alert>& open_alerts() const { return alerts_; }

    const Incident* open_incident(Id id) const;
    std::optional<IncidentStatus> incident_status(Id id) const;
    const Unit* unit(Id id) const;
    const std::unordered_map<Id, Unit>& units() const { return units_; }
    const std::unordered_map<Id, Incident>& open_incidents() const { return open_; }
    // Open incidents whose location lies within about `radius_m` of `p` (a superset: the cells
    // of a ~220 m grid that cover the circle's box), without scanning every open incident.
    std::vector<const Incident*> open_near(geo::LatLon p, double radius_m) const;
    std::vector<Assignment> active_assignments_of(Id incident_id) const;

    // Cases, evidence custody and notices (issue 8). Not part of the snapshot: load() leaves
    // it alone; server::Operations rebuilds it from the event log.
    CaseBook& case_book() { return case_book_; }
    const CaseBook& case_book() const { return case_book_; }

private:
    base::Result<Incident*> find_open_incident(Id id, std::string_view field);
    base::Result<Unit*> find_unit(Id id, std::string_view field);
    void set_status(Incident& incident, IncidentStatus to, std::string_view actor, TimeMs at,
                    std::vector<Event>& out, std::string_view reason = {});
    void set_status(Unit& unit, UnitStatus to, std::string_view actor, TimeMs at,
                    std::vector<Event>& out);
    void update_assignment(Assignment& a, std::string_view field, TimeMs at, std::string_view actor,
                           std::vector<Event>& out);
    // Closes the unit's assignment and makes it available. Returns the incident it served.
    Id release(Unit& unit, std::string_view actor, TimeMs at, std::vector<Event>& out);
    void remember_status(Id id, IncidentStatus s);

    BoardConfig config_;
    std::unordered_map<Id, Incident> open_;
    std::unordered_map<std::uint64_t, std::vector<Id>> open_cells_; // grid cell -> open incidents
    void index_open(const Incident& i);
    void unindex_open(const Incident& i);
    std::vector<std::uint8_t> status_by_id_; // IncidentStatus per id; kUnknownStatus if none
    std::unordered_map<Id, Unit> units_;
    std::unordered_set<std::string> callsigns_;
    std::unordered_map<Id, Assignment> active_; // by assignment id
    std::unordered_map<Id, std::vector<Id>> active_by_incident_;
    std::unordered_map<int, std::int64_t> last_number_by_year_;
    std::map<std::string, Alert> alerts_; // open alerts by key
    // The open timer alerts (raised and resolved only by check_timers) by kind and subject id,
    // so the check once a second costs a hash look-up per open incident, not building and
    // looking up their keys: 100,000 open incidents held the Board for ~0.2 s every second.
    struct TimerAlert {
        std::string key;
        bool holds = false; // seen holding in the current check
    };
    std::unordered_map<std::uint64_t, TimerAlert> timer_alerts_;
    void index_timer_alert(const Alert& a);
    Id max_alert_id_ = 0;
    Id max_incident_id_ = 0;
    Id max_unit_id_ = 0;
    Id max_assignment_id_ = 0;
    CaseBook case_book_; // rebuilt from the log by server::Operations, not by load()
};

} // namespace pingan::ops
