// Deadline computation for one stage of a case: start + statutory limit, on the centre's
// calendar and in its time zone, plus granted extensions; and the alerts due for a set of
// deadlines at a given `now`.
//
// Rules (docs/cases.md, "Deadline rules"; IDs are cited by the tests):
//  DL-1 hours: the period ends exactly `amount` hours after the start instant.
//  DL-2 calendar days: the start day is not counted (刑事诉讼法 第105条 "期间开始的时和日不算在
//       期间以内"); the last day is start day + amount, and the period ends at the end of that
//       local day.
//  DL-3 working days: the last day is the amount-th working day after the start day.
//  DL-4 months: the last day is the same day `amount` months later (or that month's last day).
//  DL-5 holiday: when the row says holiday_extends, a calendar-day or month period whose last
//       day is not a working day (weekend or holiday, unless a make-up working day) ends on the
//       first working day after it. Rows for periods in custody do not extend.
//  DL-6 extensions add to the statutory last day (or end instant) before DL-5 is applied, in
//       the row's extension unit. Refused when the row allows none, the total would exceed
//       extension_max, the approver or reason is empty, the amount is not positive, or it is
//       granted before the stage started, before an earlier extension, or once the deadline
//       has passed.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "cases/calendar.hpp"
#include "cases/limits.hpp"

namespace pingan::cases {

// Where the deadline is computed: the centre's calendar and its time zone.
struct DeadlineContext {
    const WorkCalendar* calendar = nullptr; // required
    int utc_offset_minutes = 480;           // minutes east of UTC; China Standard Time = +480
};

struct Extension {
    std::string approver; // the supervisor who approved, required
    std::string reason;   // required
    int amount = 0;       // in the row's extension_unit, > 0
    base::TimeMs at = 0;  // when it was granted; before the deadline passed
};

struct Deadline {
    LimitUnit unit = LimitUnit::calendar_days;
    base::TimeMs started_at = 0;
    // The first instant outside the period: overdue when now >= ends_at. For day limits, the
    // local midnight that begins the day after `last_day`.
    base::TimeMs ends_at = 0;
    std::optional<Date> last_day;      // day limits: the last day of the period (after DL-5)
    std::optional<Date> statutory_day; // day limits: the last day before the holiday move
    bool moved_for_holiday = false;    // DL-5 moved the last day
    int extended_by = 0;               // sum of granted extensions, in the extension unit
    base::TimeMs last_extension_at = 0;

    bool overdue(base::TimeMs now) const { return now >= ends_at; }
};

// The deadline of a stage started at `started_at`, with `extensions` granted in order. Each
// extension is checked as in check_extension against the deadline as it stood; the first
// refusal is returned, naming the extension's index.
base::Result<Deadline> compute_deadline(const StageLimit& limit, base::TimeMs started_at,
                                        std::span<const Extension> extensions,
                                        const DeadlineContext& ctx);

// Whether `ext` may be granted on top of `current` (computed for the same row). Refusals name
// the field: extension_max, approver, reason, amount or at.
base::Status check_extension(const StageLimit& limit, const Deadline& current,
                             const Extension& ext);

// A deadline being watched, with the alert level already raised for it (so each level is
// raised once).
struct WatchedDeadline {
    std::string subject; // e.g. "case/2026-0042/arrest_request"
    Deadline deadline;
    int alerted_level = 0; // the highest level already raised, 0 = none
};

// Alert levels of a deadline under a policy with n thresholds for its unit:
//   0 = none, 1..n = thresholds from the longest lead to the shortest, n + 1 = overdue.
struct AlertDue {
    std::size_t index = 0; // into the input span
    int level = 0;
    std::string name;              // threshold name, or "overdue"
    std::int64_t remaining_ms = 0; // ends_at - now; negative when overdue
};

inline constexpr std::string_view kOverdue = "overdue";

// The level a deadline is at when `now`: the shortest threshold whose lead it is within, or
// overdue.
int alert_level(const AlertPolicy& policy, const Deadline& deadline, base::TimeMs now);
// The level's name under the policy ("" for 0).
std::string alert_name(const AlertPolicy& policy, LimitUnit unit, int level);

// Alerts to raise now: deadlines whose current level is above the level already raised, in
// input order.
std::vector<AlertDue> alerts_due(const AlertPolicy& policy,
                                 std::span<const WatchedDeadline> deadlines, base::TimeMs now);

// Indexes of the deadlines ending within `within_ms` of `now`, overdue ones included, soonest
// first (GET /api/v1/cases?due_within=…).
std::vector<std::size_t> due_within(std::span<const Deadline> deadlines, base::TimeMs now,
                                    std::int64_t within_ms);

} // namespace pingan::cases
