// Visits to required points, detected from the position stream (no check-in needed), and
// manual visits recorded with a reason. Pure: positions and times come in as values.
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "geo/latlon.hpp"
#include "patrol/plan.hpp"

namespace pingan::patrol {

struct Visit {
    std::string unit;
    std::string point_id;
    std::string shift_id;
    base::TimeMs arrived = 0;         // first fix within radius_m (manual: the stated time)
    std::optional<base::TimeMs> left; // last fix still at the point; nothing while there
    double dwell_s = 0;               // from arrival to the last fix at the point so far
    bool manual = false;
    std::string reason; // why a manual visit was recorded by hand; empty for detected ones

    // The end of the time at the point known so far.
    base::TimeMs until() const { return left ? *left : arrived + std::llround(dwell_s * 1000); }
};

// How a stop is told from GPS noise. A visit starts at the first fix within the point's
// radius_m and lasts while fixes stay within the exit radius, max(radius_m * exit_factor,
// radius_m + exit_margin_m): the hysteresis keeps jitter around the edge from splitting one
// stop into many. Fixes beyond the exit radius end it only once they have lasted leave_after_s
// (first to latest such fix) with no fix back inside, so a single outlier never ends a stop. A
// silence longer than max_gap_s ends every visit of the unit at its last fix, since nothing is
// known about the time between. The visit left at its last fix within the exit radius, so
// dwell is measured between fixes and never includes the time it took to notice the leaving.
// A visit counts when that dwell reaches the point's min_dwell_s; shorter is a drive-by.
struct DetectorOptions {
    double exit_factor = 1.5;
    double exit_margin_m = 20; // at least this beyond radius_m, for small radii
    int leave_after_s = 30;
    int max_gap_s = 300; // parked units report less often; allow a few minutes
};

struct DetectorStats {
    std::uint64_t fixes = 0;         // positions given to observe()
    std::uint64_t out_of_order = 0;  // earlier than the unit's previous fix: ignored
    std::uint64_t invalid = 0;       // not a valid latitude/longitude: ignored
    std::uint64_t outside_shift = 0; // the unit had no shift then: ignored
    std::uint64_t drive_bys = 0;     // stays at a point shorter than its min_dwell_s
    std::uint64_t visits_closed = 0;
};

// Streaming detection over many units. Only the points of the area a unit is assigned to, and
// only during that shift, count: a unit crossing a neighbouring area's point is not patrolling
// it, and the issue assigns units to areas per shift. A visit never spans two shifts.
// Candidate points for a fix come from a uniform grid over the points in a local projection,
// so the cost per fix does not grow with the number of points.
class VisitDetector {
public:
    // Refuses a plan that does not validate.
    static base::Result<VisitDetector> create(const Plan& plan, DetectorOptions options = {});
    ~VisitDetector();
    VisitDetector(VisitDetector&&) noexcept;
    VisitDetector& operator=(VisitDetector&&) noexcept;

    // Assigns a unit to an area; refused when it does not validate or overlaps another shift
    // of the same unit. Positions before a shift is added are not re-examined.
    base::Status add_shift(const Shift& shift);
    // Forgets shifts that ended at or before t (after ending their visits), to bound memory.
    void drop_shifts_ended_by(base::TimeMs t);

    // A position of a unit; each unit's positions in time order (equal times allowed).
    void observe(std::string_view unit, base::TimeMs at, geo::LatLon where);

    // Ends the visits of units silent for longer than max_gap_s before now (for a live view
    // that must not keep a unit "at" a point after its device went quiet).
    void expire(base::TimeMs now);
    // Ends every visit at its last fix: the end of a recorded trace.
    void flush();

    // Visits ended since the previous call, in the order they ended.
    std::vector<Visit> take_closed();
    // Visits whose dwell has reached min_dwell_s and that are still going on (left empty).
    std::vector<Visit> open_visits() const;
    const DetectorStats& stats() const;

private:
    struct Impl;
    explicit VisitDetector(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// A visit recorded by hand (the unit was there but its positions do not show it, e.g. the
// device was off). The reason is required and kept with the visit, so a manual visit can be
// told from a detected one in every report. Refused unless the unit had a shift at `at` in the
// point's area: the same rule as for detected visits.
base::Result<Visit> manual_visit(const Plan& plan, std::span<const Shift> shifts,
                                 std::string_view unit, std::string_view point_id, base::TimeMs at,
                                 std::string_view reason);

} // namespace pingan::patrol
