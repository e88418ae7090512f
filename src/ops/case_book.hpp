// The case book: cases with their statutory deadlines, evidence custody and supervisor
// notices, held with the Board under the same lock. Its only durable form is the event log:
// every change is an event of kind case.*, evidence.* or notice.* whose payload carries all
// the facts (deadlines are stored as computed, so a later change of the limits table does not
// move a running deadline), and the book is rebuilt on start by applying those events in
// order. Live commands go through the same `apply` as the rebuild, so both agree by
// construction. Pure: no I/O, no clock.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "cases/calendar.hpp"
#include "cases/custody.hpp"
#include "cases/deadline.hpp"
#include "cases/limits.hpp"
#include "cases/reconciliation.hpp"
#include "ops/model.hpp"

namespace pingan::ops {

// What the server loads at start: the limits table, the working-day calendar and the centre's
// time zone. Only commands use it; applying stored events does not.
struct CaseRules {
    cases::LimitsTable limits;
    cases::WorkCalendar calendar;
    int utc_offset_minutes = 0;
    cases::DeadlineContext context() const { return {&calendar, utc_offset_minutes}; }
};

// Reserved stage name: POST /cases/{id}/stage with it closes the case.
inline constexpr std::string_view kClosedStage = "closed";

struct CaseStage {
    std::string stage;     // limits table stage name
    TimeMs started_at = 0; // when the period began (may be before it was recorded)
    cases::Deadline deadline;
    std::string legal_ref; // of the row, as it was when the stage began
    std::vector<cases::Extension> extensions;
    int alerted_level = 0;          // highest alert level raised (cases::alert_level)
    std::optional<TimeMs> ended_at; // the next stage began or the case closed
};

struct Case {
    Id id = 0;
    cases::CaseKind kind = cases::CaseKind::criminal;
    std::string type;                  // e.g. "theft", free text of the centre's case types
    std::string title;                 // optional short description
    std::vector<std::string> officers; // user names of the handling officers (办案人)
    std::vector<Id> incidents;         // linked incidents
    std::string team;                  // station or squad handling it; empty: centre level
    std::string opened_by;
    TimeMs opened_at = 0;
    std::vector<CaseStage> stages; // in order; back() is the current one
    std::optional<TimeMs> closed_at;
    std::vector<std::string> items; // evidence item codes registered on the case

    bool open() const { return !closed_at.has_value(); }
    bool handled_by(std::string_view user) const;
    const CaseStage& current() const { return stages.back(); }
};

// A supervisor notice (督察通知书) on a case or an incident, with a response deadline.
struct Notice {
    Id id = 0;
    std::string subject; // "case/3" or "incident/12"
    std::string issued_by;
    TimeMs issued_at = 0;
    TimeMs respond_by = 0;
    std::string text;
    std::string response;
    std::string responded_by;
    std::optional<TimeMs> responded_at;

    bool overdue(TimeMs now) const { return !responded_at && now >= respond_by; }
};

// One logged read of a case or item (case.read, evidence.read), for auditors.
struct ReadRecord {
    TimeMs at = 0;
    std::string actor;
    std::string kind;
    std::string photo; // sha256 of the photo whose bytes were read; empty: the item itself
};

// A photo attached to an evidence item (evidence.photo_attached). The bytes are stored once by
// their SHA-256 (store::Blob); the event names the hash, so the chain covers which bytes.
struct Photo {
    std::string sha256;       // 64 lower-case hex digits
    std::string content_type; // image/jpeg, image/png or image/webp
    std::int64_t bytes = 0;   // size
    std::string caption;      // optional, free text
    TimeMs at = 0;            // when it was attached
    std::string by;           // who attached it
};

struct NewPhoto {
    std::string sha256;
    std::string content_type;
    std::int64_t bytes = 0;
    std::string caption;
};

// The image type whose magic bytes `bytes` starts with: "image/jpeg", "image/png",
// "image/webp", or empty when none of them.
std::string_view image_type_of(std::string_view bytes);

struct NewCase {
    cases::CaseKind kind = cases::CaseKind::criminal;
    std::string type;
    std::string title;
    std::vector<std::string> officers;
    std::vector<Id> incidents;
    std::string team; // empty: centre level
    std::string stage;
    TimeMs started_at = 0;
};

struct NewNotice {
    std::string subject;
    std::string text;
    TimeMs respond_by = 0;
};

// A deadline alert raised by check_deadlines.
struct CaseAlert {
    Id case_id = 0;
    std::string stage;
    int level = 0;
    std::string name; // threshold name or "overdue"
    TimeMs ends_at = 0;
};

// The outcome of a reconciliation, as recorded (evidence.reconciled).
struct Reconciliation {
    std::string location;
    std::size_t expected = 0; // items recorded at the location
    std::size_t scanned = 0;  // distinct codes scanned
    std::vector<cases::Discrepancy> discrepancies;
    TimeMs at = 0;     // when it was recorded
    std::string actor; // who scanned
};

class CaseBook {
public:
    void clear();

    // Applies a stored event. Events of other kinds are ignored; a malformed or inconsistent
    // payload is an error naming the event (the log was changed outside the server).
    base::Status apply(const Event& e);
    static bool is_book_event(std::string_view kind);

