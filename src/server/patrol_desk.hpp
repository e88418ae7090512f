// The patrol desk of a running server: the patrol plan (serve --patrol), the shifts assigned
// to units, the visit detector fed by every accepted position report, and the visits recorded.
// Shifts and visits are events (patrol.shift_assigned, patrol.visit_recorded) and are read back
// from the log at start, so the desk survives a restart; the fixes kept for shift reports are
// the ones received since this server started (breadcrumbs are not read back).
#pragma once

#include <map>
#include <memory>
#include <mutex>
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

    // A shift or a visit from the log (at start, or once its event is durable): the only way
    // the desk learns of them.
    base::Status apply(const store::EventRecord& event);
    // Whether the shift would be accepted: its unit has no other shift overlapping it.
    base::Status check_shift(const patrol::Shift& shift) const;

    // A position report of a unit (its id as text); returns the visits it ended.
    std::vector<patrol::Visit> observe(const std::string& unit, base::TimeMs at, geo::LatLon where);
    // Ends visits of units silent too long; returns them.
    std::vector<patrol::Visit> expire(base::TimeMs now);

    std::vector<patrol::Shift> shifts() const;
    std::string next_shift_id() const;
    base::Result<patrol::Visit> manual_visit(const std::string& unit, const std::string& point_id,
                                             base::TimeMs at, const std::string& reason) const;
    // Duties met / missed / pending per shift, and the alerts due now.
    std::vector<patrol::ShiftReport> status(base::TimeMs now) const;
    std::vector<patrol::DutyAlert> alerts(base::TimeMs now, int lead_s) const;
    base::Result<patrol::ShiftReport> report(const std::string& shift_id, base::TimeMs now) const;

private:
    PatrolDesk(patrol::Plan plan, patrol::VisitDetector detector);
    base::Status add_shift(const patrol::Shift& shift);
    void add_visit(patrol::Visit visit);
    std::vector<patrol::Visit> all_visits_locked() const; // recorded plus those still open

    patrol::Plan plan_;
    mutable std::mutex mutex_;
    patrol::VisitDetector detector_;
    std::vector<patrol::Shift> shifts_;
    std::map<std::string, std::vector<std::size_t>> shifts_of_; // unit -> indexes in shifts_
    std::vector<patrol::Visit> visits_;
    std::map<std::string, std::vector<patrol::Fix>> fixes_; // by unit, since start
};

// The JSON shapes of the patrol routes and events.
nlohmann::json to_json(const patrol::Shift& s);
nlohmann::json to_json(const patrol::Visit& v);
nlohmann::json to_json(const patrol::ShiftReport& r);
nlohmann::json to_json(const patrol::DutyAlert& a);

} // namespace pingan::server
