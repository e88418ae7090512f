// The SQLite store: the Store contract on a file in a private temporary folder, the hash
// chain's framing, a file that is not a database, open_store() picking the backend, and a
// position report refused within its batch.
#include <cmath>
#include <cstdio>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/open_store.hpp"
#include "store/sqlite_schema.hpp"
#include "store/sqlite_store.hpp"
#include "store_contract.hpp"
#include "temp_db.hpp"

using namespace pingan;
using namespace pingan::store;
using pingan::test::StoreContract;

namespace {

class SqliteBackend final : public test::StoreBackend {
public:
    base::Result<std::unique_ptr<Store>> open() override {
        auto opened = SqliteStore::open(db_.path());
        if (!opened) return std::move(opened).error();
        return std::unique_ptr<Store>(std::move(opened).value());
    }
    // Raw SQL on the file, as an attacker with file access would do.
    void tamper(const std::string& sql) override {
        sqlite3* raw = nullptr;
        ASSERT_EQ(sqlite3_open(db_.path().c_str(), &raw), SQLITE_OK);
        char* err = nullptr;
        ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
        sqlite3_close(raw);
    }

private:
    test::TempDb db_;
};

} // namespace

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract,
                         ::testing::Values(test::BackendParam{
                             "sqlite", [] { return std::make_unique<SqliteBackend>(); }}),
                         test::backend_name);

TEST(HashChain, NetstringFramingKeepsFieldsApart) {
    // Moving a character from one field to the next must change the hash.
    EXPECT_NE(event_hash(kGenesisHash, 1, 0, "ab", "c", "s", "{}"),
              event_hash(kGenesisHash, 1, 0, "a", "bc", "s", "{}"));
    EXPECT_EQ(event_hash(kGenesisHash, 1, 0, "a", "b", "s", "{}"),
              event_hash(kGenesisHash, 1, 0, "a", "b", "s", "{}"));
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

// Migration 5 on a database at schema 4: accounts and sessions already there get an empty
// team (centre level).
TEST(SqliteStoreOpen, MigrationFiveGivesExistingAccountsNoTeam) {
    test::TempDb db;
    {
        sqlite3* raw = nullptr;
        ASSERT_EQ(sqlite3_open(db.path().c_str(), &raw), SQLITE_OK);
        std::string sql;
        for (std::size_t i = 0; i < 4; ++i)
            sql += sqlite::kMigrations[i];
        sql += "INSERT INTO users(username, role, password_hash, created_at) "
               "VALUES('old', 'supervisor', 'h', 1);"
               "INSERT INTO sessions(token_hash, username, role, created_at, expires_at) "
               "VALUES('t', 'old', 'supervisor', 1, 100);"
               "PRAGMA user_version = 4;";
        char* err = nullptr;
        ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
        sqlite3_close(raw);
    }
    auto store = SqliteStore::open(db.path());
    ASSERT_TRUE(store.ok()) << store.error().detail;
    auto old = (*store)->user("old").value();
    ASSERT_TRUE(old.has_value());
    EXPECT_EQ(old->team, "");
    auto live = (*store)->live_sessions(50).value();
    ASSERT_EQ(live.size(), 1u);
    EXPECT_EQ(live[0].team, "");
}

TEST(OpenStore, PicksTheBackendByItsPrefix) {
    EXPECT_EQ(
        locate_store("postgresql://u@h1:5432,h2:5433/db?target_session_attrs=read-write").backend,
        Backend::postgres);
    EXPECT_EQ(locate_store("postgres://h/db").target, "postgres://h/db");
    EXPECT_EQ(locate_store("sqlite:/var/lib/pingan/pingan.db").backend, Backend::sqlite);
    EXPECT_EQ(locate_store("sqlite:/var/lib/pingan/pingan.db").target, "/var/lib/pingan/pingan.db");
    EXPECT_EQ(locate_store("data/pingan.db").target, "data/pingan.db");
    EXPECT_EQ(locate_store("data/pingan.db").backend, Backend::sqlite);
}

TEST(OpenStore, OpensSqliteFromAPlainPathOrASqliteUri) {
    test::TempDb db;
    auto plain = open_store(db.path());
    ASSERT_TRUE(plain.ok()) << plain.error().detail;
    EXPECT_NE(dynamic_cast<SqliteStore*>(plain->get()), nullptr);
    plain->reset();
    auto prefixed = open_store("sqlite:" + db.path());
    ASSERT_TRUE(prefixed.ok()) << prefixed.error().detail;
    EXPECT_EQ((*prefixed)->head_seq().value(), 0);
}

TEST(OpenStore, AnUnreachablePostgresIsUnavailable) {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    auto r = open_store("postgresql://pingan@127.0.0.1:1/pingan?connect_timeout=2");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, base::Code::unavailable) << r.error().detail;
}

namespace {

// Unit PA-9, without a position, stored in `store`.
ops::Id create_unit(SqliteStore& store) {
    ops::Board board;
    std::vector<ops::Event> ev;
    ops::NewUnit nu;
    nu.callsign = "PA-9";
    const ops::Id unit = board.create_unit(nu, "admin", test::kT0, ev).value().id;
    Change created{std::move(ev), {}};
    EXPECT_TRUE(store.commit(std::span<const Change>(&created, 1)).ok());
    return unit;
}

} // namespace