    // Commands: each checks, appends its event to `out` and applies it; on a refusal nothing
    // changes and nothing is appended.
    base::Result<const Case*> open_case(const NewCase& in, const CaseRules& rules,
                                        std::string_view actor, TimeMs at, std::vector<Event>& out);
    // To stage `stage` of the case's kind (or kClosedStage), starting at `started_at`.
    base::Result<const Case*> change_stage(Id id, std::string_view stage, TimeMs started_at,
                                           const CaseRules& rules, std::string_view actor,
                                           TimeMs at, std::vector<Event>& out);
    base::Result<const Case*> extend(Id id, const cases::Extension& ext, const CaseRules& rules,
                                     std::vector<Event>& out);
    // Raises each alert level of the current stage's deadline once (case.deadline_alert).
    std::vector<CaseAlert> check_deadlines(TimeMs now, const cases::AlertPolicy& policy,
                                           std::vector<Event>& out);
    // Records a custody event made by a CustodyLedger command (evidence.<kind>). Registration
    // also needs the case to exist and be open.
    base::Result<const cases::EvidenceItem*>
    record_custody(const cases::CustodyEvent& e, TimeMs recorded_at, std::vector<Event>& out);
    Reconciliation reconcile(std::string_view location, const std::vector<std::string>& scanned,
                             std::string_view actor, TimeMs at, std::vector<Event>& out);
    base::Result<const Notice*> issue_notice(const NewNotice& in, std::string_view actor, TimeMs at,
                                             std::vector<Event>& out);
    base::Result<const Notice*> respond(Id id, std::string_view text, std::string_view actor,
                                        TimeMs at, std::vector<Event>& out);
    // A log-only read record (case.read / evidence.read) naming who read what.
    void record_read(std::string_view kind, std::string_view subject, std::string_view actor,
                     TimeMs at, std::vector<Event>& out);
    // Attaches a photo to an item (any item, disposed ones too: a photo adds to the record and
    // changes no custody). Unknown item: unknown_item. A hash already attached to the item is
    // not attached again: the existing photo is returned and nothing is appended.
    base::Result<const Photo*> attach_photo(std::string_view code, const NewPhoto& p,
                                            std::string_view actor, TimeMs at,
                                            std::vector<Event>& out);
    // A logged read of a photo's bytes (evidence.read naming the photo).
    void record_photo_read(std::string_view code, std::string_view sha256, std::string_view actor,
                           TimeMs at, std::vector<Event>& out);

    const Case* find(Id id) const;
    // The case an item is registered on, or a notice on "case/ID" names; nullptr if none.
    const Case* case_of(const cases::EvidenceItem& item) const;
    const Case* case_of(const Notice& n) const;
    const std::map<Id, Case>& cases() const { return cases_; }
    const cases::CustodyLedger& ledger() const { return ledger_; }
    const std::map<Id, Notice>& notices() const { return notices_; }
    // Every reconciliation recorded, in log order (for the custody discrepancy report).
    const std::vector<Reconciliation>& reconciliations() const { return reconciliations_; }
    const std::vector<ReadRecord>* reads_of(std::string_view subject) const;
    // The custody events of an item in order (its chain), or null for an unknown code.
    const std::vector<cases::CustodyEvent>* custody_of(std::string_view code) const;
    // The photos of an item in the order attached (empty for an unknown code or none).
    const std::vector<Photo>& photos_of(std::string_view code) const;
    // The photo of the item with this hash, or null.
    const Photo* photo(std::string_view code, std::string_view sha256) const;
    std::size_t events_applied() const { return applied_; }

private:
    base::Status push(Event e, std::vector<Event>& out);
    Case* find_mutable(Id id);

    std::map<Id, Case> cases_;
    cases::CustodyLedger ledger_;
    std::map<Id, Notice> notices_;
    std::vector<Reconciliation> reconciliations_;
    std::map<std::string, std::vector<ReadRecord>, std::less<>> reads_;            // by subject
    std::map<std::string, std::vector<cases::CustodyEvent>, std::less<>> custody_; // by code
    std::map<std::string, std::vector<Photo>, std::less<>> photos_;                // by code
    Id max_case_id_ = 0;
    Id max_notice_id_ = 0;
    std::size_t applied_ = 0;
};

// JSON shapes shared by the events, the API and `pingan custody verify`.
nlohmann::json to_json(const cases::Deadline& d);
nlohmann::json to_json(const Case& c, TimeMs now, const cases::AlertPolicy* policy);
nlohmann::json to_json(const Notice& n, TimeMs now);
nlohmann::json to_json(const cases::EvidenceItem& item);
nlohmann::json to_json(const Photo& p);
nlohmann::json custody_payload(const cases::CustodyEvent& e);
// The custody event of a stored evidence.<kind> event; an error names the bad field.
base::Result<cases::CustodyEvent> custody_from_event(std::string_view kind, TimeMs at,
                                                     std::string_view actor,
                                                     std::string_view payload);
std::string case_subject(Id id);
std::string item_subject(std::string_view code);

} // namespace pingan::ops
