// The Board's commands: every allowed transition reached through a command, refusals named,
// and a refused command changes nothing.
#include <algorithm>

#include <gtest/gtest.h>

#include "base/time.hpp"
#include "ops/board.hpp"

using namespace pingan;
using namespace pingan::ops;
using base::Code;

namespace {

constexpr base::TimeMs kT0 = 1'795'000'000'000; // 2026-11-17

nlohmann::json payload(const Event& e) {
    return nlohmann::json::parse(e.payload);
}

std::vector<std::string> kinds(const std::vector<Event>& events) {
    std::vector<std::string> out;
    for (const auto& e : events)
        out.push_back(e.kind);
    return out;
}

class BoardTest : public ::testing::Test {
protected:
    Board board;
    std::vector<Event> events;
    base::TimeMs now = kT0;

    Id add_unit(const std::string& callsign) {
        NewUnit u;
        u.callsign = callsign;
        u.agency = Agency::police;
        u.type = "patrol_car";
        auto r = board.create_unit(u, "admin", now, events);
        EXPECT_TRUE(r.ok());
        return r->id;
    }
    Id add_incident(base::TimeMs at = 0) {
        NewIncident in;
        in.location = {38.9, -77.03};
        in.category = "theft";
        auto r = board.create_incident(in, "taker", at != 0 ? at : now, events);
        EXPECT_TRUE(r.ok());
        return r->id;
    }
    IncidentStatus status_of(Id incident) { return *board.incident_status(incident); }
    UnitStatus status_of_unit(Id unit) { return board.unit(unit)->status; }

    // Everything a command could change, to compare before and after a refusal.
    std::string state() {
        nlohmann::json j = nlohmann::json::object();
        for (const auto& [id, i] : board.open_incidents())
            j["i" + std::to_string(id)] = to_json(i);
        for (const auto& [id, u] : board.units())
            j["u" + std::to_string(id)] = to_json(u);
        for (const auto& [id, i] : board.open_incidents()) {
            for (const auto& a : board.active_assignments_of(id)) {
                j["a" + std::to_string(a.id)] = to_json(a);
            }
        }
        return j.dump();
    }
    void expect_refused(const base::Error& e, Code code) { EXPECT_EQ(e.code, code) << e.detail; }
};

} // namespace

TEST_F(BoardTest, IncidentNumbersCountPerYearInTheCentresTime) {
    Board beijing(BoardConfig{8 * 60});
    NewIncident in;
    in.location = {30.66, 104.06};
    in.category = "dispute";
    const auto late_2026_utc = *base::parse_iso8601("2026-12-31T15:30:00Z"); // 23:30 Beijing
    const auto early_2027_bj = *base::parse_iso8601("2026-12-31T16:30:00Z"); // 00:30 Beijing
    EXPECT_EQ(beijing.create_incident(in, "t", late_2026_utc, events)->number, "2026-000001");
    EXPECT_EQ(beijing.create_incident(in, "t", late_2026_utc, events)->number, "2026-000002");
    EXPECT_EQ(beijing.create_incident(in, "t", early_2027_bj, events)->number, "2027-000001");
    EXPECT_EQ(beijing.create_incident(in, "t", late_2026_utc + 1, events)->number, "2026-000003");
}

TEST_F(BoardTest, CreateIncidentEmitsOneEventWithTheWholeIncident) {
    const Id id = add_incident();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, "incident.created");
    EXPECT_EQ(events[0].subject, "incident/" + std::to_string(id));
    EXPECT_EQ(payload(events[0])["status"], "received");
    EXPECT_EQ(payload(events[0])["number"], board.open_incident(id)->number);
    EXPECT_EQ(events[0].actor, "taker");
}

TEST_F(BoardTest, DispatchMovesIncidentAndUnitAndRecordsTheAssignment) {
    const Id u = add_unit("PA-1");
    const Id i = add_incident();
    events.clear();
    auto a = board.dispatch(i, u, "disp", now + 1000, events);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(kinds(events),
              (std::vector<std::string>{"assignment.created", "unit.status", "incident.status"}));
    EXPECT_EQ(status_of(i), IncidentStatus::dispatched);
    EXPECT_EQ(status_of_unit(u), UnitStatus::dispatched);
    EXPECT_EQ(board.open_incident(i)->dispatched_at, now + 1000);
    EXPECT_EQ(a->dispatched_at, now + 1000);
    EXPECT_EQ(board.unit(u)->incident_id, i);
}

