// The Store: the durable event log and its projections. SQLite is the embedded default; a
// PostgreSQL backend implements the same interface for several servers and HA.
//
// Contract: commit() writes every change of a batch in one transaction — events get the next
// seq numbers and chained hashes, projections and side writes land with them — and returns
// only once the transaction is durable (fsynced). A failing change is rolled back alone (its
// error reported); a failing transaction fails the whole batch and nothing of it is stored.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "base/result.hpp"
#include "ops/board.hpp"
#include "ops/model.hpp"
#include "store/hash_chain.hpp"

namespace pingan::store {

using ops::Id;

struct UserRecord {
    Id id = 0;
    std::string username;
    std::string role;
    std::string password_hash; // argon2id, libsodium string format
    base::TimeMs created_at = 0;
    bool disabled = false;
    std::optional<Id> unit_id; // role unit: the unit this account reports for
    std::string team;          // station or squad (派出所/中队); empty: centre level
};

struct SessionRecord {
    std::string token_hash; // SHA-256 of the bearer token; the token itself is never stored
    std::string username;
    std::string role;
    base::TimeMs created_at = 0;
    base::TimeMs expires_at = 0;
    std::optional<Id> unit_id;
    std::string team; // the account's team when the session opened
};

// Caller details are personal data: kept out of events, read only by permitted roles.
struct CallerRecord {
    Id incident_id = 0;
    std::string name;
    std::string phone;
    base::TimeMs recorded_at = 0;
};

struct PositionRecord {
    Id unit_id = 0;
    ops::Position position;
};

// Writes that belong to a change but stay out of the hash chain (secrets, personal data,
// high-rate breadcrumbs). Each is accompanied by an event saying that it happened.
struct UserWrite {
    std::string username;
    std::string role;
    std::string password_hash;
    base::TimeMs at = 0;
    std::optional<Id> unit_id;
    std::string team; // empty: centre level
};
struct SessionWrite {
    SessionRecord session;
    bool revoke = false; // true: end the session with this token hash
};
// An area as stored: GeoJSON geometry text (normalised MultiPolygon) and its properties.
struct BoundaryRow {
    std::string layer;
    std::string name;
    std::string properties; // JSON object text
    std::string geometry;   // GeoJSON MultiPolygon text
};
// Replaces every area of one layer (an import is all or nothing).
struct BoundaryLayerWrite {
    std::string layer;
    std::vector<BoundaryRow> rows;
};
// A request to another service (the 12345 line) waiting to be delivered: written in the same
// transaction as the event that decides it (a transactional outbox), delivered later.
struct OutboxItem {
    Id id = 0; // assigned by the store on insert
    Id incident_id = 0;
    std::string kind;            // "open311"
    std::string idempotency_key; // the same on every attempt, so the receiver can dedupe
    std::string body;            // what is sent
    std::string status;          // pending, delivered, failed, manual
    int attempts = 0;
    base::TimeMs next_attempt_at = 0;
    std::string last_error;
    std::string remote_id; // the receiver's id (Open311 service_request_id)
    base::TimeMs created_at = 0;
    std::optional<base::TimeMs> delivered_at;
};
// Inserts a new item (id ignored) or updates the delivery fields of item `id`.
struct OutboxWrite {
    OutboxItem item;
    bool insert = false;
};
// The recommendation list shown for an incident (the latest one is kept).
struct RecommendationWrite {
    Id incident_id = 0;
    base::TimeMs computed_at = 0;
    std::string items; // JSON array text
};
// Deletes the caller details of these incidents (retention). The event that goes with it names
// the incidents, never the details.
struct CallerPurge {
    std::vector<Id> incident_ids;
};
// An administrator's change to an account: disables or enables it (when `disabled` is set)
// and, with `end_sessions`, ends every session of the user at `at`.
struct UserAccessWrite {
    std::string username;
    std::optional<bool> disabled;
    bool end_sessions = false;
    base::TimeMs at = 0;
};
// Bytes stored once by their SHA-256 (photos of evidence items): written with the event that
// names the hash (evidence.photo_attached), so the chain covers which bytes were attached and
// the bytes are durable when the event is. Writing a hash that is stored already is a no-op.
struct Blob {
    std::string sha256;       // of `bytes`: 64 lower-case hex digits
    std::string content_type; // image/jpeg, image/png or image/webp
    std::string bytes;
    base::TimeMs stored_at = 0; // when first stored
};
using SideWrite =
    std::variant<UserWrite, SessionWrite, CallerRecord, PositionRecord, BoundaryLayerWrite,
                 OutboxWrite, RecommendationWrite, CallerPurge, UserAccessWrite, Blob>;

// One command's worth of writes: all of it lands, or none of it.
struct Change {
    std::vector<ops::Event> events;
    std::vector<SideWrite> side;
};

// The chain's next link, for a store's commit: `e` as event `seq` after the event whose hash
// is `prev`, which then becomes this event's hash.
inline EventRecord chain_link(const ops::Event& e, std::int64_t seq, std::string& prev) {
    EventRecord r{seq, e.at, e.actor, e.kind, e.subject, e.payload, prev, {}};
    r.hash = event_hash(r);
    prev = r.hash;
    return r;
}

struct CommitResult {
    std::vector<EventRecord> records;                        // committed events in seq order
    std::vector<std::optional<base::Error>> errors;          // per change; nullopt when committed
    std::vector<std::pair<std::size_t, std::size_t>> ranges; // per change: [begin, end) of records
};

struct IncidentQuery {
    std::vector<ops::IncidentStatus> statuses; // empty: any
    std::optional<Id> before_id;               // paging: ids below this one
    int limit = 100;
};

// One breadcrumb as stored.
struct PositionRow {
    Id id = 0;
    Id unit_id = 0;
    base::TimeMs at = 0;
    double lat = 0;
    double lon = 0;
    std::optional<double> heading;
    std::optional<double> speed;
};

// A page of breadcrumbs (Store::positions). The next page starts after the last row's (at, id).
struct PositionQuery {
    base::TimeMs from = 0;
    base::TimeMs to = 0;
    std::optional<Id> unit;
    base::TimeMs after_at = INT64_MIN;
    Id after_id = 0;
    int limit = 10'000;
};

// A digest of breadcrumb rows [first_id, last_id]: positions are not chained one by one, but
// each digest is an event, so a changed or deleted breadcrumb is found by audit verify.
struct PositionDigest {
    Id first_id = 0;
    Id last_id = 0;
    std::int64_t count = 0;
    std::string sha256;
};

struct VerifyReport {
    std::int64_t count = 0;
    std::string head_hash{kGenesisHash};
    std::optional<std::int64_t> broken_seq; // first event whose link fails
    std::string reason;                     // why it fails
    std::int64_t position_digests = 0;      // breadcrumb digests checked
};

// commit()'s refusal when the log's head is not the one expected.
inline base::Error stale_head_error(std::int64_t head, std::int64_t expected) {
    return base::error(base::Code::unavailable,
                       "another server changed the log (head " + std::to_string(head) +
                           ", expected " + std::to_string(expected) + "); retry this request");
}

// Hears of events that other processes append to a shared log (several servers on one
// PostgreSQL database). It calls back on its own thread until it is destroyed.
class HeadWatch {
public:
    virtual ~HeadWatch() = default;
};

class Store {
public:
    // commit()'s expected head when any head will do.
    static constexpr std::int64_t kAnyHead = -1;

