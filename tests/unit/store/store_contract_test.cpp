// The Store contract, on every backend: events and projections land together, the chain
// verifies, any tampering with a stored event is named by verify_chain(), a refused change
// leaves its batch alone, and every read returns what the side writes stored.
#include <algorithm>

#include <gtest/gtest.h>

#include "base/sha256.hpp"
#include "store_contract.hpp"

using namespace pingan;
using namespace pingan::store;
using pingan::test::kT0;
using pingan::test::StoreContract;

TEST_P(StoreContract, EventsAndProjectionsLandTogether) {
    const ops::Id id = create_incident();
    auto inc = store->incident(id);
    ASSERT_TRUE(inc.ok());
    ASSERT_TRUE(inc->has_value());
    EXPECT_EQ((*inc)->number, "2026-000001");
    EXPECT_EQ((*inc)->description, "bike stolen");
    auto events = store->events_after(0, 10);
    ASSERT_EQ(events->size(), 1u);
    EXPECT_EQ((*events)[0].seq, 1);
    EXPECT_EQ((*events)[0].prev_hash, kGenesisHash);
    EXPECT_EQ((*events)[0].hash, event_hash((*events)[0]));
}

// A server fences its commits with the head its Board reflects: on any other head nothing of
// the batch is written, and the answer says to retry.
TEST_P(StoreContract, AFencedCommitLandsOnlyOnTheExpectedHead) {
    create_incident("first");
    create_incident("second");
    ops::NewIncident in;
    in.location = {38.9, -77.03};
    in.category = "theft";
    in.description = "checked against a stale board";
    std::vector<ops::Event> ev;
    ASSERT_TRUE(board.create_incident(in, "taker", kT0, ev));
    const store::Change change{ev, {}};
    auto stale = store->commit(std::span<const store::Change>(&change, 1), 1);
    ASSERT_FALSE(stale.ok());
    EXPECT_EQ(stale.error().code, base::Code::unavailable);
    EXPECT_NE(stale.error().detail.find("retry"), std::string::npos) << stale.error().detail;
    EXPECT_EQ(*store->head_seq(), 2);
    EXPECT_EQ(store->incidents({})->size(), 2u);

    auto fenced = store->commit(std::span<const store::Change>(&change, 1), 2);
    ASSERT_TRUE(fenced.ok()) << fenced.error().detail;
    EXPECT_EQ(fenced->records.back().seq, 3);
    EXPECT_EQ(store->incidents({})->size(), 3u);
}

TEST_P(StoreContract, ChainVerifiesAndReportsTheHead) {
    for (int i = 0; i < 20; ++i)
        create_incident("call " + std::to_string(i));
    auto report = store->verify_chain();
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->count, 20);
    EXPECT_FALSE(report->broken_seq.has_value());
    EXPECT_EQ(report->head_hash, store->events_after(19, 1)->at(0).hash);
}

TEST_P(StoreContract, AlteredPayloadIsNamed) {
    for (int i = 0; i < 10; ++i)
        create_incident("call " + std::to_string(i));
    tamper("UPDATE events SET payload = replace(payload, 'call 6', 'call X') WHERE seq = 7");
    auto report = store->verify_chain();
    ASSERT_TRUE(report.ok());
    ASSERT_TRUE(report->broken_seq.has_value());
    EXPECT_EQ(*report->broken_seq, 7);
    EXPECT_NE(report->reason.find("altered"), std::string::npos) << report->reason;
    EXPECT_EQ(report->count, 6);
}

TEST_P(StoreContract, AlteredActorOrTimeIsNamed) {
    for (int i = 0; i < 5; ++i)
        create_incident();
    tamper("UPDATE events SET actor = 'someone-else' WHERE seq = 3");
    EXPECT_EQ(*store->verify_chain()->broken_seq, 3);
}

