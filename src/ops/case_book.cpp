#include "ops/case_book.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/core.h>

namespace pingan::ops {
namespace {

using base::Code;
using nlohmann::json;

constexpr std::array kCustodyKinds{
    cases::CustodyEventKind::registered,         cases::CustodyEventKind::handover_proposed,
    cases::CustodyEventKind::handover_confirmed, cases::CustodyEventKind::handover_cancelled,
    cases::CustodyEventKind::relocated,          cases::CustodyEventKind::disposed};

std::optional<cases::CaseKind> parse_case_kind(std::string_view s) {
    for (auto k : {cases::CaseKind::criminal, cases::CaseKind::administrative}) {
        if (cases::to_string(k) == s) return k;
    }
    return std::nullopt;
}

std::optional<cases::LimitUnit> parse_limit_unit(std::string_view s) {
    for (auto u : {cases::LimitUnit::hours, cases::LimitUnit::calendar_days,
                   cases::LimitUnit::working_days, cases::LimitUnit::months}) {
        if (cases::to_string(u) == s) return u;
    }
    return std::nullopt;
}

std::optional<cases::Date> parse_date(std::string_view s) {
    cases::Date d;
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    auto num = [&s](std::size_t from, std::size_t len, int& out) {
        auto [end, ec] = std::from_chars(s.data() + from, s.data() + from + len, out);
        return ec == std::errc() && end == s.data() + from + len;
    };
    if (!num(0, 4, d.year) || !num(5, 2, d.month) || !num(8, 2, d.day)) return std::nullopt;
    if (!cases::valid_date(d)) return std::nullopt;
    return d;
}

std::string iso(TimeMs t) {
    return base::format_iso8601(t);
}

// Reads stored payload fields; the first problem is kept and names the field.
class PayloadReader {
public:
    PayloadReader(std::string_view kind, std::string_view text) : kind_(kind) {
        doc_ = json::parse(text, nullptr, false);
        if (!doc_.is_object()) fail("payload", "is not a JSON object");
    }
    bool ok() const { return !error_; }
    base::Error error() const { return *error_; }
    const json& doc() const { return doc_; }

