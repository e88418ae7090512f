#include "server/handoff_worker.hpp"

#include <algorithm>

#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "io/http_post.hpp"
#include "server/intake.hpp"

namespace pingan::server {
namespace {

// The receiver's id for the request: Open311 answers [{"service_request_id": …}] or
// [{"token": …}] when it assigns the id later.
std::string remote_id_of(const std::string& body) {
    auto j = nlohmann::json::parse(body, nullptr, false);
    const nlohmann::json* first =
        j.is_array() && !j.empty() ? &j[0] : (j.is_object() ? &j : nullptr);
    if (first == nullptr || !first->is_object()) return {};
    for (const char* key : {"service_request_id", "token"}) {
        if (first->contains(key)) {
            const auto& v = (*first)[key];
            return v.is_string() ? v.get<std::string>() : v.dump();
        }
    }
    return {};
}

} // namespace

HandoffWorker::HandoffWorker(Operations& ops, const HandoffConfig& config)
    : ops_(ops), config_(config),
      ticker_(std::chrono::milliseconds(config.poll_ms), [this] { run_once(); }) {}

HandoffWorker::~HandoffWorker() {
    stop();
}

void HandoffWorker::start() {
    if (!config_.url.empty()) ticker_.start();
}

void HandoffWorker::stop() {
    ticker_.stop();
}

void HandoffWorker::run_once() {
    auto due = ops_.store().due_outbox(ops_.clock().now_ms(), 50);
    if (!due) {
        spdlog::warn("hand-off: cannot read the outbox: {}", due.error().detail);
        return;
    }
    for (const store::OutboxItem& item : *due)
        deliver(item);
}

void HandoffWorker::deliver(const store::OutboxItem& item) {
    std::string body = item.body;
    if (!config_.api_key.empty()) body += "&api_key=" + form_escape(config_.api_key);
    auto reply = io::http_post(config_.url, "application/x-www-form-urlencoded", body,
                               {{"Idempotency-Key", item.idempotency_key}},
                               std::chrono::seconds(config_.timeout_s));
    const base::TimeMs now = ops_.clock().now_ms();
    store::OutboxItem next = item;
    next.attempts = item.attempts + 1;
    bool delivered = false;
    bool permanent = false; // the receiver refused the request itself: retrying will not help
    if (reply && reply->status >= 200 && reply->status < 300) {
        delivered = true;
        next.status = "delivered";
        next.delivered_at = now;
        next.remote_id = remote_id_of(reply->body);
        next.last_error.clear();
    } else {
        if (reply) {
            next.last_error = fmt::format("HTTP {}: {}", reply->status, reply->body.substr(0, 200));
            permanent = reply->status >= 400 && reply->status < 500 && reply->status != 408 &&
                        reply->status != 429;
        } else {
            next.last_error = reply.error().detail;
        }
        const bool too_old = now - item.created_at > config_.give_up_after_hours * 3'600'000LL;
        if (permanent || too_old) {
            next.status = "failed";
        } else {
            const int shift = std::min(next.attempts - 1, 20);
            const base::TimeMs wait = std::min<base::TimeMs>(
                300'000, static_cast<base::TimeMs>(config_.retry_base_ms) << shift);
            next.next_attempt_at = now + wait;
        }
    }
    const std::string alert_key = fmt::format("handoff_failing/incident/{}", item.incident_id);
    const int alert_after = config_.alert_after_failures;
    ops_.execute(
        [&](ops::Board& board, base::TimeMs at,
            store::Change& change) -> base::Result<std::string> {
            const std::string subject = fmt::format("incident/{}", item.incident_id);
            nlohmann::json payload = {{"incident_id", item.incident_id},
                                      {"outbox_id", item.id},
                                      {"attempt", next.attempts},
                                      {"status", next.status}};
            if (delivered) {
                payload["remote_id"] = next.remote_id;
                change.events.push_back(
                    ops::Event::log_only(at, "system", "handoff.delivered", subject, payload));
                board.resolve_alert(alert_key, at, change.events);
            } else {
                payload["error"] = next.last_error;
                change.events.push_back(ops::Event::log_only(
                    at, "system",
                    next.status == "failed" ? "handoff.failed" : "handoff.attempt_failed", subject,
                    payload));
                if (next.attempts >= alert_after || next.status == "failed") {
                    ops::Alert a;
                    a.kind = "handoff_failing";
                    a.key = alert_key;
                    a.incident_id = item.incident_id;
                    a.message = fmt::format("hand-off to 12345 failed {} times: {}", next.attempts,
                                            next.last_error);
                    a.raised_at = at;
                    board.raise_alert(std::move(a), change.events);
                }
            }
            change.side.emplace_back(store::OutboxWrite{next, false});
            return std::string();
        },
        [id = item.id](base::Result<std::string> r) {
            if (!r) spdlog::warn("hand-off {}: outcome not stored: {}", id, r.error().detail);
        });
}

} // namespace pingan::server
