// The patrol plan (必巡区域/线路/点位): patrol areas, the required points in them with their
// daily time windows and visits owed per shift, and the shifts that assign a unit to an area.
// Plain data with validation; visits.hpp detects visits and shift_report.hpp judges them.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "geo/boundary.hpp"
#include "geo/latlon.hpp"

namespace pingan::patrol {

struct PatrolArea {
    std::string id;
    std::string name;
    geo::MultiPolygon shape; // normalised (geo::normalise)
};

// A window of the local day, [from_min, to_min) in minutes after local midnight, repeated every
// day. Daily rather than absolute because a plan outlives its shifts: "the school gate between
// 07:30 and 08:30" holds for every day shift without re-importing. to_min <= from_min means the
// window crosses midnight ("22:00-02:00"); to_min may be 1440 ("20:00-24:00").
struct DailyWindow {
    int from_min = 0; // 0..1439
    int to_min = 0;   // 0..1440, != from_min

    friend bool operator==(const DailyWindow&, const DailyWindow&) = default;
};

// "08:00-10:00" (24:00 allowed as an end); nothing for anything else, including an empty
// window and "00:00-24:00" (a point watched all day has no windows).
std::optional<DailyWindow> parse_daily_window(std::string_view text);
std::string format_daily_window(DailyWindow w);

// A place the unit on shift in its area must visit. A required route (必巡线路) is a sequence
// of required points at the route's vertices sharing route_id, numbered by route_seq: each
// vertex is visited, counted and reported like any point, and the route is covered when all of
// its points are. The order along the route is not enforced (a unit may drive it backwards).
struct RequiredPoint {
    std::string id;
    std::string area_id; // the PatrolArea whose shifts owe the visits
    std::string name;
    geo::LatLon location;
    double radius_m = 50; // a visit starts at a fix this close (see visits.hpp for leaving)
    int min_dwell_s = 60; // time at the point for a visit to count; shorter is a drive-by
    int min_visits = 1;   // visits owed per shift, in each occurrence of each window
    std::vector<DailyWindow> windows; // empty: the whole shift is one window
    std::string route_id;             // set when the point is a vertex of a required route
    int route_seq = 0;                // 1-based position along the route; 0 for a lone point
};

struct Plan {
    std::vector<PatrolArea> areas;
    std::vector<RequiredPoint> points;
    int utc_offset_minutes = 0; // minutes east of UTC of the local day the windows refer to

    const PatrolArea* find_area(std::string_view id) const;
    const RequiredPoint* find_point(std::string_view id) const;
};

// A unit assigned to one patrol area from start to end.
struct Shift {
    std::string id;
    std::string unit; // the unit's key (call sign) as the position stream names it
    std::string area_id;
    base::TimeMs start = 0; // inclusive
    base::TimeMs end = 0;   // exclusive
};

// One occurrence of a point's window within a shift, clipped to the shift: the point needs
// `required` visits by the shift's unit in [from, to). A point without windows has one duty
// spanning the shift. min_visits is owed per occurrence because a point with windows
// 08:00-10:00 and 20:00-22:00 has both for a reason: two morning visits do not cover the evening.
struct Duty {
    std::string shift_id;
    std::string unit;
    std::string point_id;
    base::TimeMs from = 0; // inclusive
    base::TimeMs to = 0;   // exclusive
    int required = 1;
};

// Limits checked by validate(); the errors name the field, the object's id and the reason.
inline constexpr double kMaxRadiusM = 2'000;     // beyond this a "point" is an area
inline constexpr int kMaxDwellS = 86'400;        // one day
inline constexpr int kMaxVisits = 100;           // per window occurrence
inline constexpr int kMaxUtcOffsetMinutes = 840; // UTC+14, the largest offset in use

base::Status validate(const PatrolArea& area);
base::Status validate(const RequiredPoint& point);
// Every area and point, unique ids, every point's area known, every route numbered 1..n.
base::Status validate(const Plan& plan);
// The shift on its own (ids, start < end) and its area in the plan.
base::Status validate(const Shift& shift, const Plan& plan);

// The duties of a shift: for every point of the shift's area, each window occurrence that
// overlaps the shift, clipped to it. Ordered by point (plan order), then by start.
std::vector<Duty> duties(const Plan& plan, const Shift& shift);

} // namespace pingan::patrol
