// The PostgreSQL store: the Store contract on a fresh database of a throwaway cluster, and what
// only PostgreSQL promises: several processes on one database append one unbroken chain,
// listeners hear of new events, a server outage is `unavailable` and passes by itself,
// concurrent opens migrate once, and PostGIS is used where it can be and not needed.
#include <thread>

#include <gtest/gtest.h>

#include "pg_cluster.hpp"
#include "store/pg.hpp"
#include "store/pg_schema.hpp"
#include "store/pg_store.hpp"
#include "store_contract.hpp"

using namespace pingan;
using namespace pingan::store;
using pingan::test::StoreContract;
using test::kT0;
using test::PgCluster;

namespace {

class PgBackend final : public test::StoreBackend {
public:
    explicit PgBackend(PgCluster& cluster) : uri_(cluster.fresh_database()) {}
    base::Result<std::unique_ptr<Store>> open() override {
        auto opened = PgStore::open(uri_);
        if (!opened) return std::move(opened).error();
        return std::unique_ptr<Store>(std::move(opened).value());
    }
    void tamper(const std::string& sql) override {
        try {
            pg::Conn raw(uri_);
            raw.exec(sql);
        } catch (const pg::PgError& e) {
            ADD_FAILURE() << e.what();
        }
    }

private:
    std::string uri_;
};

std::unique_ptr<test::StoreBackend> make_pg_backend() {
    PgCluster& cluster = PgCluster::shared();
    if (!cluster.ok()) {
        std::fprintf(stderr, "skipping PostgreSQL: %s\n", cluster.why().c_str());
        return nullptr;
    }
    return std::make_unique<PgBackend>(cluster);
}

// The shared cluster and a fresh database on it, or a skip.
#define PG_DATABASE(uri)                                                                           \
    PgCluster& cluster = PgCluster::shared();                                                      \
    if (!cluster.ok()) GTEST_SKIP() << cluster.why();                                              \
    const std::string uri = cluster.fresh_database()

std::unique_ptr<PgStore> open_pg(const std::string& uri) {
    auto opened = PgStore::open(uri);
    EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error().detail);
    return opened.ok() ? std::move(opened).value() : nullptr;
}

Change log_change(const std::string& subject, int events) {
    Change c;
    for (int i = 0; i < events; ++i) {
        c.events.push_back(ops::Event::log_only(kT0 + i, "test", "test.logged", subject,
                                                {{"i", i}, {"subject", subject}}));
    }
    return c;
}

} // namespace

INSTANTIATE_TEST_SUITE_P(Postgres, StoreContract,
                         ::testing::Values(test::BackendParam{"postgres", make_pg_backend}),
                         test::backend_name);

TEST(PgStore, TwoStoresOnOneDatabaseAppendOneUnbrokenChain) {
    PG_DATABASE(uri);
    auto a = open_pg(uri);
    auto b = open_pg(uri);
    ASSERT_TRUE(a && b);
    constexpr int kCommits = 60;
    auto writer = [](PgStore& store, const std::string& who, std::vector<std::string>& failures) {
        for (int n = 0; n < kCommits; ++n) {
            std::vector<Change> batch;
            for (int c = 0; c < 3; ++c)
                batch.push_back(log_change(who + "/" + std::to_string(n), 1 + c % 2));
            auto r = store.commit(batch);
            if (!r) {
                failures.push_back(r.error().detail);
                continue;
            }
            for (const auto& e : r->errors) {
                if (e) failures.push_back(e->detail);
            }
            // A batch's events are consecutive: no other process slipped in between.
            for (std::size_t i = 1; i < r->records.size(); ++i) {
                if (r->records[i].seq != r->records[i - 1].seq + 1) {
                    failures.push_back("gap inside a batch");
                }
            }
        }
    };
    std::vector<std::string> failures_a, failures_b;
    std::thread ta(writer, std::ref(*a), "a", std::ref(failures_a));
    std::thread tb(writer, std::ref(*b), "b", std::ref(failures_b));
    ta.join();
    tb.join();
    EXPECT_TRUE(failures_a.empty()) << failures_a.front();
    EXPECT_TRUE(failures_b.empty()) << failures_b.front();

    constexpr std::int64_t kTotal = 2 * kCommits * (1 + 2 + 1);
    auto report = a->verify_chain().value();
    EXPECT_FALSE(report.broken_seq.has_value()) << report.reason;
    EXPECT_EQ(report.count, kTotal);
    EXPECT_EQ(b->head_seq().value(), kTotal);
    auto events = b->events_after(0, 10000).value();
    ASSERT_EQ(static_cast<std::int64_t>(events.size()), kTotal);
    for (std::int64_t i = 0; i < kTotal; ++i)
        ASSERT_EQ(events[static_cast<std::size_t>(i)].seq, i + 1);
    EXPECT_EQ(report.head_hash, events.back().hash);
}