TEST_F(BoardTest, FullLifecycleWithTimeStamps) {
    const Id u = add_unit("PA-1");
    const Id i = add_incident();
    ASSERT_TRUE(board.dispatch(i, u, "d", now + 10, events).ok());
    ASSERT_TRUE(board.change_unit_status(u, UnitStatus::en_route, "u", now + 20, events).ok());
    auto on_scene = board.change_unit_status(u, UnitStatus::on_scene, "u", now + 30, events);
    ASSERT_TRUE(on_scene.ok());
    EXPECT_EQ(status_of(i), IncidentStatus::on_scene);
    EXPECT_EQ(board.open_incident(i)->on_scene_at, now + 30);
    auto a = board.active_assignments_of(i);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].en_route_at, now + 20);
    EXPECT_EQ(a[0].on_scene_at, now + 30);

    events.clear();
    ASSERT_TRUE(board.change_unit_status(u, UnitStatus::available, "u", now + 40, events).ok());
    EXPECT_EQ(kinds(events),
              (std::vector<std::string>{"unit.status", "assignment.updated", "incident.status"}));
    EXPECT_EQ(payload(events[1])["cleared_at"], base::format_iso8601(now + 40));
    EXPECT_EQ(status_of(i), IncidentStatus::cleared);
    EXPECT_EQ(status_of_unit(u), UnitStatus::available);
    EXPECT_TRUE(board.active_assignments_of(i).empty());

    StatusDetails close;
    close.disposition = "report written";
    auto closed =
        board.change_incident_status(i, IncidentStatus::closed, close, "d", now + 50, events);
    ASSERT_TRUE(closed.ok());
    EXPECT_EQ(closed->disposition, "report written");
    EXPECT_EQ(closed->closed_at, now + 50);
    EXPECT_EQ(board.open_incident(i), nullptr); // terminal: off the board
    EXPECT_EQ(status_of(i), IncidentStatus::closed);
}

TEST_F(BoardTest, UnitMayArriveWithoutReportingEnRoute) {
    const Id u = add_unit("PA-1");
    const Id i = add_incident();
    ASSERT_TRUE(board.dispatch(i, u, "d", now, events).ok());
    ASSERT_TRUE(board.change_unit_status(u, UnitStatus::on_scene, "u", now + 5, events).ok());
    EXPECT_EQ(status_of(i), IncidentStatus::on_scene);
    EXPECT_FALSE(board.active_assignments_of(i)[0].en_route_at.has_value());
}

TEST_F(BoardTest, IncidentStaysOnSceneUntilTheLastUnitLeaves) {
    const Id u1 = add_unit("PA-1");
    const Id u2 = add_unit("PA-2");
    const Id i = add_incident();
    ASSERT_TRUE(board.dispatch(i, u1, "d", now, events).ok());
    ASSERT_TRUE(board.dispatch(i, u2, "d", now, events).ok()); // second unit, same incident
    ASSERT_TRUE(board.change_unit_status(u1, UnitStatus::on_scene, "u", now, events).ok());
    ASSERT_TRUE(board.change_unit_status(u2, UnitStatus::on_scene, "u", now, events).ok());
    ASSERT_TRUE(board.change_unit_status(u1, UnitStatus::available, "u", now, events).ok());
    EXPECT_EQ(status_of(i), IncidentStatus::on_scene);
    ASSERT_TRUE(board.change_unit_status(u2, UnitStatus::available, "u", now, events).ok());
    EXPECT_EQ(status_of(i), IncidentStatus::cleared);
}

TEST_F(BoardTest, RecallingTheOnlyUnitReturnsTheIncidentToThePendingQueue) {
    const Id u = add_unit("PA-1");
    const Id i = add_incident();
    ASSERT_TRUE(board.dispatch(i, u, "d", now, events).ok());
    ASSERT_TRUE(board.change_unit_status(u, UnitStatus::en_route, "u", now, events).ok());
    events.clear();
    ASSERT_TRUE(board.change_unit_status(u, UnitStatus::available, "d", now, events).ok());
    EXPECT_EQ(status_of(i), IncidentStatus::received);
    EXPECT_EQ(payload(events.back())["from"], "dispatched");
    EXPECT_EQ(payload(events.back())["to"], "received");
}

