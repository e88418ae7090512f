// The injected clock. Engines never read the time themselves: they receive a Clock (or a
// time value) so that tests and replay control time.
#pragma once

#include <atomic>

#include "base/time.hpp"

namespace pingan::base {

class Clock {
public:
    virtual ~Clock() = default;
    virtual TimeMs now_ms() const = 0;
};

// Wall-clock UTC time.
class SystemClock final : public Clock {
public:
    TimeMs now_ms() const override;
};

// A clock that moves only when told to: for tests and replays. Thread-safe.
class ManualClock final : public Clock {
public:
    explicit ManualClock(TimeMs start) : now_(start) {}
    TimeMs now_ms() const override { return now_.load(std::memory_order_relaxed); }
    void set(TimeMs t) { now_.store(t, std::memory_order_relaxed); }
    void advance(TimeMs delta) { now_.fetch_add(delta, std::memory_order_relaxed); }

private:
    std::atomic<TimeMs> now_;
};

} // namespace pingan::base