TEST_P(StoreContract, RecomputedHashStillBreaksTheNextLink) {
    for (int i = 0; i < 5; ++i)
        create_incident();
    // An attacker who also recomputes the altered event's own hash breaks the link after it.
    auto events = store->events_after(0, 10).value();
    EventRecord forged = events[2];
    forged.payload = R"({"forged":true})";
    forged.hash = event_hash(forged);
    tamper("UPDATE events SET payload = '" + forged.payload + "', hash = '" + forged.hash +
           "' WHERE seq = 3");
    auto report = store->verify_chain().value();
    ASSERT_TRUE(report.broken_seq.has_value());
    EXPECT_EQ(*report.broken_seq, 4);
    EXPECT_NE(report.reason.find("does not link"), std::string::npos) << report.reason;
}

TEST_P(StoreContract, DeletedEventIsNamed) {
    for (int i = 0; i < 5; ++i)
        create_incident();
    tamper("DELETE FROM events WHERE seq = 2");
    auto report = store->verify_chain().value();
    EXPECT_EQ(*report.broken_seq, 2);
    EXPECT_NE(report.reason.find("missing"), std::string::npos) << report.reason;
}

TEST_P(StoreContract, BoardRebuiltFromTheStoreMatches) {
    std::vector<ops::Event> ev;
    ops::NewUnit nu;
    nu.callsign = "PA-1";
    auto u = board.create_unit(nu, "admin", kT0, ev);
    commit(std::move(ev));
    const ops::Id i = create_incident();
    const ops::Id closed = create_incident();
    ev.clear();
    ASSERT_TRUE(board.dispatch(i, u->id, "d", kT0 + 1, ev).ok());
    ASSERT_TRUE(board.change_unit_status(u->id, ops::UnitStatus::en_route, "u", kT0 + 2, ev).ok());
    ASSERT_TRUE(
        board.change_incident_status(closed, ops::IncidentStatus::cancelled, {}, "d", kT0 + 3, ev)
            .ok());
    commit(std::move(ev));

    auto snap = store->load_board().value();
    ops::Board rebuilt;
    rebuilt.load(snap);
    EXPECT_EQ(rebuilt.unit(u->id)->status, ops::UnitStatus::en_route);
    EXPECT_EQ(rebuilt.unit(u->id)->incident_id, i);
    EXPECT_EQ(*rebuilt.incident_status(i), ops::IncidentStatus::dispatched);
    EXPECT_EQ(*rebuilt.incident_status(closed), ops::IncidentStatus::cancelled);
    EXPECT_EQ(rebuilt.open_incident(closed), nullptr);
    auto active = rebuilt.active_assignments_of(i);
    ASSERT_EQ(active.size(), 1u);
    EXPECT_EQ(active[0].en_route_at, kT0 + 2);
    EXPECT_EQ(snap.max_incident_id, 2);
    ASSERT_EQ(snap.last_number_by_year.size(), 1u);
    EXPECT_EQ(snap.last_number_by_year[0], (std::pair<int, std::int64_t>{2026, 2}));
    // Every projection equals what the Board holds.
    auto stored = store->incident(i).value().value();
    EXPECT_EQ(ops::to_json(stored), ops::to_json(*board.open_incident(i)));
    auto stored_unit = store->unit(u->id).value().value();
    EXPECT_EQ(ops::to_json(stored_unit)["status"], "en_route");
    EXPECT_EQ(ops::to_json(stored_unit)["incident_id"], i);
}

TEST_P(StoreContract, ARefusedChangeDoesNotTakeItsBatchDown) {
    auto hash = std::string("$argon2id$fake");
    std::vector<Change> changes(3);
    changes[0].events.push_back(
        ops::Event::log_only(kT0, "cli", "user.created", "user/amy", {{"u", "amy"}}));
    changes[0].side.emplace_back(UserWrite{"amy", "dispatcher", hash, kT0, std::nullopt, ""});
    changes[1].events.push_back(
        ops::Event::log_only(kT0, "cli", "user.created", "user/amy", {{"u", "amy"}}));
    changes[1].side.emplace_back(UserWrite{"amy", "auditor", hash, kT0, std::nullopt, ""});
    changes[2].events.push_back(
        ops::Event::log_only(kT0, "cli", "user.created", "user/bob", {{"u", "bob"}}));
    changes[2].side.emplace_back(UserWrite{"bob", "auditor", hash, kT0, std::nullopt, ""});
    auto r = store->commit(changes);
    ASSERT_TRUE(r.ok()) << r.error().detail;
    EXPECT_FALSE(r->errors[0].has_value());
    ASSERT_TRUE(r->errors[1].has_value());
    EXPECT_EQ(r->errors[1]->code, base::Code::duplicate_username);
    EXPECT_FALSE(r->errors[2].has_value());
    EXPECT_EQ(r->records.size(), 2u);
    EXPECT_EQ(r->ranges[1].first, r->ranges[1].second); // no events for the refused change
    EXPECT_EQ(r->records[1].seq, 2);                    // no gap where it was refused
    EXPECT_EQ(store->user("amy")->value().role, "dispatcher");
    EXPECT_EQ(store->verify_chain()->count, 2);
}

