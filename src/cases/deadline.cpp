#include "cases/deadline.hpp"

#include <algorithm>
#include <cassert>

#include <fmt/core.h>

namespace pingan::cases {
namespace {

constexpr std::int64_t kMsPerHour = 3'600'000;

Date advance(Date d, int amount, LimitUnit unit, const WorkCalendar& cal) {
    switch (unit) {
    case LimitUnit::calendar_days:
        return add_days(d, amount);
    case LimitUnit::working_days:
        return cal.add_working_days(d, amount);
    case LimitUnit::months:
        return add_months(d, amount);
    case LimitUnit::hours:
        break;
    }
    assert(false && "hours are not day-based");
    return d;
}

// Statutory end before any holiday move, with `extended_by` of extension added (DL-1..4, 6).
// Extensions are applied as one step: granting 2 then 2 days equals granting 4 days.
void place_end(const StageLimit& limit, Deadline& dl, const DeadlineContext& ctx) {
    if (!day_based(limit.unit)) {
        dl.ends_at =
            dl.started_at + (static_cast<std::int64_t>(limit.amount) + dl.extended_by) * kMsPerHour;
        return;
    }
    const WorkCalendar& cal = *ctx.calendar;
    Date last =
        advance(local_date(dl.started_at, ctx.utc_offset_minutes), limit.amount, limit.unit, cal);
    if (dl.extended_by > 0) last = advance(last, dl.extended_by, limit.extension_unit, cal);
    dl.statutory_day = last;
    dl.moved_for_holiday = false;
    if (limit.holiday_extends && !cal.is_working_day(last)) { // DL-5
        last = cal.first_working_day_from(last);
        dl.moved_for_holiday = true;
    }
    dl.last_day = last;
    dl.ends_at = start_of_day(add_days(last, 1), ctx.utc_offset_minutes);
}

std::string when(base::TimeMs t) {
    return base::format_iso8601(t);
}

} // namespace

base::Status check_extension(const StageLimit& limit, const Deadline& current,
                             const Extension& ext) {
    using base::Code;
    const std::string stage = fmt::format("{} {}", to_string(limit.kind), limit.stage);
    if (limit.extension_max <= 0) {
        return base::error(
            Code::invalid_transition, "extension_max",
            fmt::format("stage {} allows no extension ({})", stage, limit.legal_ref));
    }
    if (ext.approver.empty()) {
        return base::error(Code::field_missing, "approver",
                           "an extension needs the approving supervisor");
    }
    if (ext.reason.empty()) {
        return base::error(Code::field_missing, "reason", "an extension needs a reason");
    }
    if (ext.amount <= 0) {
        return base::error(Code::field_invalid, "amount",
                           fmt::format("extension amount must be positive, got {}", ext.amount));
    }
    if (current.extended_by + ext.amount > limit.extension_max) {
        return base::error(
            Code::field_invalid, "amount",
            fmt::format("stage {} may be extended by at most {} {} in total ({}); {} already "
                        "granted, {} more asked",
                        stage, limit.extension_max, to_string(limit.extension_unit),
                        limit.extension_ref, current.extended_by, ext.amount));
    }
    if (ext.at < current.started_at) {
        return base::error(Code::field_invalid, "at",
                           fmt::format("extension at {} is before the stage started at {}",
                                       when(ext.at), when(current.started_at)));
    }
    if (ext.at < current.last_extension_at) {
        return base::error(Code::field_invalid, "at",
                           fmt::format("extension at {} is before the previous one at {}",
                                       when(ext.at), when(current.last_extension_at)));
    }
    if (current.overdue(ext.at)) {
        return base::error(Code::invalid_transition, "at",
                           fmt::format("extension at {} comes after the deadline passed at {}",
                                       when(ext.at), when(current.ends_at)));
    }
    return {};
}

base::Result<Deadline> compute_deadline(const StageLimit& limit, base::TimeMs started_at,
                                        std::span<const Extension> extensions,
                                        const DeadlineContext& ctx) {
    assert(ctx.calendar != nullptr);
    Deadline dl;
    dl.unit = limit.unit;
    dl.started_at = started_at;
    dl.last_extension_at = started_at;
    place_end(limit, dl, ctx);
    for (std::size_t i = 0; i < extensions.size(); ++i) {
        const Extension& ext = extensions[i];
        if (base::Status st = check_extension(limit, dl, ext); !st) {
            base::Error e = st.error();
            e.field = fmt::format("extensions[{}].{}", i, e.field);
            e.detail = fmt::format("extension {}: {}", i, e.detail);
            return e;
        }
        dl.extended_by += ext.amount;
        dl.last_extension_at = ext.at;
        place_end(limit, dl, ctx);
    }
    return dl;
}

int alert_level(const AlertPolicy& policy, const Deadline& deadline, base::TimeMs now) {
    const auto& thresholds = policy.for_unit(deadline.unit);
    if (deadline.overdue(now)) return static_cast<int>(thresholds.size()) + 1;
    const std::int64_t remaining = deadline.ends_at - now;
    int level = 0;
    for (std::size_t i = 0; i < thresholds.size(); ++i) { // longest lead first
        if (remaining <= thresholds[i].lead_ms) level = static_cast<int>(i) + 1;
    }
    return level;
}

std::string alert_name(const AlertPolicy& policy, LimitUnit unit, int level) {
    const auto& thresholds = policy.for_unit(unit);
    if (level <= 0) return {};
    if (level > static_cast<int>(thresholds.size())) return std::string(kOverdue);
    return thresholds[static_cast<std::size_t>(level - 1)].name;
}

std::vector<AlertDue> alerts_due(const AlertPolicy& policy,
                                 std::span<const WatchedDeadline> deadlines, base::TimeMs now) {
    std::vector<AlertDue> out;
    for (std::size_t i = 0; i < deadlines.size(); ++i) {
        const Deadline& dl = deadlines[i].deadline;
        const int level = alert_level(policy, dl, now);
        if (level <= deadlines[i].alerted_level) continue;
        out.push_back(AlertDue{i, level, alert_name(policy, dl.unit, level), dl.ends_at - now});
    }
    return out;
}

std::vector<std::size_t> due_within(std::span<const Deadline> deadlines, base::TimeMs now,
                                    std::int64_t within_ms) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < deadlines.size(); ++i) {
        if (deadlines[i].ends_at - now <= within_ms) out.push_back(i);
    }
    std::stable_sort(out.begin(), out.end(), [&](std::size_t a, std::size_t b) {
        return deadlines[a].ends_at < deadlines[b].ends_at;
    });
    return out;
}

} // namespace pingan::cases