    virtual ~Store() = default;

    base::Result<CommitResult> commit(std::span<const Change> changes) {
        return commit(changes, kAnyHead);
    }
    // Commits only on top of `expected_head` (the seq of the log's last event, 0 when empty):
    // if another process appended since, nothing is written and the error is
    // Code::unavailable (the caller reloads and its clients retry). A
    // server that checked commands against its in-memory Board fences its commits with the
    // head that Board reflects, so it never acts on state another server has changed.
    virtual base::Result<CommitResult> commit(std::span<const Change> changes,
                                              std::int64_t expected_head) = 0;
    // Watches for events appended by other processes: `on_foreign_head(seq)` runs with the new
    // head, or with 0 after a gap (the watch reconnected) when the caller should look for
    // itself. Null when the store has no other writers to hear of (SQLite: one server).
    virtual std::unique_ptr<HeadWatch>
    watch_heads(std::function<void(std::int64_t)> on_foreign_head) {
        (void)on_foreign_head;
        return nullptr;
    }
    virtual base::Result<ops::BoardSnapshot> load_board() = 0;

    virtual base::Result<std::vector<EventRecord>> events_after(std::int64_t seq, int limit) = 0;
    virtual base::Result<std::int64_t> head_seq() = 0;
    virtual base::Result<VerifyReport> verify_chain() = 0;
    // The digest of every breadcrumb stored after the last digested one, or nothing if none.
    virtual base::Result<std::optional<PositionDigest>> next_position_digest() = 0;
    // Breadcrumbs with q.from <= at < q.to (of one unit, or all), in (at, id) order, a page
    // of at most q.limit after the cursor (q.after_at, q.after_id).
    virtual base::Result<std::vector<PositionRow>> positions(const PositionQuery& q) = 0;

