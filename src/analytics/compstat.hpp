// CompStat: counts by category × jurisdiction for a period against a comparison period, the
// clearance share, the share of valid calls and of calls diverted to the 12345 line, the
// response-time segments with their 90th percentiles, and a ranking of jurisdictions.
// Definitions (also in docs/analytics.md):
// - A fact is counted in a period when received_at lies in [from, to).
// - Diverted: category `non_police`, or a live incident with status `diverted`.
//   Valid: neither diverted nor void (a live incident merged into another or cancelled).
//   Imported records carry no status, so for them valid = not `non_police`.
// - Clearance share: among facts with a disposition, those whose disposition is one of the
//   cleared dispositions (case-insensitive); "no data" when no fact has a disposition.
// - Response-time segments: see the RT-* ids below; a segment is measured when both of its
//   stamps exist, the record's times are at least minute-resolved, and the end does not
//   precede the start (such records are counted as inconsistent, not measured).
// - Percentiles interpolate linearly between order statistics (numpy's and pandas' default).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "analytics/incident_facts.hpp"
#include "base/result.hpp"

namespace pingan::analytics {

enum class Compare { none, previous_year, previous_period };

struct CompStatRequest {
    Period current;
    std::optional<Period> comparison; // computed by the caller (calendar, time zone)
    Compare compare = Compare::none;  // recorded in the report: how `comparison` was chosen
    // Dispositions that count as cleared (by arrest or exceptionally), compared without case.
    std::vector<std::string> cleared_dispositions = {"arrest", "cleared", "cleared_by_arrest",
                                                     "cleared_exceptionally", "exceptional"};
    // Records whose stamps are coarser than this are not measured (dates without times).
    std::int32_t max_time_resolution_s = 60;
    int threads = 2; // 2: the comparison period is tallied on a second thread
};

// Segment ids. Requirements from outside carry these ids; tests cite them.
// RT-CALL-PROCESSING (NFPA 1221/1225 call processing time): call received -> first unit
//                    dispatched.
// RT-TURNOUT         (NFPA 1221/1225 turnout time): dispatched -> first unit en route.
// RT-TRAVEL          (NFPA 1221/1225 travel time): en route -> first unit on scene.
// RT-TOTAL           (total response time): call received -> first unit on scene.
enum class Segment { call_processing, turnout, travel, total };
inline constexpr std::array<Segment, 4> kSegments = {Segment::call_processing, Segment::turnout,
                                                     Segment::travel, Segment::total};
std::string_view segment_id(Segment s);   // "RT-CALL-PROCESSING", ...
std::string_view segment_name(Segment s); // "call_processing", ...

struct SegmentStats {
    Segment segment = Segment::total;
    std::int64_t measured = 0;     // facts with both stamps, fine times, end >= start
    std::int64_t missing = 0;      // a stamp is absent (the stage never happened or unrecorded)
    std::int64_t coarse = 0;       // stamps only to the day (or coarser than the request allows)
    std::int64_t inconsistent = 0; // end before start
    std::optional<double> p50_s, p90_s, mean_s;
};

// One (category, jurisdiction) cell; an empty jurisdiction in a total row means "all".
struct CompStatRow {
    std::string category;
    std::string group; // top-level code (analytics/taxonomy.hpp)
    std::string jurisdiction;
    std::int64_t current = 0;
    std::int64_t previous = 0;
    std::int64_t change = 0;               // current - previous
    std::optional<double> change_pct;      // nothing when previous == 0
    std::int64_t with_disposition = 0;     // current period
    std::int64_t cleared = 0;              // current period
    std::optional<double> clearance_share; // cleared / with_disposition
};

struct CallShares {
    std::int64_t total = 0;
    std::int64_t valid = 0;
    std::int64_t diverted = 0;
    std::int64_t void_calls = 0;
    std::optional<double> valid_share, diverted_share; // nothing when total == 0
};

struct JurisdictionRank {
    int rank = 0; // 1 = most valid calls in the current period
    std::string jurisdiction;
    std::int64_t current = 0; // valid calls
    std::int64_t previous = 0;
    std::optional<double> change_pct;
    std::optional<double> p90_total_s; // RT-TOTAL 90th percentile in the current period
};

struct CompStatReport {
    Period current;
    std::optional<Period> comparison;
    Compare compare = Compare::none;
    DataRange data; // of the whole cache the report was computed from
    std::vector<std::string> cleared_dispositions;

    std::vector<CompStatRow> cells;           // category × jurisdiction, either period non-zero
    std::vector<CompStatRow> by_category;     // jurisdiction ""
    std::vector<CompStatRow> by_group;        // category = group, jurisdiction ""
    std::vector<CompStatRow> by_jurisdiction; // category "", group ""
    CompStatRow total;
    CallShares shares, shares_previous;
    std::array<SegmentStats, 4> segments, segments_previous;
    std::vector<JurisdictionRank> ranking;
};

// bad_argument when the current period is empty or reversed, or holds no facts (the message
// names the period and the span the data covers).
base::Result<CompStatReport> compstat(const IncidentFacts& facts, const CompStatRequest& request);

// Exact quantile (linear interpolation) of non-negative millisecond values, q in [0, 1].
// Reorders `values`. Exposed for tests and for other reports.
std::optional<double> quantile_ms(std::vector<std::int32_t>& values, double q);

} // namespace pingan::analytics
