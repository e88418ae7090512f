#include "server/flat_json.hpp"

#include <charconv>
#include <cstdint>

namespace pingan::server {
namespace {

// More fields than a command has: the linear look-up stays short, and larger bodies go to
// nlohmann's tree.
constexpr std::size_t kMaxFields = 32;
// Digits an integer may have and still fit int64 and uint64 whatever they are.
constexpr std::size_t kMaxIntegerDigits = 18;

struct Cursor {
    std::string_view s;
    std::size_t i = 0;

    bool done() const { return i >= s.size(); }
    char peek() const { return s[i]; }
    void skip_space() {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
            ++i;
    }
    bool eat(char c) {
        if (done() || s[i] != c) return false;
        ++i;
        return true;
    }
    bool eat(std::string_view word) {
        if (s.substr(i, word.size()) != word) return false;
        i += word.size();
        return true;
    }
};

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// A string without escapes or control characters; the cursor is on the opening quote.
std::optional<std::string_view> plain_string(Cursor& c) {
    if (!c.eat('"')) return std::nullopt;
    const std::size_t start = c.i;
    for (; !c.done(); ++c.i) {
        const auto b = static_cast<unsigned char>(c.peek());
        if (b == '"') return c.s.substr(start, c.i++ - start);
        if (b == '\\' || b < 0x20) return std::nullopt;
    }
    return std::nullopt;
}

// -?(0|[1-9][0-9]*)(.[0-9]+)? with a bounded integer part. nlohmann gives an integer literal
// the type uint64 when it has no sign and int64 when it has one, and a fraction a double
// rounded as strtod rounds it, which from_chars matches.
std::optional<nlohmann::json> plain_number(Cursor& c) {
    const std::size_t start = c.i;
    const bool negative = c.eat('-');
    const std::size_t digits_at = c.i;
    while (!c.done() && is_digit(c.peek()))
        ++c.i;
    const std::size_t digits = c.i - digits_at;
    if (digits == 0 || digits > kMaxIntegerDigits) return std::nullopt;
    if (digits > 1 && c.s[digits_at] == '0') return std::nullopt;
    bool fraction = false;
    if (c.eat('.')) {
        const std::size_t frac_at = c.i;
        while (!c.done() && is_digit(c.peek()))
            ++c.i;
        if (c.i == frac_at) return std::nullopt;
        fraction = true;
    }
    if (!c.done() && (c.peek() == 'e' || c.peek() == 'E')) return std::nullopt;
    const char* first = c.s.data() + start;
    const char* last = c.s.data() + c.i;
    if (fraction) {
        double v = 0;
        const auto [end, ec] = std::from_chars(first, last, v);
        if (ec != std::errc() || end != last) return std::nullopt;
        return nlohmann::json(v);
    }
    if (negative) {
        std::int64_t v = 0;
        const auto [end, ec] = std::from_chars(first, last, v);
        if (ec != std::errc() || end != last) return std::nullopt;
        return nlohmann::json(v);
    }
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(first, last, v);
    if (ec != std::errc() || end != last) return std::nullopt;
    return nlohmann::json(v);
}

std::optional<nlohmann::json> scalar(Cursor& c) {
    if (c.done()) return std::nullopt;
    switch (c.peek()) {
    case '"':
        if (auto s = plain_string(c)) return nlohmann::json(std::string(*s));
        return std::nullopt;
    case 't':
        if (c.eat("true")) return nlohmann::json(true);
        return std::nullopt;
    case 'f':
        if (c.eat("false")) return nlohmann::json(false);
        return std::nullopt;
    case 'n':
        if (c.eat("null")) return nlohmann::json(nullptr);
        return std::nullopt;
    default:
        return plain_number(c);
    }
}

} // namespace

std::optional<FlatObject> read_flat_object(std::string_view body) {
    Cursor c{body};
    c.skip_space();
    if (!c.eat('{')) return std::nullopt;
    FlatObject fields;
    fields.reserve(8);
    c.skip_space();
    if (!c.eat('}')) {
        for (;;) {
            c.skip_space();
            auto key = plain_string(c);
            if (!key || fields.size() == kMaxFields) return std::nullopt;
            for (const FlatField& f : fields) {
                if (f.key == *key) return std::nullopt; // nlohmann keeps the last; let it
            }
            c.skip_space();
            if (!c.eat(':')) return std::nullopt;
            c.skip_space();
            auto value = scalar(c);
            if (!value) return std::nullopt;
            fields.push_back({std::string(*key), std::move(*value)});
            c.skip_space();
            if (c.eat('}')) break;
            if (!c.eat(',')) return std::nullopt;
        }
    }
    c.skip_space();
    if (!c.done()) return std::nullopt;
    return fields;
}

} // namespace pingan::server