TEST_P(StoreContract, SideWritesStayOutOfTheLog) {
    const ops::Id i = create_incident();
    commit(
        {ops::Event::log_only(kT0, "taker", "caller.recorded", "incident/1", {{"incident_id", i}})},
        {CallerRecord{i, "Wang Fang", "13800000000", kT0}});
    auto caller = store->caller(i).value();
    ASSERT_TRUE(caller.has_value());
    EXPECT_EQ(caller->phone, "13800000000");
    const auto events = store->events_after(0, 100).value();
    for (const auto& e : events) {
        EXPECT_EQ(e.payload.find("13800000000"), std::string::npos) << e.kind;
    }
}

TEST_P(StoreContract, PositionsUpdateTheUnitButNotBackwards) {
    std::vector<ops::Event> ev;
    ops::NewUnit nu;
    nu.callsign = "PA-9";
    auto u = board.create_unit(nu, "admin", kT0, ev);
    commit(std::move(ev));
    commit({}, {PositionRecord{u->id, ops::Position{{38.90, -77.00}, 45.0, 12.5, kT0 + 2000}}});
    commit({}, {PositionRecord{u->id, ops::Position{{38.80, -77.10}, 0.0, 0.0, kT0 + 1000}}});
    auto stored = store->unit(u->id).value().value();
    ASSERT_TRUE(stored.position.has_value());
    EXPECT_DOUBLE_EQ(stored.position->at.lat, 38.90);
    EXPECT_DOUBLE_EQ(*stored.position->heading_deg, 45.0);
    EXPECT_EQ(stored.position->reported_at, kT0 + 2000);
}

TEST_P(StoreContract, ListsIncidentsByStatusNewestFirstWithPaging) {
    for (int i = 0; i < 5; ++i)
        create_incident();
    std::vector<ops::Event> ev;
    ASSERT_TRUE(
        board.change_incident_status(2, ops::IncidentStatus::cancelled, {}, "d", kT0, ev).ok());
    commit(std::move(ev));
    IncidentQuery q;
    q.statuses = {ops::IncidentStatus::received};
    q.limit = 2;
    auto page1 = store->incidents(q).value();
    ASSERT_EQ(page1.size(), 2u);
    EXPECT_EQ(page1[0].id, 5);
    EXPECT_EQ(page1[1].id, 4);
    q.before_id = 4;
    auto page2 = store->incidents(q).value();
    ASSERT_EQ(page2.size(), 2u);
    EXPECT_EQ(page2[0].id, 3);
    EXPECT_EQ(page2[1].id, 1); // 2 is cancelled
    IncidentQuery cancelled;
    cancelled.statuses = {ops::IncidentStatus::cancelled};
    EXPECT_EQ(store->incidents(cancelled)->size(), 1u);
}

TEST_P(StoreContract, ReopeningKeepsEverything) {
    for (int i = 0; i < 3; ++i)
        create_incident();
    store.reset();
    auto again = backend->open();
    ASSERT_TRUE(again.ok());
    EXPECT_EQ((*again)->head_seq().value(), 3);
    EXPECT_EQ((*again)->verify_chain()->count, 3);
}

