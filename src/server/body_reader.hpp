// Reads and validates a JSON request body field by field. The first problem found is kept
// (with the field's name and the reason); later reads then return nothing, so a handler reads
// every field it needs and checks ok() once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/time.hpp"
#include "server/flat_json.hpp"

namespace pingan::server {

enum class Need { required, optional };

class BodyReader {
public:
    // Parses `body`, which must be a JSON object of valid UTF-8.
    explicit BodyReader(std::string_view body);
    // Reads fields of an object nested in another body (e.g. "caller").
    BodyReader(const nlohmann::json& object, std::string prefix);

    bool ok() const { return !error_; }
    const base::Error& error() const { return *error_; }
    bool has(std::string_view key) const;

    std::optional<double> number(std::string_view key, Need need, double min, double max);
    std::optional<std::int64_t> integer(std::string_view key, Need need, std::int64_t min,
                                        std::int64_t max);
    // Strings are trimmed of surrounding white space; `max_bytes` counts UTF-8 bytes.
    std::optional<std::string> string(std::string_view key, Need need, std::size_t max_bytes,
                                      bool allow_empty = false);
    // A string that must be one of `allowed`.
    std::optional<std::string> one_of(std::string_view key, Need need,
                                      const std::vector<std::string_view>& allowed);
    std::optional<base::TimeMs> time(std::string_view key, Need need);
    std::optional<std::vector<std::string>>
    string_list(std::string_view key, Need need, std::size_t max_items, std::size_t max_bytes_each);
    // A nested object, read with its own BodyReader; problems there name "outer.inner".
    std::optional<BodyReader> object(std::string_view key, Need need);
    // An array of at most `max_items` objects, each read with its own BodyReader; problems
    // there name "key[i].inner".
    std::optional<std::vector<BodyReader>> objects(std::string_view key, Need need,
                                                   std::size_t max_items);

    void fail(base::Code code, std::string_view key, std::string detail);

private:
    const nlohmann::json* field(std::string_view key, Need need);
    // The field when it is an array of at most max_items; else nothing, and the problem kept
    // ("must be an array of <of>").
    const nlohmann::json* array_field(std::string_view key, Need need, std::size_t max_items,
                                      std::string_view of);
    std::string name(std::string_view key) const;
    const nlohmann::json* lookup(std::string_view key) const;

    // A body of scalar fields is read into flat_ (no tree); any other body into doc_.
    std::optional<FlatObject> flat_;
    nlohmann::json doc_;
    std::string prefix_;
    std::optional<base::Error> error_;
};

// Where a body is not valid UTF-8, the dotted name of the field that holds the bad bytes.
std::string field_with_invalid_utf8(std::string_view body);

} // namespace pingan::server
