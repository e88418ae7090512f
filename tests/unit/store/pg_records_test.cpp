// Incident records in PostgreSQL, as tests/unit/analytics/records_store_test.cpp checks them in
// SQLite: one transaction per import with its chained event, idempotent re-imports, nothing
// stored when an import fails, facts from imported and live incidents, and column blocks that
// equal the rows.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ops/model.hpp"
#include "pg_cluster.hpp"
#include "store/open_store.hpp"
#include "store/pg.hpp"
#include "store/pg_store.hpp"
#include "store/records.hpp"

namespace pingan::store {
namespace {

using analytics::IncidentRecord;
using test::PgCluster;
constexpr base::TimeMs kT0 = 1'704'067'200'000; // 2024-01-01T00:00:00Z
constexpr base::TimeMs kDay = 86'400'000;

IncidentRecord record(std::string key, base::TimeMs at, std::string category,
                      std::string jurisdiction = "1") {
    IncidentRecord r;
    r.source = "test";
    r.source_key = std::move(key);
    r.received_at = at;
    r.category = category;
    r.source_category = category;
    r.location = geo::LatLon{38.9, -77.0};
    r.geocode_ok = true;
    r.jurisdiction = std::move(jurisdiction);
    return r;
}

RecordImport batch(std::vector<IncidentRecord> records) {
    RecordImport b;
    b.file_name = "f.csv";
    b.file_sha256 = std::string(64, 'a');
    b.source = "test";
    b.mapping = "test.toml";
    b.rows_read = records.size() + 1;
    b.rejected = 1;
    b.records = std::move(records);
    b.actor = "cli:test";
    b.at = kT0 + 100 * kDay;
    return b;
}

std::int64_t count(const std::string& uri, const std::string& sql) {
    pg::Conn raw(uri);
    return raw.query(sql).int64(0, 0);
}

#define PG_DATABASE(uri)                                                                           \
    PgCluster& cluster = PgCluster::shared();                                                      \
    if (!cluster.ok()) GTEST_SKIP() << cluster.why();                                              \
    const std::string uri = cluster.fresh_database()

TEST(PgRecordStore, ImportIsOneTransactionWithOneChainedEventAndIsIdempotent) {
    PG_DATABASE(uri);
    auto rs = open_records(uri);
    ASSERT_TRUE(rs) << rs.error().detail;
    auto first = (*rs)->import_records(batch(
        {record("a", kT0, "theft"), record("b", kT0 + 1, "robbery"), record("a", kT0, "theft")}));
    ASSERT_TRUE(first) << first.error().detail;
    EXPECT_EQ(first->inserted, 2u);
    EXPECT_EQ(first->duplicates, 1u); // "a" twice in one file
    EXPECT_EQ(first->event_seq, 1);
    auto second =
        (*rs)->import_records(batch({record("a", kT0, "theft"), record("b", kT0 + 1, "robbery"),
                                     record("c", kT0 + 2, "theft")}));
    ASSERT_TRUE(second) << second.error().detail;
    EXPECT_EQ(second->inserted, 1u);
    EXPECT_EQ(second->duplicates, 2u);
    EXPECT_EQ(second->event_seq, 2);
    EXPECT_EQ(count(uri, "SELECT COUNT(*) FROM incident_records"), 3);
    EXPECT_EQ(count(uri, "SELECT COUNT(*) FROM incident_records WHERE import_seq = 2"), 1);

    auto store = PgStore::open(uri);
    ASSERT_TRUE(store);
    auto verify = (*store)->verify_chain();
    ASSERT_TRUE(verify);
    EXPECT_FALSE(verify->broken_seq) << verify->reason;
    EXPECT_EQ(verify->count, 2);
    auto events = (*store)->events_after(0, 10).value();
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[1].kind, "records.imported");
    EXPECT_EQ(events[1].hash, second->event_hash);
    const auto payload = nlohmann::json::parse(events[1].payload);
    EXPECT_EQ(payload["imported"], 1);
    EXPECT_EQ(payload["duplicates"], 2);