TEST_P(StoreContract, BreadcrumbsAreReadBackByTimeAndUnitAPageAtATime) {
    std::vector<ops::Event> ev;
    ops::NewUnit nu;
    nu.callsign = "PA-4";
    const ops::Id a = board.create_unit(nu, "admin", kT0, ev)->id;
    nu.callsign = "PA-5";
    const ops::Id b = board.create_unit(nu, "admin", kT0, ev)->id;
    commit(std::move(ev));
    // Two units, a fix each per second; unit b's third fix arrives late (stored last, earlier
    // time), and one fix of a shares its time with one of b.
    std::vector<SideWrite> fixes;
    for (int i = 0; i < 6; ++i) {
        if (i != 2)
            fixes.push_back(PositionRecord{
                b, ops::Position{{38.8, -77.0 - i * 1e-4}, 90.0, 5.0, kT0 + i * 1000}});
        fixes.push_back(PositionRecord{
            a,
            ops::Position{{38.9 + i * 1e-4, -77.0}, std::nullopt, std::nullopt, kT0 + i * 1000}});
    }
    fixes.push_back(PositionRecord{b, ops::Position{{38.8, -77.0002}, 90.0, 5.0, kT0 + 2000}});
    commit({}, fixes);

    PositionQuery q{kT0 + 1000, kT0 + 5000, std::nullopt};
    q.limit = 3;
    std::vector<PositionRow> all;
    for (;;) {
        auto page = store->positions(q).value();
        all.insert(all.end(), page.begin(), page.end());
        if (page.size() < 3u) break;
        q.after_at = page.back().at;
        q.after_id = page.back().id;
    }
    ASSERT_EQ(all.size(), 8u) << "4 seconds [1 s, 5 s) of two units";
    for (std::size_t i = 1; i < all.size(); ++i) {
        EXPECT_TRUE(all[i - 1].at < all[i].at ||
                    (all[i - 1].at == all[i].at && all[i - 1].id < all[i].id))
            << i;
    }
    EXPECT_EQ(all.front().at, kT0 + 1000);
    EXPECT_EQ(all.back().at, kT0 + 4000);

    auto of_b = store->positions(PositionQuery{kT0, kT0 + 10'000, b}).value();
    ASSERT_EQ(of_b.size(), 6u);
    EXPECT_EQ(of_b[2].at, kT0 + 2000) << "the late fix in its place in time";
    EXPECT_DOUBLE_EQ(of_b[2].lon, -77.0002);
    EXPECT_EQ(of_b[2].unit_id, b);
    EXPECT_DOUBLE_EQ(*of_b[2].heading, 90.0);
    auto of_a = store->positions(PositionQuery{kT0, kT0 + 10'000, a}).value();
    ASSERT_EQ(of_a.size(), 6u);
    EXPECT_FALSE(of_a[0].heading.has_value());
    EXPECT_TRUE(store->positions(PositionQuery{kT0 + 6000, kT0 + 9000, a}).value().empty());
}

TEST_P(StoreContract, PositionDigestsCatchChangedBreadcrumbs) {
    std::vector<ops::Event> ev;
    ops::NewUnit nu;
    nu.callsign = "PA-3";
    auto u = board.create_unit(nu, "admin", kT0, ev);
    commit(std::move(ev));
    for (int i = 0; i < 10; ++i) {
        commit({}, {PositionRecord{u->id, ops::Position{{38.9 + i * 1e-4, -77.0},
                                                        std::nullopt,
                                                        std::nullopt,
                                                        kT0 + i * 1000}}});
    }
    auto d = store->next_position_digest().value();
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->count, 10);
    commit({ops::Event::log_only(kT0, "system", "positions.digest", "positions",
                                 {{"first_id", d->first_id},
                                  {"last_id", d->last_id},
                                  {"count", d->count},
                                  {"sha256", d->sha256}})});
    EXPECT_FALSE(store->next_position_digest().value().has_value()); // nothing new since
    auto ok = store->verify_chain().value();
    EXPECT_FALSE(ok.broken_seq.has_value()) << ok.reason;
    EXPECT_EQ(ok.position_digests, 1);

    tamper("UPDATE positions SET lat = 0 WHERE id = 5");
    auto broken = store->verify_chain().value();
    ASSERT_TRUE(broken.broken_seq.has_value());
    EXPECT_NE(broken.reason.find("breadcrumbs"), std::string::npos) << broken.reason;
}

TEST_P(StoreContract, PositionsOfARefusedChangeDoNotMoveTheUnit) {
    std::vector<ops::Event> ev;
    ops::NewUnit nu;
    nu.callsign = "PA-4";
    auto u = board.create_unit(nu, "admin", kT0, ev);
    commit(std::move(ev));
    const auto hash = std::string("$argon2id$fake");
    commit({}, {UserWrite{"amy", "dispatcher", hash, kT0, std::nullopt, ""}});
    // The position is written, then the duplicate user refuses the change: both go.
    std::vector<Change> changes(1);
    changes[0].side.emplace_back(
        PositionRecord{u->id, ops::Position{{38.91, -77.01}, std::nullopt, std::nullopt, kT0}});
    changes[0].side.emplace_back(UserWrite{"amy", "auditor", hash, kT0, std::nullopt, ""});
    auto r = store->commit(changes);
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->errors[0].has_value());
    EXPECT_FALSE(store->unit(u->id).value().value().position.has_value());
    EXPECT_FALSE(store->next_position_digest().value().has_value());
}

TEST_P(StoreContract, DuplicateCallsignIsNamed) {
    std::vector<ops::Event> ev;
    ops::NewUnit nu;
    nu.callsign = "PA-1";
    auto u = board.create_unit(nu, "admin", kT0, ev);
    commit(std::move(ev));
    // Another server's board that did not know PA-1 yet creates it again under a new id.
    ops::Unit twin = *u;
    twin.id = u->id + 1;
    ops::Event created = ops::Event::log_only(kT0, "admin", "unit.created", "unit/2", {});
    created.data = twin;
    Change c{{created}, {}};
    auto r = store->commit(std::span<const Change>(&c, 1));
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->errors[0].has_value());
    EXPECT_EQ(r->errors[0]->code, base::Code::duplicate_callsign) << r->errors[0]->detail;
    EXPECT_EQ(store->head_seq().value(), 1);
    EXPECT_EQ(store->units()->size(), 1u);
}

TEST_P(StoreContract, UsersAndSessions) {
    const auto hash = std::string("$argon2id$secret");
    commit({ops::Event::log_only(kT0, "cli", "user.created", "user/amy", {{"u", "amy"}})},
           {UserWrite{"amy", "dispatcher", hash, kT0, std::nullopt, ""},
            UserWrite{"bob", "unit", hash, kT0 + 1, ops::Id{7}, ""}});
    auto amy = store->user("amy").value();
    ASSERT_TRUE(amy.has_value());
    EXPECT_EQ(amy->password_hash, hash);
    EXPECT_EQ(amy->created_at, kT0);
    EXPECT_FALSE(amy->disabled);
    EXPECT_FALSE(amy->unit_id.has_value());
    EXPECT_FALSE(store->user("nobody").value().has_value());
    auto all = store->users().value();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1].username, "bob");
    EXPECT_EQ(all[1].unit_id, ops::Id{7});
    EXPECT_EQ(all[0].password_hash, ""); // listing never carries password hashes

    SessionRecord s1{"h1", "amy", "dispatcher", kT0, kT0 + 1000, std::nullopt, ""};
    SessionRecord s2{"h2", "bob", "unit", kT0, kT0 + 5000, ops::Id{7}, ""};
    commit({}, {SessionWrite{s1, false}, SessionWrite{s2, false}});
    EXPECT_EQ(store->live_sessions(kT0 + 500)->size(), 2u);
    EXPECT_EQ(store->live_sessions(kT0 + 2000)->size(), 1u); // s1 expired
    SessionRecord end = s2;
    end.created_at = kT0 + 100; // the revocation time
    commit({}, {SessionWrite{end, true}});
    auto live = store->live_sessions(kT0 + 500).value();
    ASSERT_EQ(live.size(), 1u);
    EXPECT_EQ(live[0].token_hash, "h1");

    // An administrator disables amy: her sessions end with it; enabling leaves them ended.
    SessionRecord s3{"h3", "amy", "dispatcher", kT0, kT0 + 5000, std::nullopt, ""};
    commit({}, {SessionWrite{s3, false}});
    EXPECT_EQ(store->live_sessions(kT0 + 500)->size(), 2u);
    commit({}, {UserAccessWrite{"amy", true, true, kT0 + 200}});
    EXPECT_TRUE(store->user("amy").value()->disabled);
    EXPECT_FALSE(store->user("bob").value()->disabled);
    EXPECT_TRUE(store->live_sessions(kT0 + 500)->empty());
    commit({}, {UserAccessWrite{"amy", false, false, kT0 + 300}});
    EXPECT_FALSE(store->user("amy").value()->disabled);
    EXPECT_TRUE(store->live_sessions(kT0 + 500)->empty());
}

