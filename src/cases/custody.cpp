#include "cases/custody.hpp"

#include <array>

#include <fmt/core.h>

namespace pingan::cases {
namespace {

using base::Code;

constexpr std::array<std::string_view, 3> kDisposalNames{"returned", "confiscated", "destroyed"};
constexpr std::array<std::string_view, 6> kEventKindNames{
    "registered",         "handover_proposed", "handover_confirmed",
    "handover_cancelled", "relocated",         "disposed"};
constexpr std::size_t kMaxCodeLength = 40;

base::Error required(const char* field, std::string_view what) {
    return base::error(Code::field_missing, field, fmt::format("{} is required", what));
}

base::Status check_registration(const CustodyEvent& e, bool exists) {
    if (!valid_item_code(e.item_code)) {
        return base::error(Code::field_invalid, "item_code",
                           fmt::format("item code '{}' must be 1..{} of A-Z a-z 0-9 - . _ /",
                                       e.item_code, kMaxCodeLength));
    }
    if (exists) {
        return base::error(Code::duplicate_item, "item_code",
                           fmt::format("item {} is already registered", e.item_code));
    }
    if (e.description.empty()) return required("description", "the item's description");
    if (e.case_id.empty()) return required("case_id", "the case the item belongs to");
    if (e.actor.empty()) return required("actor", "the seizing officer (first holder)");
    if (e.place.empty()) return required("place", "where the item is");
    return {};
}

base::Status check_on_item(const CustodyEvent& e, const EvidenceItem& item) {
    if (e.at < item.last_event_at) { // CU-3
        return base::error(Code::backdated_event, "at",
                           fmt::format("{} of item {} at {} is earlier than its last event at {}",
                                       to_string(e.kind), item.code, base::format_iso8601(e.at),
                                       base::format_iso8601(item.last_event_at)));
    }
    if (item.disposal) { // CU-4
        return base::error(Code::invalid_transition, "item_code",
                           fmt::format("item {} was {} and takes no further events", item.code,
                                       to_string(*item.disposal)));
    }
    if (e.actor.empty()) return required("actor", "the person recording the event");
    const bool pending = item.pending.has_value();
    switch (e.kind) {
    case CustodyEventKind::registered:
        return base::error(Code::duplicate_item, "item_code",
                           fmt::format("item {} is already registered", item.code));
    case CustodyEventKind::handover_proposed:
        if (pending) {
            return base::error(Code::invalid_transition, "item_code",
                               fmt::format("a hand-over of item {} to {} is already pending",
                                           item.code, item.pending->receiver));
        }
        if (e.giver != e.actor) {
            return base::error(Code::field_invalid, "giver",
                               "the giver must be the person proposing the hand-over");
        }
        if (e.giver != item.holder) { // CU-2
            return base::error(
                Code::not_in_custody, "giver",
                fmt::format("{} does not hold item {} ({} does)", e.giver, item.code, item.holder));
        }
        if (e.receiver.empty()) return required("receiver", "the receiver");
        if (e.receiver == e.giver) { // CU-2
            return base::error(
                Code::field_invalid, "receiver",
                fmt::format("{} cannot hand item {} over to themselves", e.giver, item.code));
        }
        if (e.place.empty()) return required("place", "the place of the hand-over");
        if (e.condition.empty()) return required("condition", "the item's condition");
        return {};
    case CustodyEventKind::handover_confirmed: {
        if (!pending) {
            return base::error(Code::invalid_transition, "item_code",
                               fmt::format("no hand-over of item {} is pending", item.code));
        }
        const PendingHandover& p = *item.pending;
        if (e.actor != p.receiver) { // CU-1, CU-2
            return base::error(Code::field_invalid, "receiver",
                               fmt::format("only the named receiver {} may confirm the hand-over "
                                           "of item {}, not {}",
                                           p.receiver, item.code, e.actor));
        }
        if (e.receiver != p.receiver || e.giver != p.giver || e.place != p.place ||
            e.condition != p.condition) { // CU-5
            return base::error(Code::field_invalid, "handover",
                               fmt::format("the confirmation of item {} does not repeat its "
                                           "proposal (giver, receiver, place, condition)",
                                           item.code));
        }
        return {};
    }
    case CustodyEventKind::handover_cancelled:
        if (!pending) {
            return base::error(Code::invalid_transition, "item_code",
                               fmt::format("no hand-over of item {} is pending", item.code));
        }
        if (e.actor != item.pending->giver && e.actor != item.pending->receiver) {
            return base::error(Code::field_invalid, "actor",
                               fmt::format("only {} or {} may cancel the hand-over of item {}",
                                           item.pending->giver, item.pending->receiver, item.code));
        }
        return {};
    case CustodyEventKind::relocated:
    case CustodyEventKind::disposed:
        if (pending) {
            return base::error(Code::invalid_transition, "item_code",
                               fmt::format("item {} has a pending hand-over to {}", item.code,
                                           item.pending->receiver));
        }
        if (e.actor != item.holder) {
            return base::error(
                Code::not_in_custody, "actor",
                fmt::format("{} does not hold item {} ({} does)", e.actor, item.code, item.holder));
        }
        if (e.kind == CustodyEventKind::relocated) {
            if (e.place.empty()) return required("place", "the new storage location");
            return {};
        }
        if (e.approver.empty()) { // CU-4
            return base::error(Code::field_missing, "approver",
                               fmt::format("disposal ({}) of item {} needs an approver",
                                           to_string(e.disposal), item.code));
        }
        if (e.approver == e.actor) {
            return base::error(Code::field_invalid, "approver",
                               fmt::format("the holder {} cannot approve their own disposal of "
                                           "item {}",
                                           e.actor, item.code));
        }
        return {};
    }
    return base::error(Code::field_invalid, "kind", "unknown custody event kind");
}

} // namespace

std::string_view to_string(Disposal d) {
    return kDisposalNames[static_cast<std::size_t>(d)];
}

std::string_view to_string(CustodyEventKind k) {
    return kEventKindNames[static_cast<std::size_t>(k)];
}

std::optional<Disposal> disposal_from_string(std::string_view s) {
    for (std::size_t i = 0; i < kDisposalNames.size(); ++i) {
        if (kDisposalNames[i] == s) return static_cast<Disposal>(i);
    }
    return std::nullopt;
}

bool valid_item_code(std::string_view code) {
    if (code.empty() || code.size() > kMaxCodeLength) return false;
    for (const char c : code) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '/';
        if (!ok) return false;
    }
    return true;
}

