// Fans committed events out to every open stream. Only events that are already durable
// reach the hub (the committer publishes after the commit returns), so a console never shows
// what a crash could take back. Unit positions are coalesced and sent once per second.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "ops/model.hpp"
#include "store/hash_chain.hpp"

namespace pingan::server {

class Metrics;

struct StreamFrame {
    std::int64_t seq = 0; // event sequence number; 0 for frames that are not events
    std::string text;     // the WebSocket text message
    // A case, evidence or notice event: only roles::kCaseEvents get `text`; others get
    // `withheld` (the same event without its payload).
    bool restricted = false;
    std::string withheld;
};
using FrameBatch = std::shared_ptr<const std::vector<StreamFrame>>;

class StreamSubscriber {
public:
    virtual ~StreamSubscriber() = default;
    // Called from the committer or timer thread; must not block.
    virtual void deliver(FrameBatch batch) = 0;
};

class StreamHub {
public:
    void subscribe(const std::shared_ptr<StreamSubscriber>& s);
    void publish(const std::vector<store::EventRecord>& records);
    // Notes a unit's latest durable position for the next flush.
    void note_position(ops::Id unit_id, const ops::Position& p);
    // Sends one "unit.positions" frame with every position noted since the last flush.
    void flush_positions(base::TimeMs now);

    // The JSON text of an event as the stream and GET /events show it.
    static std::string event_json(const store::EventRecord& r, bool withhold_payload = false);
    // The frame of one event, with its withheld form when the event is restricted.
    static StreamFrame event_frame(const store::EventRecord& r);

private:
    void deliver(const FrameBatch& batch);

    std::mutex mutex_;
    std::vector<std::weak_ptr<StreamSubscriber>> subscribers_;
    std::mutex positions_mutex_;
    std::unordered_map<ops::Id, ops::Position> pending_positions_;
};

} // namespace pingan::server