// Migration 5: an account and its sessions carry a team (station or squad); empty is centre
// level, and accounts written without one read back with an empty team.
TEST_P(StoreContract, UserAndSessionTeams) {
    const auto hash = std::string("$argon2id$secret");
    commit({ops::Event::log_only(kT0, "cli", "user.created", "user/sun", {{"u", "sun"}})},
           {UserWrite{"sun", "supervisor", hash, kT0, std::nullopt, "东城派出所"},
            UserWrite{"li", "supervisor", hash, kT0 + 1, std::nullopt, ""}});
    EXPECT_EQ(store->user("sun").value()->team, "东城派出所");
    EXPECT_EQ(store->user("li").value()->team, "");
    auto all = store->users().value();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].team, "东城派出所");
    EXPECT_EQ(all[1].team, "");

    SessionRecord s1{"h1", "sun", "supervisor", kT0, kT0 + 1000, std::nullopt, "东城派出所"};
    SessionRecord s2{"h2", "li", "supervisor", kT0, kT0 + 1000, std::nullopt, ""};
    commit({}, {SessionWrite{s1, false}, SessionWrite{s2, false}});
    auto live = store->live_sessions(kT0 + 500).value();
    ASSERT_EQ(live.size(), 2u);
    std::sort(live.begin(), live.end(),
              [](const auto& a, const auto& b) { return a.token_hash < b.token_hash; });
    EXPECT_EQ(live[0].team, "东城派出所");
    EXPECT_EQ(live[1].team, "");
}

