// A request body that is one JSON object of scalar fields (numbers, plain strings, true, false,
// null), read without building nlohmann's tree: the shape of a position report and of most
// commands. Anything else (nested values, escapes, exponents, duplicate keys, errors) is left
// to nlohmann::json::parse, which also says what is wrong; for every body this reader takes,
// the fields hold exactly what that parse would give (fuzz/flat_json.cpp checks it).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace pingan::server {

struct FlatField {
    std::string key;
    nlohmann::json value; // a number, string, boolean or null, typed as nlohmann types it
};
using FlatObject = std::vector<FlatField>; // in body order; keys are distinct

// The fields of `body`, or nothing when it is not a flat object this reader takes.
// `body` must be valid UTF-8 (BodyReader checks that first).
std::optional<FlatObject> read_flat_object(std::string_view body);

} // namespace pingan::server
