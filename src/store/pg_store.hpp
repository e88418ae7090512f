// The PostgreSQL store: the same Store as SqliteStore, for several pingan servers on one
// database and for high availability (a failover is libpq's: give several hosts and
// target_session_attrs=read-write in the URI).
//
// Contract, beyond Store's:
// - commit() is one READ COMMITTED transaction that first takes pg_advisory_xact_lock
//   (kCommitLock), then reads the chain head, so several processes append one at a time and
//   the chain has no gaps or forks. It returns once COMMIT returned, with synchronous_commit
//   at least `on` (a server default of `off` is raised for this session), and it sends
//   NOTIFY pingan_events '<new head seq> <writer>' with the transaction when it appended
//   events, where <writer> names this PgStore (random), so a watch ignores its own commits.
//   The batch's writes are sent in one libpq pipeline (one round trip); if a change breaks a
//   constraint, the batch is rolled back and written again change by change under savepoints,
//   so that only that change is refused.
// - When the server cannot be reached, the connection breaks, or it reached a standby, a
//   method returns Code::unavailable; the next call reconnects.
// - One writer connection (serialised by a mutex), up to kMaxReaders reader connections.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "store/store.hpp"

namespace pingan::store {

namespace pg {
class Conn;
}

class PgStore final : public Store {
public:
    static constexpr std::size_t kMaxReaders = 4;
    static constexpr const char* kChannel = "pingan_events"; // LISTEN here for new events

    // Connects to `uri` ("postgresql://user@host:port/db?…") and applies missing migrations.
    static base::Result<std::unique_ptr<PgStore>> open(const std::string& uri);
    ~PgStore() override;

    using Store::commit;
    base::Result<CommitResult> commit(std::span<const Change> changes,
                                      std::int64_t expected_head) override;
    std::unique_ptr<HeadWatch>
    watch_heads(std::function<void(std::int64_t)> on_foreign_head) override;
    base::Result<ops::BoardSnapshot> load_board() override;

    base::Result<std::vector<EventRecord>> events_after(std::int64_t seq, int limit) override;
    base::Result<std::int64_t> head_seq() override;
    base::Result<VerifyReport> verify_chain() override;
    base::Result<std::optional<PositionDigest>> next_position_digest() override;
    base::Result<std::vector<PositionRow>> positions(const PositionQuery& q) override;

    base::Result<std::optional<ops::Incident>> incident(Id id) override;
    base::Result<std::vector<ops::Incident>> incidents(const IncidentQuery& q) override;
    base::Result<std::vector<ops::Assignment>> assignments_of(Id incident_id) override;
    base::Result<std::optional<ops::Unit>> unit(Id id) override;
    base::Result<std::vector<ops::Unit>> units() override;
    base::Result<std::optional<CallerRecord>> caller(Id incident_id) override;

    base::Result<std::optional<UserRecord>> user(std::string_view username) override;
    base::Result<std::vector<UserRecord>> users() override;
    base::Result<std::vector<SessionRecord>> live_sessions(base::TimeMs now) override;
    base::Result<std::vector<BoundaryRow>> boundaries() override;
    base::Result<std::vector<ops::Alert>> alerts(bool open_only, int limit) override;
    base::Result<std::vector<OutboxItem>> due_outbox(base::TimeMs now, int limit) override;
    base::Result<std::optional<OutboxItem>> outbox_of(Id incident_id) override;
    base::Result<std::optional<RecommendationWrite>> recommendation_of(Id incident_id) override;
    base::Result<std::vector<CallerRecord>>
    callers_of(const std::vector<Id>& incident_ids) override;
    base::Result<std::vector<Id>> callers_recorded_before(base::TimeMs before, int limit) override;
    base::Result<std::vector<Id>> merged_into(Id incident_id) override;
    base::Result<std::optional<Id>> incident_by_number(std::string_view number) override;
    base::Result<std::optional<Blob>> blob(std::string_view sha256) override;

    const std::string& uri() const { return uri_; }
    // Whether the database has PostGIS and the derived geometry columns.
    bool has_postgis() const { return postgis_; }

private:
    class ReaderLease;
    explicit PgStore(std::string uri);
    ReaderLease reader();
    // Runs `f` on a reader connection; a PgError becomes the error of doing `what`.
    template <class F>
    auto read(std::string_view what, F&& f) -> base::Result<std::invoke_result_t<F&, pg::Conn&>>;

    std::string uri_;
    std::string writer_name_; // in NOTIFY payloads: 16 random hex digits
    bool postgis_ = false;
    std::mutex write_mutex_;
    std::unique_ptr<pg::Conn> writer_;
    std::mutex readers_mutex_;
    std::condition_variable reader_returned_;
    std::vector<std::unique_ptr<pg::Conn>> idle_readers_;
    std::size_t readers_open_ = 0; // leased or idle
};

} // namespace pingan::store