TEST_P(StoreContract, CallersOfSeveralIncidentsAndMerges) {
    const ops::Id a = create_incident();
    const ops::Id b = create_incident();
    commit({}, {CallerRecord{a, "Li Lei", "139", kT0}, CallerRecord{b, "Han Meimei", "137", kT0}});
    commit({}, {CallerRecord{a, "Li Lei", "138", kT0 + 1}}); // replaces a's caller
    auto both = store->callers_of({a, b, 99}).value();
    ASSERT_EQ(both.size(), 2u);
    EXPECT_EQ(both[0].phone, "138");
    EXPECT_EQ(both[1].name, "Han Meimei");
    EXPECT_FALSE(store->caller(99).value().has_value());

    ops::Incident gone = *board.open_incident(b);
    gone.status = ops::IncidentStatus::merged;
    gone.merged_into = a;
    ops::Event merge = ops::Event::log_only(kT0 + 5, "d", "incident.merged", "incident/2", {});
    merge.data = gone;
    commit({merge});
    EXPECT_EQ(store->merged_into(a).value(), std::vector<ops::Id>{b});
    EXPECT_TRUE(store->merged_into(b).value().empty());
    EXPECT_EQ(store->incident_by_number("2026-000002").value(), std::optional<ops::Id>(b));
    EXPECT_FALSE(store->incident_by_number("2026-999999").value().has_value());
    EXPECT_EQ(store->assignments_of(a).value().size(), 0u);
}

