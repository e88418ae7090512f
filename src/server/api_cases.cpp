// /api/v1/cases, /api/v1/evidence, /api/v1/notices, /api/v1/oversight, /api/v1/audit/reads,
// /api/v1/reports/{deadline-compliance,custody-discrepancies}:
// cases with statutory deadlines, evidence custody and oversight (issue 8, docs/cases.md "In
// the server"). Every change is an event of the hash chain, made by the case book the Board
// holds; every read of a case or an item is a log-only event (case.read, evidence.read).
//
// Who sees what (docs/cases.md "Who sees what"): the role matrix admits unit accounts,
// supervisors and auditors; CaseScope (case_scope.hpp) then limits a unit account to the cases
// it handles and a team's supervisor to its team's cases, with their items and notices. Every
// check below asks CaseScope; a case or item the caller may not see is a 403 naming the field.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include "base/sha256.hpp"
#include "base/utf8.hpp"
#include "cases/label_svg.hpp"
#include "io/case_report_files.hpp"
#include "ops/case_reports.hpp"
#include "server/api.hpp"
#include "server/body_reader.hpp"
#include "server/case_scope.hpp"

namespace pingan::server {
namespace {

using base::Code;
using nlohmann::json;
using ops::Id;

constexpr std::size_t kMaxText = 2000;
constexpr std::size_t kMaxName = 100;
constexpr std::int64_t kFutureSlackMs = 60'000; // clocks of terminals differ a little

base::Error no_rules() {
    return base::error(Code::unavailable,
                       "cases are not configured: case_limits.toml was not loaded");
}

base::Error not_yours(std::string_view field, std::string_view what, std::string_view user) {
    return base::error(Code::forbidden, std::string(field),
                       fmt::format("{}: {} is not handled by {}", field, what, user));
}

// "PT72H", "P3D", "P1DT12H", "3d", "72h", "90m", "1d12h" -> milliseconds.
std::optional<std::int64_t> parse_duration_ms(std::string_view s) {
    if (s.empty() || s.size() > 32) return std::nullopt;
    bool iso = false;
    bool in_time = false;
    if (s[0] == 'P' || s[0] == 'p') {
        iso = true;
        s.remove_prefix(1);
    }
    std::int64_t total = 0;
    bool any = false;
    while (!s.empty()) {
        if (iso && (s[0] == 'T' || s[0] == 't')) {
            if (in_time) return std::nullopt;
            in_time = true;
            s.remove_prefix(1);
            continue;
        }
        std::int64_t n = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (ec != std::errc() || end == s.data() + s.size() || n < 0 || n > 100'000)
            return std::nullopt;
        const char unit = static_cast<char>(std::tolower(static_cast<unsigned char>(*end)));
        std::int64_t ms = 0;
        if (unit == 'w' && (!iso || !in_time)) {
            ms = 7 * 86'400'000LL;
        } else if (unit == 'd' && (!iso || !in_time)) {
            ms = 86'400'000LL;
        } else if (unit == 'h' && (!iso || in_time)) {
            ms = 3'600'000LL;
        } else if (unit == 'm' && (!iso || in_time)) {
            ms = 60'000LL;
        } else if (unit == 's' && (!iso || in_time)) {
            ms = 1'000LL;
        } else {
            return std::nullopt;
        }
        total += n * ms;
        any = true;
        s.remove_prefix(static_cast<std::size_t>(end - s.data()) + 1);
    }
    if (!any) return std::nullopt;
    return total;
}

// An optional "at" of a custody step: when it happened, not after now.
std::optional<base::TimeMs> step_time(BodyReader& r, base::TimeMs now, const char* key = "at") {
    auto at = r.time(key, Need::optional);
    if (r.ok() && at && *at > now + kFutureSlackMs) {
        r.fail(Code::field_invalid, key, fmt::format("{}: lies in the future", key));
    }
    return at;
}

// Item code from the path: the form of a code first, so a bad one is a 422, not a 404.
base::Result<std::string> path_code(const Request& req) {
    const std::string& code = req.params.at(0);
    if (!cases::valid_item_code(code)) {
        return base::error(Code::field_invalid, "code",
                           fmt::format("code: '{}' is not an item code (1..40 of A-Z a-z 0-9 "
                                       "- . _ /)",
                                       code.substr(0, 40)));
    }
    return code;
}

base::Error unknown_item(std::string_view code) {
    return base::error(Code::unknown_item, "code",
                       fmt::format("code: no evidence item with code {}", code));
}

// The item with `code` if `who` may see it: 404 for an unknown code, 403 for another's item.
base::Result<const cases::EvidenceItem*>
seen_item(const ops::CaseBook& book, const auth::Principal& who, const std::string& code) {
    const cases::EvidenceItem* item = book.ledger().find(code);
    if (item == nullptr) return unknown_item(code);
    if (!CaseScope(who).sees(book, *item))
        return not_yours("code", fmt::format("item {}", code), who.username);
    return item;
}

// Users named in a body (officers, receivers) must exist and be able to handle cases.
base::Status check_people(ApiContext& ctx, std::string_view field,
                          const std::vector<std::string>& names) {
    for (const auto& name : names) {
        auto user = ctx.ops.store().user(name);
        if (!user) return user.error();
        if (!user->has_value() || (*user)->disabled) {
            return base::error(Code::unknown_user, std::string(field),
                               fmt::format("{}: no active user {}", field, name.substr(0, 64)));
        }
        auto role = auth::parse_role((*user)->role);
        if (!role || (*role != auth::Role::unit && *role != auth::Role::supervisor)) {
            return base::error(Code::field_invalid, std::string(field),
                               fmt::format("{}: {} is a {} account; cases are handled by unit "
                                           "and supervisor accounts",
                                           field, name, (*user)->role));
        }
    }
    return {};
}

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// ----------------------------------------------------------------------------- cases ---

void create_case(ApiContext& ctx, Request& req, Reply reply) {
    BodyReader r(req.body);
    auto incident_id = r.integer("incident_id", Need::required, 1, INT64_MAX);
    auto kind = r.one_of("kind", Need::required, {"criminal", "administrative"});
    auto type = r.string("type", Need::required, kMaxName);
    auto title = r.string("title", Need::optional, 500, true);
    auto stage = r.string("stage", Need::required, 64);
    auto officers = r.string_list("officers", Need::optional, 20, 64);
    auto team = r.string("team", Need::optional, 256, true);
    const base::TimeMs now = ctx.ops.clock().now_ms();
    auto started_at = step_time(r, now, "started_at");
    if (!r.ok()) return reply(Response::problem(r.error()));
    // The case's team: the one given, else the opener's. An account of a team opens cases for
    // that team only; a centre-level account (no team) may give any, or none.
    if (auto checked = auth::check_team(team.value_or("")); !checked) {
        return reply(Response::problem(checked.error()));
    }
    if (team && !req.principal.team.empty() && *team != req.principal.team) {
        return reply(Response::problem(
            base::error(Code::forbidden, "team",
                        fmt::format("team: {} belongs to {} and opens cases for that team only",
                                    req.principal.username, req.principal.team))));
    }
    // Linked incidents are integers; read them here (BodyReader lists hold strings).
    std::vector<Id> incidents{*incident_id};
    {
        const json doc = json::parse(req.body, nullptr, false);
        if (doc.contains("incidents")) {
            const json& l = doc["incidents"];
            if (!l.is_array() || l.size() > 50) {
                return reply(Response::problem(base::error(Code::field_type, "incidents",
                                                           "incidents: an array of up to 50 ids")));
            }
            for (const auto& v : l) {
                if (!v.is_number_integer() || v.get<Id>() <= 0) {
                    return reply(Response::problem(base::error(Code::field_type, "incidents",
                                                               "incidents: holds a non-id value")));
                }
                if (std::find(incidents.begin(), incidents.end(), v.get<Id>()) == incidents.end()) {
                    incidents.push_back(v.get<Id>());
                }
            }
        }
    }
    ops::NewCase in;
    in.kind = *kind == "criminal" ? cases::CaseKind::criminal : cases::CaseKind::administrative;
    in.type = *type;
    in.title = title.value_or("");
    in.stage = *stage;
    in.officers = officers.value_or(std::vector<std::string>{});
    in.team = team.value_or(req.principal.team);
    // A unit account opens cases it handles.
    if (req.principal.role == auth::Role::unit &&
        std::find(in.officers.begin(), in.officers.end(), req.principal.username) ==
            in.officers.end()) {
        in.officers.push_back(req.principal.username);
    }
    if (auto people = check_people(ctx, "officers", in.officers); !people) {
        return reply(Response::problem(people.error()));
    }
    in.incidents = std::move(incidents);
    const std::string actor = req.principal.username;
    ctx.ops.execute(
        [&ctx, &in, &started_at, &actor](ops::Board& board, base::TimeMs at,
                                         store::Change& change) -> base::Result<std::string> {
            const ops::CaseRules* rules = ctx.ops.case_rules();
            if (rules == nullptr) return no_rules();
            for (std::size_t i = 0; i < in.incidents.size(); ++i) {
                const Id id = in.incidents[i];
                if (board.open_incident(id) == nullptr && !board.incident_status(id)) {
                    return base::error(Code::unknown_incident, i == 0 ? "incident_id" : "incidents",
                                       fmt::format("{}: no incident with id {}",
                                                   i == 0 ? "incident_id" : "incidents", id));
                }
            }
            in.started_at = started_at.value_or(at);
            auto c = board.case_book().open_case(in, *rules, actor, at, change.events);
            if (!c) return c.error();
            return dump(ops::to_json(**c, at, &rules->limits.alerts()));
        },
        api::respond(std::move(reply), 201));
}

json case_summary(const ops::Case& c, base::TimeMs now, const cases::AlertPolicy* policy) {
    json j = ops::to_json(c, now, policy);
    j.erase("stages");
    j.erase("items");
    return j;
}

void list_cases(ApiContext& ctx, Request& req, Reply reply) {
    std::optional<std::int64_t> within_ms;
    if (const std::string* s = req.query_param("due_within")) {
        within_ms = parse_duration_ms(*s);
        if (!within_ms) {
            return reply(Response::problem(base::error(
                Code::bad_argument, "due_within",
                fmt::format("due_within: '{}' is not a duration such as PT72H, P3D, 3d or 72h",
                            s->substr(0, 40)))));
        }
    }
    std::string status = "open";
    if (const std::string* s = req.query_param("status")) status = *s;
    if (status != "open" && status != "closed" && status != "all") {
        return reply(Response::problem(
            base::error(Code::bad_argument, "status", "status: must be open, closed or all")));
    }
    if (within_ms && status != "open") {
        return reply(Response::problem(
            base::error(Code::bad_argument, "status", "status: due_within lists open cases only")));
    }
    const auth::Principal who = req.principal;
    const base::TimeMs now = ctx.ops.clock().now_ms();
    auto body = ctx.ops.with_board([&](const ops::Board& board) -> base::Result<std::string> {
        const ops::CaseRules* rules = ctx.ops.case_rules();
        if (rules == nullptr) return no_rules();
        std::vector<const ops::Case*> shown;
        const CaseScope scope(who);
        for (const auto& entry : board.case_book().cases()) {
            const ops::Case& c = entry.second;
            if (!scope.sees(c)) continue;
            if (status == "open" && !c.open()) continue;
            if (status == "closed" && c.open()) continue;
            shown.push_back(&c);
        }
        if (within_ms) {
            std::vector<cases::Deadline> deadlines;
            for (const ops::Case* c : shown)
                deadlines.push_back(c->current().deadline);
            std::vector<const ops::Case*> due;
            for (std::size_t i : cases::due_within(deadlines, now, *within_ms))
                due.push_back(shown[i]);
            shown = std::move(due);
        } else {
            // Open cases by deadline, soonest (and overdue) first; closed ones after, newest
            // first.
            std::stable_sort(
                shown.begin(), shown.end(), [](const ops::Case* a, const ops::Case* b) {
                    if (a->open() != b->open()) return a->open();
                    if (a->open())
                        return a->current().deadline.ends_at < b->current().deadline.ends_at;
                    return *a->closed_at > *b->closed_at;
                });
        }
        json items = json::array();
        for (const ops::Case* c : shown)
            items.push_back(case_summary(*c, now, &rules->limits.alerts()));
        return dump(json{{"items", std::move(items)}, {"now", base::format_iso8601(now)}});
    });
    if (!body) return reply(Response::problem(body.error()));
    reply(Response{200, "application/json", std::move(body).value(), {}});
}

// Reading a case is recorded (durably) before it is shown.
void get_case(ApiContext& ctx, Request& req, Reply reply) {
    auto id = api::path_id(req, 0, "id");
    if (!id) return reply(Response::problem(id.error()));
    const auth::Principal who = req.principal;
    ctx.ops.execute(
        [&ctx, &who, &id](ops::Board& board, base::TimeMs at,
                          store::Change& change) -> base::Result<std::string> {
            ops::CaseBook& book = board.case_book();
            const ops::Case* c = book.find(*id);
            if (c == nullptr) {
                return base::error(Code::not_found, "id",
                                   fmt::format("id: no case with id {}", *id));
            }
            if (!CaseScope(who).sees(*c))
                return not_yours("id", fmt::format("case {}", *id), who.username);
            const ops::CaseRules* rules = ctx.ops.case_rules();
            json j = ops::to_json(*c, at, rules ? &rules->limits.alerts() : nullptr);
            json notices = json::array();
            for (const auto& entry : book.notices()) {
                if (entry.second.subject == ops::case_subject(*id))
                    notices.push_back(ops::to_json(entry.second, at));
            }
            j["notices"] = std::move(notices);
            book.record_read("case.read", ops::case_subject(*id), who.username, at, change.events);
            return dump(j);
        },
        api::respond(std::move(reply), 200));
}

void change_stage(ApiContext& ctx, Request& req, Reply reply) {
    auto id = api::path_id(req, 0, "id");
    if (!id) return reply(Response::problem(id.error()));
    BodyReader r(req.body);
    auto stage = r.string("stage", Need::required, 64);
    const base::TimeMs now = ctx.ops.clock().now_ms();
    auto started_at = step_time(r, now, "started_at");
    if (!r.ok()) return reply(Response::problem(r.error()));
    const auth::Principal who = req.principal;
    ctx.ops.execute(
        [&ctx, &who, &id, &stage, &started_at](ops::Board& board, base::TimeMs at,
                                               store::Change& change) -> base::Result<std::string> {
            const ops::CaseRules* rules = ctx.ops.case_rules();
            if (rules == nullptr) return no_rules();
            ops::CaseBook& book = board.case_book();
            const ops::Case* existing = book.find(*id);
            if (existing != nullptr && !CaseScope(who).sees(*existing))
                return not_yours("id", fmt::format("case {}", *id), who.username);
            auto c = book.change_stage(*id, *stage, started_at.value_or(at), *rules, who.username,
                                       at, change.events);
            if (!c) return c.error();
            board.resolve_alert(fmt::format("case_deadline/case/{}", *id), at, change.events);
            return dump(ops::to_json(**c, at, &rules->limits.alerts()));
        },
        api::respond(std::move(reply), 200));
}

void extend_case(ApiContext& ctx, Request& req, Reply reply) {
    auto id = api::path_id(req, 0, "id");
    if (!id) return reply(Response::problem(id.error()));
    if (req.principal.role != auth::Role::supervisor) {
        return reply(Response::problem(base::error(
            Code::forbidden, "approver", "approver: only a supervisor approves an extension")));
    }
    BodyReader r(req.body);
    auto amount = r.integer("amount", Need::required, 1, 10'000);
    auto reason = r.string("reason", Need::required, kMaxText);
    if (!r.ok()) return reply(Response::problem(r.error()));
    const auth::Principal who = req.principal;
    const std::string approver = req.principal.username;
    ctx.ops.execute(
        [&ctx, &who, &id, &amount, &reason,
         &approver](ops::Board& board, base::TimeMs at,
                    store::Change& change) -> base::Result<std::string> {
            const ops::CaseRules* rules = ctx.ops.case_rules();
            if (rules == nullptr) return no_rules();
            const ops::Case* existing = board.case_book().find(*id);
            if (existing != nullptr && !CaseScope(who).sees(*existing))
                return not_yours("id", fmt::format("case {}", *id), who.username);
            cases::Extension ext{approver, *reason, static_cast<int>(*amount), at};
            auto c = board.case_book().extend(*id, ext, *rules, change.events);
            if (!c) return c.error();
            return dump(ops::to_json(**c, at, &rules->limits.alerts()));
        },
        api::respond(std::move(reply), 200));
}

// -------------------------------------------------------------------------- evidence ---

// Runs a custody command built by `make` (from the ledger and the time) and records its
// event; answers with the item.
template <class Make>
void custody_step(ApiContext& ctx, Request& req, Reply reply, int status, Make make) {
    const auth::Principal who = req.principal;
    ctx.ops.execute(
        [&who, &make](ops::Board& board, base::TimeMs at,
                      store::Change& change) -> base::Result<std::string> {
            ops::CaseBook& book = board.case_book();
            base::Result<cases::CustodyEvent> event = make(book, who, at);
            if (!event) return event.error();
            auto item = book.record_custody(*event, at, change.events);
            if (!item) return item.error();
            return dump(ops::to_json(**item));
        },
        api::respond(std::move(reply), status));
}

void register_item(ApiContext& ctx, Request& req, Reply reply) {
    BodyReader r(req.body);
    auto code = r.string("code", Need::required, 40);
    auto case_id = r.integer("case_id", Need::required, 1, INT64_MAX);
    auto description = r.string("description", Need::required, kMaxText);
    auto location = r.string("location", Need::required, kMaxName);
    auto condition = r.string("condition", Need::optional, 500, true);
    const base::TimeMs now = ctx.ops.clock().now_ms();
    auto at = step_time(r, now);
    if (!r.ok()) return reply(Response::problem(r.error()));
    custody_step(ctx, req, std::move(reply), 201,
                 [&](ops::CaseBook& book, const auth::Principal& who,
                     base::TimeMs now_ms) -> base::Result<cases::CustodyEvent> {
                     const ops::Case* c = book.find(*case_id);
                     if (c != nullptr && !CaseScope(who).sees(*c))
                         return not_yours("case_id", fmt::format("case {}", *case_id),
                                          who.username);
                     cases::NewItem item;
                     item.code = *code;
                     item.description = *description;
                     item.case_id = std::to_string(*case_id);
                     item.holder = who.username;
                     item.location = *location;
                     item.condition = condition.value_or("");
                     item.at = at.value_or(now_ms);
                     return book.ledger().register_item(item);
                 });
}

void get_item(ApiContext& ctx, Request& req, Reply reply) {
    auto code = path_code(req);
    if (!code) return reply(Response::problem(code.error()));
    const auth::Principal who = req.principal;
    ctx.ops.execute(
        [&who, &code](ops::Board& board, base::TimeMs at,
                      store::Change& change) -> base::Result<std::string> {
            ops::CaseBook& book = board.case_book();
            auto seen = seen_item(book, who, *code);
            if (!seen) return seen.error();
            const cases::EvidenceItem* item = *seen;
            json j = ops::to_json(*item);
            // The chain of custody, oldest first, as recorded.
            json chain = json::array();
            if (const auto* events = book.custody_of(*code)) {
                for (const auto& e : *events) {
                    json step = ops::custody_payload(e);
                    step["kind"] = cases::to_string(e.kind);
                    step["actor"] = e.actor;
                    chain.push_back(std::move(step));
                }
            }
            j["custody"] = std::move(chain);
            json photos = json::array();
            for (const ops::Photo& p : book.photos_of(*code))
                photos.push_back(ops::to_json(p));
            j["photos"] = std::move(photos);
            book.record_read("evidence.read", ops::item_subject(*code), who.username, at,
                             change.events);
            return dump(j);
        },
        api::respond(std::move(reply), 200));
}

// Items by case, location or holder, for the console (a label scan then opens one item).
// Summaries without the custody chain; like the case list, not a logged read.
void list_items(ApiContext& ctx, Request& req, Reply reply) {
    const std::string* case_id = req.query_param("case_id");
    const std::string* location = req.query_param("location");
    const std::string* holder = req.query_param("holder");
    const bool all =
        req.query_param("disposed") != nullptr && *req.query_param("disposed") == "true";
    const auth::Principal who = req.principal;
    auto body = ctx.ops.with_board([&](const ops::Board& board) {
        const ops::CaseBook& book = board.case_book();
        json items = json::array();
        const CaseScope scope(who);
        for (const auto& item : book.ledger().items()) {
            if (case_id != nullptr && item.case_id != *case_id) continue;
            if (location != nullptr && item.location != *location) continue;
            if (holder != nullptr && item.holder != *holder) continue;
            if (item.disposal && !all) continue;
            if (!scope.sees(book, item)) continue;
            items.push_back(ops::to_json(item));
        }
        return dump(json{{"items", std::move(items)}});
    });
    reply(Response{200, "application/json", std::move(body), {}});
}

void propose_handover(ApiContext& ctx, Request& req, Reply reply) {
    auto code = path_code(req);
    if (!code) return reply(Response::problem(code.error()));
    BodyReader r(req.body);
    auto receiver = r.string("receiver", Need::required, 64);
    auto place = r.string("place", Need::required, kMaxName);
    auto condition = r.string("condition", Need::required, 500, true);
    const base::TimeMs now = ctx.ops.clock().now_ms();
    auto at = step_time(r, now);
    if (!r.ok()) return reply(Response::problem(r.error()));
    if (*receiver != req.principal.username) {
        if (auto people = check_people(ctx, "receiver", {*receiver}); !people)
            return reply(Response::problem(people.error()));
    }
    custody_step(ctx, req, std::move(reply), 200,
                 [&](ops::CaseBook& book, const auth::Principal& who,
                     base::TimeMs now_ms) -> base::Result<cases::CustodyEvent> {
                     if (book.ledger().find(*code) == nullptr) return unknown_item(*code);
                     cases::HandoverProposal p;
                     p.giver = who.username;
                     p.receiver = *receiver;
                     p.place = *place;
                     p.condition = *condition;
                     p.at = at.value_or(now_ms);
                     return book.ledger().propose(*code, p);
                 });
}

// A custody step by the caller on an item named in the path, with an optional "at": confirm
// or cancel a hand-over. `step` asks the ledger for the event.
template <class Step>
void own_custody_step(ApiContext& ctx, Request& req, Reply reply, Step step) {
    auto code = path_code(req);
    if (!code) return reply(Response::problem(code.error()));
    BodyReader r(req.body.empty() ? std::string_view("{}") : std::string_view(req.body));
    const base::TimeMs now = ctx.ops.clock().now_ms();
    auto at = step_time(r, now);
    if (!r.ok()) return reply(Response::problem(r.error()));
    custody_step(ctx, req, std::move(reply), 200,
                 [&](ops::CaseBook& book, const auth::Principal& who,
                     base::TimeMs now_ms) -> base::Result<cases::CustodyEvent> {
                     if (book.ledger().find(*code) == nullptr) return unknown_item(*code);
                     return step(book.ledger(), *code, who.username, at.value_or(now_ms));
                 });
}

void confirm_handover(ApiContext& ctx, Request& req, Reply reply) {
    own_custody_step(ctx, req, std::move(reply),
                     [](const auto& ledger, const std::string& code, const std::string& who,
                        base::TimeMs at) { return ledger.confirm(code, who, at); });
}

void cancel_handover(ApiContext& ctx, Request& req, Reply reply) {
    own_custody_step(ctx, req, std::move(reply),
                     [](const auto& ledger, const std::string& code, const std::string& who,
                        base::TimeMs at) { return ledger.cancel(code, who, at); });
}

void relocate_item(ApiContext& ctx, Request& req, Reply reply) {
    auto code = path_code(req);
    if (!code) return reply(Response::problem(code.error()));
    BodyReader r(req.body);
    auto location = r.string("location", Need::required, kMaxName);
    const base::TimeMs now = ctx.ops.clock().now_ms();
    auto at = step_time(r, now);
    if (!r.ok()) return reply(Response::problem(r.error()));
    custody_step(ctx, req, std::move(reply), 200,
                 [&](ops::CaseBook& book, const auth::Principal& who,
                     base::TimeMs now_ms) -> base::Result<cases::CustodyEvent> {
                     if (book.ledger().find(*code) == nullptr) return unknown_item(*code);
                     return book.ledger().relocate(*code, who.username, *location,
                                                   at.value_or(now_ms));
                 });
}

// The supervisor approves; the holder disposes. The holder is taken from the ledger, and the
// event names both (CU-4: they must differ).
void dispose_item(ApiContext& ctx, Request& req, Reply reply) {
    auto code = path_code(req);
    if (!code) return reply(Response::problem(code.error()));
    if (req.principal.role != auth::Role::supervisor) {
        return reply(Response::problem(base::error(
            Code::forbidden, "approver", "approver: only a supervisor approves a disposal")));
    }
    BodyReader r(req.body);
    auto disposal = r.one_of("disposal", Need::required, {"returned", "confiscated", "destroyed"});
    auto note = r.string("note", Need::optional, kMaxText, true);
    const base::TimeMs now = ctx.ops.clock().now_ms();
    auto at = step_time(r, now);
    if (!r.ok()) return reply(Response::problem(r.error()));
    custody_step(ctx, req, std::move(reply), 200,
                 [&](ops::CaseBook& book, const auth::Principal& who,
                     base::TimeMs now_ms) -> base::Result<cases::CustodyEvent> {
                     const cases::EvidenceItem* item = book.ledger().find(*code);
                     if (item == nullptr) return unknown_item(*code);
                     // The approver answers for the case: it must be one they see.
                     if (!CaseScope(who).sees_case_of(book, *item))
                         return not_yours("code", fmt::format("item {}", *code), who.username);
                     cases::DisposalRequest d;
                     d.holder = item->holder;
                     d.disposal = *cases::disposal_from_string(*disposal);
                     d.approver = who.username;
                     d.note = note.value_or("");
                     d.at = at.value_or(now_ms);
                     return book.ledger().dispose(*code, d);
                 });
}

void item_label(ApiContext& ctx, Request& req, Reply reply) {
    auto code = path_code(req);
    if (!code) return reply(Response::problem(code.error()));
    const auth::Principal who = req.principal;
    auto svg = ctx.ops.with_board([&](const ops::Board& board) -> base::Result<std::string> {
        const ops::CaseBook& book = board.case_book();
        auto seen = seen_item(book, who, *code);
        if (!seen) return seen.error();
        const cases::EvidenceItem* item = *seen;
        cases::LabelOptions options;
        options.caption = fmt::format("case {}", item->case_id);
        return cases::code128_svg(*code, options);
    });
    if (!svg) return reply(Response::problem(svg.error()));
    reply(Response{200, "image/svg+xml", std::move(svg).value(), {}});
}

// ------------------------------------------------------------------------------ photos ---

constexpr std::size_t kMaxCaption = 500;

// The media type of a Content-Type header: without parameters, lower case.
std::string media_type(std::string_view header) {
    header = header.substr(0, header.find(';'));
    while (!header.empty() && (header.back() == ' ' || header.back() == '\t'))
        header.remove_suffix(1);
    while (!header.empty() && (header.front() == ' ' || header.front() == '\t'))
        header.remove_prefix(1);
    std::string out(header.substr(0, 100));
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool is_sha256(std::string_view s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// POST /evidence/{code}/photos: the body is the image itself; the optional caption comes in
// the query string. The checks that need only the request come first (nothing is hashed for a
// refused body); the hash is computed off the network threads.
void attach_photo(ApiContext& ctx, Request& req, Reply reply) {
    auto code = path_code(req);
    if (!code) return reply(Response::problem(code.error()));
    const std::string type = media_type(req.content_type);
    if (type != "image/jpeg" && type != "image/png" && type != "image/webp") {
        return reply(Response::problem(base::error(
            Code::unsupported_media_type, "Content-Type",
            fmt::format("Content-Type: '{}' is not image/jpeg, image/png or image/webp",
                        base::valid_utf8(type) ? type.substr(0, 60) : std::string("?")))));
    }
    if (req.body.empty()) {
        return reply(Response::problem(base::error(
            Code::field_missing, "body", "body: empty; send the image's bytes as the body")));
    }
    if (req.body.size() > kUploadLimit) {
        return reply(Response::problem(
            base::error(Code::body_too_large, "body",
                        fmt::format("body: larger than the limit of {} bytes", kUploadLimit))));
    }
    const std::string_view found = ops::image_type_of(req.body);
    if (found != type) {
        return reply(Response::problem(base::error(
            Code::field_invalid, "body",
            found.empty() ? fmt::format("body: not a {} image (its first bytes are no JPEG, PNG "
                                        "or WebP signature)",
                                        type)
                          : fmt::format("body: a {} image sent as Content-Type {}", found, type))));
    }
    std::string caption;
    if (const std::string* c = req.query_param("caption")) {
        caption = *c;
        if (!base::valid_utf8(caption)) {
            return reply(Response::problem(
                base::error(Code::field_invalid, "caption", "caption: not valid UTF-8")));
        }
        if (caption.size() > kMaxCaption) {
            return reply(Response::problem(
                base::error(Code::field_too_long, "caption",
                            fmt::format("caption: longer than {} bytes", kMaxCaption))));
        }
        if (std::any_of(caption.begin(), caption.end(),
                        [](unsigned char ch) { return ch < 0x20 || ch == 0x7f; })) {
            return reply(Response::problem(
                base::error(Code::field_invalid, "caption", "caption: holds a control character")));
        }
    }
    ctx.blocking.post([&ctx, who = req.principal, code = *code, type, caption = std::move(caption),
                       bytes = std::move(req.body), reply = std::move(reply)]() mutable {
        const std::string sha = base::sha256_hex(bytes);
        auto fresh = std::make_shared<bool>(false); // false: the item had this photo already
        ctx.ops.execute(
            [&](ops::Board& board, base::TimeMs at,
                store::Change& change) -> base::Result<std::string> {
                ops::CaseBook& book = board.case_book();
                auto seen = seen_item(book, who, code);
                if (!seen) return seen.error();
                if (const ops::Photo* had = book.photo(code, sha)) return dump(ops::to_json(*had));
                ops::NewPhoto p{sha, type, static_cast<std::int64_t>(bytes.size()), caption};
                auto photo = book.attach_photo(code, p, who.username, at, change.events);
                if (!photo) return photo.error();
                // Durable with the event that names it (stored once whatever it is attached to).
                change.side.push_back(store::Blob{sha, type, std::move(bytes), at});
                *fresh = true;
                return dump(ops::to_json(**photo));
            },
            [reply = std::move(reply), fresh](base::Result<std::string> r) {
                api::respond(reply, *fresh ? 201 : 200)(std::move(r));
            });
    });
}

// GET /evidence/{code}/photos/{sha256}: the bytes, once the read is recorded. They are read and
// checked against their hash before the lock is taken, and shown only if the caller may see the
// item and the photo is the item's.
void get_photo(ApiContext& ctx, Request& req, Reply reply) {
    auto code = path_code(req);
    if (!code) return reply(Response::problem(code.error()));
    const std::string sha = req.params.at(1);
    if (!is_sha256(sha)) {
        return reply(Response::problem(base::error(
            Code::field_invalid, "sha256",
            fmt::format("sha256: '{}' is not 64 lower-case hex digits",
                        base::valid_utf8(sha) ? sha.substr(0, 70) : std::string("?")))));
    }
    ctx.blocking.post([&ctx, who = req.principal, code = *code, sha, reply = std::move(reply)] {
        auto stored = ctx.ops.store().blob(sha);
        if (!stored) return reply(Response::problem(stored.error()));
        auto blob = std::make_shared<std::optional<store::Blob>>(std::move(stored).value());
        const bool intact = *blob && base::sha256_hex((*blob)->bytes) == sha;
        ctx.ops.execute(
            [&](ops::Board& board, base::TimeMs at,
                store::Change& change) -> base::Result<std::string> {
                ops::CaseBook& book = board.case_book();
                auto seen = seen_item(book, who, code);
                if (!seen) return seen.error();
                if (book.photo(code, sha) == nullptr) {
                    return base::error(Code::not_found, "sha256",
                                       fmt::format("sha256: item {} has no photo {}", code, sha));
                }
                if (!intact) {
                    return base::error(Code::internal, "sha256",
                                       fmt::format("sha256: the stored bytes of photo {} are "
                                                   "missing or do not match their hash",
                                                   sha));
                }
                book.record_photo_read(code, sha, who.username, at, change.events);
                return std::string();
            },
            [reply, blob](base::Result<std::string> r) {
                if (!r) return reply(Response::problem(r.error()));
                reply(Response{200, (*blob)->content_type, std::move((*blob)->bytes), {}});
            });
    });
}

void reconcile(ApiContext& ctx, Request& req, Reply reply) {
    BodyReader r(req.body);
    auto location = r.string("location", Need::required, kMaxName);
    auto codes = r.string_list("codes", Need::required, 10'000, 64);
    if (!r.ok()) return reply(Response::problem(r.error()));
    const std::string actor = req.principal.username;
    ctx.ops.execute(
        [&location, &codes, &actor](ops::Board& board, base::TimeMs at,
                                    store::Change& change) -> base::Result<std::string> {
            ops::Reconciliation rec =
                board.case_book().reconcile(*location, *codes, actor, at, change.events);
            // One open alert per location while it does not reconcile.
            const std::string key = fmt::format("custody_discrepancy/storage/{}", *location);
            board.resolve_alert(key, at, change.events);
            if (!rec.discrepancies.empty()) {
                ops::Alert a;
                a.key = key;
                a.kind = "custody_discrepancy";
                a.message = fmt::format("{}: {} discrepancies, first: {}", *location,
                                        rec.discrepancies.size(), rec.discrepancies[0].detail);
                a.raised_at = at;
                board.raise_alert(std::move(a), change.events);
            }
            json found = json::array();
            for (const auto& d : rec.discrepancies) {
                found.push_back({{"kind", cases::to_string(d.kind)},
                                 {"item_code", d.item_code},
                                 {"recorded_location", d.recorded_location},
                                 {"scanned_location", d.scanned_location},
                                 {"detail", d.detail}});
            }
            return dump(json{{"location", rec.location},
                             {"expected", rec.expected},
                             {"scanned", rec.scanned},
                             {"reconciled", rec.discrepancies.empty()},
                             {"discrepancies", std::move(found)},
                             {"at", base::format_iso8601(at)}});
        },
        api::respond(std::move(reply), 200));
}

// ------------------------------------------------------------------ notices, oversight ---

void issue_notice(ApiContext& ctx, Request& req, Reply reply) {
    BodyReader r(req.body);
    auto case_id = r.integer("case_id", Need::optional, 1, INT64_MAX);
    auto incident_id = r.integer("incident_id", Need::optional, 1, INT64_MAX);
    auto text = r.string("text", Need::required, kMaxText);
    auto respond_by = r.time("respond_by", Need::required);
    if (r.ok() && case_id.has_value() == incident_id.has_value()) {
        r.fail(Code::field_missing, "case_id", "case_id: give either case_id or incident_id");
    }
    if (!r.ok()) return reply(Response::problem(r.error()));
    const std::string actor = req.principal.username;
    const CaseScope scope(req.principal);
    ctx.ops.execute(
        [&](ops::Board& board, base::TimeMs at,
            store::Change& change) -> base::Result<std::string> {
            ops::NewNotice n;
            if (case_id) {
                const ops::Case* c = board.case_book().find(*case_id);
                if (c == nullptr) {
                    return base::error(Code::not_found, "case_id",
                                       fmt::format("case_id: no case with id {}", *case_id));
                }
                if (!scope.sees(*c))
                    return not_yours("case_id", fmt::format("case {}", *case_id), actor);
                n.subject = ops::case_subject(*case_id);
            } else {
                if (board.open_incident(*incident_id) == nullptr &&
                    !board.incident_status(*incident_id)) {
                    return base::error(
                        Code::unknown_incident, "incident_id",
                        fmt::format("incident_id: no incident with id {}", *incident_id));
                }
                n.subject = fmt::format("incident/{}", *incident_id);
            }
            n.text = *text;
            n.respond_by = *respond_by;
            auto notice = board.case_book().issue_notice(n, actor, at, change.events);
            if (!notice) return notice.error();
            return dump(ops::to_json(**notice, at));
        },
        api::respond(std::move(reply), 201));
}

void answer_notice(ApiContext& ctx, Request& req, Reply reply) {
    auto id = api::path_id(req, 0, "id");
    if (!id) return reply(Response::problem(id.error()));
    BodyReader r(req.body);
    auto response = r.string("response", Need::required, kMaxText);
    if (!r.ok()) return reply(Response::problem(r.error()));
    const auth::Principal who = req.principal;
    ctx.ops.execute(
        [&](ops::Board& board, base::TimeMs at,
            store::Change& change) -> base::Result<std::string> {
            ops::CaseBook& book = board.case_book();
            auto it = book.notices().find(*id);
            // Who may answer a notice is who sees it: a supervisor of the case's team (or of
            // the centre), one of its officers; for an incident notice any unit account.
            if (it != book.notices().end() && !CaseScope(who).sees(book, it->second)) {
                return not_yours("id", fmt::format("notice {} ({})", *id, it->second.subject),
                                 who.username);
            }
            auto notice = book.respond(*id, *response, who.username, at, change.events);
            if (!notice) return notice.error();
            return dump(ops::to_json(**notice, at));
        },
        api::respond(std::move(reply), 200));
}

void list_notices(ApiContext& ctx, Request& req, Reply reply) {
    const bool unanswered =
        req.query_param("unanswered") != nullptr && *req.query_param("unanswered") == "true";
    const auth::Principal who = req.principal;
    const base::TimeMs now = ctx.ops.clock().now_ms();
    auto body = ctx.ops.with_board([&](const ops::Board& board) {
        const ops::CaseBook& book = board.case_book();
        json items = json::array();
        const CaseScope scope(who);
        for (const auto& entry : book.notices()) {
            const ops::Notice& n = entry.second;
            if (unanswered && n.responded_at) continue;
            if (!scope.sees(book, n)) continue;
            items.push_back(ops::to_json(n, now));
        }
        return dump(json{{"items", std::move(items)}});
    });
    reply(Response{200, "application/json", std::move(body), {}});
}

// Incidents closed with no disposition recorded, from the store (newest first, capped).
base::Result<std::pair<std::int64_t, std::vector<Id>>> closed_without_disposition(ApiContext& ctx) {
    std::int64_t count = 0;
    std::vector<Id> ids;
    store::IncidentQuery q;
    q.statuses = {ops::IncidentStatus::closed};
    q.limit = 500;
    for (;;) {
        auto page = ctx.ops.store().incidents(q);
        if (!page) return page.error();
        if (page->empty()) break;
        for (const auto& i : *page) {
            if (!i.disposition.empty()) continue;
            ++count;
            if (ids.size() < 100) ids.push_back(i.id);
        }
        q.before_id = page->back().id;
        if (static_cast<int>(page->size()) < q.limit) break;
    }
    return std::pair{count, std::move(ids)};
}

// Counts over the cases, notices and items the caller sees (a team's supervisor: its team's);
// incidents and storage locations belong to no team and are counted whole.
void oversight(ApiContext& ctx, Request& req, Reply reply) {
    auto closed = closed_without_disposition(ctx);
    if (!closed) return reply(Response::problem(closed.error()));
    const base::TimeMs now = ctx.ops.clock().now_ms();
    const CaseScope scope(req.principal);
    auto body = ctx.ops.with_board([&](const ops::Board& board) -> base::Result<std::string> {
        const ops::CaseRules* rules = ctx.ops.case_rules();
        if (rules == nullptr) return no_rules();
        const ops::CaseBook& book = board.case_book();
        std::int64_t open = 0;
        std::int64_t alerting = 0;
        json overdue = json::array();
        for (const auto& entry : book.cases()) {
            const ops::Case& c = entry.second;
            if (!c.open() || !scope.sees(c)) continue;
            ++open;
            const cases::Deadline& d = c.current().deadline;
            if (d.overdue(now)) {
                overdue.push_back(case_summary(c, now, &rules->limits.alerts()));
            } else if (cases::alert_level(rules->limits.alerts(), d, now) > 0) {
                ++alerting;
            }
        }
        std::int64_t notices_open = 0;
        json late = json::array();
        for (const auto& entry : book.notices()) {
            const ops::Notice& n = entry.second;
            if (n.responded_at || !scope.sees(book, n)) continue;
            ++notices_open;
            if (n.overdue(now)) late.push_back(ops::to_json(n, now));
        }
        std::int64_t items = 0;
        std::int64_t pending = 0;
        for (const auto& item : book.ledger().items()) {
            if (item.disposal || !scope.sees(book, item)) continue;
            ++items;
            if (item.pending) ++pending;
        }
        std::int64_t discrepancies = 0;
        for (const auto& entry : board.open_alerts()) {
            if (entry.second.kind == "custody_discrepancy") ++discrepancies;
        }
        const std::size_t overdue_count = overdue.size();
        const std::size_t late_count = late.size();
        json j{{"now", base::format_iso8601(now)},
               {"counts",
                {{"open_cases", open},
                 {"overdue_cases", overdue_count},
                 {"cases_near_deadline", alerting},
                 {"unanswered_notices", notices_open},
                 {"overdue_notices", late_count},
                 {"incidents_closed_without_disposition", closed->first},
                 {"items_in_custody", items},
                 {"pending_handovers", pending},
                 {"locations_with_discrepancies", discrepancies}}},
               {"overdue_cases", std::move(overdue)},
               {"overdue_notices", std::move(late)},
               {"incidents_closed_without_disposition", closed->second}};
        return dump(j);
    });
    if (!body) return reply(Response::problem(body.error()));
    reply(Response{200, "application/json", std::move(body).value(), {}});
}

void audit_reads(ApiContext& ctx, Request& req, Reply reply) {
    const std::string* subject = req.query_param("subject");
    if (subject == nullptr || subject->empty()) {
        return reply(Response::problem(
            base::error(Code::field_missing, "subject", "subject: e.g. case/3 or evidence/CODE")));
    }
    if (!subject->starts_with("case/") && !subject->starts_with("evidence/")) {
        return reply(Response::problem(base::error(Code::bad_argument, "subject",
                                                   "subject: must start with case/ or evidence/")));
    }
    auto body = ctx.ops.with_board([&](const ops::Board& board) {
        json items = json::array();
        if (const auto* reads = board.case_book().reads_of(*subject)) {
            for (const auto& rr : *reads) {
                json read{{"at", base::format_iso8601(rr.at)},
                          {"actor", rr.actor},
                          {"kind", rr.kind},
                          {"subject", *subject}};
                if (!rr.photo.empty()) read["photo"] = rr.photo; // the bytes of this photo
                items.push_back(std::move(read));
            }
        }
        return dump(json{{"subject", *subject}, {"items", std::move(items)}});
    });
    reply(Response{200, "application/json", std::move(body), {}});
}

// ---------------------------------------------------------------------------- reports ---

struct ReportQuery {
    ops::ReportPeriod period;
    std::string format; // json, csv or html
};

// from, to (YYYY-MM, local months, both included; default the current month) and format.
base::Result<ReportQuery> report_query(const ApiContext& ctx, const Request& req,
                                       base::TimeMs now) {
    ReportQuery q;
    q.period.utc_offset_minutes = ctx.utc_offset_minutes;
    const ops::Month current = ops::month_of(now, ctx.utc_offset_minutes);
    auto month = [&req, current](const char* name) -> base::Result<ops::Month> {
        const std::string* s = req.query_param(name);
        if (s == nullptr) return current;
        auto m = ops::parse_month(*s);
        if (!m) {
            return base::error(Code::bad_argument, name,
                               fmt::format("{}: '{}' is not a month such as 2026-01 (YYYY-MM)",
                                           name, s->substr(0, 40)));
        }
        return *m;
    };
    auto to = month("to");
    if (!to) return to.error();
    auto from = req.query_param("from") != nullptr ? month("from") : base::Result<ops::Month>(*to);
    if (!from) return from.error();
    if (*to < *from) {
        return base::error(Code::bad_argument, "from",
                           fmt::format("from: {} is after to ({})", ops::format_month(*from),
                                       ops::format_month(*to)));
    }
    q.period.from = *from;
    q.period.to = *to;
    q.format = "json";
    if (const std::string* f = req.query_param("format")) q.format = *f;
    if (q.format != "json" && q.format != "csv" && q.format != "html") {
        return base::error(Code::bad_argument, "format", "format: must be json, csv or html");
    }
    return q;
}

Response report_response(const std::string& format, std::string body) {
    if (format == "csv") return Response{200, "text/csv; charset=utf-8", std::move(body), {}};
    if (format == "html") return Response{200, "text/html; charset=utf-8", std::move(body), {}};
    return Response{200, "application/json", std::move(body), {}};
}

void deadline_compliance(ApiContext& ctx, Request& req, Reply reply) {
    const base::TimeMs now = ctx.ops.clock().now_ms();
    auto q = report_query(ctx, req, now);
    if (!q) return reply(Response::problem(q.error()));
    const CaseScope scope(req.principal);
    std::string body = ctx.ops.with_board([&](const ops::Board& board) {
        std::function<bool(const ops::Case&)> include;
        if (!scope.all()) include = [&scope](const ops::Case& c) { return scope.sees(c); };
        const ops::ComplianceReport r =
            ops::deadline_compliance(board.case_book(), q->period, now, include);
        if (q->format == "csv") return io::deadline_compliance_csv(r);
        if (q->format == "html") return io::deadline_compliance_html(r);
        return dump(ops::to_json(r));
    });
    reply(report_response(q->format, std::move(body)));
}

void custody_discrepancies(ApiContext& ctx, Request& req, Reply reply) {
    const base::TimeMs now = ctx.ops.clock().now_ms();
    auto q = report_query(ctx, req, now);
    if (!q) return reply(Response::problem(q.error()));
    const CaseScope scope(req.principal);
    std::string body = ctx.ops.with_board([&](const ops::Board& board) {
        // A discrepancy is seen with its item; one naming a code the ledger does not know only
        // by those who see every case.
        std::function<bool(std::string_view)> include;
        if (!scope.all()) {
            include = [&scope, &board](std::string_view code) {
                return scope.sees_item(board.case_book(), code);
            };
        }
        const ops::DiscrepancyReport r =
            ops::custody_discrepancies(board.case_book(), q->period, include);
        if (q->format == "csv") return io::custody_discrepancies_csv(r);
        if (q->format == "html") return io::custody_discrepancies_html(r);
        return dump(ops::to_json(r));
    });
    reply(report_response(q->format, std::move(body)));
}

} // namespace

base::Status load_case_rules(ApiContext& ctx, const std::string& config_dir) {
    const std::filesystem::path dir(config_dir);
    // A centre's configuration from before cases existed still starts: case commands then
    // answer 503 until case_limits.toml is added. A file that is there must be right.
    if (!std::filesystem::exists(dir / "case_limits.toml")) {
        spdlog::warn("no case_limits.toml in {}: case and evidence commands are unavailable",
                     config_dir);
        return {};
    }
    auto limits_text = read_config_text(dir / "case_limits.toml");
    if (!limits_text) return limits_text.error();
    auto limits = cases::LimitsTable::parse(*limits_text);
    if (!limits) {
        return base::error(limits.error().code, limits.error().field,
                           fmt::format("case_limits.toml: {}", limits.error().detail));
    }
    auto rules = std::make_shared<ops::CaseRules>();
    rules->limits = std::move(limits).value();
    // The calendar is optional: without holidays.toml only weekends are rest days.
    if (std::filesystem::exists(dir / "holidays.toml")) {
        auto cal_text = read_config_text(dir / "holidays.toml");
        if (!cal_text) return cal_text.error();
        auto cal = cases::WorkCalendar::parse(*cal_text);
        if (!cal) {
            return base::error(cal.error().code, cal.error().field,
                               fmt::format("holidays.toml: {}", cal.error().detail));
        }
        rules->calendar = std::move(cal).value();
    }
    rules->utc_offset_minutes = ctx.utc_offset_minutes;
    ctx.ops.set_case_rules(std::move(rules));
    return {};
}

void add_case_routes(Router& router, ApiContext& ctx) {
    auto route = [&router, &ctx](const char* method, const char* pattern,
                                 void (*handler)(ApiContext&, Request&, Reply)) {
        router.add(method, pattern, [&ctx, handler](Request& req, Reply reply) {
            handler(ctx, req, std::move(reply));
        });
    };
    route("POST", "/api/v1/cases", create_case);
    route("GET", "/api/v1/cases", list_cases);
    route("GET", "/api/v1/cases/{id}", get_case);
    route("POST", "/api/v1/cases/{id}/stage", change_stage);
    route("POST", "/api/v1/cases/{id}/extensions", extend_case);
    route("POST", "/api/v1/evidence", register_item);
    route("GET", "/api/v1/evidence", list_items);
    route("POST", "/api/v1/evidence/reconciliation", reconcile);
    route("GET", "/api/v1/evidence/{code}", get_item);
    route("GET", "/api/v1/evidence/{code}/label.svg", item_label);
    route("POST", "/api/v1/evidence/{code}/photos", attach_photo);
    route("GET", "/api/v1/evidence/{code}/photos/{sha256}", get_photo);
    route("POST", "/api/v1/evidence/{code}/handover", propose_handover);
    route("POST", "/api/v1/evidence/{code}/handover/confirm", confirm_handover);
    route("POST", "/api/v1/evidence/{code}/handover/cancel", cancel_handover);
    route("POST", "/api/v1/evidence/{code}/relocation", relocate_item);
    route("POST", "/api/v1/evidence/{code}/disposal", dispose_item);
    route("POST", "/api/v1/notices", issue_notice);
    route("GET", "/api/v1/notices", list_notices);
    route("POST", "/api/v1/notices/{id}/response", answer_notice);
    route("GET", "/api/v1/oversight", oversight);
    route("GET", "/api/v1/audit/reads", audit_reads);
    route("GET", "/api/v1/reports/deadline-compliance", deadline_compliance);
    route("GET", "/api/v1/reports/custody-discrepancies", custody_discrepancies);
}

} // namespace pingan::server