TEST_F(BoardTest, ClearedIncidentCanTakeUnitsAgain) {
    const Id u = add_unit("PA-1");
    const Id i = add_incident();
    ASSERT_TRUE(board.dispatch(i, u, "d", now, events).ok());
    ASSERT_TRUE(board.change_unit_status(u, UnitStatus::on_scene, "u", now, events).ok());
    ASSERT_TRUE(board.change_unit_status(u, UnitStatus::available, "u", now, events).ok());
    ASSERT_EQ(status_of(i), IncidentStatus::cleared);
    ASSERT_TRUE(board.dispatch(i, u, "d", now, events).ok());
    EXPECT_EQ(status_of(i), IncidentStatus::dispatched);
}

TEST_F(BoardTest, ClearingAnIncidentReleasesEveryUnit) {
    const Id u1 = add_unit("PA-1");
    const Id u2 = add_unit("PA-2");
    const Id i = add_incident();
    ASSERT_TRUE(board.dispatch(i, u1, "d", now, events).ok());
    ASSERT_TRUE(board.dispatch(i, u2, "d", now, events).ok());
    ASSERT_TRUE(board.change_unit_status(u1, UnitStatus::on_scene, "u", now, events).ok());
    ASSERT_TRUE(
        board.change_incident_status(i, IncidentStatus::cleared, {}, "d", now, events).ok());
    EXPECT_EQ(status_of_unit(u1), UnitStatus::available);
    EXPECT_EQ(status_of_unit(u2), UnitStatus::available);
    EXPECT_TRUE(board.active_assignments_of(i).empty());
}

TEST_F(BoardTest, CancelFromReceivedAndFromDispatched) {
    const Id u = add_unit("PA-1");
    const Id a = add_incident();
    const Id b = add_incident();
    StatusDetails why;
    why.reason = "caller called back: false alarm";
    ASSERT_TRUE(
        board.change_incident_status(a, IncidentStatus::cancelled, why, "d", now, events).ok());
    EXPECT_EQ(status_of(a), IncidentStatus::cancelled);
    ASSERT_TRUE(board.dispatch(b, u, "d", now, events).ok());
    events.clear();
    ASSERT_TRUE(
        board.change_incident_status(b, IncidentStatus::cancelled, why, "d", now, events).ok());
    EXPECT_EQ(status_of(b), IncidentStatus::cancelled);
    EXPECT_EQ(status_of_unit(u), UnitStatus::available);
    EXPECT_EQ(payload(events.back())["reason"], why.reason);
}

TEST_F(BoardTest, DivertOnlyBeforeDispatch) {
    const Id u = add_unit("PA-1");
    const Id a = add_incident();
    const Id b = add_incident();
    ASSERT_TRUE(
        board.change_incident_status(a, IncidentStatus::diverted, {}, "t", now, events).ok());
    EXPECT_EQ(status_of(a), IncidentStatus::diverted);
    ASSERT_TRUE(board.dispatch(b, u, "d", now, events).ok());
    const std::string before = state();
    events.clear();
    auto r = board.change_incident_status(b, IncidentStatus::diverted, {}, "t", now, events);
    ASSERT_FALSE(r.ok());
    expect_refused(r.error(), Code::invalid_transition);
    EXPECT_EQ(r.error().field, "status");
    EXPECT_NE(r.error().detail.find("dispatched to diverted"), std::string::npos)
        << r.error().detail;
    EXPECT_TRUE(events.empty());
    EXPECT_EQ(state(), before);
}

TEST_F(BoardTest, MergeNeedsAnotherOpenIncident) {
    const Id a = add_incident();
    const Id b = add_incident();
    const Id c = add_incident();
    StatusDetails none;
    auto missing = board.change_incident_status(a, IncidentStatus::merged, none, "t", now, events);
    expect_refused(missing.error(), Code::field_missing);
    EXPECT_EQ(missing.error().field, "merged_into");
    StatusDetails self;
    self.merged_into = a;
    expect_refused(
        board.change_incident_status(a, IncidentStatus::merged, self, "t", now, events).error(),
        Code::field_invalid);
    ASSERT_TRUE(
        board.change_incident_status(c, IncidentStatus::cancelled, none, "t", now, events).ok());
    StatusDetails into_closed;
    into_closed.merged_into = c;
    expect_refused(
        board.change_incident_status(a, IncidentStatus::merged, into_closed, "t", now, events)
            .error(),
        Code::field_invalid);
    StatusDetails good;
    good.merged_into = b;
    auto merged = board.change_incident_status(a, IncidentStatus::merged, good, "t", now, events);
    ASSERT_TRUE(merged.ok());
    EXPECT_EQ(merged->merged_into, b);
    EXPECT_EQ(status_of(a), IncidentStatus::merged);
}