TEST_P(StoreContract, BoundaryLayersAreReplacedWhole) {
    const std::string square =
        R"({"type":"MultiPolygon","coordinates":[[[[-77.1,38.8],[-77.0,38.8],[-77.0,38.9],[-77.1,38.8]]]]})";
    commit({},
           {BoundaryLayerWrite{"patrol_area",
                               {BoundaryRow{"patrol_area", "PSA 101", R"({"n":1})", square},
                                BoundaryRow{"patrol_area", "PSA 102", "{}", square}}},
            BoundaryLayerWrite{"jurisdiction", {BoundaryRow{"jurisdiction", "DC", "{}", square}}}});
    auto rows = store->boundaries().value();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].layer, "jurisdiction");
    EXPECT_EQ(rows[1].name, "PSA 101");
    EXPECT_EQ(rows[1].properties, R"({"n":1})");
    EXPECT_EQ(rows[1].geometry, square);
    commit({}, {BoundaryLayerWrite{"patrol_area",
                                   {BoundaryRow{"patrol_area", "PSA 201", "{}", square}}}});
    rows = store->boundaries().value();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[1].name, "PSA 201");
}

TEST_P(StoreContract, AlertsOpenAndResolved) {
    ops::Alert a;
    a.id = 1;
    a.kind = "not_dispatched";
    a.key = "not_dispatched/incident/1";
    a.incident_id = 1;
    a.message = "not dispatched";
    a.raised_at = kT0;
    ops::Event raised = ops::Event::log_only(kT0, "system", "alert.raised", "alert/1", {});
    raised.data = a;
    ops::Alert b = a;
    b.id = 2;
    b.key = "not_dispatched/incident/2";
    b.incident_id = 2;
    ops::Event raised2 = ops::Event::log_only(kT0, "system", "alert.raised", "alert/2", {});
    raised2.data = b;
    commit({raised, raised2});
    a.resolved_at = kT0 + 10;
    ops::Event resolved = ops::Event::log_only(kT0, "system", "alert.resolved", "alert/1", {});
    resolved.data = a;
    commit({resolved});
    auto open = store->alerts(true, 10).value();
    ASSERT_EQ(open.size(), 1u);
    EXPECT_EQ(open[0].id, 2);
    auto all = store->alerts(false, 10).value();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].id, 2); // newest first
    EXPECT_EQ(all[1].resolved_at, kT0 + 10);
    auto snap = store->load_board().value();
    EXPECT_EQ(snap.max_alert_id, 2);
    ASSERT_EQ(snap.open_alerts.size(), 1u);
    EXPECT_EQ(snap.open_alerts[0].key, "not_dispatched/incident/2");
}

TEST_P(StoreContract, OutboxAndRecommendations) {
    const ops::Id i = create_incident();
    OutboxItem item;
    item.incident_id = i;
    item.kind = "open311";
    item.idempotency_key = "k-1";
    item.body = R"({"service_code":"pothole"})";
    item.status = "pending";
    item.next_attempt_at = kT0 + 100;
    item.created_at = kT0;
    commit({}, {OutboxWrite{item, true}});
    EXPECT_TRUE(store->due_outbox(kT0, 10)->empty());
    auto due = store->due_outbox(kT0 + 100, 10).value();
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].body, item.body);
    EXPECT_GT(due[0].id, 0);
    OutboxItem done = due[0];
    done.status = "delivered";
    done.attempts = 1;
    done.remote_id = "SR-9";
    done.delivered_at = kT0 + 200;
    commit({}, {OutboxWrite{done, false}});
    EXPECT_TRUE(store->due_outbox(kT0 + 1000, 10)->empty());
    auto stored = store->outbox_of(i).value();
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->status, "delivered");
    EXPECT_EQ(stored->remote_id, "SR-9");
    EXPECT_EQ(stored->delivered_at, kT0 + 200);
    EXPECT_FALSE(store->outbox_of(i + 1).value().has_value());
    // A second insert with the same idempotency key is refused as a constraint.
    std::vector<Change> again(1);
    again[0].side.emplace_back(OutboxWrite{item, true});
    auto r = store->commit(again);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->errors[0].has_value());

    commit({}, {RecommendationWrite{i, kT0, R"([{"unit":1}])"}});
    commit({}, {RecommendationWrite{i, kT0 + 5, R"([{"unit":2}])"}});
    auto rec = store->recommendation_of(i).value();
    ASSERT_TRUE(rec.has_value());
    EXPECT_EQ(rec->computed_at, kT0 + 5);
    EXPECT_EQ(rec->items, R"([{"unit":2}])");
    EXPECT_FALSE(store->recommendation_of(i + 1).value().has_value());
}