const EvidenceItem* CustodyLedger::find(std::string_view code) const {
    auto it = index_.find(code);
    return it == index_.end() ? nullptr : &items_[it->second];
}

EvidenceItem* CustodyLedger::find_mutable(std::string_view code) {
    auto it = index_.find(code);
    return it == index_.end() ? nullptr : &items_[it->second];
}

base::Status CustodyLedger::check(const CustodyEvent& e) const {
    const EvidenceItem* item = find(e.item_code);
    if (e.kind == CustodyEventKind::registered) return check_registration(e, item != nullptr);
    if (item == nullptr) {
        return base::error(Code::unknown_item, "item_code",
                           fmt::format("no evidence item has the code '{}'", e.item_code));
    }
    return check_on_item(e, *item);
}

base::Status CustodyLedger::apply(const CustodyEvent& e) {
    if (base::Status st = check(e); !st) return st;
    if (e.kind == CustodyEventKind::registered) {
        EvidenceItem item;
        item.code = e.item_code;
        item.description = e.description;
        item.case_id = e.case_id;
        item.holder = e.actor;
        item.location = e.place;
        item.condition = e.condition;
        item.last_event_at = e.at;
        item.event_count = 1;
        index_.emplace(item.code, items_.size());
        items_.push_back(std::move(item));
        return {};
    }
    EvidenceItem& item = *find_mutable(e.item_code);
    item.last_event_at = e.at;
    ++item.event_count;
    switch (e.kind) {
    case CustodyEventKind::registered:
        break;
    case CustodyEventKind::handover_proposed:
        item.pending = PendingHandover{e.giver, e.receiver, e.place, e.condition, e.at};
        break;
    case CustodyEventKind::handover_confirmed:
        item.holder = e.receiver;
        item.location = e.place;
        item.condition = e.condition;
        item.pending.reset();
        break;
    case CustodyEventKind::handover_cancelled:
        item.pending.reset();
        break;
    case CustodyEventKind::relocated:
        item.location = e.place;
        break;
    case CustodyEventKind::disposed:
        item.disposal = e.disposal;
        break;
    }
    return {};
}

