// The SQLite store: events and projections land together, the chain verifies, and any
// tampering with a stored event is named by verify_chain().
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "ops/board.hpp"
#include "store/sqlite_store.hpp"
#include "temp_db.hpp"

using namespace pingan;
using namespace pingan::store;

namespace {

constexpr base::TimeMs kT0 = 1'795'000'000'000;

// Runs commands on a Board and commits their events, as the server does.
class StoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = SqliteStore::open(db.path());
        ASSERT_TRUE(opened.ok()) << opened.error().detail;
        store = std::move(opened).value();
        auto snap = store->load_board();
        ASSERT_TRUE(snap.ok());
        board.load(std::move(snap).value());
    }

    CommitResult commit(std::vector<ops::Event> events, std::vector<SideWrite> side = {}) {
        Change c{std::move(events), std::move(side)};
        auto r = store->commit(std::span<const Change>(&c, 1));
        EXPECT_TRUE(r.ok());
        return r.ok() ? std::move(r).value() : CommitResult{};
    }

    ops::Id create_incident(const std::string& description = "bike stolen") {
        std::vector<ops::Event> ev;
        ops::NewIncident in;
        in.location = {38.9, -77.03};
        in.category = "theft";
        in.description = description;
        auto inc = board.create_incident(in, "taker", kT0, ev);
        commit(std::move(ev));
        return inc->id;
    }

    // Raw SQL on the file, as an attacker with file access would do.
    void tamper(const std::string& sql) {
        sqlite3* raw = nullptr;
        ASSERT_EQ(sqlite3_open(db.path().c_str(), &raw), SQLITE_OK);
        char* err = nullptr;
        ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
        sqlite3_close(raw);
    }

    test::TempDb db;
    std::unique_ptr<SqliteStore> store;
    ops::Board board;
};

} // namespace

TEST(HashChain, NetstringFramingKeepsFieldsApart) {
    // Moving a character from one field to the next must change the hash.
    EXPECT_NE(event_hash(kGenesisHash, 1, 0, "ab", "c", "s", "{}"),
              event_hash(kGenesisHash, 1, 0, "a", "bc", "s", "{}"));
    EXPECT_EQ(event_hash(kGenesisHash, 1, 0, "a", "b", "s", "{}"),
              event_hash(kGenesisHash, 1, 0, "a", "b", "s", "{}"));
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(StoreTest, EventsAndProjectionsLandTogether) {
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

TEST_F(StoreTest, ChainVerifiesAndReportsTheHead) {
    for (int i = 0; i < 20; ++i)
        create_incident("call " + std::to_string(i));
    auto report = store->verify_chain();
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->count, 20);
    EXPECT_FALSE(report->broken_seq.has_value());
    EXPECT_EQ(report->head_hash, store->events_after(19, 1)->at(0).hash);
}

TEST_F(StoreTest, AlteredPayloadIsNamed) {
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

TEST_F(StoreTest, AlteredActorOrTimeIsNamed) {
    for (int i = 0; i < 5; ++i)
        create_incident();
    tamper("UPDATE events SET actor = 'someone-else' WHERE seq = 3");
    EXPECT_EQ(*store->verify_chain()->broken_seq, 3);
}

TEST_F(StoreTest, RecomputedHashStillBreaksTheNextLink) {
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

TEST_F(StoreTest, DeletedEventIsNamed) {
    for (int i = 0; i < 5; ++i)
        create_incident();
    tamper("DELETE FROM events WHERE seq = 2");
    auto report = store->verify_chain().value();
    EXPECT_EQ(*report.broken_seq, 2);
    EXPECT_NE(report.reason.find("missing"), std::string::npos) << report.reason;
}

TEST_F(StoreTest, BoardRebuiltFromTheStoreMatches) {
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

TEST_F(StoreTest, ARefusedChangeDoesNotTakeItsBatchDown) {
    auto hash = std::string("$argon2id$fake");
    std::vector<Change> changes(3);
    changes[0].events.push_back(
        ops::Event::log_only(kT0, "cli", "user.created", "user/amy", {{"u", "amy"}}));
    changes[0].side.emplace_back(UserWrite{"amy", "dispatcher", hash, kT0, std::nullopt});
    changes[1].events.push_back(
        ops::Event::log_only(kT0, "cli", "user.created", "user/amy", {{"u", "amy"}}));
    changes[1].side.emplace_back(UserWrite{"amy", "auditor", hash, kT0, std::nullopt});
    changes[2].events.push_back(
        ops::Event::log_only(kT0, "cli", "user.created", "user/bob", {{"u", "bob"}}));
    changes[2].side.emplace_back(UserWrite{"bob", "auditor", hash, kT0, std::nullopt});
    auto r = store->commit(changes);
    ASSERT_TRUE(r.ok());
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

TEST_F(StoreTest, SideWritesStayOutOfTheLog) {
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

TEST_F(StoreTest, PositionsUpdateTheUnitButNotBackwards) {
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

TEST_F(StoreTest, ListsIncidentsByStatusNewestFirstWithPaging) {
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

TEST_F(StoreTest, ReopeningKeepsEverything) {
    for (int i = 0; i < 3; ++i)
        create_incident();
    store.reset();
    auto again = SqliteStore::open(db.path());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ((*again)->head_seq().value(), 3);
    EXPECT_EQ((*again)->verify_chain()->count, 3);
}

TEST(SqliteStoreOpen, RefusesAFileThatIsNotADatabase) {
    test::TempDb db;
    {
        std::FILE* f = std::fopen(db.path().c_str(), "wb");
        std::fputs("this is not a database, it is a shopping list\n", f);
        std::fclose(f);
    }
    auto r = SqliteStore::open(db.path());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, base::Code::corrupt_file) << r.error().detail;
}

TEST_F(StoreTest, PositionDigestsCatchChangedBreadcrumbs) {
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