// A position report is committed without a savepoint of its own (one statement): one that
// fails a constraint is refused alone, and the batch around it lands. SQLite stores a NaN as
// NULL, which the NOT NULL latitude refuses.
TEST(SqliteStoreCommit, APositionReportRefusedByAConstraintLeavesTheBatchWhole) {
    test::TempDb db;
    auto store = SqliteStore::open(db.path()).value();
    const ops::Id unit = create_unit(*store);

    auto report = [&](double lat, base::TimeMs at) {
        return Change{{}, {PositionRecord{unit, ops::Position{{lat, -77.0}, 90.0, 5.0, at}}}};
    };
    const std::vector<Change> batch{report(38.90, test::kT0 + 1000),
                                    report(std::nan(""), test::kT0 + 2000),
                                    report(38.92, test::kT0 + 3000)};
    auto r = store->commit(batch);
    ASSERT_TRUE(r.ok()) << r.error().detail;
    EXPECT_FALSE(r->errors[0].has_value());
    ASSERT_TRUE(r->errors[1].has_value());
    EXPECT_FALSE(r->errors[2].has_value());

    const auto rows = store->positions(PositionQuery{test::kT0, test::kT0 + 10'000, std::nullopt});
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), 2u);
    EXPECT_DOUBLE_EQ((*rows)[0].lat, 38.90);
    EXPECT_DOUBLE_EQ((*rows)[1].lat, 38.92);
    const auto stored = store->unit(unit).value().value();
    ASSERT_TRUE(stored.position.has_value());
    EXPECT_DOUBLE_EQ(stored.position->at.lat, 38.92);
    EXPECT_EQ(store->head_seq().value(), 1);
}

namespace {

// The units row's latitude and position time as the file holds them (NULLs as -1).
std::pair<double, base::TimeMs> units_row(const std::string& path, ops::Id unit) {
    sqlite3* raw = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(raw,
                       "SELECT COALESCE(lat, -1), COALESCE(position_at, -1) FROM units "
                       "WHERE id = ?",
                       -1, &s, nullptr);
    sqlite3_bind_int64(s, 1, unit);
    std::pair<double, base::TimeMs> row{-2, -2};
    if (sqlite3_step(s) == SQLITE_ROW)
        row = {sqlite3_column_double(s, 0), sqlite3_column_int64(s, 1)};
    sqlite3_finalize(s);
    sqlite3_close(raw);
    return row;
}

} // namespace

// A unit's latest position reaches the units table when breadcrumbs are digested and at close;
// reads see it at once, and a store opened after a crash (here: a second store on the file
// while the first, which never folded, is still open) finds it in the breadcrumbs.
TEST(SqliteStoreLatestPositions, FoldAtDigestAndCloseAndSurviveACrash) {
    test::TempDb db;
    auto store = SqliteStore::open(db.path()).value();
    const ops::Id unit = create_unit(*store);
    auto report = [&](double lat, base::TimeMs at) {
        const Change c{{}, {PositionRecord{unit, ops::Position{{lat, -77.0}, 90.0, 5.0, at}}}};
        ASSERT_TRUE(store->commit(std::span<const Change>(&c, 1)).ok());
    };
    report(38.91, test::kT0 + 1000);
    report(38.93, test::kT0 + 3000);
    report(38.92, test::kT0 + 2000); // late: older than the newest, moves nothing

    EXPECT_EQ(units_row(db.path(), unit).second, -1) << "not folded before a digest";
    EXPECT_DOUBLE_EQ(store->unit(unit).value()->position->at.lat, 38.93);
    EXPECT_DOUBLE_EQ(store->units().value().at(0).position->at.lat, 38.93);

    {
        auto after_crash = SqliteStore::open(db.path()).value();
        EXPECT_DOUBLE_EQ(after_crash->unit(unit).value()->position->at.lat, 38.93);
        const auto snap = after_crash->load_board().value();
        ASSERT_EQ(snap.units.size(), 1u);
        EXPECT_EQ(snap.units[0].position->reported_at, test::kT0 + 3000);
    }
    // The second store only read, so it left the file as it was; the first folds at the digest.
    EXPECT_EQ(units_row(db.path(), unit).second, -1);

    report(38.94, test::kT0 + 4000);
    const auto d = store->next_position_digest().value().value();
    const Change digest{
        {ops::Event::log_only(test::kT0 + 5000, "system", "positions.digest", "positions",
                              {{"first_id", d.first_id},
                               {"last_id", d.last_id},
                               {"count", d.count},
                               {"sha256", d.sha256}})},
        {}};
    ASSERT_TRUE(store->commit(std::span<const Change>(&digest, 1)).ok());
    EXPECT_EQ(units_row(db.path(), unit), std::make_pair(38.94, test::kT0 + 4000));

    report(38.95, test::kT0 + 6000);
    EXPECT_EQ(units_row(db.path(), unit).second, test::kT0 + 4000);
    store.reset();
    EXPECT_EQ(units_row(db.path(), unit), std::make_pair(38.95, test::kT0 + 6000)) << "at close";
    auto reopened = SqliteStore::open(db.path()).value();
    EXPECT_DOUBLE_EQ(reopened->unit(unit).value()->position->at.lat, 38.95);
}