    ops::Event e = ops::Event::log_only(kT0, "test", "test.note", "note/1", {{"x", 1}});
    Change change{{e}, {}};
    ASSERT_TRUE((*store)->commit(std::span<const Change>(&change, 1)));
    EXPECT_EQ((*store)->verify_chain()->count, 3);
}

TEST(PgRecordStore, AFailingImportLeavesNothingBehind) {
    PG_DATABASE(uri);
    auto rs = open_records(uri);
    ASSERT_TRUE(rs);
    // A trigger that fails on the third row, as a full disk or a crash would mid-file.
    {
        pg::Conn raw(uri);
        raw.exec("CREATE FUNCTION fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                 "IF NEW.source_key = 'c' THEN RAISE EXCEPTION 'simulated failure'; END IF; "
                 "RETURN NEW; END $$; CREATE TRIGGER fail BEFORE INSERT ON incident_records "
                 "FOR EACH ROW EXECUTE FUNCTION fail()");
    }
    auto r = (*rs)->import_records(batch(
        {record("a", kT0, "theft"), record("b", kT0 + 1, "theft"), record("c", kT0 + 2, "theft")}));
    ASSERT_FALSE(r);
    EXPECT_EQ(count(uri, "SELECT COUNT(*) FROM incident_records"), 0);
    EXPECT_EQ(count(uri, "SELECT COUNT(*) FROM events"), 0);
    {
        pg::Conn raw(uri);
        raw.exec("DROP TRIGGER fail ON incident_records");
    }
    auto again = (*rs)->import_records(batch({record("a", kT0, "theft")}));
    ASSERT_TRUE(again) << again.error().detail;
    EXPECT_EQ(again->event_seq, 1);
}

TEST(PgRecordStore, FactsFromImportedAndLiveIncidentsForTheRequestedPeriods) {
    PG_DATABASE(uri);
    auto rs = open_records(uri);
    ASSERT_TRUE(rs);
    IncidentRecord timed = record("t", kT0 + 2 * kDay, "theft", "2");
    timed.dispatched_at = timed.received_at + 60'000;
    timed.on_scene_at = timed.received_at + 400'000;
    timed.disposition = "arrest \"quoted\" \\ {braces}";
    IncidentRecord unlocated = record("u", kT0 + 3 * kDay, "assault", "");
    unlocated.location.reset();
    unlocated.geocode_ok = false;
    IncidentRecord far = record("f", kT0 + 4 * kDay, "theft");
    far.location = geo::LatLon{10, 10};
    far.geocode_ok = false;
    ASSERT_TRUE((*rs)->import_records(batch({record("a", kT0, "theft"), timed, unlocated, far,
                                             record("z", kT0 + 40 * kDay, "theft")})));

    auto store = PgStore::open(uri);
    ASSERT_TRUE(store);
    ops::Incident live;
    live.id = 1;
    live.number = "2024-000001";
    live.status = ops::IncidentStatus::diverted;
    live.category = "non_police";
    live.location = {38.91, -77.01};
    live.received_at = kT0 + 5 * kDay;
    live.created_by = "taker";
    ops::Incident live2 = live;
    live2.id = 2;
    live2.number = "2024-000002";
    live2.status = ops::IncidentStatus::closed;
    live2.category = "dispute";
    live2.dispatched_at = live2.received_at + 30'000;
    live2.on_scene_at = live2.received_at + 300'000;
    ops::Assignment a;
    a.id = 1;
    a.incident_id = 2;
    a.unit_id = 7;
    a.dispatched_at = *live2.dispatched_at;
    a.en_route_at = live2.received_at + 50'000;
    a.dispatched_by = "dispatcher";
    std::vector<ops::Event> ev = {
        {live.received_at, "t", "incident.created", "incident/1", ops::to_json_text(live), live},
        {live2.received_at, "t", "incident.created", "incident/2", ops::to_json_text(live2), live2},
        {live2.received_at, "t", "unit.dispatched", "incident/2", ops::to_json_text(a), a}};
    Change change{ev, {}};
    ASSERT_TRUE((*store)->commit(std::span<const Change>(&change, 1)));

    RecordQuery q;
    q.periods = {{kT0, kT0 + 10 * kDay}};
    auto facts = (*rs)->load_facts(q);
    ASSERT_TRUE(facts) << facts.error().detail;
    ASSERT_EQ(facts->size(), 6u);
    EXPECT_EQ(facts->dispatched_ms[1], 60'000);
    EXPECT_EQ(facts->on_scene_ms[1], 400'000);
    EXPECT_EQ(facts->disposition_names[facts->disposition[1]], timed.disposition);
    EXPECT_EQ(facts->jurisdiction_names[facts->jurisdiction[1]], "2");
    EXPECT_FALSE(facts->has_location(2));
    EXPECT_FALSE(facts->has_location(3));
    EXPECT_EQ(facts->flags[4] & analytics::kFactDiverted, analytics::kFactDiverted);
    EXPECT_EQ(facts->en_route_ms[5], 50'000);

    q.include_live = false;
    q.periods = {{kT0 + 39 * kDay, kT0 + 41 * kDay}, {kT0, kT0 + kDay}};
    facts = (*rs)->load_facts(q);
    ASSERT_TRUE(facts);
    EXPECT_EQ(facts->size(), 2u);
    EXPECT_EQ(facts->received_at[1], kT0 + 40 * kDay);

    auto range = (*rs)->data_range({});
    ASSERT_TRUE(range);
    EXPECT_EQ(range->count, 7u);
    EXPECT_EQ(*range->first_received_at, kT0);
    EXPECT_EQ(*range->last_received_at, kT0 + 40 * kDay);

    auto records = (*rs)->records({});
    ASSERT_TRUE(records);
    ASSERT_EQ(records->size(), 5u);
    EXPECT_EQ((*records)[1].source_key, "t");
    EXPECT_EQ((*records)[1].disposition, timed.disposition);
    EXPECT_EQ((*records)[1].on_scene_at, timed.on_scene_at);
    EXPECT_FALSE((*records)[2].location);
    ASSERT_TRUE((*records)[3].location);
    EXPECT_FALSE((*records)[3].geocode_ok);
}

TEST(PgRecordStore, ColumnBlocksEqualTheRowsAndFallBackWhenStale) {
    PG_DATABASE(uri);
    auto rs = open_records(uri);
    ASSERT_TRUE(rs);
    std::vector<IncidentRecord> many;
    for (int i = 0; i < 70'000; ++i) { // two blocks, several insert chunks and read pages
        IncidentRecord r =
            record(std::to_string(i), kT0 + (std::int64_t{i} * 7919 % 70'000) * 60'000,
                   i % 3 == 0 ? "theft" : "robbery", std::to_string(i % 5));
        if (i % 4 == 0) r.dispatched_at = r.received_at + 1000 * (i % 300);
        if (i % 11 == 0) r.disposition = "arrest";
        if (i % 13 == 0) r.geocode_ok = false;
        if (i % 17 == 0) r.time_resolution_s = 86400;
        many.push_back(r);
    }
    ASSERT_TRUE((*rs)->import_records(batch(many)));
    std::vector<IncidentRecord> other;
    for (int i = 0; i < 100; ++i) {
        IncidentRecord r = record("o" + std::to_string(i), kT0 + i * 3'600'000, "assault", "9");
        r.source = "other";
        other.push_back(r);
    }
    RecordImport b2 = batch(other);
    b2.source = "other";
    ASSERT_TRUE((*rs)->import_records(b2));
    EXPECT_EQ(count(uri, "SELECT COUNT(*) FROM incident_fact_blocks"), 3);

    auto same = [&](RecordQuery q) {
        q.include_live = false;
        q.use_blocks = true;
        auto a = (*rs)->load_facts(q);
        q.use_blocks = false;
        auto b = (*rs)->load_facts(q);
        ASSERT_TRUE(a && b);
        ASSERT_EQ(a->size(), b->size());
        EXPECT_EQ(a->received_at, b->received_at);
        for (std::size_t i = 0; i < a->size(); ++i) {
            ASSERT_EQ(a->category_names[a->category[i]], b->category_names[b->category[i]]) << i;
            ASSERT_EQ(a->jurisdiction_names[a->jurisdiction[i]],
                      b->jurisdiction_names[b->jurisdiction[i]]);
            ASSERT_EQ(a->has_location(i), b->has_location(i));
            ASSERT_EQ(a->dispatched_ms[i], b->dispatched_ms[i]);
            ASSERT_EQ(a->flags[i], b->flags[i]);
        }
    };
    same({});
    RecordQuery q;
    constexpr base::TimeMs kMin = 60'000;
    q.periods = {{kT0 + 1000 * kMin, kT0 + 5000 * kMin},
                 {kT0 + 60'000 * kMin, kT0 + 61'000 * kMin}};
    same(q);
    q.sources = {"other"};
    same(q);

    pg::Conn raw(uri);
    raw.exec("UPDATE incident_records SET category = 'fraud' WHERE source_key = '0'");
    RecordQuery blocks_only, rows_only;
    rows_only.use_blocks = false;
    EXPECT_FALSE((*rs)->load_facts(blocks_only)->category_index("fraud"));
    EXPECT_TRUE((*rs)->load_facts(rows_only)->category_index("fraud"));
    raw.exec("UPDATE incident_records SET category = 'theft' WHERE source_key = '0'");

    raw.run("INSERT INTO incident_records(source, source_key, received_at, category, "
            "source_category, geocode_ok) VALUES('x', 'x', $1, 'fraud', 'fraud', 0)",
            pg::Params().add(kT0));
    auto facts = (*rs)->load_facts({});
    ASSERT_TRUE(facts);
    EXPECT_EQ(facts->size(), 70'101u);
    EXPECT_TRUE(facts->category_index("fraud").has_value());
    raw.exec("DELETE FROM incident_records WHERE source = 'x'");
    raw.exec("UPDATE incident_fact_blocks SET data = '\\x00112233' WHERE id = 1");
    facts = (*rs)->load_facts({});
    ASSERT_TRUE(facts);
    EXPECT_EQ(facts->size(), 70'100u);
}

} // namespace
} // namespace pingan::store
