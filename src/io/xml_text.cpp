#include "io/xml_text.hpp"

#include <charconv>
#include <cstdint>

namespace pingan::io {
namespace {

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x110000) {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

bool name_matches(std::string_view tag, std::string_view name) {
    if (tag == name) return true;
    return tag.size() > name.size() && tag.ends_with(name) &&
           tag[tag.size() - name.size() - 1] == ':';
}

} // namespace

std::string xml_unescape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '&') {
            out += text[i];
            continue;
        }
        const std::size_t semi = text.find(';', i);
        if (semi == std::string_view::npos || semi - i > 10) {
            out += '&';
            continue;
        }
        const std::string_view entity = text.substr(i + 1, semi - i - 1);
        if (entity == "amp")
            out += '&';
        else if (entity == "lt")
            out += '<';
        else if (entity == "gt")
            out += '>';
        else if (entity == "quot")
            out += '"';
        else if (entity == "apos")
            out += '\'';
        else if (entity.size() > 1 && entity[0] == '#') {
            const bool hex = entity[1] == 'x' || entity[1] == 'X';
            const std::string_view digits = entity.substr(hex ? 2 : 1);
            std::uint32_t cp = 0;
            auto [end, ec] =
                std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
            if (ec != std::errc() || end != digits.data() + digits.size()) {
                out.append(text.substr(i, semi - i + 1));
            } else {
                append_utf8(out, cp);
            }
        } else {
            out.append(text.substr(i, semi - i + 1));
        }
        i = semi;
    }
    return out;
}

std::optional<std::string> xml_element_text(std::string_view xml, std::string_view name) {
    std::size_t at = 0;
    while ((at = xml.find('<', at)) != std::string_view::npos) {
        const std::size_t name_end = xml.find_first_of(" \t\r\n/>", at + 1);
        if (name_end == std::string_view::npos) return std::nullopt;
        const std::string_view tag = xml.substr(at + 1, name_end - at - 1);
        const std::size_t open_end = xml.find('>', name_end);
        if (open_end == std::string_view::npos) return std::nullopt;
        if (!name_matches(tag, name) || xml[open_end - 1] == '/') {
            at = open_end;
            continue;
        }
        const std::string close = "</" + std::string(tag) + ">";
        const std::size_t close_at = xml.find(close, open_end);
        if (close_at == std::string_view::npos) return std::nullopt;
        return xml_unescape(xml.substr(open_end + 1, close_at - open_end - 1));
    }
    return std::nullopt;
}

} // namespace pingan::io
