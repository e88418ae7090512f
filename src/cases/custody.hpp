// Evidence and seized property (涉案财物) and its chain of custody. The ledger is a pure state
// machine in the event-sourcing style of ops: a command is checked against the current state
// and returns the event to record (nothing changes); `apply` changes the state once the event
// is durable. Replaying an item's events through a fresh ledger checks its whole chain.
//
// Rules (IDs cited by tests/unit/cases/custody_test.cpp):
//  CU-1 A hand-over is two-party (换押式移交): the holder proposes it to a named receiver, and
//       only the receiver's confirmation changes the holder. Until then the giver holds it.
//  CU-2 Refused: unknown item code; hand-over to oneself; a giver who does not hold the item;
//       confirmation by anyone but the named receiver; a second proposal while one is pending.
//  CU-3 Events of an item never go back in time: an event earlier than the item's last event
//       is refused (equal times are allowed).
//  CU-4 Disposal (returned, confiscated, destroyed) is done by the holder with a named
//       approver other than the holder; a disposed item takes no further events.
//  CU-5 A confirmation repeats the giver, place and condition of its proposal, so one event
//       is a full record of the hand-over; a mismatch is refused.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"

namespace pingan::cases {

enum class Disposal : std::uint8_t {
    returned,    // 发还
    confiscated, // 没收
    destroyed,   // 销毁
};

enum class CustodyEventKind : std::uint8_t {
    registered,         // seized and entered: actor is the first holder, place the location
    handover_proposed,  // actor (giver) offers the item to `receiver` at `place`
    handover_confirmed, // actor (receiver) accepts: the holder changes
    handover_cancelled, // actor (giver or receiver) withdraws or declines the pending offer
    relocated,          // actor (holder) puts the item in storage location `place`
    disposed,           // actor (holder) disposes of it with `approver`'s approval
};

std::string_view to_string(Disposal d);
std::string_view to_string(CustodyEventKind k);
std::optional<Disposal> disposal_from_string(std::string_view s);

// One custody event. A flat record so that it maps one-to-one to an event payload; the
// comment of each member says for which kinds it is set.
struct CustodyEvent {
    CustodyEventKind kind = CustodyEventKind::registered;
    std::string item_code;
    base::TimeMs at = 0;
    std::string actor;       // the person recording it (see CustodyEventKind)
    std::string case_id;     // registered
    std::string description; // registered
    std::string giver;       // handover_proposed, handover_confirmed
    std::string receiver;    // handover_proposed, handover_confirmed
    std::string place;       // registered, handover_*, relocated: where it is / happens
    std::string condition;   // registered, handover_proposed, handover_confirmed: state of it
    Disposal disposal = Disposal::returned; // disposed
    std::string approver;                   // disposed
    std::string note;                       // optional free text
};

struct PendingHandover {
    std::string giver;
    std::string receiver;
    std::string place;
    std::string condition;
    base::TimeMs proposed_at = 0;
};

struct EvidenceItem {
    std::string code; // unique, printable as a Code 128 label
    std::string description;
    std::string case_id;
    std::string holder;   // the person who has custody now
    std::string location; // where it is now: the last hand-over place or storage location
    std::string condition;
    base::TimeMs last_event_at = 0;
    std::optional<PendingHandover> pending;
    std::optional<Disposal> disposal; // set once disposed
    std::size_t event_count = 0;
};

// Item codes: 1..40 of A-Z a-z 0-9 - . _ / (all printable in Code 128 set B).
bool valid_item_code(std::string_view code);

struct NewItem {
    std::string code;
    std::string description;
    std::string case_id;
    std::string holder;   // the seizing officer
    std::string location; // where it was seized or stored
    std::string condition;
    base::TimeMs at = 0;
};

struct HandoverProposal {
    std::string giver;
    std::string receiver;
    std::string place;
    std::string condition;
    base::TimeMs at = 0;
};

struct DisposalRequest {
    std::string holder;
    Disposal disposal = Disposal::returned;
    std::string approver;
    std::string note;
    base::TimeMs at = 0;
};

class CustodyLedger {
public:
    // Commands: each returns the event to record, or a refusal naming the field and reason.
    base::Result<CustodyEvent> register_item(const NewItem& item) const;
    base::Result<CustodyEvent> propose(std::string_view code, const HandoverProposal& p) const;
    base::Result<CustodyEvent> confirm(std::string_view code, std::string_view receiver,
                                       base::TimeMs at) const;
    base::Result<CustodyEvent> cancel(std::string_view code, std::string_view actor,
                                      base::TimeMs at) const;
    base::Result<CustodyEvent> relocate(std::string_view code, std::string_view holder,
                                        std::string_view location, base::TimeMs at) const;
    base::Result<CustodyEvent> dispose(std::string_view code, const DisposalRequest& r) const;

    // Whether an event may follow the current state (all rules CU-1..5).
    base::Status check(const CustodyEvent& e) const;
    // Checks, then applies. Nothing changes on a refusal.
    base::Status apply(const CustodyEvent& e);

    const EvidenceItem* find(std::string_view code) const;
    const std::vector<EvidenceItem>& items() const { return items_; }

private:
    EvidenceItem* find_mutable(std::string_view code);

    std::vector<EvidenceItem> items_;
    std::map<std::string, std::size_t, std::less<>> index_;
};

// The result of checking one item's chain of custody.
struct ChainCheck {
    bool ok = true;
    std::size_t checked = 0;           // events that passed
    std::optional<std::size_t> bad;    // index of the first bad event
    std::optional<base::Error> reason; // why it is bad
    std::optional<EvidenceItem> item;  // state after the good events (none if event 0 is bad)
};

// Replays the events of one item in order and names the first bad link: an event that does
// not follow from the ones before it (first not a registration, another item's code, or any
// refusal of CustodyLedger::check).
ChainCheck verify_chain(std::span<const CustodyEvent> events);

} // namespace pingan::cases