    virtual base::Result<std::optional<ops::Incident>> incident(Id id) = 0;
    virtual base::Result<std::vector<ops::Incident>> incidents(const IncidentQuery& q) = 0;
    virtual base::Result<std::vector<ops::Assignment>> assignments_of(Id incident_id) = 0;
    virtual base::Result<std::optional<ops::Unit>> unit(Id id) = 0;
    virtual base::Result<std::vector<ops::Unit>> units() = 0;
    virtual base::Result<std::optional<CallerRecord>> caller(Id incident_id) = 0;

    virtual base::Result<std::optional<UserRecord>> user(std::string_view username) = 0;
    virtual base::Result<std::vector<UserRecord>> users() = 0;
    virtual base::Result<std::vector<SessionRecord>> live_sessions(base::TimeMs now) = 0;
    virtual base::Result<std::vector<BoundaryRow>> boundaries() = 0;
    // Open alerts, or the latest `limit` alerts open or resolved.
    virtual base::Result<std::vector<ops::Alert>> alerts(bool open_only, int limit) = 0;
    // Outbox items due for an attempt at `now`, oldest first.
    virtual base::Result<std::vector<OutboxItem>> due_outbox(base::TimeMs now, int limit) = 0;
    virtual base::Result<std::optional<OutboxItem>> outbox_of(Id incident_id) = 0;
    // The latest recommendation list recorded for an incident: (computed_at, items JSON).
    virtual base::Result<std::optional<RecommendationWrite>> recommendation_of(Id incident_id) = 0;
    virtual base::Result<std::vector<CallerRecord>>
    callers_of(const std::vector<Id>& incident_ids) = 0;
    // Incidents whose caller details were recorded before `before` (oldest first): due for
    // deletion under the retention period.
    virtual base::Result<std::vector<Id>> callers_recorded_before(base::TimeMs before,
                                                                  int limit) = 0;
    // Incidents merged into this one (their callers are this incident's callers too).
    virtual base::Result<std::vector<Id>> merged_into(Id incident_id) = 0;
    // The incident with this human number ("2026-000123"), if any.
    virtual base::Result<std::optional<Id>> incident_by_number(std::string_view number) = 0;
    // The blob stored under this SHA-256 (lower-case hex), if any.
    virtual base::Result<std::optional<Blob>> blob(std::string_view sha256) = 0;
};

} // namespace pingan::store
