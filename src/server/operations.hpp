// The operational core of a running server: the Board, the lock that serialises commands,
// the group committer and the stream. A command runs against the Board under the lock; if it
// succeeds its events are queued for commit in the same order, and its caller hears back only
// when they are durable. If a commit fails, every command applied after the last durable
// batch is refused and the Board is rebuilt from the store.
//
// Several servers on one database (PostgreSQL): each commit is fenced with the log head its
// Board reflects, so a server never commits a command checked against state another server
// has since changed; that batch is refused (503, retry) and the Board rebuilt. When the store
// tells of another server's events, the Board catches up between batches and the events go
// to this server's stream in log order, so every console sees one sequence.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "base/clock.hpp"
#include "dispatch/recommender.hpp"
#include "ops/board.hpp"
#include "server/centre.hpp"
#include "server/metrics.hpp"
#include "server/stream_hub.hpp"
#include "store/committer.hpp"
#include "store/store.hpp"

namespace pingan::server {

class Operations {
public:
    // A command: reads and changes the Board, adds its events and side writes to `change`,
    // and returns the body (JSON text) to answer with once the change is durable.
    using Command =
        std::function<base::Result<std::string>(ops::Board&, base::TimeMs now, store::Change&)>;
    using Done = std::function<void(base::Result<std::string>)>;

    Operations(store::Store& store, const base::Clock& clock, ops::BoardConfig config,
               StreamHub& hub, Metrics& metrics);
    ~Operations();

    // The centre's reference data (taxonomy, areas, road graph). Call before start(); without
    // it there are no timer alerts and recommendations rank by straight line.
    void attach(const Centre& centre);

    base::Status start(); // loads the Board and starts committing and housekeeping
    void stop();          // commits what is queued, then stops

    // Appends a positions.digest event covering every breadcrumb stored since the last one.
    // Runs every `digest_interval` on the housekeeping thread; public for tests.
    void digest_positions();
    std::chrono::milliseconds digest_interval{60'000};
    // Raises and resolves timer alerts at the clock's time. Runs every second.
    // Raises and resolves timer alerts now; `done` runs once they are durable.
    void check_timers(Done done = {});

    // The unit recommender. Only for use inside a Command (which holds the Board lock); it
    // follows every unit change the Board makes.
    dispatch::Recommender& recommender() { return *recommender_; }
    const Centre* centre() const { return centre_; }

    // The statutory limits, calendar and time zone of cases (issue 8). Without them case
    // commands answer 503 and no deadline alerts are raised. May be set after start().
    void set_case_rules(std::shared_ptr<const ops::CaseRules> rules);
    // Only for use inside a Command (which holds the Board lock); null when not set.
    const ops::CaseRules* case_rules() const { return case_rules_.get(); }

    void execute(const Command& command, Done done);
    // As execute(), and `done` also gets the events the change stored, with their seq and
    // hash (none when it was refused): for a caller that applies them as the log has them.
    using DoneRecorded =
        std::function<void(base::Result<std::string>, std::vector<store::EventRecord>)>;
    void execute_recorded(const Command& command, DoneRecorded done);

    // Called with events another server committed, after the Board caught up with them (on
    // the commit thread). Set before start().
    std::function<void(const std::vector<store::EventRecord>&)> foreign_events;

    // Runs `f(const Board&)` under the lock, for reads that need the live state.
    template <class F>
    auto with_board(F&& f) {
        std::lock_guard lock(mutex_);
        return f(static_cast<const ops::Board&>(board_));
    }

    store::Store& store() { return store_; }
    const base::Clock& clock() const { return clock_; }
    StreamHub& hub() { return hub_; }
    // False while the Board could not be rebuilt after a failed commit.
    bool healthy() const { return healthy_.load(); }

private:
    // The body of both: `finish(result, records)` once durable or refused.
    template <class Finish>
    void execute_with(const Command& command, Finish finish);
    void on_commit_failed(const base::Error& e);
    // On the commit thread: when the log has events this Board has not seen, refuses what is
    // queued, rebuilds the Board and streams those events.
    void catch_up();
    // Streams committed events in seq order; events missing before them (another server's)
    // are read from the store first.
    void publish(const std::vector<store::EventRecord>& records);
    void publish_up_to_locked(std::int64_t seq);
    bool reload_locked();
    // Rebuilds the Board's case book from the case.*, evidence.* and notice.* events of the log.
    base::Status rebuild_cases_locked();
    void rebuild_recommender_locked();
    void follow_units_locked(const store::Change& change, base::TimeMs now);

    store::Store& store_;
    const base::Clock& clock_;
    StreamHub& hub_;
    Metrics& metrics_;
    std::mutex mutex_;
    ops::Board board_;
    bool board_stale_ = false; // true when the Board may hold changes the store refused
    std::atomic<bool> healthy_{true};
    std::unique_ptr<store::Committer> committer_;
    std::unique_ptr<store::HeadWatch> watch_; // null: this server is the only writer
    std::mutex publish_mutex_;
    std::int64_t last_published_ = 0; // seq of the last event sent to the stream
    const Centre* centre_ = nullptr;
    std::unique_ptr<dispatch::Recommender> recommender_;
    std::shared_ptr<const ops::CaseRules> case_rules_;
    std::thread housekeeping_;
    std::mutex housekeeping_mutex_;
    std::condition_variable housekeeping_wake_;
    bool stopping_ = false;
};

} // namespace pingan::server
