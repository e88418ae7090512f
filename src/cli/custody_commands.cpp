// pingan custody verify ITEM: the chain of custody of one evidence item, from the event log,
// checked twice: by the custody rules (cases::verify_chain: every hand-over two-party, no
// back-dating, …) and by the hash chain (each of the item's events still hashes to its stored
// hash, and the whole log verifies).
#include <filesystem>

#include <fmt/core.h>

#include "base/sha256.hpp"
#include "cases/custody.hpp"
#include "cli/commands.hpp"
#include "ops/case_book.hpp"
#include "store/sqlite_store.hpp"

namespace pingan::cli {
namespace {

struct Link {
    store::EventRecord record;
    bool hash_ok = true;
};

std::string describe(const cases::CustodyEvent& e) {
    using K = cases::CustodyEventKind;
    switch (e.kind) {
    case K::registered:
        return fmt::format("registered by {} at {} (case {}: {})", e.actor, e.place, e.case_id,
                           e.description);
    case K::handover_proposed:
        return fmt::format("{} offers it to {} at {}", e.giver, e.receiver, e.place);
    case K::handover_confirmed:
        return fmt::format("{} confirms receipt from {} at {}", e.receiver, e.giver, e.place);
    case K::handover_cancelled:
        return fmt::format("hand-over cancelled by {}", e.actor);
    case K::relocated:
        return fmt::format("{} puts it in {}", e.actor, e.place);
    case K::disposed:
        return fmt::format("{} by {}, approved by {}", cases::to_string(e.disposal), e.actor,
                           e.approver);
    }
    return "?";
}

// A photo event: "photo <sha256> (<type>, <n> bytes) attached by <actor>".
std::string describe_photo(const store::EventRecord& r) {
    const auto doc = nlohmann::json::parse(r.payload, nullptr, false);
    auto field = [&doc](const char* key) {
        if (!doc.is_object() || !doc.contains(key)) return std::string("?");
        return doc[key].is_string() ? doc[key].get<std::string>() : doc[key].dump();
    };
    return fmt::format("photo {} ({}, {} bytes) attached by {}", field("sha256"),
                       field("content_type"), field("bytes"), r.actor);
}

// Why a photo event's bytes are not as recorded (missing, another hash), or empty.
std::string photo_problem(store::Store& store, const store::EventRecord& r) {
    const auto doc = nlohmann::json::parse(r.payload, nullptr, false);
    if (!doc.is_object() || !doc.contains("sha256") || !doc["sha256"].is_string())
        return "unreadable payload: no sha256";
    const std::string sha = doc["sha256"].get<std::string>();
    auto blob = store.blob(sha);
    if (!blob) return blob.error().detail;
    if (!blob->has_value()) return fmt::format("no stored bytes for photo {}", sha);
    if (base::sha256_hex((*blob)->bytes) != sha)
        return fmt::format("the stored bytes of photo {} do not match its hash", sha);
    return {};
}

int custody_verify(const std::string& db, const std::string& code) {
    if (!cases::valid_item_code(code)) {
        return fail_input(fmt::format("ITEM: '{}' is not an item code", code));
    }
    if (!std::filesystem::exists(db)) return fail_input(fmt::format("--db: no file at {}", db));
    auto store = store::SqliteStore::open(db);
    if (!store) return fail_input(store.error().detail);
    const std::string subject = ops::item_subject(code);
    std::vector<Link> links;
    std::int64_t after = 0;
    for (;;) {
        auto page = (*store)->events_after(after, 1000);
        if (!page) return fail_input(page.error().detail);
        if (page->empty()) break;
        for (auto& r : *page) {
            after = r.seq;
            if (r.subject != subject || r.kind == "evidence.read") continue;
            const bool ok = store::event_hash(r) == r.hash;
            links.push_back(Link{std::move(r), ok});
        }
    }
    if (links.empty()) {
        return fail_input(fmt::format("ITEM: no evidence item with code {} in the log", code));
    }
    fmt::print("custody chain of {} ({} events)\n", code, links.size());
    std::vector<cases::CustodyEvent> events;
    std::optional<std::string> broken;
    std::size_t photos = 0;
    for (const Link& l : links) {
        const std::string mark = l.hash_ok ? "ok  " : "BAD ";
        if (l.record.kind == "evidence.photo_attached") {
            // Not a custody step: its event is checked, and the stored bytes against the hash.
            ++photos;
            auto problem = photo_problem(**store, l.record);
            fmt::print("  {} seq {} {} {}\n", problem.empty() ? mark : "BAD ", l.record.seq,
                       base::format_iso8601(l.record.at), describe_photo(l.record));
            if (!broken && !l.hash_ok) {
                broken = fmt::format("event {} ({}): its bytes do not match its hash (changed "
                                     "after it was written)",
                                     l.record.seq, l.record.kind);
            }
            if (!broken && !problem.empty()) {
                broken = fmt::format("event {} ({}): {}", l.record.seq, l.record.kind, problem);
            }
            continue;
        }
        auto e =
            ops::custody_from_event(l.record.kind, l.record.at, l.record.actor, l.record.payload);
        if (!e) {
            fmt::print("  {} seq {} {} {}: unreadable payload: {}\n", mark, l.record.seq,
                       base::format_iso8601(l.record.at), l.record.kind, e.error().detail);
            if (!broken) {
                broken =
                    fmt::format("event {} ({}): {}", l.record.seq, l.record.kind, e.error().detail);
            }
            continue;
        }
        fmt::print("  {} seq {} {} {}\n", mark, l.record.seq, base::format_iso8601(e->at),
                   describe(*e));
        if (!l.hash_ok && !broken) {
            broken = fmt::format("event {} ({}): its bytes do not match its hash (changed after "
                                 "it was written)",
                                 l.record.seq, l.record.kind);
        }
        events.push_back(std::move(e).value());
    }
    const cases::ChainCheck check = cases::verify_chain(events);
    if (!check.ok && !broken) {
        // verify_chain counts the readable events; name the stored event it refers to.
        std::size_t index = check.bad.value_or(0);
        std::int64_t seq = 0;
        for (const Link& l : links) {
            if (l.record.kind == "evidence.photo_attached") continue;
            if (!ops::custody_from_event(l.record.kind, l.record.at, l.record.actor,
                                         l.record.payload)) {
                continue;
            }
            if (index == 0) {
                seq = l.record.seq;
                break;
            }
            --index;
        }
        broken = fmt::format("event {}: {}", seq,
                             check.reason ? check.reason->detail : std::string("invalid link"));
    }
    auto report = (*store)->verify_chain();
    if (!report) return fail_input(report.error().detail);
    if (report->broken_seq && !broken) {
        broken = fmt::format("the event log is broken at event {}: {}", *report->broken_seq,
                             report->reason);
    }
    if (broken) {
        fmt::print("BROKEN: {}\n", *broken);
        return kExitFailed;
    }
    if (check.item) {
        const cases::EvidenceItem& item = *check.item;
        fmt::print("holder {}, location {}{}{}\n", item.holder, item.location,
                   item.pending ? fmt::format(", hand-over to {} pending", item.pending->receiver)
                                : std::string(),
                   item.disposal ? fmt::format(", {}", cases::to_string(*item.disposal))
                                 : std::string());
    }
    if (photos > 0) fmt::print("{} photos, their stored bytes match their hashes\n", photos);
    fmt::print("ok: {} custody events follow the rules; hash chain ok ({} events, head {})\n",
               check.checked, report->count, report->head_hash);
    return kExitOk;
}

} // namespace

void add_custody_commands(CLI::App& app, RunState& state) {
    CLI::App* custody = app.add_subcommand("custody", "Evidence chain of custody");
    custody->require_subcommand(1);
    auto db = std::make_shared<std::string>();
    auto item = std::make_shared<std::string>();
    CLI::App* verify = custody->add_subcommand(
        "verify", "Print an item's chain of custody and check it (exit 1 names the bad link)");
    verify->add_option("ITEM", *item, "item code")->required();
    verify->add_option("--db", *db, "database file")->required();
    verify->callback([db, item, &state] { state.exit_code = custody_verify(*db, *item); });
}

} // namespace pingan::cli
