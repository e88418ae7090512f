// What a unit did on a shift (points visited or missed, time in its area, distance driven,
// idle time) and, across the shifts running now, which required points are overdue or about
// to be missed. Pure: positions, visits and "now" come in as values.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "geo/latlon.hpp"
#include "patrol/plan.hpp"
#include "patrol/visits.hpp"

namespace pingan::patrol {

struct Fix {
    base::TimeMs at = 0;
    geo::LatLon where;
};

// How a trace is read. Between consecutive fixes a and b the unit moved distance_m(a, b) in
// b.at - a.at:
// - a step faster than max_speed_mps is a GPS error (a jump no patrol car makes): it adds no
//   distance, idle time or time in the area; an outlier fix makes two such steps, so it is
//   skipped both ways, losing only the few seconds around it;
// - a run of consecutive steps each slower than idle_speed_mps is idle time when the run lasts
//   longer than idle_min_s (a stop at a light is not idling); a GPS-error step breaks a run.
//   The rule reads speeds between fixes, so jitter of a parked unit's fixes that implies
//   idle_speed_mps or more (5 m in 5 s) breaks a run too;
// - time in the area counts a step fully when both fixes are inside the area, half when one
//   is (the crossing is somewhere between), and not at all when both are outside;
// - a step longer than max_gap_s (device off, tunnel) adds its distance but neither idle time
//   nor time in the area: nothing is known about the time between.
struct ReportOptions {
    double max_speed_mps = 200.0 / 3.6;
    double idle_speed_mps = 1.0;
    int idle_min_s = 120;
    int max_gap_s = 600;
};

enum class DutyState {
    met,     // the visits owed were made
    pending, // short of visits, but the window has not ended yet
    missed,  // the window ended short of visits
};
std::string_view to_string(DutyState s);

struct DutyResult {
    Duty duty;
    std::string point_name;
    int visits = 0; // counted visits (detected and manual)
    int manual_visits = 0;
    DutyState state = DutyState::pending;
};

struct ShiftReport {
    std::string shift_id;
    std::string unit;
    std::string area_id;
    std::vector<DutyResult> duties; // plan order of points, then by start
    int met = 0;
    int missed = 0;
    int pending = 0;
    double time_in_area_s = 0;
    double distance_m = 0;
    double idle_s = 0;
    std::size_t fixes = 0;         // fixes within the shift that were read
    std::size_t jumps_skipped = 0; // steps dropped as GPS errors
};

// Whether a visit counts toward a duty: the duty's unit and point, and for a detected visit at
// least the point's min_dwell_s of its time at the point inside [from, to) (a unit already
// parked at the point when the window opens counts once it has stayed long enough within it);
// a manual visit counts when its time is in [from, to). Each visit counts once per duty.
bool counts_for(const Visit& visit, const Duty& duty, const RequiredPoint& point);

// The report of one shift as of `as_of` (a duty whose window ends after it is pending). Fixes
// are the unit's positions (any order; those outside the shift are ignored); visits may be
// those of every unit. Refused when the shift does not validate against the plan.
base::Result<ShiftReport> shift_report(const Plan& plan, const Shift& shift,
                                       std::span<const Fix> fixes, std::span<const Visit> visits,
                                       base::TimeMs as_of, const ReportOptions& options = {});

enum class Alert {
    overdue,       // the window ended short of visits
    about_to_miss, // the window ends within the lead time and visits are still short
};
std::string_view to_string(Alert a);

struct DutyAlert {
    Duty duty;
    std::string point_name;
    int visits = 0;
    Alert alert = Alert::overdue;
    int minutes_left = 0; // until the window ends, rounded up; 0 when overdue
};

// The live view: over the given shifts (the caller passes those of interest, e.g. running now
// or ended today), every duty short of visits whose window has ended by now (overdue) or ends
// within lead_s after now (about to miss). Overdue first, then by window end. Visits are
// counted as in counts_for; pass the open visits too, so a unit at the point is not alerted.
std::vector<DutyAlert> overdue(const Plan& plan, std::span<const Shift> shifts,
                               std::span<const Visit> visits, base::TimeMs now,
                               int lead_s = 15 * 60);

} // namespace pingan::patrol
