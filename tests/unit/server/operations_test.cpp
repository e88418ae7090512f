// Operations::execute_recorded: the events a command stored come back as the log has them
// (seq and hash), so a caller that applies them can recognise one it has already taken from
// the log (the patrol desk).
#include <future>
#include <span>

#include <gtest/gtest.h>

#include "../store/temp_db.hpp"
#include "base/clock.hpp"
#include "server/metrics.hpp"
#include "server/operations.hpp"
#include "server/stream_hub.hpp"
#include "store/sqlite_store.hpp"

using namespace pingan;

namespace {

struct Outcome {
    base::Result<std::string> result;
    std::vector<store::EventRecord> records;
};

class OperationsTest : public ::testing::Test {
protected:
    void SetUp() override {
        store = store::SqliteStore::open(db.path()).value();
        ops =
            std::make_unique<server::Operations>(*store, clock, ops::BoardConfig{0}, hub, metrics);
        ASSERT_TRUE(ops->start().ok());
    }
    void TearDown() override { ops->stop(); }

    Outcome run(const server::Operations::Command& command) {
        std::promise<Outcome> promise;
        ops->execute_recorded(command, [&promise](base::Result<std::string> r,
                                                  std::vector<store::EventRecord> records) {
            promise.set_value(Outcome{std::move(r), std::move(records)});
        });
        return promise.get_future().get();
    }

    test::TempDb db;
    std::unique_ptr<store::SqliteStore> store;
    base::ManualClock clock{1'767'225'600'000}; // 2026-01-01T00:00:00Z
    server::Metrics metrics;
    server::StreamHub hub;
    std::unique_ptr<server::Operations> ops;
};

server::Operations::Command log_only(std::string kind) {
    return [kind](ops::Board&, base::TimeMs at, store::Change& change) {
        change.events.push_back(ops::Event::log_only(at, "tester", kind, "unit/1", {{"n", 1}}));
        return base::Result<std::string>(std::string("{}"));
    };
}

} // namespace

TEST_F(OperationsTest, ExecuteRecordedGivesTheStoredEventsWithTheirSeq) {
    const Outcome first = run(log_only("patrol.test_one"));
    ASSERT_TRUE(first.result.ok());
    ASSERT_EQ(first.records.size(), 1u);
    const Outcome second = run(log_only("patrol.test_two"));
    ASSERT_EQ(second.records.size(), 1u);
    EXPECT_EQ(second.records[0].seq, first.records[0].seq + 1);

    const auto log = store->events_after(0, 100).value();
    ASSERT_FALSE(log.empty());
    EXPECT_EQ(log.back().seq, second.records[0].seq);
    EXPECT_EQ(log.back().hash, second.records[0].hash);
    EXPECT_EQ(log.back().kind, "patrol.test_two");
    EXPECT_EQ(log.back().payload, second.records[0].payload);
}

TEST_F(OperationsTest, ExecuteRecordedGivesNoEventsForARefusal) {
    const Outcome refused =
        run([](ops::Board&, base::TimeMs, store::Change&) -> base::Result<std::string> {
            return base::error(base::Code::field_invalid, "x", "x: refused");
        });
    ASSERT_FALSE(refused.result.ok());
    EXPECT_EQ(refused.result.error().field, "x");
    EXPECT_TRUE(refused.records.empty());
}
