// The embedded store: one SQLite file in WAL mode with synchronous=FULL, so a commit is on
// disk when it returns. One writer connection (serialised), a pool of reader connections.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/store.hpp"

namespace pingan::store {

namespace sqlite {
class Db;
}

class SqliteStore final : public Store {
public:
    // Opens (creating if needed) and migrates the database at `path`.
    static base::Result<std::unique_ptr<SqliteStore>> open(const std::string& path);
    ~SqliteStore() override;

    using Store::commit;
    base::Result<CommitResult> commit(std::span<const Change> changes,
                                      std::int64_t expected_head) override;
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

    const std::string& path() const { return path_; }

private:
    class ReaderLease;
    explicit SqliteStore(std::string path);
    ReaderLease reader();

    // A unit's latest position reaches the units table only when breadcrumbs are digested (a
    // commit with a positions.digest event) and at close, not at every commit: one UPDATE per
    // unit per commit cost a quarter of the commit thread's CPU per report (bench_store).
    // Until then it is held here, and unit(), units() and load_board() lay it over the row.
    // The breadcrumbs after the last digest (last_id) are the ones not yet folded for certain:
    // open() reads them back, so after a crash nothing acknowledged is missing.
    struct Latest {
        ops::Position position;
        bool folded = false; // written to the units table
    };
    void read_unfolded_positions();
    // Holds `p` as the unit's latest unless a newer report is held; a tie goes to `p`, the
    // later one, as the units UPDATE's `position_at <= ?` does. Under latest_mutex_.
    void keep_newest(Id unit, const ops::Position& p);
    void fold_positions(sqlite::Db& db);
    void overlay_latest(ops::Unit& unit);

    std::string path_;
    std::mutex write_mutex_;
    std::mutex latest_mutex_; // guards latest_; taken inside write_mutex_ where both are held
    std::unordered_map<Id, Latest> latest_;
    bool committed_ = false; // commit() was called: fold at close (under write_mutex_)
    std::unique_ptr<sqlite::Db> writer_;
    std::mutex readers_mutex_;
    std::vector<std::unique_ptr<sqlite::Db>> idle_readers_;
};

} // namespace pingan::store
