#include <gtest/gtest.h>

#include "sim/event_queue.hpp"

namespace pingan::sim {
namespace {

TEST(EventQueue, PopsInTimeOrderAndEqualTimesInInsertionOrder) {
    EventQueue<int> q;
    q.push(30, 1);
    q.push(10, 2);
    q.push(30, 3);
    q.push(10, 4);
    q.push(20, 5);
    std::vector<std::pair<base::TimeMs, int>> out;
    while (!q.empty()) {
        out.push_back(q.pop());
        EXPECT_EQ(q.now(), out.back().first); // the clock follows the events
    }
    const std::vector<std::pair<base::TimeMs, int>> expected{
        {10, 2}, {10, 4}, {20, 5}, {30, 1}, {30, 3}};
    EXPECT_EQ(out, expected);
}

} // namespace
} // namespace pingan::sim
