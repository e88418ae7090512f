// The virtual clock of a simulation: a queue of future events, each at a time; popping one
// advances the clock to it. Events at the same time come out in the order they were pushed,
// so a run is reproducible whatever the heap does with ties.
#pragma once

#include <cassert>
#include <cstdint>
#include <queue>
#include <utility>
#include <vector>

#include "base/time.hpp"

namespace pingan::sim {

template <class Payload>
class EventQueue {
public:
    // Schedules an event; `at` must not lie before the current time.
    void push(base::TimeMs at, Payload payload) {
        assert(at >= now_);
        heap_.push(Entry{at, next_seq_++, std::move(payload)});
    }
    bool empty() const { return heap_.empty(); }
    std::size_t size() const { return heap_.size(); }
    // The earliest event; the clock moves to its time.
    std::pair<base::TimeMs, Payload> pop() {
        Entry e = heap_.top();
        heap_.pop();
        now_ = e.at;
        return {e.at, std::move(e.payload)};
    }
    // The virtual time: that of the event popped last (0 before the first).
    base::TimeMs now() const { return now_; }

private:
    struct Entry {
        base::TimeMs at;
        std::uint64_t seq; // insertion order: breaks ties between equal times
        Payload payload;
    };
    struct Later {
        bool operator()(const Entry& a, const Entry& b) const {
            return a.at != b.at ? a.at > b.at : a.seq > b.seq;
        }
    };
    std::priority_queue<Entry, std::vector<Entry>, Later> heap_;
    std::uint64_t next_seq_ = 0;
    base::TimeMs now_ = 0;
};

} // namespace pingan::sim
