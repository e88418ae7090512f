// The event hash chain. Each event's hash is SHA-256 over the previous event's hash and the
// event's canonical bytes, so changing, removing or reordering any stored event breaks every
// later link. Canonical bytes: each field as a netstring ("<length>:<bytes>,") in the order
// prev_hash, seq, at, actor, kind, subject, payload — unambiguous whatever the fields contain.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/time.hpp"

namespace pingan::store {

inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// A stored event: what the log holds and what the stream sends.
struct EventRecord {
    std::int64_t seq = 0; // 1, 2, 3, … without gaps
    base::TimeMs at = 0;
    std::string actor;
    std::string kind;
    std::string subject;
    std::string payload; // compact JSON exactly as stored and hashed
    std::string prev_hash;
    std::string hash;
};

std::string event_hash(std::string_view prev_hash, std::int64_t seq, base::TimeMs at,
                       std::string_view actor, std::string_view kind, std::string_view subject,
                       std::string_view payload);

inline std::string event_hash(const EventRecord& e) {
    return event_hash(e.prev_hash, e.seq, e.at, e.actor, e.kind, e.subject, e.payload);
}

} // namespace pingan::store
