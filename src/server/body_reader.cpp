#include "server/body_reader.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/core.h>

#include "base/utf8.hpp"

namespace pingan::server {
namespace {

using base::Code;
using base::utf8_sequence;
using base::valid_utf8;
using nlohmann::json;

// U+FDD0 is a noncharacter: it cannot be a meaningful part of an incident description.
constexpr std::string_view kMarkerEscape = "\\ufdd0";
constexpr std::string_view kMarkerUtf8 = "\xef\xb7\x90";

std::string find_marker(const json& j, const std::string& path) {
    if (j.is_object()) {
        for (const auto& [key, value] : j.items()) {
            const std::string child = path.empty() ? key : path + "." + key;
            if (key.find(kMarkerUtf8) != std::string::npos) return child;
            if (std::string found = find_marker(value, child); !found.empty()) return found;
        }
    } else if (j.is_array()) {
        for (std::size_t i = 0; i < j.size(); ++i) {
            if (std::string found = find_marker(j[i], fmt::format("{}[{}]", path, i));
                !found.empty()) {
                return found;
            }
        }
    } else if (j.is_string() &&
               j.get_ref<const std::string&>().find(kMarkerUtf8) != std::string::npos) {
        return path;
    }
    return {};
}

std::string_view type_name(const json& j) {
    if (j.is_null()) return "null";
    if (j.is_boolean()) return "a boolean";
    if (j.is_number()) return "a number";
    if (j.is_string()) return "a string";
    if (j.is_array()) return "an array";
    return "an object";
}

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    return s.substr(first, last - first + 1);
}

} // namespace

std::string field_with_invalid_utf8(std::string_view body) {
    std::string repaired;
    repaired.reserve(body.size() + 16);
    for (std::size_t i = 0; i < body.size();) {
        const std::size_t n = utf8_sequence(body, i);
        if (n == 0) {
            repaired += kMarkerEscape;
            ++i;
        } else {
            repaired.append(body.substr(i, n));
            i += n;
        }
    }
    json doc = json::parse(repaired, nullptr, false);
    if (doc.is_discarded()) return {};
    return find_marker(doc, "");
}

BodyReader::BodyReader(std::string_view body) {
    if (!valid_utf8(body)) {
        const std::string where = field_with_invalid_utf8(body);
        const std::string field = where.empty() ? "body" : where;
        error_ = base::error(Code::malformed_json, field,
                             fmt::format("{}: contains bytes that are not valid UTF-8", field));
        return;
    }
    if ((flat_ = read_flat_object(body))) return;
    doc_ = json::parse(body, nullptr, false);
    if (doc_.is_discarded()) {
        // Parse again, slowly, to say where and why: the key being read when a number was
        // too large names the field; syntax errors name the byte.
        std::vector<std::string> keys;
        auto track = [&keys](int depth, json::parse_event_t event, json& parsed) {
            if (event == json::parse_event_t::key) {
                keys.resize(static_cast<std::size_t>(std::max(depth - 1, 0)));
                keys.push_back(parsed.get<std::string>());
            }
            return true;
        };
        std::string field = "body";
        std::string reason = "not valid JSON";
        try {
            const json again = json::parse(body, track);
            reason = again.is_discarded() ? reason : reason;
        } catch (const json::parse_error& e) {
            reason = fmt::format("not valid JSON at byte {}", e.byte);
        } catch (const json::out_of_range&) {
            if (!keys.empty()) {
                field.clear();
                for (const auto& k : keys)
                    field += (field.empty() ? "" : ".") + k;
            }
            error_ =
                base::error(Code::field_invalid, field, fmt::format("{}: number too large", field));
            return;
        } catch (const json::exception& e) {
            reason = fmt::format("not usable JSON ({})", e.what());
        }
        error_ = base::error(Code::malformed_json, "body", fmt::format("body: {}", reason));
        return;
    }
    if (!doc_.is_object()) {
        error_ = base::error(Code::field_type, "body",
                             fmt::format("body: must be a JSON object, not {}", type_name(doc_)));
    }
}

BodyReader::BodyReader(const json& object, std::string prefix)
    : doc_(object), prefix_(std::move(prefix)) {}

std::string BodyReader::name(std::string_view key) const {
    return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
}

void BodyReader::fail(Code code, std::string_view key, std::string detail) {
    if (!error_) error_ = base::error(code, name(key), std::move(detail));
}

const json* BodyReader::lookup(std::string_view key) const {
    if (flat_) {
        for (const FlatField& f : *flat_) {
            if (f.key == key) return &f.value;
        }
        return nullptr;
    }
    if (!doc_.is_object()) return nullptr;
    auto it = doc_.find(key);
    return it == doc_.end() ? nullptr : &*it;
}

bool BodyReader::has(std::string_view key) const {
    const json* j = lookup(key);
    return j != nullptr && !j->is_null();
}

const json* BodyReader::array_field(std::string_view key, Need need, std::size_t max_items,
                                    std::string_view of) {
    const json* j = field(key, need);
    if (j == nullptr) return nullptr;
    if (!j->is_array()) {
        fail(Code::field_type, key,
             fmt::format("{}: must be an array of {}, not {}", name(key), of, type_name(*j)));
        return nullptr;
    }
    if (j->size() > max_items) {
        fail(Code::field_too_long, key, fmt::format("{}: at most {} items", name(key), max_items));
        return nullptr;
    }
    return j;
}

const json* BodyReader::field(std::string_view key, Need need) {
    if (error_) return nullptr;
    const json* j = lookup(key);
    if (j == nullptr || j->is_null()) {
        if (need == Need::required) {
            fail(Code::field_missing, key, fmt::format("{}: required", name(key)));
        }
        return nullptr;
    }
    return j;
}