TEST_F(BoardTest, StatusesDrivenByUnitsCannotBeSetDirectly) {
    const Id i = add_incident();
    for (auto to :
         {IncidentStatus::received, IncidentStatus::dispatched, IncidentStatus::on_scene}) {
        auto r = board.change_incident_status(i, to, {}, "d", now, events);
        ASSERT_FALSE(r.ok());
        expect_refused(r.error(), Code::invalid_transition);
    }
}

TEST_F(BoardTest, RefusedIncidentTransitionsChangeNothing) {
    const Id u = add_unit("PA-1");
    const Id i = add_incident();
    events.clear();
    const std::string before = state();
    // received -> cleared / closed are not allowed.
    for (auto to : {IncidentStatus::cleared, IncidentStatus::closed}) {
        auto r = board.change_incident_status(i, to, {}, "d", now, events);
        ASSERT_FALSE(r.ok());
        expect_refused(r.error(), Code::invalid_transition);
    }
    // on_scene -> closed, on_scene -> cancelled are not allowed.
    ASSERT_TRUE(board.dispatch(i, u, "d", now, events).ok());
    ASSERT_TRUE(board.change_unit_status(u, UnitStatus::on_scene, "u", now, events).ok());
    const std::string on_scene = state();
    events.clear();
    for (auto to : {IncidentStatus::closed, IncidentStatus::cancelled, IncidentStatus::diverted,
                    IncidentStatus::merged}) {
        auto r = board.change_incident_status(i, to, {}, "d", now, events);
        ASSERT_FALSE(r.ok()) << to_string(to);
    }
    EXPECT_TRUE(events.empty());
    EXPECT_EQ(state(), on_scene);
    EXPECT_NE(before, on_scene);
}

TEST_F(BoardTest, TerminalIncidentsRefuseEverything) {
    const Id u = add_unit("PA-1");
    const Id i = add_incident();
    ASSERT_TRUE(
        board.change_incident_status(i, IncidentStatus::cancelled, {}, "d", now, events).ok());
    events.clear();
    auto d = board.dispatch(i, u, "d", now, events);
    expect_refused(d.error(), Code::invalid_transition);
    EXPECT_NE(d.error().detail.find("cancelled"), std::string::npos);
    auto s = board.change_incident_status(i, IncidentStatus::closed, {}, "d", now, events);
    expect_refused(s.error(), Code::invalid_transition);
    EXPECT_TRUE(events.empty());
    EXPECT_EQ(status_of_unit(u), UnitStatus::available);
}

TEST_F(BoardTest, DispatchRefusals) {
    const Id u = add_unit("PA-1");
    const Id i = add_incident();
    const Id j = add_incident();
    auto unknown_unit = board.dispatch(i, 999, "d", now, events);
    expect_refused(unknown_unit.error(), Code::unknown_unit);
    EXPECT_EQ(unknown_unit.error().field, "unit_id");
    auto unknown_incident = board.dispatch(999, u, "d", now, events);
    expect_refused(unknown_incident.error(), Code::unknown_incident);
    ASSERT_TRUE(board.dispatch(i, u, "d", now, events).ok());
    const std::string before = state();
    events.clear();
    expect_refused(board.dispatch(i, u, "d", now, events).error(), Code::already_assigned);
    auto busy = board.dispatch(j, u, "d", now, events);
    expect_refused(busy.error(), Code::unit_not_available);
    EXPECT_NE(busy.error().detail.find("PA-1 is dispatched"), std::string::npos)
        << busy.error().detail;
    EXPECT_TRUE(events.empty());
    EXPECT_EQ(state(), before);
}

TEST_F(BoardTest, UnitDutyTransitions) {
    const Id u = add_unit("PA-1");
    for (auto to : {UnitStatus::out_of_service, UnitStatus::off_duty, UnitStatus::out_of_service,
                    UnitStatus::available, UnitStatus::off_duty, UnitStatus::available}) {
        auto r = board.change_unit_status(u, to, "s", now, events);
        ASSERT_TRUE(r.ok()) << to_string(to) << ": " << (r.ok() ? "" : r.error().detail);
        EXPECT_EQ(status_of_unit(u), to);
    }
}

