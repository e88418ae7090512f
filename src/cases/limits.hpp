// Statutory time limits (办案期限) per case kind and stage, and the lead times at which an
// approaching deadline raises an alert. Loaded from config/case_limits.toml; every limit is
// configurable, and every row carries the legal reference it is modelled on.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace pingan::cases {

enum class CaseKind : std::uint8_t {
    criminal,       // 刑事案件
    administrative, // 行政（治安）案件
};

enum class LimitUnit : std::uint8_t {
    hours,         // an exact number of hours from the start instant
    calendar_days, // whole days; the start day is not counted
    working_days,  // working days of the centre's calendar; the start day is not counted
    months,        // calendar months, same-day rule (see add_months)
};

std::string_view to_string(CaseKind k);
std::string_view to_string(LimitUnit u);
// Hour limits run on the clock; all others end at the end of a local day.
inline bool day_based(LimitUnit u) {
    return u != LimitUnit::hours;
}

struct StageLimit {
    CaseKind kind = CaseKind::criminal;
    std::string stage; // machine name, unique within a kind, e.g. "arrest_request"
    std::string zh;    // 拘留后提请批准逮捕
    std::string en;    // Detention to request for arrest approval
    int amount = 0;    // the limit, in `unit`
    LimitUnit unit = LimitUnit::calendar_days;
    std::string legal_ref; // e.g. "刑事诉讼法 第91条第1款"
    // A calendar-day or month period whose last day is not a working day ends on the first
    // working day after it (PRC rule for periods ending on 节假日). Off for periods in which a
    // person is held (在押 / 限制人身自由): those run to the day.
    bool holiday_extends = false;
    int extension_max = 0; // total extension allowed, in `extension_unit`; 0 = none allowed
    LimitUnit extension_unit = LimitUnit::calendar_days;
    std::string extension_ref; // who approves and on what ground, as in the law
};

// An alert is due when a deadline is at most `lead_ms` away. Day-based and hour-based limits
// have separate thresholds (a 3-day warning is meaningless for an 8-hour summons).
struct AlertThreshold {
    std::string name;         // e.g. "due_in_3_days"
    std::int64_t lead_ms = 0; // > 0
};

struct AlertPolicy {
    std::vector<AlertThreshold> day_limits;  // longest lead first
    std::vector<AlertThreshold> hour_limits; // longest lead first
    // The thresholds that apply to a limit of unit `u`.
    const std::vector<AlertThreshold>& for_unit(LimitUnit u) const {
        return day_based(u) ? day_limits : hour_limits;
    }
};

class LimitsTable {
public:
    // Parses TOML text with [[limit]] and [[alert]] tables. A problem names the row (index,
    // kind and stage) and the field.
    static base::Result<LimitsTable> parse(std::string_view toml_text);

    const StageLimit* find(CaseKind kind, std::string_view stage) const;
    const std::vector<StageLimit>& rows() const { return rows_; }
    const AlertPolicy& alerts() const { return alerts_; }

private:
    std::vector<StageLimit> rows_;
    AlertPolicy alerts_;
};

} // namespace pingan::cases
