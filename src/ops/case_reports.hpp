// Reports over the case book (issue 8): statutory deadline compliance per handling unit and
// month, and the custody discrepancies found by reconciliations over a period, with whether a
// later reconciliation cleared them. Pure: the caller passes the book, the period and `now`.
// Definitions in docs/cases.md "Reports"; the requirement IDs (RP-n) are cited by the tests.
#pragma once

#include <compare>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ops/case_book.hpp"

namespace pingan::ops {

// A calendar month of the centre's local time.
struct Month {
    int year = 1970;
    int month = 1; // 1..12

    friend auto operator<=>(const Month&, const Month&) = default;
};

// "2026-01" (four-digit year, two-digit month); nullopt for anything else.
std::optional<Month> parse_month(std::string_view s);
std::string format_month(Month m);
// The local month an instant falls in, at a fixed UTC offset (minutes east).
Month month_of(TimeMs t, int utc_offset_minutes);

// Months `from` .. `to`, both included, in the centre's local time.
struct ReportPeriod {
    Month from;
    Month to;
    int utc_offset_minutes = 0;

    TimeMs begin() const; // 00:00 local on the 1st of `from`
    TimeMs end() const;   // 00:00 local on the 1st of the month after `to` (excluded)
};

// RP-1..RP-4: the stage deadlines of one handling unit that fell due in one month.
struct ComplianceRow {
    std::string unit;  // the case's team, else its first officer (RP-1); "*" for totals
    bool team = false; // `unit` names a team (station or squad), not an officer
    Month month;
    int due = 0;      // stage deadlines falling due in the month (RP-2)
    int on_time = 0;  // stage ended before its (extended) deadline
    int late = 0;     // stage ended at or after its deadline
    int overdue = 0;  // stage still running, deadline passed by `now`
    int pending = 0;  // stage still running, deadline not yet reached
    int extended = 0; // of `due`, deadlines moved by at least one approved extension
    // on_time / (on_time + late + overdue); nullopt while none of them is decided.
    std::optional<double> compliance() const;
};

struct ComplianceReport {
    ReportPeriod period;
    TimeMs now = 0;
    std::vector<ComplianceRow> rows; // by month, then unit; months without deadlines absent
    ComplianceRow total;             // all rows summed (unit "*", month = period.from)
};

// `include` (when given) picks the cases the reader may see; the others are left out.
ComplianceReport deadline_compliance(const CaseBook& book, const ReportPeriod& period, TimeMs now,
                                     const std::function<bool(const Case&)>& include = {});

// RP-5..RP-7: one discrepancy of a recorded reconciliation.
struct DiscrepancyRecord {
    TimeMs found_at = 0;  // when the reconciliation was recorded
    std::string location; // where it was done
    std::string found_by; // who scanned
    cases::Discrepancy discrepancy;
    // The first later reconciliation at the same location that did not report the same item
    // with the same kind (RP-6); nullopt while none has.
    std::optional<TimeMs> resolved_at;
    // The item as the ledger has it now (RP-7); all empty for a code the ledger does not know.
    bool known_item = false;
    std::string current_location;
    std::string holder;
    TimeMs last_event_at = 0;
    bool disposed = false;
};

struct DiscrepancyReport {
    ReportPeriod period;
    std::vector<DiscrepancyRecord> items; // by found_at, then in the reconciliation's order
};

// `include` (when given) picks the discrepancies the reader may see, by item code.
DiscrepancyReport
custody_discrepancies(const CaseBook& book, const ReportPeriod& period,
                      const std::function<bool(std::string_view item_code)>& include = {});

nlohmann::json to_json(const ComplianceReport& r);
nlohmann::json to_json(const DiscrepancyReport& r);

} // namespace pingan::ops