TEST_P(StoreContract, TextAndNumbersRoundTripExactly) {
    std::vector<ops::Event> ev;
    ops::NewIncident in;
    in.location = {39.123456789012345, -77.98765432109876};
    in.category = "theft";
    in.description = "quote ' backslash \\ dollar $1 unicode 北京 tab\t";
    auto inc = board.create_incident(in, "taker", kT0, ev);
    commit(std::move(ev));
    auto stored = store->incident(inc->id).value().value();
    EXPECT_EQ(stored.description, in.description);
    EXPECT_EQ(stored.location.lat, in.location.lat); // bit for bit
    EXPECT_EQ(stored.location.lon, in.location.lon);
    auto events = store->events_after(0, 10).value();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].hash, event_hash(events[0]));
    EXPECT_FALSE(store->verify_chain()->broken_seq.has_value());
}

// Photos of evidence items are stored once by their SHA-256, in the transaction of the event
// that names them; the bytes come back exactly (NUL, 0xFF and all), also after reopening.
TEST_P(StoreContract, BlobsAreStoredOnceByHashWithTheirEvent) {
    std::string bytes = "\xFF\xD8\xFF\xE0";
    bytes += std::string("\0\x01\x7F\x80\xFF", 5);
    for (int i = 0; i < 200'000; ++i)
        bytes += static_cast<char>(i * 7 % 256);
    const std::string sha = base::sha256_hex(bytes);
    auto attach = [&](const std::string& code, base::TimeMs at) {
        return ops::Event::log_only(at, "off1", "evidence.photo_attached", "evidence/" + code,
                                    {{"item_code", code}, {"sha256", sha}});
    };
    EXPECT_FALSE(store->blob(sha).value().has_value());
    commit({attach("E-1", kT0)}, {Blob{sha, "image/jpeg", bytes, kT0}});
    // The same bytes again (another item): still one row, the first one.
    commit({attach("E-2", kT0 + 10)}, {Blob{sha, "image/png", bytes, kT0 + 10}});
    auto got = store->blob(sha);
    ASSERT_TRUE(got.ok()) << got.error().detail;
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ((*got)->sha256, sha);
    EXPECT_EQ((*got)->content_type, "image/jpeg");
    EXPECT_EQ((*got)->stored_at, kT0);
    EXPECT_EQ((*got)->bytes.size(), bytes.size());
    EXPECT_TRUE((*got)->bytes == bytes);
    EXPECT_FALSE(store->blob(std::string(64, '0')).value().has_value());
    EXPECT_EQ(store->verify_chain()->count, 2);

    // A refused change takes its blob with it.
    const std::string other = "\x89PNG\r\n\x1A\n refused";
    std::vector<Change> changes(2);
    changes[0].events.push_back(
        ops::Event::log_only(kT0, "cli", "user.created", "user/amy", {{"u", "amy"}}));
    changes[0].side.emplace_back(UserWrite{"amy", "unit", "$argon2id$x", kT0, std::nullopt, ""});
    changes[1].events.push_back(
        ops::Event::log_only(kT0, "cli", "user.created", "user/amy", {{"u", "amy"}}));
    changes[1].side.emplace_back(UserWrite{"amy", "unit", "$argon2id$x", kT0, std::nullopt, ""});
    changes[1].side.emplace_back(Blob{base::sha256_hex(other), "image/png", other, kT0});
    auto r = store->commit(changes);
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->errors[1].has_value());
    EXPECT_FALSE(store->blob(base::sha256_hex(other)).value().has_value());

    store.reset();
    auto again = backend->open();
    ASSERT_TRUE(again.ok());
    auto kept = (*again)->blob(sha);
    ASSERT_TRUE(kept.ok() && kept->has_value());
    EXPECT_TRUE((*kept)->bytes == bytes);
}