    std::string str(const char* key, bool required = true) {
        if (!ok()) return {};
        auto it = doc_.find(key);
        if (it == doc_.end() || it->is_null()) {
            if (required) fail(key, "is missing");
            return {};
        }
        if (!it->is_string()) {
            fail(key, "is not a string");
            return {};
        }
        return it->get<std::string>();
    }
    std::int64_t integer(const char* key) {
        if (!ok()) return 0;
        auto it = doc_.find(key);
        if (it == doc_.end() || !it->is_number_integer()) {
            fail(key, "is not an integer");
            return 0;
        }
        return it->get<std::int64_t>();
    }
    TimeMs time(const char* key) {
        const std::string s = str(key);
        if (!ok()) return 0;
        auto t = base::parse_iso8601(s);
        if (!t) fail(key, "is not an ISO time");
        return t.value_or(0);
    }
    std::vector<std::string> strings(const char* key) {
        std::vector<std::string> out;
        if (!ok()) return out;
        auto it = doc_.find(key);
        if (it == doc_.end() || !it->is_array()) {
            fail(key, "is not an array");
            return out;
        }
        for (const auto& v : *it) {
            if (!v.is_string()) {
                fail(key, "holds a non-string");
                return out;
            }
            out.push_back(v.get<std::string>());
        }
        return out;
    }
    std::vector<Id> ids(const char* key) {
        std::vector<Id> out;
        if (!ok()) return out;
        auto it = doc_.find(key);
        if (it == doc_.end() || !it->is_array()) {
            fail(key, "is not an array");
            return out;
        }
        for (const auto& v : *it) {
            if (!v.is_number_integer()) {
                fail(key, "holds a non-integer");
                return out;
            }
            out.push_back(v.get<Id>());
        }
        return out;
    }
    cases::Deadline deadline(const char* key) {
        cases::Deadline d;
        if (!ok()) return d;
        auto it = doc_.find(key);
        if (it == doc_.end() || !it->is_object()) {
            fail(key, "is not an object");
            return d;
        }
        PayloadReader inner(kind_, it->dump());
        auto unit = parse_limit_unit(inner.str("unit"));
        d.started_at = inner.time("started_at");
        d.ends_at = inner.time("ends_at");
        const std::string last = inner.str("last_day", false);
        const std::string statutory = inner.str("statutory_day", false);
        d.moved_for_holiday = it->value("moved_for_holiday", false);
        d.extended_by = it->value("extended_by", 0);
        const std::string last_ext = inner.str("last_extension_at", false);
        if (!inner.ok()) {
            fail(fmt::format("{}.{}", key, inner.error().field), "is invalid");
            return d;
        }
        if (!unit) {
            fail(fmt::format("{}.unit", key), "is not a limit unit");
            return d;
        }
        d.unit = *unit;
        if (!last.empty()) d.last_day = parse_date(last);
        if (!statutory.empty()) d.statutory_day = parse_date(statutory);
        if (!last_ext.empty()) d.last_extension_at = base::parse_iso8601(last_ext).value_or(0);
        return d;
    }
    void fail(std::string_view key, std::string_view why) {
        if (error_) return;
        error_ = base::error(Code::corrupt_file, std::string(key),
                             fmt::format("{} event: payload field {} {}", kind_, key, why));
    }

private:
    std::string kind_;
    json doc_;
    std::optional<base::Error> error_;
};

std::optional<cases::DiscrepancyKind> parse_discrepancy_kind(std::string_view s) {
    for (auto k : {cases::DiscrepancyKind::missing, cases::DiscrepancyKind::unexpected,
                   cases::DiscrepancyKind::wrong_location}) {
        if (cases::to_string(k) == s) return k;
    }
    return std::nullopt;
}

base::Result<Reconciliation> reconciliation_from_event(const Event& e) {
    PayloadReader r(e.kind, e.payload);
    Reconciliation rec;
    rec.location = r.str("location");
    rec.expected = static_cast<std::size_t>(r.integer("expected"));
    rec.scanned = r.strings("scanned").size();
    rec.at = e.at;
    rec.actor = e.actor;
    if (!r.ok()) return r.error();
    auto it = r.doc().find("discrepancies");
    if (it == r.doc().end() || !it->is_array()) {
        r.fail("discrepancies", "is not an array");
        return r.error();
    }
    for (std::size_t i = 0; i < it->size(); ++i) {
        PayloadReader d(e.kind, (*it)[i].dump());
        const auto kind = parse_discrepancy_kind(d.str("kind"));
        cases::Discrepancy x;
        x.item_code = d.str("item_code");
        x.recorded_location = d.str("recorded_location", false);
        x.scanned_location = d.str("scanned_location", false);
        x.detail = d.str("detail", false);
        if (d.ok() && !kind) d.fail("kind", "is not missing, unexpected or wrong_location");
        if (!d.ok()) {
            r.fail(fmt::format("discrepancies[{}].{}", i, d.error().field), "is invalid");
            return r.error();
        }
        x.kind = *kind;
        rec.discrepancies.push_back(std::move(x));
    }
    return rec;
}

base::Error unknown_case(Id id) {
    return base::error(Code::not_found, "id", fmt::format("id: no case with id {}", id));
}

base::Error unknown_stage(const CaseRules& rules, cases::CaseKind kind, std::string_view stage) {
    std::string names;
    for (const auto& row : rules.limits.rows()) {
        if (row.kind != kind) continue;
        if (!names.empty()) names += ", ";
        names += row.stage;
    }
    return base::error(Code::field_invalid, "stage",
                       fmt::format("stage: '{}' is not a {} stage of the limits table ({})",
                                   stage.substr(0, 60), cases::to_string(kind), names));
}

std::optional<Id> parse_id(std::string_view s) {
    Id id = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
    if (ec != std::errc() || end != s.data() + s.size() || id <= 0) return std::nullopt;
    return id;
}

} // namespace

std::string case_subject(Id id) {
    return fmt::format("case/{}", id);
}

std::string item_subject(std::string_view code) {
    return fmt::format("evidence/{}", code);
}

bool Case::handled_by(std::string_view user) const {
    return std::find(officers.begin(), officers.end(), user) != officers.end();
}

json to_json(const cases::Deadline& d) {
    json j{{"unit", cases::to_string(d.unit)},
           {"started_at", iso(d.started_at)},
           {"ends_at", iso(d.ends_at)},
           {"moved_for_holiday", d.moved_for_holiday},
           {"extended_by", d.extended_by}};
    if (d.last_day) j["last_day"] = cases::format_date(*d.last_day);
    if (d.statutory_day) j["statutory_day"] = cases::format_date(*d.statutory_day);
    if (d.last_extension_at != 0) j["last_extension_at"] = iso(d.last_extension_at);
    return j;
}

namespace {

json stage_json(const CaseStage& s) {
    json exts = json::array();
    for (const auto& e : s.extensions) {
        exts.push_back({{"approver", e.approver},
                        {"reason", e.reason},
                        {"amount", e.amount},
                        {"at", iso(e.at)}});
    }
    json j{{"stage", s.stage},
           {"started_at", iso(s.started_at)},
           {"deadline", to_json(s.deadline)},
           {"legal_ref", s.legal_ref},
           {"extensions", std::move(exts)}};
    j["ended_at"] = s.ended_at ? json(iso(*s.ended_at)) : json(nullptr);
    return j;
}

} // namespace

json to_json(const Case& c, TimeMs now, const cases::AlertPolicy* policy) {
    json stages = json::array();
    for (const auto& s : c.stages)
        stages.push_back(stage_json(s));
    const CaseStage& cur = c.current();
    json j{{"id", c.id},
           {"kind", cases::to_string(c.kind)},
           {"type", c.type},
           {"title", c.title},
           {"officers", c.officers},
           {"incidents", c.incidents},
           {"team", c.team},
           {"opened_by", c.opened_by},
           {"opened_at", iso(c.opened_at)},
           {"status", c.open() ? "open" : "closed"},
           {"stage", c.open() ? json(cur.stage) : json(nullptr)},
           {"items", c.items},
           {"stages", std::move(stages)}};
    j["closed_at"] = c.closed_at ? json(iso(*c.closed_at)) : json(nullptr);
    if (c.open()) {
        j["deadline"] = to_json(cur.deadline);
        j["overdue"] = cur.deadline.overdue(now);
        j["remaining_s"] = (cur.deadline.ends_at - now) / 1000;
        if (policy != nullptr) {
            const int level = cases::alert_level(*policy, cur.deadline, now);
            j["alert"] = level == 0 ? json(nullptr)
                                    : json(cases::alert_name(*policy, cur.deadline.unit, level));
        }
    } else {
        j["deadline"] = nullptr;
        j["overdue"] = false;
    }
    return j;
}

json to_json(const Notice& n, TimeMs now) {
    json j{{"id", n.id},
           {"subject", n.subject},
           {"issued_by", n.issued_by},
           {"issued_at", iso(n.issued_at)},
           {"respond_by", iso(n.respond_by)},
           {"text", n.text},
           {"answered", n.responded_at.has_value()},
           {"overdue", n.overdue(now)}};
    j["response"] = n.responded_at ? json(n.response) : json(nullptr);
    j["responded_by"] = n.responded_at ? json(n.responded_by) : json(nullptr);
    j["responded_at"] = n.responded_at ? json(iso(*n.responded_at)) : json(nullptr);
    return j;
}

json to_json(const cases::EvidenceItem& item) {
    json j{{"code", item.code},
           {"description", item.description},
           {"case_id", item.case_id},
           {"holder", item.holder},
           {"location", item.location},
           {"condition", item.condition},
           {"last_event_at", iso(item.last_event_at)},
           {"events", item.event_count}};
    if (item.pending) {
        j["pending_handover"] = {{"giver", item.pending->giver},
                                 {"receiver", item.pending->receiver},
                                 {"place", item.pending->place},
                                 {"condition", item.pending->condition},
                                 {"proposed_at", iso(item.pending->proposed_at)}};
    } else {
        j["pending_handover"] = nullptr;
    }
    j["disposal"] = item.disposal ? json(cases::to_string(*item.disposal)) : json(nullptr);
    return j;
}

std::string_view image_type_of(std::string_view b) {
    if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF") return "image/jpeg";
    if (b.size() >= 8 && b.substr(0, 8) == "\x89PNG\r\n\x1A\n") return "image/png";
    if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return "image/webp";
    return {};
}

json to_json(const Photo& p) {
    return json{{"sha256", p.sha256}, {"content_type", p.content_type},
                {"bytes", p.bytes},   {"caption", p.caption},
                {"at", iso(p.at)},    {"by", p.by}};
}

json custody_payload(const cases::CustodyEvent& e) {
    json j{{"item_code", e.item_code}, {"at", iso(e.at)}};
    auto put = [&j](const char* key, const std::string& v) {
        if (!v.empty()) j[key] = v;
    };
    put("case_id", e.case_id);
    put("description", e.description);
    put("giver", e.giver);
    put("receiver", e.receiver);
    put("place", e.place);
    put("condition", e.condition);
    if (e.kind == cases::CustodyEventKind::disposed) {
        j["disposal"] = cases::to_string(e.disposal);
        put("approver", e.approver);
    }
    put("note", e.note);
    return j;
}

base::Result<cases::CustodyEvent> custody_from_event(std::string_view kind, TimeMs /*at*/,
                                                     std::string_view actor,
                                                     std::string_view payload) {
    cases::CustodyEvent e;
    bool known = false;
    for (auto k : kCustodyKinds) {
        if (kind == fmt::format("evidence.{}", cases::to_string(k))) {
            e.kind = k;
            known = true;
        }
    }
    if (!known) {
        return base::error(Code::corrupt_file, "kind",
                           fmt::format("{} is not a custody event kind", kind));
    }
    PayloadReader r(kind, payload);
    e.item_code = r.str("item_code");
    e.at = r.time("at");
    e.actor = std::string(actor);
    e.case_id = r.str("case_id", false);
    e.description = r.str("description", false);
    e.giver = r.str("giver", false);
    e.receiver = r.str("receiver", false);
    e.place = r.str("place", false);
    e.condition = r.str("condition", false);
    e.approver = r.str("approver", false);
    e.note = r.str("note", false);
    if (e.kind == cases::CustodyEventKind::disposed) {
        auto d = cases::disposal_from_string(r.str("disposal"));
        if (r.ok() && !d) r.fail("disposal", "is not returned, confiscated or destroyed");
        if (d) e.disposal = *d;
    }
    if (!r.ok()) return r.error();
    return e;
}

void CaseBook::clear() {
    *this = CaseBook();
}

bool CaseBook::is_book_event(std::string_view kind) {
    return kind.starts_with("case.") || kind.starts_with("evidence.") ||
           kind.starts_with("notice.");
}

const Case* CaseBook::find(Id id) const {
    auto it = cases_.find(id);
    return it == cases_.end() ? nullptr : &it->second;
}

const Case* CaseBook::case_of(const cases::EvidenceItem& item) const {
    const auto id = parse_id(item.case_id);
    return id ? find(*id) : nullptr;
}

const Case* CaseBook::case_of(const Notice& n) const {
    constexpr std::string_view kPrefix = "case/";
    if (!n.subject.starts_with(kPrefix)) return nullptr;
    const auto id = parse_id(std::string_view(n.subject).substr(kPrefix.size()));
    return id ? find(*id) : nullptr;
}

Case* CaseBook::find_mutable(Id id) {
    auto it = cases_.find(id);
    return it == cases_.end() ? nullptr : &it->second;
}

const std::vector<ReadRecord>* CaseBook::reads_of(std::string_view subject) const {
    auto it = reads_.find(subject);
    return it == reads_.end() ? nullptr : &it->second;
}

const std::vector<cases::CustodyEvent>* CaseBook::custody_of(std::string_view code) const {
    auto it = custody_.find(code);
    return it == custody_.end() ? nullptr : &it->second;
}

const std::vector<Photo>& CaseBook::photos_of(std::string_view code) const {
    static const std::vector<Photo> kNone;
    auto it = photos_.find(code);
    return it == photos_.end() ? kNone : it->second;
}

const Photo* CaseBook::photo(std::string_view code, std::string_view sha256) const {
    for (const Photo& p : photos_of(code)) {
        if (p.sha256 == sha256) return &p;
    }
    return nullptr;
}

base::Status CaseBook::apply(const Event& e) {
    if (!is_book_event(e.kind)) return {};
    const std::string_view kind = e.kind;
    if (kind == "case.read" || kind == "evidence.read") {
        ReadRecord rr{e.at, e.actor, e.kind, {}};
        if (kind == "evidence.read") {
            PayloadReader r(kind, e.payload);
            rr.photo = r.str("photo", false);
            if (!r.ok()) return r.error();
        }
        reads_[e.subject].push_back(std::move(rr));
        ++applied_;
        return {};
    }
    if (kind == "evidence.photo_attached") {
        PayloadReader r(kind, e.payload);
        const std::string code = r.str("item_code");
        Photo p;
        p.sha256 = r.str("sha256");
        p.content_type = r.str("content_type");
        p.bytes = r.integer("bytes");
        p.caption = r.str("caption", false);
        p.at = e.at;
        p.by = e.actor;
        if (r.ok() && ledger_.find(code) == nullptr) r.fail("item_code", "names no item");
        if (r.ok() && (p.sha256.size() != 64 ||
                       p.sha256.find_first_not_of("0123456789abcdef") != std::string::npos)) {
            r.fail("sha256", "is not 64 lower-case hex digits");
        }
        if (!r.ok()) return r.error();
        // The command never records a hash twice for one item; a repeat in the log changes
        // nothing.
        if (photo(code, p.sha256) == nullptr) photos_[code].push_back(std::move(p));
        ++applied_;
        return {};
    }
    if (kind.starts_with("evidence.")) {
        if (kind == "evidence.reconciled") {
            auto rec = reconciliation_from_event(e);
            if (!rec) return rec.error();
            reconciliations_.push_back(std::move(rec).value());
            ++applied_;
            return {};
        }
        auto ce = custody_from_event(kind, e.at, e.actor, e.payload);
        if (!ce) return ce.error();
        Case* c = nullptr;
        if (ce->kind == cases::CustodyEventKind::registered) {
            auto id = parse_id(ce->case_id);
            c = id ? find_mutable(*id) : nullptr;
            if (c == nullptr) {
                return base::error(Code::corrupt_file, "case_id",
                                   fmt::format("{} event of item {}: no case {}", kind,
                                               ce->item_code, ce->case_id));
            }
        }
        if (auto applied = ledger_.apply(*ce); !applied) return applied;
        if (c != nullptr) c->items.push_back(ce->item_code);
        custody_[ce->item_code].push_back(*ce);
        ++applied_;
        return {};
    }
    PayloadReader r(kind, e.payload);
    if (kind == "case.opened") {
        Case c;
        c.id = r.integer("id");
        auto k = parse_case_kind(r.str("kind"));
        c.type = r.str("type");
        c.title = r.str("title", false);
        c.officers = r.strings("officers");
        c.incidents = r.ids("incidents");
        c.team = r.str("team", false); // absent in events from before teams: centre level
        CaseStage s;
        s.stage = r.str("stage");
        s.legal_ref = r.str("legal_ref", false);
        s.deadline = r.deadline("deadline");
        if (r.ok() && !k) r.fail("kind", "is not criminal or administrative");
        if (r.ok() && (c.id <= 0 || cases_.count(c.id) != 0)) r.fail("id", "is not a new case id");
        if (!r.ok()) return r.error();
        c.kind = *k;
        c.opened_by = e.actor;
        c.opened_at = e.at;
        s.started_at = s.deadline.started_at;
        c.stages.push_back(std::move(s));
        max_case_id_ = std::max(max_case_id_, c.id);
        const Id id = c.id;
        cases_.emplace(id, std::move(c));
        ++applied_;
        return {};
    }
    if (kind.starts_with("case.")) {
        const Id id = r.integer("id");
        if (!r.ok()) return r.error();
        Case* c = find_mutable(id);
        if (c == nullptr)
            r.fail("id", "names no case");
        else if (!c->open() && kind != "case.deadline_alert")
            r.fail("id", "names a closed case");
        if (!r.ok()) return r.error();
        CaseStage& cur = c->stages.back();
        if (kind == "case.stage_changed") {
            CaseStage s;
            s.stage = r.str("stage");
            s.legal_ref = r.str("legal_ref", false);
            s.deadline = r.deadline("deadline");
            if (!r.ok()) return r.error();
            s.started_at = s.deadline.started_at;
            cur.ended_at = s.started_at;
            c->stages.push_back(std::move(s));
        } else if (kind == "case.closed") {
            const TimeMs closed = r.time("closed_at");
            if (!r.ok()) return r.error();
            cur.ended_at = closed;
            c->closed_at = closed;
        } else if (kind == "case.extended") {
            cases::Extension x;
            x.approver = r.str("approver");
            x.reason = r.str("reason");
            x.amount = static_cast<int>(r.integer("amount"));
            x.at = r.time("at");
            const cases::Deadline d = r.deadline("deadline");
            if (!r.ok()) return r.error();
            cur.extensions.push_back(std::move(x));
            cur.deadline = d;
        } else if (kind == "case.deadline_alert") {
            const int level = static_cast<int>(r.integer("level"));
            const std::string stage = r.str("stage");
            if (!r.ok()) return r.error();
            if (stage == cur.stage) cur.alerted_level = std::max(cur.alerted_level, level);
        } else {
            return base::error(Code::corrupt_file, "kind",
                               fmt::format("{} is not a case event kind", kind));
        }
        ++applied_;
        return {};
    }
    if (kind == "notice.issued") {
        Notice n;
        n.id = r.integer("id");
        n.subject = r.str("subject");
        n.text = r.str("text");
        n.respond_by = r.time("respond_by");
        if (r.ok() && (n.id <= 0 || notices_.count(n.id) != 0))
            r.fail("id", "is not a new notice id");
        if (!r.ok()) return r.error();
        n.issued_by = e.actor;
        n.issued_at = e.at;
        max_notice_id_ = std::max(max_notice_id_, n.id);
        const Id id = n.id;
        notices_.emplace(id, std::move(n));
        ++applied_;
        return {};
    }
    if (kind == "notice.responded") {
        const Id id = r.integer("id");
        const std::string text = r.str("response");
        if (!r.ok()) return r.error();
        auto it = notices_.find(id);
        if (it == notices_.end() || it->second.responded_at) {
            r.fail("id", "names no unanswered notice");
            return r.error();
        }
        it->second.response = text;
        it->second.responded_by = e.actor;
        it->second.responded_at = e.at;
        ++applied_;
        return {};
    }
    return base::error(Code::corrupt_file, "kind", fmt::format("{} is not a known kind", kind));
}

base::Status CaseBook::push(Event e, std::vector<Event>& out) {
    if (auto applied = apply(e); !applied) {
        return base::error(Code::internal, applied.error().field,
                           fmt::format("cannot apply own event: {}", applied.error().detail));
    }
    out.push_back(std::move(e));
    return {};
}

base::Result<const Case*> CaseBook::open_case(const NewCase& in, const CaseRules& rules,
                                              std::string_view actor, TimeMs at,
                                              std::vector<Event>& out) {
    if (in.officers.empty()) {
        return base::error(Code::field_missing, "officers",
                           "officers: at least one handling officer is required");
    }
    const cases::StageLimit* row = rules.limits.find(in.kind, in.stage);
    if (row == nullptr) return unknown_stage(rules, in.kind, in.stage);
    auto deadline = cases::compute_deadline(*row, in.started_at, {}, rules.context());
    if (!deadline) return deadline.error();
    const Id id = max_case_id_ + 1;
    json payload{
        {"id", id},          {"kind", cases::to_string(in.kind)}, {"type", in.type},
        {"title", in.title}, {"officers", in.officers},           {"incidents", in.incidents},
        {"stage", in.stage}, {"legal_ref", row->legal_ref},       {"deadline", to_json(*deadline)},
        {"team", in.team}};
    auto pushed = push(
        Event::log_only(at, std::string(actor), "case.opened", case_subject(id), payload), out);
    if (!pushed) return pushed.error();
    return find(id);
}

base::Result<const Case*> CaseBook::change_stage(Id id, std::string_view stage, TimeMs started_at,
                                                 const CaseRules& rules, std::string_view actor,
                                                 TimeMs at, std::vector<Event>& out) {
    const Case* c = find(id);
    if (c == nullptr) return unknown_case(id);
    if (!c->open()) {
        return base::error(Code::invalid_transition, "id",
                           fmt::format("id: case {} is closed", id));
    }
    const CaseStage& cur = c->current();
    if (started_at < cur.started_at) {
        return base::error(Code::backdated_event, "started_at",
                           fmt::format("started_at: {} is before the current stage began ({})",
                                       iso(started_at), iso(cur.started_at)));
    }
    if (stage == kClosedStage) {
        auto pushed = push(
            Event::log_only(at, std::string(actor), "case.closed", case_subject(id),
                            {{"id", id}, {"stage", cur.stage}, {"closed_at", iso(started_at)}}),
            out);
        if (!pushed) return pushed.error();
        return find(id);
    }
    if (stage == cur.stage) {
        return base::error(Code::invalid_transition, "stage",
                           fmt::format("stage: case {} is already at {}", id, stage));
    }
    const cases::StageLimit* row = rules.limits.find(c->kind, stage);
    if (row == nullptr) return unknown_stage(rules, c->kind, stage);
    auto deadline = cases::compute_deadline(*row, started_at, {}, rules.context());
    if (!deadline) return deadline.error();
    json payload{{"id", id},
                 {"from", cur.stage},
                 {"stage", stage},
                 {"legal_ref", row->legal_ref},
                 {"deadline", to_json(*deadline)}};
    auto pushed = push(
        Event::log_only(at, std::string(actor), "case.stage_changed", case_subject(id), payload),
        out);
    if (!pushed) return pushed.error();
    return find(id);
}

base::Result<const Case*> CaseBook::extend(Id id, const cases::Extension& ext,
                                           const CaseRules& rules, std::vector<Event>& out) {
    const Case* c = find(id);
    if (c == nullptr) return unknown_case(id);
    if (!c->open()) {
        return base::error(Code::invalid_transition, "id",
                           fmt::format("id: case {} is closed", id));
    }
    const CaseStage& cur = c->current();
    const cases::StageLimit* row = rules.limits.find(c->kind, cur.stage);
    if (row == nullptr) return unknown_stage(rules, c->kind, cur.stage);
    if (auto ok = cases::check_extension(*row, cur.deadline, ext); !ok) return ok.error();
    std::vector<cases::Extension> all = cur.extensions;
    all.push_back(ext);
    auto deadline = cases::compute_deadline(*row, cur.started_at, all, rules.context());
    if (!deadline) return deadline.error();
    json payload{{"id", id},
                 {"stage", cur.stage},
                 {"approver", ext.approver},
                 {"reason", ext.reason},
                 {"amount", ext.amount},
                 {"unit", cases::to_string(row->extension_unit)},
                 {"at", iso(ext.at)},
                 {"extension_ref", row->extension_ref},
                 {"deadline", to_json(*deadline)}};
    auto pushed = push(
        Event::log_only(ext.at, ext.approver, "case.extended", case_subject(id), payload), out);
    if (!pushed) return pushed.error();
    return find(id);
}

std::vector<CaseAlert> CaseBook::check_deadlines(TimeMs now, const cases::AlertPolicy& policy,
                                                 std::vector<Event>& out) {
    std::vector<cases::WatchedDeadline> watched;
    std::vector<Id> ids;
    for (const auto& [id, c] : cases_) {
        if (!c.open()) continue;
        const CaseStage& cur = c.current();
        // Cheap test first: most open cases are far from their first threshold.
        if (cases::alert_level(policy, cur.deadline, now) <= cur.alerted_level) continue;
        watched.push_back({case_subject(id), cur.deadline, cur.alerted_level});
        ids.push_back(id);
    }
    std::vector<CaseAlert> raised;
    for (const cases::AlertDue& due : cases::alerts_due(policy, watched, now)) {
        const Id id = ids[due.index];
        const CaseStage& cur = cases_.at(id).current();
        CaseAlert a{id, cur.stage, due.level, due.name, cur.deadline.ends_at};
        json payload{{"id", id},
                     {"stage", cur.stage},
                     {"level", due.level},
                     {"name", due.name},
                     {"ends_at", iso(cur.deadline.ends_at)},
                     {"remaining_s", due.remaining_ms / 1000}};
        if (push(Event::log_only(now, "system", "case.deadline_alert", case_subject(id), payload),
                 out)) {
            raised.push_back(std::move(a));
        }
    }
    return raised;
}

base::Result<const cases::EvidenceItem*> CaseBook::record_custody(const cases::CustodyEvent& e,
                                                                  TimeMs recorded_at,
                                                                  std::vector<Event>& out) {
    if (e.kind == cases::CustodyEventKind::registered) {
        auto id = parse_id(e.case_id);
        const Case* c = id ? find(*id) : nullptr;
        if (c == nullptr) {
            return base::error(Code::not_found, "case_id",
                               fmt::format("case_id: no case with id {}", e.case_id));
        }
        if (!c->open()) {
            return base::error(Code::invalid_transition, "case_id",
                               fmt::format("case_id: case {} is closed", e.case_id));
        }
    }
    if (auto ok = ledger_.check(e); !ok) return ok.error();
    auto pushed = push(Event::log_only(recorded_at, e.actor,
                                       fmt::format("evidence.{}", cases::to_string(e.kind)),
                                       item_subject(e.item_code), custody_payload(e)),
                       out);
    if (!pushed) return pushed.error();
    return ledger_.find(e.item_code);
}

Reconciliation CaseBook::reconcile(std::string_view location,
                                   const std::vector<std::string>& scanned, std::string_view actor,
                                   TimeMs at, std::vector<Event>& out) {
    Reconciliation r;
    r.location = std::string(location);
    for (const auto& item : ledger_.items()) {
        if (item.location == location && !item.disposal) ++r.expected;
    }
    r.discrepancies = cases::reconcile(ledger_.items(), location, scanned);
    std::vector<std::string> codes;
    for (const auto& s : scanned) {
        if (std::find(codes.begin(), codes.end(), s) == codes.end()) codes.push_back(s);
    }
    r.scanned = codes.size();
    json found = json::array();
    for (const auto& d : r.discrepancies) {
        found.push_back({{"kind", cases::to_string(d.kind)},
                         {"item_code", d.item_code},
                         {"recorded_location", d.recorded_location},
                         {"scanned_location", d.scanned_location},
                         {"detail", d.detail}});
    }
    json payload{{"location", r.location},
                 {"expected", r.expected},
                 {"scanned", codes},
                 {"discrepancies", std::move(found)}};
    (void)push(Event::log_only(at, std::string(actor), "evidence.reconciled",
                               fmt::format("storage/{}", location), payload),
               out);
    r.at = at;
    r.actor = std::string(actor);
    return r;
}

base::Result<const Notice*> CaseBook::issue_notice(const NewNotice& in, std::string_view actor,
                                                   TimeMs at, std::vector<Event>& out) {
    if (in.respond_by <= at) {
        return base::error(Code::field_invalid, "respond_by",
                           "respond_by: the response deadline must lie in the future");
    }
    const Id id = max_notice_id_ + 1;
    json payload{
        {"id", id}, {"subject", in.subject}, {"text", in.text}, {"respond_by", iso(in.respond_by)}};
    auto pushed = push(Event::log_only(at, std::string(actor), "notice.issued",
                                       fmt::format("notice/{}", id), payload),
                       out);
    if (!pushed) return pushed.error();
    return &notices_.at(id);
}

base::Result<const Notice*> CaseBook::respond(Id id, std::string_view text, std::string_view actor,
                                              TimeMs at, std::vector<Event>& out) {
    auto it = notices_.find(id);
    if (it == notices_.end()) {
        return base::error(Code::not_found, "id", fmt::format("id: no notice with id {}", id));
    }
    if (it->second.responded_at) {
        return base::error(Code::invalid_transition, "id",
                           fmt::format("id: notice {} was answered by {} at {}", id,
                                       it->second.responded_by, iso(*it->second.responded_at)));
    }
    auto pushed =
        push(Event::log_only(
                 at, std::string(actor), "notice.responded", fmt::format("notice/{}", id),
                 {{"id", id}, {"subject", it->second.subject}, {"response", std::string(text)}}),
             out);
    if (!pushed) return pushed.error();
    return &notices_.at(id);
}

void CaseBook::record_read(std::string_view kind, std::string_view subject, std::string_view actor,
                           TimeMs at, std::vector<Event>& out) {
    (void)push(Event::log_only(at, std::string(actor), std::string(kind), std::string(subject),
                               {{"subject", std::string(subject)}}),
               out);
}

base::Result<const Photo*> CaseBook::attach_photo(std::string_view code, const NewPhoto& p,
                                                  std::string_view actor, TimeMs at,
                                                  std::vector<Event>& out) {
    if (ledger_.find(code) == nullptr) {
        return base::error(Code::unknown_item, "code",
                           fmt::format("code: no evidence item with code {}", code));
    }
    if (const Photo* existing = photo(code, p.sha256)) return existing;
    json payload{{"item_code", std::string(code)},
                 {"sha256", p.sha256},
                 {"content_type", p.content_type},
                 {"bytes", p.bytes}};
    if (!p.caption.empty()) payload["caption"] = p.caption;
    auto pushed = push(Event::log_only(at, std::string(actor), "evidence.photo_attached",
                                       item_subject(code), payload),
                       out);
    if (!pushed) return pushed.error();
    return photo(code, p.sha256);
}

void CaseBook::record_photo_read(std::string_view code, std::string_view sha256,
                                 std::string_view actor, TimeMs at, std::vector<Event>& out) {
    const std::string subject = item_subject(code);
    (void)push(Event::log_only(at, std::string(actor), "evidence.read", subject,
                               {{"subject", subject}, {"photo", std::string(sha256)}}),
               out);
}

} // namespace pingan::ops
