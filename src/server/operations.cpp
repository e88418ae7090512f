#include "server/operations.hpp"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

namespace pingan::server {

Operations::Operations(store::Store& store, const base::Clock& clock, ops::BoardConfig config,
                       StreamHub& hub, Metrics& metrics)
    : store_(store), clock_(clock), hub_(hub), metrics_(metrics), board_(config) {}

Operations::~Operations() {
    stop();
}

void Operations::attach(const Centre& centre) {
    centre_ = &centre;
}

void Operations::rebuild_recommender_locked() {
    const road::Graph* graph = centre_ != nullptr ? centre_->graph.get() : nullptr;
    const int minutes = centre_ != nullptr ? centre_->dispatch.coverage_minutes : 5;
    recommender_ =
        std::make_unique<dispatch::Recommender>(graph, static_cast<road::TimeMs>(minutes) * 60'000);
    const base::TimeMs now = clock_.now_ms();
    for (const auto& [id, unit] : board_.units())
        recommender_->upsert(unit, now);
}

void Operations::follow_units_locked(const store::Change& change, base::TimeMs now) {
    auto follow = [&](ops::Id id) {
        if (const ops::Unit* u = board_.unit(id)) recommender_->upsert(*u, now);
    };
    for (const ops::Event& e : change.events) {
        if (const auto* u = std::get_if<ops::Unit>(&e.data)) follow(u->id);
        if (const auto* c = std::get_if<ops::UnitStatusChange>(&e.data)) follow(c->id);
    }
    for (const store::SideWrite& w : change.side) {
        if (const auto* p = std::get_if<store::PositionRecord>(&w)) follow(p->unit_id);
    }
}

void Operations::set_case_rules(std::shared_ptr<const ops::CaseRules> rules) {
    std::lock_guard lock(mutex_);
    case_rules_ = std::move(rules);
}

base::Status Operations::rebuild_cases_locked() {
    ops::CaseBook& book = board_.case_book();
    book.clear();
    std::int64_t after = 0;
    std::size_t skipped = 0;
    for (;;) {
        auto page = store_.events_after(after, 1000);
        if (!page) return page.error();
        if (page->empty()) break;
        for (const store::EventRecord& r : *page) {
            after = r.seq;
            if (!ops::CaseBook::is_book_event(r.kind)) continue;
            const ops::Event e{r.at, r.actor, r.kind, r.subject, r.payload, std::monostate{}};
            if (auto applied = book.apply(e); !applied) {
                // The log was changed outside the server (audit verify names the link); the
                // server still starts so that the rest of the centre keeps working.
                spdlog::error("case book: event {} ({} {}) not applied: {}", r.seq, r.kind,
                              r.subject, applied.error().detail);
                ++skipped;
            }
        }
    }
    spdlog::info("case book rebuilt from the log: {} cases, {} evidence items, {} notices, {} "
                 "events ({} skipped)",
                 book.cases().size(), book.ledger().items().size(), book.notices().size(),
                 book.events_applied(), skipped);
    return {};
}

namespace {

// Deadline alerts also open an alert on the console's alert list, one per case, replaced
// as the level rises and resolved when the stage changes.
void raise_case_alerts(ops::Board& board, const std::vector<ops::CaseAlert>& due, base::TimeMs now,
                       std::vector<ops::Event>& out) {
    for (const ops::CaseAlert& a : due) {
        const std::string key = fmt::format("case_deadline/case/{}", a.case_id);
        board.resolve_alert(key, now, out);
        ops::Alert alert;
        alert.key = key;
        alert.kind = "case_deadline";
        alert.message = fmt::format("case {} stage {}: {} (deadline {})", a.case_id, a.stage,
                                    a.name, base::format_iso8601(a.ends_at));
        alert.raised_at = now;
        board.raise_alert(std::move(alert), out);
    }
}

} // namespace

void Operations::check_timers(Done done) {
    if (centre_ == nullptr) {
        if (done) done(std::string());
        return;
    }
    const ops::TargetsByPriority targets = centre_->targets();
    execute(
        [this, &targets](ops::Board& board, base::TimeMs now,
                         store::Change& change) -> base::Result<std::string> {
            board.check_timers(now, targets, change.events);
            // case_rules_ is set under the same lock that runs this command.
            if (case_rules_ != nullptr) {
                auto due = board.case_book().check_deadlines(now, case_rules_->limits.alerts(),
                                                             change.events);
                raise_case_alerts(board, due, now, change.events);
            }
            return std::string();
        },
        [done = std::move(done)](base::Result<std::string> r) {
            if (!r) spdlog::warn("timer alerts not stored: {}", r.error().detail);
            if (done) done(std::move(r));
        });
}

base::Status Operations::start() {
    // Read before the Board, so the Board holds at least every event up to it.
    auto head = store_.head_seq();
    if (!head) return head.error();
    {
        std::lock_guard lock(mutex_);
        auto snapshot = store_.load_board();
        if (!snapshot) return snapshot.error();
        board_.load(std::move(snapshot).value());
        rebuild_recommender_locked();
        if (auto rebuilt = rebuild_cases_locked(); !rebuilt) return rebuilt;
    }
    last_published_ = *head;
    store::Committer::Hooks hooks;
    hooks.published = [this](const std::vector<store::EventRecord>& records) { publish(records); };
    hooks.failed = [this](const base::Error& e) { on_commit_failed(e); };
    hooks.observed = [this](std::size_t changes, std::size_t events, std::chrono::microseconds t) {
        metrics_.commit_batch(changes, events, static_cast<double>(t.count()) / 1e6);
    };
    hooks.catch_up = [this] { catch_up(); };
    committer_ = std::make_unique<store::Committer>(store_, std::move(hooks));
    watch_ = store_.watch_heads([this](std::int64_t seq) {
        if (seq == 0) spdlog::warn("may have missed other servers' events; checking the log");
        committer_->request_catch_up();
    });
    if (watch_) {
        committer_->fence(*head);
        spdlog::info("other servers may share this database: commits are fenced at the log head");
    }
    housekeeping_ = std::thread([this] {
        std::unique_lock lock(housekeeping_mutex_);
        auto last_digest = std::chrono::steady_clock::now();
        while (!housekeeping_wake_.wait_for(lock, std::chrono::seconds(1),
                                            [this] { return stopping_; })) {
            lock.unlock();
            check_timers();
            if (std::chrono::steady_clock::now() - last_digest >= digest_interval) {
                digest_positions();
                last_digest = std::chrono::steady_clock::now();
            }
            lock.lock();
        }
    });
    return {};
}

void Operations::stop() {
    {
        std::lock_guard lock(housekeeping_mutex_);
        stopping_ = true;
    }
    housekeeping_wake_.notify_all();
    if (housekeeping_.joinable()) housekeeping_.join();
    watch_.reset(); // no catch-up requests from here on
    if (committer_) committer_->stop();
}

void Operations::digest_positions() {
    auto digest = store_.next_position_digest();
    if (!digest) {
        spdlog::warn("cannot digest positions: {}", digest.error().detail);
        return;
    }
    if (!digest->has_value()) return;
    const store::PositionDigest d = **digest;
    execute(
        [&d](ops::Board&, base::TimeMs at, store::Change& change) -> base::Result<std::string> {
            change.events.push_back(ops::Event::log_only(at, "system", "positions.digest",
                                                         "positions",
                                                         {{"first_id", d.first_id},
                                                          {"last_id", d.last_id},
                                                          {"count", d.count},
                                                          {"sha256", d.sha256}}));
            return std::string();
        },
        [](base::Result<std::string> r) {
            if (!r) spdlog::warn("positions digest not stored: {}", r.error().detail);
        });
}

bool Operations::reload_locked() {
    auto failed = [this](std::string_view what, const base::Error& e) {
        spdlog::error("cannot {}: {}", what, e.detail);
        board_stale_ = true;
        healthy_ = false;
        return false;
    };
    // Read before the Board (as in start()): at worst the Board is newer than the fence, and
    // the next commit is refused once more.
    auto head = store_.head_seq();
    if (!head) return failed("read the log head", head.error());
    auto snapshot = store_.load_board();
    if (!snapshot) return failed("rebuild the board from the store", snapshot.error());
    board_.load(std::move(snapshot).value());
    rebuild_recommender_locked();
    if (auto rebuilt = rebuild_cases_locked(); !rebuilt) {
        return failed("rebuild the case book from the store", rebuilt.error());
    }
    if (watch_ && committer_) committer_->fence(*head);
    board_stale_ = false;
    healthy_ = true;
    // Other servers' events up to the new fence reach the stream and the hooks (sessions,
    // patrol desk) before the lock is let go: a command judged on the rebuilt Board must not
    // meet state that has not heard of them (a shift id given out twice, a revoked session).
    if (watch_) {
        std::lock_guard published(publish_mutex_);
        publish_up_to_locked(*head);
    }
    return true;
}

void Operations::catch_up() {
    std::lock_guard lock(mutex_);
    auto head = store_.head_seq();
    if (!head) {
        spdlog::warn("cannot read the log head to catch up: {}", head.error().detail);
        return;
    }
    if (*head != committer_->fenced_head()) {
        spdlog::info("catching up with other servers' events: log head {}, board at {}", *head,
                     committer_->fenced_head());
        committer_->fail_queued(
            base::error(base::Code::unavailable,
                        "another server changed the same records; retry this request"));
        if (!reload_locked()) return;
    }
    // Anything up to the head not streamed yet (reload_locked streams what it read).
    std::lock_guard published(publish_mutex_);
    publish_up_to_locked(*head);
}

void Operations::publish(const std::vector<store::EventRecord>& records) {
    std::lock_guard lock(publish_mutex_);
    if (records.empty() || records.back().seq <= last_published_) return;
    if (records.front().seq > last_published_ + 1) publish_up_to_locked(records.front().seq - 1);
    if (records.front().seq > last_published_) {
        hub_.publish(records);
    } else {
        std::vector<store::EventRecord> unseen;
        for (const store::EventRecord& r : records) {
            if (r.seq > last_published_) unseen.push_back(r);
        }
        hub_.publish(unseen);
    }
    last_published_ = records.back().seq;
}

void Operations::publish_up_to_locked(std::int64_t seq) {
    while (last_published_ < seq) {
        auto page = store_.events_after(last_published_, 1000);
        if (!page) {
            // Consoles miss these until they reload; the log itself is complete.
            spdlog::warn("cannot read events after {} for the stream: {}", last_published_,
                         page.error().detail);
            last_published_ = seq;
            return;
        }
        if (page->empty()) return;
        std::vector<store::EventRecord> upto;
        for (store::EventRecord& r : *page) {
            if (r.seq <= seq) upto.push_back(std::move(r));
        }
        if (upto.empty()) return;
        hub_.publish(upto);
        last_published_ = upto.back().seq;
        if (foreign_events) foreign_events(upto);
    }
}

void Operations::on_commit_failed(const base::Error& e) {
    spdlog::error("commit failed: {}; refusing queued commands and rebuilding the board", e.detail);
    std::lock_guard lock(mutex_);
    committer_->fail_queued(base::error(base::Code::unavailable,
                                        "the store refused an earlier write; retry this request"));
    // Another server's commit (a stale head): the reload streams its events up to the new
    // fence; a catch-up then checks for any that came after.
    if (reload_locked() && watch_) committer_->request_catch_up();
}

namespace {

// Refusals that depend on the records (unknown ids, states, duplicates), not on the request.
bool judged_on_state(base::Code c) {
    switch (c) {
    case base::Code::not_found:
    case base::Code::unknown_incident:
    case base::Code::unknown_unit:
    case base::Code::unknown_user:
    case base::Code::invalid_transition:
    case base::Code::unit_not_available:
    case base::Code::already_assigned:
    case base::Code::duplicate_callsign:
    case base::Code::duplicate_username:
    case base::Code::unknown_item:
    case base::Code::duplicate_item:
    case base::Code::not_in_custody:
    case base::Code::backdated_event:
        return true;
    default:
        return false;
    }
}

} // namespace

void Operations::execute(const Command& command, Done done) {
    execute_with(command, [done = std::move(done)](base::Result<std::string> result,
                                                   std::vector<store::EventRecord>) mutable {
        done(std::move(result));
    });
}

void Operations::execute_recorded(const Command& command, DoneRecorded done) {
    execute_with(command, std::move(done));
}

template <class Finish>
void Operations::execute_with(const Command& command, Finish finish) {
    std::unique_lock lock(mutex_);
    if (board_stale_ && !reload_locked()) {
        lock.unlock();
        finish(base::error(base::Code::unavailable, "the store is unavailable; retry shortly"), {});
        return;
    }
    store::Change change;
    const base::TimeMs now = clock_.now_ms();
    auto result = command(board_, now, change);
    if (result) follow_units_locked(change, now);
    if (!result && watch_ && judged_on_state(result.error().code)) {
        // Refused for what the Board holds ("no unit 12", "unit busy"): with other servers
        // writing, the Board may not have heard of their latest commit yet (the fence only
        // guards what is accepted). If it is behind, the caller retries once it has caught up.
        auto head = store_.head_seq();
        if (head && *head != committer_->fenced_head()) {
            committer_->request_catch_up();
            lock.unlock();
            finish(base::error(base::Code::unavailable,
                               "this server is catching up with another server's changes; retry "
                               "this request"),
                   {});
            return;
        }
    }
    if (!result || (change.events.empty() && change.side.empty())) {
        lock.unlock();
        finish(std::move(result), {});
        return;
    }
    // Submitted under the lock: commit order is command order.
    committer_->submit(std::move(change),
                       [body = std::move(result).value(),
                        finish = std::move(finish)](store::Committer::Outcome outcome) mutable {
                           if (outcome.error) {
                               finish(std::move(*outcome.error), {});
                               return;
                           }
                           finish(std::move(body), std::move(outcome.records));
                       });
}

} // namespace pingan::server
