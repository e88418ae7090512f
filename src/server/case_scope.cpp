#include "server/case_scope.hpp"

#include "server/role_matrix.hpp"

namespace pingan::server {

bool CaseScope::all() const {
    return who_.role == auth::Role::auditor ||
           (who_.role == auth::Role::supervisor && who_.team.empty());
}

bool CaseScope::sees(const ops::Case& c) const {
    if (all() || c.handled_by(who_.username)) return true;
    return who_.role == auth::Role::supervisor && c.team == who_.team;
}

bool CaseScope::sees_case_of(const ops::CaseBook& book, const cases::EvidenceItem& item) const {
    if (all()) return true;
    const ops::Case* c = book.case_of(item);
    return c != nullptr && sees(*c);
}

bool CaseScope::sees(const ops::CaseBook& book, const cases::EvidenceItem& item) const {
    if (all()) return true;
    if (item.holder == who_.username) return true;
    if (item.pending && item.pending->receiver == who_.username) return true;
    return sees_case_of(book, item);
}

bool CaseScope::sees_item(const ops::CaseBook& book, std::string_view code) const {
    if (all()) return true;
    const cases::EvidenceItem* item = book.ledger().find(code);
    return item != nullptr && sees(book, *item);
}

bool CaseScope::sees(const ops::CaseBook& book, const ops::Notice& n) const {
    if (all()) return true;
    if (!n.subject.starts_with("case/")) {
        return who_.role == auth::Role::supervisor || who_.role == auth::Role::unit;
    }
    const ops::Case* c = book.case_of(n);
    return c != nullptr && sees(*c);
}

bool CaseScope::events_whole() const {
    if (!roles::kCaseEvents.contains(who_.role)) return false;
    return who_.role != auth::Role::supervisor || who_.team.empty();
}

} // namespace pingan::server