TEST(PgStore, ListenersHearTheNewHeadAfterCommit) {
    PG_DATABASE(uri);
    auto store = open_pg(uri);
    ASSERT_TRUE(store);
    pg::Conn listener(uri);
    listener.exec("LISTEN pingan_events");

    auto first = log_change("x", 2);
    ASSERT_TRUE(store->commit(std::span<const Change>(&first, 1)).ok());
    auto heard = listener.wait_notification(5000);
    ASSERT_TRUE(heard.has_value());
    EXPECT_EQ(heard->first, "pingan_events");
    EXPECT_TRUE(heard->second.starts_with("2 ")) << heard->second; // "<head> <writer>"

    // Breadcrumbs only: no new event, nothing to hear.
    Change positions;
    positions.side.emplace_back(
        PositionRecord{1, ops::Position{{38.9, -77.0}, std::nullopt, std::nullopt, kT0}});
    ASSERT_TRUE(store->commit(std::span<const Change>(&positions, 1)).ok());
    EXPECT_FALSE(listener.wait_notification(300).has_value());

    auto second = log_change("y", 1);
    ASSERT_TRUE(store->commit(std::span<const Change>(&second, 1)).ok());
    heard = listener.wait_notification(5000);
    ASSERT_TRUE(heard.has_value());
    EXPECT_TRUE(heard->second.starts_with("3 ")) << heard->second;
}

TEST(PgStore, UnavailableWhileTheServerIsDownThenBackByItself) {
    PgCluster own; // stopped and started here, so not the shared one
    if (!own.ok()) GTEST_SKIP() << own.why();
    const std::string uri = own.fresh_database();
    auto store = open_pg(uri);
    ASSERT_TRUE(store);
    auto one = log_change("before", 1);
    ASSERT_TRUE(store->commit(std::span<const Change>(&one, 1)).ok());
    ASSERT_EQ(store->head_seq().value(), 1); // a reader connection exists and is idle

    ASSERT_TRUE(own.halt());
    // Twice each: the first call finds its connection broken, the second cannot reconnect.
    for (int round = 0; round < 2; ++round) {
        auto head = store->head_seq();
        ASSERT_FALSE(head.ok());
        EXPECT_EQ(head.error().code, base::Code::unavailable) << head.error().detail;
        auto two = log_change("during", 1);
        auto c = store->commit(std::span<const Change>(&two, 1));
        ASSERT_FALSE(c.ok());
        EXPECT_EQ(c.error().code, base::Code::unavailable) << c.error().detail;
        auto board = store->load_board();
        ASSERT_FALSE(board.ok());
        EXPECT_EQ(board.error().code, base::Code::unavailable);
        EXPECT_EQ(store->incident(1).error().code, base::Code::unavailable);
    }
    auto reopened = PgStore::open(uri);
    ASSERT_FALSE(reopened.ok());
    EXPECT_EQ(reopened.error().code, base::Code::unavailable);

    ASSERT_TRUE(own.resume());
    EXPECT_EQ(store->head_seq().value(), 1); // nothing of the failed commits was stored
    auto three = log_change("after", 2);
    auto c = store->commit(std::span<const Change>(&three, 1));
    ASSERT_TRUE(c.ok()) << c.error().detail;
    EXPECT_EQ(c->records.back().seq, 3);
    auto report = store->verify_chain().value();
    EXPECT_FALSE(report.broken_seq.has_value()) << report.reason;
    EXPECT_EQ(report.count, 3);
}

TEST(PgStore, ConcurrentOpensMigrateOnce) {
    PG_DATABASE(uri);
    constexpr int kOpeners = 4;
    std::vector<std::unique_ptr<PgStore>> stores(kOpeners);
    std::vector<std::string> errors(kOpeners);
    std::vector<std::thread> threads;
    for (int i = 0; i < kOpeners; ++i) {
        threads.emplace_back([&, i] {
            auto opened = PgStore::open(uri);
            if (opened) {
                stores[static_cast<std::size_t>(i)] = std::move(opened).value();
            } else {
                errors[static_cast<std::size_t>(i)] = opened.error().detail;
            }
        });
    }
    for (auto& t : threads)
        t.join();
    for (int i = 0; i < kOpeners; ++i)
        EXPECT_TRUE(stores[static_cast<std::size_t>(i)]) << errors[static_cast<std::size_t>(i)];
    pg::Conn raw(uri);
    auto rows = raw.query("SELECT component, COUNT(*), MAX(version) FROM schema_migrations "
                          "GROUP BY component ORDER BY component");
    ASSERT_GE(rows.size(), 1);
    EXPECT_EQ(rows.text(0, 0), "core");
    // Each migration once, the last one last (5: teams).
    const auto migrations = static_cast<std::int64_t>(pg::kMigrations.size());
    EXPECT_EQ(migrations, 5);
    EXPECT_EQ(rows.int64(0, 1), migrations);
    EXPECT_EQ(rows.int64(0, 2), migrations);
}