TEST_F(BoardTest, RefusedUnitTransitionsChangeNothing) {
    const Id u = add_unit("PA-1");
    const Id i = add_incident();
    events.clear();
    const std::string idle = state();
    for (auto to : {UnitStatus::en_route, UnitStatus::on_scene, UnitStatus::available,
                    UnitStatus::dispatched}) {
        auto r = board.change_unit_status(u, to, "u", now, events);
        ASSERT_FALSE(r.ok()) << to_string(to);
        expect_refused(r.error(), Code::invalid_transition);
    }
    EXPECT_EQ(state(), idle);
    ASSERT_TRUE(board.dispatch(i, u, "d", now, events).ok());
    ASSERT_TRUE(board.change_unit_status(u, UnitStatus::on_scene, "u", now, events).ok());
    const std::string busy = state();
    events.clear();
    for (auto to : {UnitStatus::en_route, UnitStatus::out_of_service, UnitStatus::off_duty,
                    UnitStatus::dispatched, UnitStatus::on_scene}) {
        auto r = board.change_unit_status(u, to, "u", now, events);
        ASSERT_FALSE(r.ok()) << to_string(to);
    }
    EXPECT_TRUE(events.empty());
    EXPECT_EQ(state(), busy);
}

TEST_F(BoardTest, CallsignsAreUnique) {
    add_unit("PA-1");
    NewUnit dup;
    dup.callsign = "PA-1";
    auto r = board.create_unit(dup, "admin", now, events);
    expect_refused(r.error(), Code::duplicate_callsign);
    EXPECT_EQ(r.error().field, "callsign");
}

TEST_F(BoardTest, OlderPositionReportsDoNotReplaceNewerOnes) {
    const Id u = add_unit("PA-1");
    ASSERT_TRUE(board.update_position(u, Position{{38.9, -77.0}, 90.0, 10.0, now + 2000}).ok());
    ASSERT_TRUE(board.update_position(u, Position{{38.8, -77.1}, 0.0, 0.0, now + 1000}).ok());
    EXPECT_DOUBLE_EQ(board.unit(u)->position->at.lat, 38.9);
    expect_refused(board.update_position(42, Position{}).error(), Code::unknown_unit);
}

TEST_F(BoardTest, LoadedSnapshotContinuesNumberingAndState) {
    const Id u = add_unit("PA-1");
    const Id i = add_incident();
    ASSERT_TRUE(board.dispatch(i, u, "d", now, events).ok());
    const Id closed = add_incident();
    ASSERT_TRUE(
        board.change_incident_status(closed, IncidentStatus::cancelled, {}, "d", now, events).ok());

    BoardSnapshot snap;
    for (const auto& [id, inc] : board.open_incidents())
        snap.open_incidents.push_back(inc);
    snap.statuses = {{closed, IncidentStatus::cancelled}};
    for (const auto& [id, unit] : board.units())
        snap.units.push_back(unit);
    snap.active_assignments = board.active_assignments_of(i);
    snap.max_incident_id = 2;
    snap.max_unit_id = 1;
    snap.max_assignment_id = 1;
    snap.last_number_by_year = {{2026, 2}};
    Board restored;
    restored.load(snap);

    std::vector<Event> ev;
    EXPECT_EQ(restored.unit(u)->status, UnitStatus::dispatched);
    EXPECT_EQ(restored.incident_status(closed), IncidentStatus::cancelled);
    expect_refused(restored.dispatch(closed, u, "d", now, ev).error(), Code::invalid_transition);
    NewIncident in;
    in.location = {38.9, -77.0};
    in.category = "theft";
    auto next = restored.create_incident(in, "t", now, ev);
    EXPECT_EQ(next->id, 3);
    EXPECT_EQ(next->number, "2026-000003");
    ASSERT_TRUE(restored.change_unit_status(u, UnitStatus::on_scene, "u", now, ev).ok());
    EXPECT_EQ(*restored.incident_status(i), IncidentStatus::on_scene);
}

