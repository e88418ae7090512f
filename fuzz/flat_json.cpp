// server::read_flat_object against nlohmann::json::parse, the reader it stands in for: every
// body the flat reader takes must parse there to an object with the same keys, and the same
// value of the same type under each (doubles to the bit). A difference, a crash or a hang is a
// bug.
#include "server/flat_json.hpp"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/utf8.hpp"

namespace {

[[noreturn]] void differs(std::string_view body, const char* what) {
    std::fprintf(stderr, "flat reader and nlohmann differ (%s) on: %.*s\n", what,
                 static_cast<int>(body.size()), body.data());
    std::abort();
}

bool same(const nlohmann::json& a, const nlohmann::json& b) {
    if (a.type() != b.type()) return false;
    if (a.is_number_float()) {
        return std::bit_cast<std::uint64_t>(a.get<double>()) ==
               std::bit_cast<std::uint64_t>(b.get<double>());
    }
    return a == b;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    // BodyReader refuses a body that is not valid UTF-8 before either reader sees it.
    if (!pingan::base::valid_utf8(body)) return 0;
    const auto flat = pingan::server::read_flat_object(body);
    if (!flat) return 0;
    const auto doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_discarded()) differs(body, "nlohmann refuses it");
    if (!doc.is_object() || doc.size() != flat->size()) differs(body, "fields");
    for (const auto& field : *flat) {
        const auto it = doc.find(field.key);
        if (it == doc.end()) differs(body, "a key");
        if (!same(*it, field.value)) differs(body, "a value");
    }
    return 0;
}
