// Who sees which cases, evidence items and notices (issue 8; docs/cases.md "Who sees what").
// The role matrix decides who may call a case or evidence route at all; this decides, for a
// caller let in, which cases it may see and act on. Every case, evidence, notice, oversight
// and report route asks here, and so do the event stream and GET /api/v1/events, so the rule
// lives in one place:
//   - auditors and supervisors without a team (centre level) see every case;
//   - a supervisor with a team sees the cases of that team and those it is an officer of;
//   - a unit account sees the cases it is an officer of;
//   - an item is seen with its case, and by whoever holds it or is offered it;
//   - a case notice is seen with its case; an incident notice by supervisors and unit accounts.
#pragma once

#include <string_view>
#include <utility>

#include "auth/sessions.hpp"
#include "ops/case_book.hpp"

namespace pingan::server {

class CaseScope {
public:
    explicit CaseScope(auth::Principal who) : who_(std::move(who)) {}

    const auth::Principal& who() const { return who_; }
    // Sees every case: auditors, and supervisors without a team.
    bool all() const;
    bool sees(const ops::Case& c) const;
    // The item's case, by the id the ledger keeps as text; false for a case the book lacks
    // (unless all()).
    bool sees_case_of(const ops::CaseBook& book, const cases::EvidenceItem& item) const;
    bool sees(const ops::CaseBook& book, const cases::EvidenceItem& item) const;
    // By code: an item the ledger does not know is seen only by those who see all.
    bool sees_item(const ops::CaseBook& book, std::string_view code) const;
    bool sees(const ops::CaseBook& book, const ops::Notice& n) const;
    // Case, evidence and notice events with their payload on the stream and in
    // GET /api/v1/events; otherwise withheld. A team's supervisor gets them withheld: an event
    // names its case by id, and the stream is not filtered case by case.
    bool events_whole() const;

private:
    auth::Principal who_;
};

} // namespace pingan::server
