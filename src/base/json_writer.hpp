// Writes compact JSON text straight into a string, without building a document first.
// Used on hot paths (event payloads, API responses, stream frames), where building an
// nlohmann::json tree per record cost more than everything else a request does.
// Strings are escaped; bytes that are not valid UTF-8 become U+FFFD, so the output is always
// valid JSON. Non-finite numbers are written as null.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/time.hpp"

namespace pingan::base {

class JsonWriter {
public:
    explicit JsonWriter(std::string& out) : out_(out) {}

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view k);

    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
    JsonWriter& value(std::int64_t v);
    JsonWriter& value(int v) { return value(static_cast<std::int64_t>(v)); }
    JsonWriter& value(double v);
    JsonWriter& value(bool v);
    JsonWriter& null();
    // A value that is already JSON text.
    JsonWriter& raw(std::string_view json);
    // An ISO-8601 time string.
    JsonWriter& time(TimeMs t);

    template <class T>
    JsonWriter& field(std::string_view k, const T& v) {
        key(k);
        return value(v);
    }
    template <class T>
    JsonWriter& field(std::string_view k, const std::optional<T>& v) {
        key(k);
        return v ? value(*v) : null();
    }
    JsonWriter& time_field(std::string_view k, TimeMs t) {
        key(k);
        return time(t);
    }
    JsonWriter& time_field(std::string_view k, const std::optional<TimeMs>& t) {
        key(k);
        return t ? time(*t) : null();
    }

    // Appends `s` as a quoted, escaped JSON string.
    static void append_string(std::string& out, std::string_view s);

private:
    void separate();

    std::string& out_;
    std::array<bool, 64> has_items_{}; // per nesting level: a comma is needed before the next item
    int depth_ = 0;
    bool after_key_ = false;
};

} // namespace pingan::base