base::Result<CustodyEvent> CustodyLedger::register_item(const NewItem& n) const {
    CustodyEvent e;
    e.kind = CustodyEventKind::registered;
    e.item_code = n.code;
    e.at = n.at;
    e.actor = n.holder;
    e.case_id = n.case_id;
    e.description = n.description;
    e.place = n.location;
    e.condition = n.condition;
    if (base::Status st = check(e); !st) return st.error();
    return e;
}

base::Result<CustodyEvent> CustodyLedger::propose(std::string_view code,
                                                  const HandoverProposal& p) const {
    CustodyEvent e;
    e.kind = CustodyEventKind::handover_proposed;
    e.item_code = std::string(code);
    e.at = p.at;
    e.actor = p.giver;
    e.giver = p.giver;
    e.receiver = p.receiver;
    e.place = p.place;
    e.condition = p.condition;
    if (base::Status st = check(e); !st) return st.error();
    return e;
}

base::Result<CustodyEvent> CustodyLedger::confirm(std::string_view code, std::string_view receiver,
                                                  base::TimeMs at) const {
    CustodyEvent e;
    e.kind = CustodyEventKind::handover_confirmed;
    e.item_code = std::string(code);
    e.at = at;
    e.actor = std::string(receiver);
    if (const EvidenceItem* item = find(code); item != nullptr && item->pending) {
        e.giver = item->pending->giver;
        e.receiver = item->pending->receiver;
        e.place = item->pending->place;
        e.condition = item->pending->condition;
    }
    if (base::Status st = check(e); !st) return st.error();
    return e;
}

base::Result<CustodyEvent> CustodyLedger::cancel(std::string_view code, std::string_view actor,
                                                 base::TimeMs at) const {
    CustodyEvent e;
    e.kind = CustodyEventKind::handover_cancelled;
    e.item_code = std::string(code);
    e.at = at;
    e.actor = std::string(actor);
    if (const EvidenceItem* item = find(code); item != nullptr && item->pending) {
        e.giver = item->pending->giver;
        e.receiver = item->pending->receiver;
    }
    if (base::Status st = check(e); !st) return st.error();
    return e;
}

base::Result<CustodyEvent> CustodyLedger::relocate(std::string_view code, std::string_view holder,
                                                   std::string_view location,
                                                   base::TimeMs at) const {
    CustodyEvent e;
    e.kind = CustodyEventKind::relocated;
    e.item_code = std::string(code);
    e.at = at;
    e.actor = std::string(holder);
    e.place = std::string(location);
    if (base::Status st = check(e); !st) return st.error();
    return e;
}

base::Result<CustodyEvent> CustodyLedger::dispose(std::string_view code,
                                                  const DisposalRequest& r) const {
    CustodyEvent e;
    e.kind = CustodyEventKind::disposed;
    e.item_code = std::string(code);
    e.at = r.at;
    e.actor = r.holder;
    e.disposal = r.disposal;
    e.approver = r.approver;
    e.note = r.note;
    if (base::Status st = check(e); !st) return st.error();
    return e;
}

ChainCheck verify_chain(std::span<const CustodyEvent> events) {
    ChainCheck out;
    CustodyLedger ledger;
    auto fail = [&](std::size_t i, base::Error e) {
        out.ok = false;
        out.bad = i;
        e.detail = fmt::format("event {} ({} at {}): {}", i, to_string(events[i].kind),
                               base::format_iso8601(events[i].at), e.detail);
        out.reason = std::move(e);
    };
    for (std::size_t i = 0; i < events.size() && out.ok; ++i) {
        const CustodyEvent& e = events[i];
        if (i == 0 && e.kind != CustodyEventKind::registered) {
            fail(i, base::error(Code::invalid_transition, "kind",
                                "a chain of custody must begin with the item's registration"));
        } else if (i > 0 && e.item_code != events[0].item_code) {
            fail(i, base::error(Code::field_invalid, "item_code",
                                fmt::format("event is about item {}, the chain about {}",
                                            e.item_code, events[0].item_code)));
        } else if (base::Status st = ledger.apply(e); !st) {
            fail(i, st.error());
        } else {
            ++out.checked;
        }
    }
    if (!events.empty()) {
        if (const EvidenceItem* item = ledger.find(events[0].item_code)) out.item = *item;
    }
    return out;
}

} // namespace pingan::cases
