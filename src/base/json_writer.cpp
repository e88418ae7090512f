#include "base/json_writer.hpp"

#include <cmath>

#include <fmt/format.h>

#include "base/utf8.hpp"

namespace pingan::base {

void JsonWriter::separate() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (depth_ > 0) {
        if (has_items_[static_cast<std::size_t>(depth_)]) out_ += ',';
        has_items_[static_cast<std::size_t>(depth_)] = true;
    }
}

JsonWriter& JsonWriter::begin_object() {
    separate();
    out_ += '{';
    has_items_[static_cast<std::size_t>(++depth_)] = false;
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    out_ += '}';
    --depth_;
    return *this;
}

JsonWriter& JsonWriter::begin_array() {
    separate();
    out_ += '[';
    has_items_[static_cast<std::size_t>(++depth_)] = false;
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    out_ += ']';
    --depth_;
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
    separate();
    append_string(out_, k);
    out_ += ':';
    after_key_ = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
    separate();
    append_string(out_, s);
    return *this;
}

JsonWriter& JsonWriter::value(std::int64_t v) {
    separate();
    fmt::format_to(std::back_inserter(out_), "{}", v);
    return *this;
}

JsonWriter& JsonWriter::value(double v) {
    separate();
    if (!std::isfinite(v)) {
        out_ += "null";
    } else {
        fmt::format_to(std::back_inserter(out_), "{}", v); // shortest text that reads back exactly
    }
    return *this;
}

JsonWriter& JsonWriter::value(bool v) {
    separate();
    out_ += v ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::null() {
    separate();
    out_ += "null";
    return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
    separate();
    out_ += json;
    return *this;
}

JsonWriter& JsonWriter::time(TimeMs t) {
    separate();
    out_ += '"';
    out_ += format_iso8601(t);
    out_ += '"';
    return *this;
}

void JsonWriter::append_string(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        // Plain printable ASCII is copied a run at a time: byte by byte it was a visible share
        // of intake's CPU.
        std::size_t plain = i;
        while (plain < s.size()) {
            const auto p = static_cast<unsigned char>(s[plain]);
            if (p < 0x20 || p >= 0x80 || p == '"' || p == '\\') break;
            ++plain;
        }
        if (plain != i) {
            out.append(s.data() + i, plain - i);
            i = plain;
            continue;
        }
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            const std::size_t n = utf8_sequence(s, i);
            if (n == 0) {
                out += "\xef\xbf\xbd"; // U+FFFD for a byte that is not UTF-8
                ++i;
            } else {
                out.append(s.substr(i, n));
                i += n;
            }
            continue;
        }
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 0xf];
            } else {
                out += static_cast<char>(c);
            }
        }
        ++i;
    }
    out += '"';
}

} // namespace pingan::base
