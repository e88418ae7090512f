// The patrol desk of a running server: the patrol plan (serve --patrol), the shifts assigned
// to units, the visit detector fed by every accepted position report, and the visits recorded.
// Shifts and visits are events (patrol.shift_assigned, patrol.visit_recorded) read back from
// the log at start and taken from other servers' commits while serving, so the desk survives a
// restart and is the same on every server of a cluster. The fixes kept for shift reports are
// the last kKeepFixes of breadcrumbs (read back from the store at start); older shifts are
// reported from the store's breadcrumbs. A visit is detected by the server that receives the
// unit's positions.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include <nlohmann/json.hpp>

#include "patrol/shift_report.hpp"
#include "patrol/visits.hpp"
#include "store/hash_chain.hpp"

namespace pingan::server {

class PatrolDesk {
public:
    // Refuses a plan that does not validate.
    static base::Result<std::unique_ptr<PatrolDesk>> create(patrol::Plan plan);

    const patrol::Plan& plan() const { return plan_; }

    // How long fixes are kept in memory for shift reports.
    static constexpr base::TimeMs kKeepFixes = 24 * 3'600'000LL;

    // A shift or a visit from the log (at start, from another server, or once its event is
    // durable): the only way the desk learns of them. An event with a sequence number already
    // applied is skipped (the start-up read and another server's commits may overlap).
    base::Status apply(const store::EventRecord& event);
    // Gives the draft shift the next id and holds it until its event is applied (or released),
    // refusing one that overlaps another shift of its unit, held or applied.
    base::Result<patrol::Shift> reserve_shift(patrol::Shift draft);
    void release_shift(const std::string& id);

    // A position report of a unit (its id as text); returns the visits it ended.
    std::vector<patrol::Visit> observe(const std::string& unit, base::TimeMs at, geo::LatLon where);
    // A stored breadcrumb read back at start: kept for shift reports, not run through the
    // visit detector (the visits it made are on record already).
    void restore_fix(const std::string& unit, base::TimeMs at, geo::LatLon where);
    // The earliest time shift reports need fixes from, for reading breadcrumbs back at start:
    // the start of the earliest shift running in the last kKeepFixes, or nothing.
    std::optional<base::TimeMs> fixes_needed_since(base::TimeMs now) const;
    // The fixes in memory are complete from `since` on (where the read-back started, or the
    // start of serving).
    void set_fixes_since(base::TimeMs since);
    // Ends visits of units silent too long and returns them with those given back by
    // retry(); forgets fixes older than kKeepFixes.
    std::vector<patrol::Visit> expire(base::TimeMs now);
    // Detected visits whose event was not stored (the store refused): expire() returns them
    // again, so the next tick tries once more.
    void retry(std::vector<patrol::Visit> visits);

    std::vector<patrol::Shift> shifts() const;
    std::optional<patrol::Shift> shift(const std::string& id) const;
    base::Result<patrol::Visit> manual_visit(const std::string& unit, const std::string& point_id,
                                             base::TimeMs at, const std::string& reason) const;
    // Duties met / missed / pending per shift on duty, and their alerts due now.
    std::vector<patrol::ShiftReport> status(base::TimeMs now) const;
    std::vector<patrol::DutyAlert> alerts(base::TimeMs now, int lead_s) const;
    // Whether the fixes in memory cover the shift (else pass the stored ones to report()).
    bool has_fixes_for(const patrol::Shift& shift) const;
    // The shift's report from the fixes in memory, or from `fixes` when given.
    base::Result<patrol::ShiftReport>
    report(const std::string& shift_id, base::TimeMs now,
           std::optional<std::span<const patrol::Fix>> fixes = std::nullopt) const;

private:
    PatrolDesk(patrol::Plan plan, patrol::VisitDetector detector);
    base::Status add_shift_locked(const patrol::Shift& shift);
    void keep_fix_locked(const std::string& unit, base::TimeMs at, geo::LatLon where);
    std::vector<patrol::Visit> all_visits_locked() const; // recorded plus those still open
    std::span<const patrol::Fix> fixes_locked(const std::string& unit) const;

    patrol::Plan plan_;
    mutable std::mutex mutex_;
    patrol::VisitDetector detector_;
    std::vector<patrol::Shift> shifts_;
    std::map<std::string, std::vector<std::size_t>> shifts_of_; // unit -> indexes in shifts_
    std::vector<patrol::Visit> visits_;
    std::vector<patrol::Visit> unrecorded_;                 // detected, event not yet stored
    std::map<std::string, patrol::Shift> held_;             // reserved shifts by id
    long last_shift_number_ = 0;                            // of ids "S<n>", held or applied
    std::set<std::int64_t> applied_seqs_;                   // of events applied with a seq
    std::map<std::string, std::vector<patrol::Fix>> fixes_; // by unit, in time order
    base::TimeMs fixes_since_ = INT64_MAX;                  // fixes kept cover [this, now]
};

// The JSON shapes of the patrol routes and events.
nlohmann::json to_json(const patrol::Shift& s);
nlohmann::json to_json(const patrol::Visit& v);
nlohmann::json to_json(const patrol::ShiftReport& r);
nlohmann::json to_json(const patrol::DutyAlert& a);

} // namespace pingan::server
