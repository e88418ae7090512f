// Group commit: many concurrent submitters, every change completed once, in order, durable.
#include <atomic>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "store/committer.hpp"
#include "store/sqlite_store.hpp"
#include "temp_db.hpp"

using namespace pingan;
using namespace pingan::store;

TEST(Committer, BatchesConcurrentChangesAndCompletesEachOnce) {
    test::TempDb db;
    auto store = SqliteStore::open(db.path()).value();
    std::atomic<int> published{0};
    std::atomic<std::size_t> batches{0};
    std::atomic<std::size_t> largest{0};
    Committer::Hooks hooks;
    hooks.published = [&](const std::vector<EventRecord>& r) {
        published += static_cast<int>(r.size());
    };
    hooks.observed = [&](std::size_t changes, std::size_t, std::chrono::microseconds) {
        ++batches;
        std::size_t prev = largest.load();
        while (changes > prev && !largest.compare_exchange_weak(prev, changes)) {
        }
    };
    constexpr int kThreads = 8;
    constexpr int kPerThread = 250;
    std::atomic<int> done{0};
    std::vector<std::int64_t> seqs(kThreads * kPerThread, 0);
    {
        Committer committer(*store, hooks);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < kPerThread; ++i) {
                    Change c;
                    c.events.push_back(ops::Event::log_only(
                        1, "t", "test.event", "test/" + std::to_string(t), {{"i", i}}));
                    const int slot = t * kPerThread + i;
                    committer.submit(std::move(c), [&, slot](Committer::Outcome o) {
                        ASSERT_FALSE(o.error.has_value());
                        ASSERT_EQ(o.records.size(), 1u);
                        seqs[slot] = o.records[0].seq;
                        ++done;
                    });
                }
            });
        }
        for (auto& t : threads)
            t.join();
        committer.stop();
    }
    EXPECT_EQ(done.load(), kThreads * kPerThread);
    EXPECT_EQ(published.load(), kThreads * kPerThread);
    std::sort(seqs.begin(), seqs.end());
    for (std::size_t i = 0; i < seqs.size(); ++i)
        EXPECT_EQ(seqs[i], static_cast<std::int64_t>(i + 1));
    EXPECT_LT(batches.load(), static_cast<std::size_t>(kThreads * kPerThread)); // it did group
    EXPECT_EQ(store->verify_chain()->count, kThreads * kPerThread);
}

TEST(Committer, FailQueuedRefusesWhatIsWaiting) {
    test::TempDb db;
    auto store = SqliteStore::open(db.path()).value();
    Committer committer(*store, {});
    committer.stop(); // nothing runs any more: submissions are refused at once
    std::promise<Committer::Outcome> p;
    committer.submit(Change{}, [&](Committer::Outcome o) { p.set_value(std::move(o)); });
    auto o = p.get_future().get();
    ASSERT_TRUE(o.error.has_value());
    EXPECT_EQ(o.error->code, base::Code::unavailable);
}