std::optional<double> BodyReader::number(std::string_view key, Need need, double min, double max) {
    const json* j = field(key, need);
    if (j == nullptr) return std::nullopt;
    if (!j->is_number()) {
        fail(Code::field_type, key,
             fmt::format("{}: must be a number, not {}", name(key), type_name(*j)));
        return std::nullopt;
    }
    const double v = j->get<double>();
    if (!std::isfinite(v) || v < min || v > max) {
        fail(Code::field_invalid, key,
             fmt::format("{}: {} is outside the range {} to {}", name(key), v, min, max));
        return std::nullopt;
    }
    return v;
}

std::optional<std::int64_t> BodyReader::integer(std::string_view key, Need need, std::int64_t min,
                                                std::int64_t max) {
    const json* j = field(key, need);
    if (j == nullptr) return std::nullopt;
    if (!j->is_number_integer()) {
        fail(Code::field_type, key,
             fmt::format("{}: must be an integer, not {}", name(key),
                         j->is_number() ? "a fraction" : type_name(*j)));
        return std::nullopt;
    }
    if (j->is_number_unsigned() && j->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
        fail(Code::field_invalid, key,
             fmt::format("{}: must be between {} and {}", name(key), min, max));
        return std::nullopt;
    }
    const auto v = j->get<std::int64_t>();
    if (v < min || v > max) {
        fail(Code::field_invalid, key,
             fmt::format("{}: {} is outside the range {} to {}", name(key), v, min, max));
        return std::nullopt;
    }
    return v;
}

std::optional<std::string> BodyReader::string(std::string_view key, Need need,
                                              std::size_t max_bytes, bool allow_empty) {
    const json* j = field(key, need);
    if (j == nullptr) return std::nullopt;
    if (!j->is_string()) {
        fail(Code::field_type, key,
             fmt::format("{}: must be a string, not {}", name(key), type_name(*j)));
        return std::nullopt;
    }
    std::string v = trim(j->get<std::string>());
    if (v.size() > max_bytes) {
        fail(Code::field_too_long, key,
             fmt::format("{}: {} bytes is longer than the limit of {}", name(key), v.size(),
                         max_bytes));
        return std::nullopt;
    }
    if (v.empty() && !allow_empty) {
        if (need == Need::required) {
            fail(Code::field_missing, key, fmt::format("{}: must not be empty", name(key)));
        }
        return std::nullopt;
    }
    for (unsigned char c : v) {
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
            fail(Code::field_invalid, key,
                 fmt::format("{}: contains a control character", name(key)));
            return std::nullopt;
        }
    }
    return v;
}

std::optional<std::string> BodyReader::one_of(std::string_view key, Need need,
                                              const std::vector<std::string_view>& allowed) {
    auto v = string(key, need, 64);
    if (!v) return std::nullopt;
    for (auto a : allowed) {
        if (a == *v) return v;
    }
    std::string list;
    for (auto a : allowed)
        list += (list.empty() ? "" : ", ") + std::string(a);
    fail(Code::field_invalid, key, fmt::format("{}: '{}' is not one of: {}", name(key), *v, list));
    return std::nullopt;
}

std::optional<base::TimeMs> BodyReader::time(std::string_view key, Need need) {
    auto v = string(key, need, 64);
    if (!v) return std::nullopt;
    auto t = base::parse_iso8601(*v);
    if (!t) {
        fail(Code::field_invalid, key,
             fmt::format("{}: '{}' is not an ISO-8601 time with zone, e.g. "
                         "2026-11-21T08:30:00.000Z",
                         name(key), *v));
    }
    return t;
}

std::optional<std::vector<std::string>> BodyReader::string_list(std::string_view key, Need need,
                                                                std::size_t max_items,
                                                                std::size_t max_bytes_each) {
    const json* j = array_field(key, need, max_items, "strings");
    if (j == nullptr) return std::nullopt;
    std::vector<std::string> out;
    for (const auto& item : *j) {
        if (!item.is_string() || item.get_ref<const std::string&>().empty() ||
            item.get_ref<const std::string&>().size() > max_bytes_each) {
            fail(Code::field_invalid, key,
                 fmt::format("{}: every item must be a non-empty string of at most {} bytes",
                             name(key), max_bytes_each));
            return std::nullopt;
        }
        out.push_back(item.get<std::string>());
    }
    return out;
}

std::optional<BodyReader> BodyReader::object(std::string_view key, Need need) {
    const json* j = field(key, need);
    if (j == nullptr) return std::nullopt;
    if (!j->is_object()) {
        fail(Code::field_type, key,
             fmt::format("{}: must be an object, not {}", name(key), type_name(*j)));
        return std::nullopt;
    }
    return BodyReader(*j, name(key));
}

std::optional<std::vector<BodyReader>> BodyReader::objects(std::string_view key, Need need,
                                                           std::size_t max_items) {
    const json* j = array_field(key, need, max_items, "objects");
    if (j == nullptr) return std::nullopt;
    std::vector<BodyReader> out;
    out.reserve(j->size());
    for (std::size_t i = 0; i < j->size(); ++i) {
        const std::string item = fmt::format("{}[{}]", name(key), i);
        if (!(*j)[i].is_object()) {
            fail(Code::field_type, fmt::format("{}[{}]", key, i),
                 fmt::format("{}: must be an object, not {}", item, type_name((*j)[i])));
            return std::nullopt;
        }
        out.emplace_back((*j)[i], item);
    }
    return out;
}

} // namespace pingan::server