TEST(PgStore, PostgisGeometryFollowsTheCoordinates) {
    PG_DATABASE(uri);
    auto store = open_pg(uri);
    ASSERT_TRUE(store);
    if (!store->has_postgis()) GTEST_SKIP() << "PostGIS is not installed";
    ops::Board board;
    board.load(store->load_board().value());
    std::vector<ops::Event> ev;
    ops::NewIncident in;
    in.location = {38.9, -77.03};
    in.category = "theft";
    ASSERT_TRUE(board.create_incident(in, "taker", kT0, ev).ok());
    Change c{
        std::move(ev),
        {BoundaryLayerWrite{
            "patrol_area",
            {BoundaryRow{"patrol_area", "PSA 101", "{}",
                         R"({"type":"MultiPolygon","coordinates":[[[[-77.1,38.8],[-77.0,38.8],)"
                         R"([-77.0,38.95],[-77.1,38.8]]]]})"}}}}};
    ASSERT_TRUE(store->commit(std::span<const Change>(&c, 1)).ok());
    pg::Conn raw(uri);
    auto rows = raw.query("SELECT ST_X(i.geom), ST_Y(i.geom), GeometryType(b.geom), "
                          "ST_Contains(b.geom, i.geom) FROM incidents i, boundaries b");
    ASSERT_EQ(rows.size(), 1);
    EXPECT_DOUBLE_EQ(rows.real(0, 0), -77.03);
    EXPECT_DOUBLE_EQ(rows.real(0, 1), 38.9);
    EXPECT_EQ(rows.text(0, 2), "MULTIPOLYGON");
    EXPECT_TRUE(rows.boolean(0, 3));

    // GeoJSON PostGIS cannot take as polygons is stored as text, without a geometry.
    Change odd{{},
               {BoundaryLayerWrite{"jurisdiction",
                                   {BoundaryRow{"jurisdiction", "Dot", "{}",
                                                R"({"type":"Point","coordinates":[1,2]})"},
                                    BoundaryRow{"jurisdiction", "Short", "{}",
                                                R"({"type":"Point","coordinates":[1]})"}}}}};
    auto stored = store->commit(std::span<const Change>(&odd, 1));
    ASSERT_TRUE(stored.ok()) << stored.error().detail;
    EXPECT_FALSE(stored->errors[0].has_value());
    EXPECT_EQ(store->boundaries()->size(), 3u);
    EXPECT_EQ(raw.query("SELECT COUNT(*) FROM boundaries WHERE geom IS NULL").int64(0, 0), 2);
}

TEST(PgStore, WorksWithoutPostgisForAnOrdinaryRole) {
    PgCluster& cluster = PgCluster::shared();
    if (!cluster.ok()) GTEST_SKIP() << cluster.why();
    {
        pg::Conn admin(cluster.uri("postgres"));
        admin.exec("DO $$ BEGIN CREATE ROLE pingan_plain LOGIN; "
                   "EXCEPTION WHEN duplicate_object THEN NULL; END $$");
    }
    // Only a superuser may create PostGIS (it is not a trusted extension): the database
    // owner gets the store without the geometry columns.
    const std::string uri = cluster.fresh_database("pingan_plain");
    auto store = open_pg(uri);
    ASSERT_TRUE(store);
    EXPECT_FALSE(store->has_postgis());
    auto one = log_change("plain", 3);
    ASSERT_TRUE(store->commit(std::span<const Change>(&one, 1)).ok());
    EXPECT_EQ(store->verify_chain()->count, 3);
    auto again = open_pg(uri); // migrations already applied: nothing to do, no error
    ASSERT_TRUE(again);
    EXPECT_EQ(again->head_seq().value(), 3);
}

TEST(PgStore, SessionsEndedByTheServerAreReplacedWithoutAnError) {
    PG_DATABASE(uri);
    auto store = open_pg(uri);
    ASSERT_TRUE(store);
    auto one = log_change("x", 1);
    ASSERT_TRUE(store->commit(std::span<const Change>(&one, 1)).ok());
    ASSERT_EQ(store->head_seq().value(), 1);
    // An administrator ends every pingan session (57P01), as a restart or failover would.
    {
        pg::Conn admin(uri);
        admin.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                   "WHERE application_name = 'pingan' AND pid <> pg_backend_pid()");
    }
    // The idle connections learn of it on their next use; nothing had been sent on them, so
    // reads and the commit's BEGIN run again once on a new connection.
    auto head = store->head_seq();
    ASSERT_TRUE(head.ok()) << head.error().detail;
    EXPECT_EQ(*head, 1);
    auto two = log_change("y", 1);
    auto c = store->commit(std::span<const Change>(&two, 1));
    ASSERT_TRUE(c.ok()) << c.error().detail;
    EXPECT_EQ(c->records.back().seq, 2);
    EXPECT_EQ(store->verify_chain()->count, 2);
}
