#include "store/hash_chain.hpp"

#include "base/sha256.hpp"

namespace pingan::store {
namespace {

void add_field(base::Sha256& h, std::string_view field) {
    h.update(std::to_string(field.size()));
    h.update(":");
    h.update(field);
    h.update(",");
}

} // namespace

std::string event_hash(std::string_view prev_hash, std::int64_t seq, base::TimeMs at,
                       std::string_view actor, std::string_view kind, std::string_view subject,
                       std::string_view payload) {
    base::Sha256 h;
    add_field(h, prev_hash);
    add_field(h, std::to_string(seq));
    add_field(h, std::to_string(at));
    add_field(h, actor);
    add_field(h, kind);
    add_field(h, subject);
    add_field(h, payload);
    return h.hex();
}

} // namespace pingan::store
