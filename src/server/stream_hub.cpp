#include "server/stream_hub.hpp"

#include <nlohmann/json.hpp>

#include "base/json_writer.hpp"
#include "ops/case_book.hpp"

namespace pingan::server {

std::string StreamHub::event_json(const store::EventRecord& r, bool withhold_payload) {
    // The payload is stored as JSON text; it is spliced in rather than parsed and re-printed.
    std::string text;
    text.reserve(r.payload.size() + 256);
    base::JsonWriter w(text);
    w.begin_object()
        .field("seq", r.seq)
        .time_field("at", r.at)
        .field("actor", r.actor)
        .field("kind", r.kind)
        .field("subject", r.subject)
        .field("hash", r.hash);
    w.key("payload").raw(withhold_payload ? R"({"withheld":true})" : r.payload).end_object();
    return text;
}

StreamFrame StreamHub::event_frame(const store::EventRecord& r) {
    StreamFrame f{r.seq, event_json(r), false, {}};
    if (ops::CaseBook::is_book_event(r.kind)) {
        f.restricted = true;
        f.withheld = event_json(r, true);
    }
    return f;
}

void StreamHub::subscribe(const std::shared_ptr<StreamSubscriber>& s) {
    std::lock_guard lock(mutex_);
    subscribers_.push_back(s);
}

void StreamHub::deliver(const FrameBatch& batch) {
    std::vector<std::shared_ptr<StreamSubscriber>> live;
    {
        std::lock_guard lock(mutex_);
        live.reserve(subscribers_.size());
        std::erase_if(subscribers_, [&](const std::weak_ptr<StreamSubscriber>& w) {
            auto s = w.lock();
            if (!s) return true;
            live.push_back(std::move(s));
            return false;
        });
    }
    for (auto& s : live)
        s->deliver(batch);
}

void StreamHub::publish(const std::vector<store::EventRecord>& records) {
    auto frames = std::make_shared<std::vector<StreamFrame>>();
    frames->reserve(records.size());
    for (const auto& r : records)
        frames->push_back(event_frame(r));
    deliver(frames);
}

void StreamHub::note_position(ops::Id unit_id, const ops::Position& p) {
    std::lock_guard lock(positions_mutex_);
    auto [it, inserted] = pending_positions_.try_emplace(unit_id, p);
    if (!inserted && it->second.reported_at <= p.reported_at) it->second = p;
}

void StreamHub::flush_positions(base::TimeMs now) {
    std::unordered_map<ops::Id, ops::Position> pending;
    {
        std::lock_guard lock(positions_mutex_);
        pending.swap(pending_positions_);
    }
    if (pending.empty()) return;
    nlohmann::json items = nlohmann::json::array();
    for (const auto& [id, p] : pending) {
        nlohmann::json item = ops::to_json(p);
        item["id"] = id;
        items.push_back(std::move(item));
    }
    nlohmann::json frame = {
        {"kind", "unit.positions"}, {"at", base::format_iso8601(now)}, {"items", std::move(items)}};
    auto frames = std::make_shared<std::vector<StreamFrame>>();
    frames->push_back(StreamFrame{0, frame.dump(), false, {}});
    deliver(frames);
}

} // namespace pingan::server