TEST_F(BoardTest, OpenNearFindsOpenIncidentsAroundAPointAndForgetsClosedOnes) {
    auto at = [&](double lat, double lon) {
        NewIncident in;
        in.location = {lat, lon};
        in.category = "theft";
        return board.create_incident(in, "taker", now, events)->id;
    };
    const Id here = at(38.9000, -77.0300);
    const Id across_a_cell_edge = at(38.9021, -77.0300); // 233 m north, next grid cell
    const Id east = at(38.9000, -77.0277);               // 200 m east
    const Id far = at(38.9300, -77.0300);                // 3.3 km
    auto ids = [&](geo::LatLon p, double r) {
        std::vector<Id> out;
        for (const Incident* i : board.open_near(p, r))
            out.push_back(i->id);
        std::sort(out.begin(), out.end());
        return out;
    };
    const auto near = ids({38.9000, -77.0300}, 250);
    EXPECT_TRUE(std::find(near.begin(), near.end(), here) != near.end());
    EXPECT_TRUE(std::find(near.begin(), near.end(), across_a_cell_edge) != near.end());
    EXPECT_TRUE(std::find(near.begin(), near.end(), east) != near.end());
    EXPECT_TRUE(std::find(near.begin(), near.end(), far) == near.end());
    // Closed incidents leave the grid; a reloaded Board has it again.
    StatusDetails why;
    why.reason = "test";
    ASSERT_TRUE(
        board.change_incident_status(here, IncidentStatus::cancelled, why, "d", now, events));
    EXPECT_EQ(ids({38.9000, -77.0300}, 10), std::vector<Id>{});
    BoardSnapshot snap;
    for (const auto& [id, i] : board.open_incidents())
        snap.open_incidents.push_back(i);
    Board reloaded;
    reloaded.load(snap);
    EXPECT_EQ(reloaded.open_near({38.9300, -77.0300}, 50).size(), 1u);
    // A radius too large for the grid returns every open incident.
    EXPECT_EQ(board.open_near({38.9, -77.03}, 100'000).size(), 3u);
}

TEST_F(BoardTest, TimerAlertsAreRaisedOnceAndResolvedWhenTheyPass) {
    TargetsByPriority targets{};
    for (TimerTargets& t : targets)
        t = TimerTargets{60'000, 30'000, 600'000, 3'600'000};
    const Id late = add_incident(now);
    const Id fresh = add_incident(now + 50'000);
    const Id u = add_unit("PA-1");
    events.clear();
    board.check_timers(now + 61'000, targets, events);
    ASSERT_EQ(kinds(events), std::vector<std::string>{"alert.raised"});
    EXPECT_EQ(board.open_alerts().begin()->first,
              "not_dispatched/incident/" + std::to_string(late));
    // Still holding a second later: nothing new.
    events.clear();
    board.check_timers(now + 62'000, targets, events);
    EXPECT_TRUE(events.empty());
    // Both late now, in key order; then the first is dispatched: its alert passes, and the
    // unit that does not go en route raises its own.
    events.clear();
    board.check_timers(now + 111'000, targets, events);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(payload(events[0])["key"], "not_dispatched/incident/" + std::to_string(fresh));
    ASSERT_TRUE(board.dispatch(late, u, "disp", now + 112'000, events).ok());
    events.clear();
    board.check_timers(now + 143'000, targets, events);
    ASSERT_EQ(kinds(events), (std::vector<std::string>{"alert.resolved", "alert.raised"}));
    EXPECT_EQ(payload(events[0])["key"], "not_dispatched/incident/" + std::to_string(late));
    EXPECT_EQ(payload(events[1])["kind"], "not_en_route");

    // After a restart the open alerts come back from the store; one whose condition passed
    // while the server was down is resolved by the first check, the others are not raised again.
    BoardSnapshot s;
    for (const auto& [id, i] : board.open_incidents())
        s.open_incidents.push_back(i);
    for (const auto& [id, x] : board.units())
        s.units.push_back(x);
    for (const auto& [key, a] : board.open_alerts())
        s.open_alerts.push_back(a);
    for (Id i : {late, fresh})
        s.statuses.emplace_back(i, *board.incident_status(i));
    s.max_incident_id = fresh;
    s.max_unit_id = u;
    s.max_alert_id = 9;
    Board restarted;
    restarted.load(s); // the assignment is not in the snapshot: its alert has passed
    events.clear();
    restarted.check_timers(now + 144'000, targets, events);
    ASSERT_EQ(kinds(events), std::vector<std::string>{"alert.resolved"});
    EXPECT_EQ(payload(events[0])["kind"], "not_en_route");
    EXPECT_EQ(restarted.open_alerts().size(), 1u);
}
