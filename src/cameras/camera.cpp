#include "cameras/camera.hpp"

#include <array>
#include <cctype>
#include <cmath>

#include <fmt/core.h>

namespace pingan::cameras {
namespace {

using base::Code;

constexpr std::array<std::string_view, 3> kStreamKindNames{"rtsp", "hls", "webrtc"};
constexpr std::array<std::string_view, 3> kSharingNames{"shared", "owner_only", "on_request"};

template <class Enum, std::size_t N>
std::optional<Enum> parse(const std::array<std::string_view, N>& names, std::string_view s) {
    for (std::size_t i = 0; i < N; ++i) {
        if (names[i] == s) return static_cast<Enum>(i);
    }
    return std::nullopt;
}

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (lower(s[i]) != prefix[i]) return false;
    }
    return true;
}

bool ends_with_nocase(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() &&
           starts_with_nocase(s.substr(s.size() - suffix.size()), suffix);
}

// The scheme prefix ("rtsp://", …) of `url` among `schemes`, or empty.
template <std::size_t N>
std::string_view scheme_of(std::string_view url, const std::array<std::string_view, N>& schemes) {
    for (std::string_view s : schemes) {
        if (starts_with_nocase(url, s)) return s;
    }
    return {};
}

base::Error invalid(std::string_view field, std::string reason) {
    return base::error(Code::field_invalid, std::string(field),
                       fmt::format("{}: {}", field, reason));
}

base::Status validate_url(const Camera& c) {
    const std::string_view url = c.stream_url;
    if (url.empty()) {
        return base::error(Code::field_missing, "stream_url", "stream_url: must not be empty");
    }
    for (char ch : url) {
        const auto u = static_cast<unsigned char>(ch);
        if (u <= 0x20 || u == 0x7F) {
            return invalid("stream_url", "must not contain spaces or control characters");
        }
    }
    static constexpr std::array<std::string_view, 2> kRtsp{"rtsp://", "rtsps://"};
    static constexpr std::array<std::string_view, 2> kHttp{"http://", "https://"};
    static constexpr std::array<std::string_view, 3> kWebrtc{"http://", "https://", "wss://"};
    std::string_view scheme;
    switch (c.stream_kind) {
    case StreamKind::rtsp:
        scheme = scheme_of(url, kRtsp);
        if (scheme.empty()) return invalid("stream_url", "an rtsp stream needs an rtsp:// URL");
        break;
    case StreamKind::hls:
        scheme = scheme_of(url, kHttp);
        if (scheme.empty()) {
            return invalid("stream_url", "an hls stream needs an http:// or https:// URL");
        }
        break;
    case StreamKind::webrtc:
        scheme = scheme_of(url, kWebrtc);
        if (scheme.empty()) {
            return invalid("stream_url",
                           "a webrtc stream needs an http://, https:// (WHEP) or wss:// URL");
        }
        break;
    }
    const std::string_view rest = url.substr(scheme.size());
    if (rest.empty() || rest.front() == '/') {
        return invalid("stream_url", "has no host after the scheme");
    }
    if (c.stream_kind == StreamKind::hls) {
        const std::string_view path = rest.substr(0, rest.find_first_of("?#"));
        if (!ends_with_nocase(path, ".m3u8")) {
            return invalid("stream_url", "an hls stream needs a playlist URL ending in .m3u8");
        }
    }
    return {};
}

} // namespace

std::string_view to_string(StreamKind kind) {
    return kStreamKindNames[static_cast<std::size_t>(kind)];
}
std::string_view to_string(Sharing sharing) {
    return kSharingNames[static_cast<std::size_t>(sharing)];
}
std::optional<StreamKind> parse_stream_kind(std::string_view s) {
    return parse<StreamKind>(kStreamKindNames, s);
}
std::optional<Sharing> parse_sharing(std::string_view s) {
    return parse<Sharing>(kSharingNames, s);
}

base::Status validate(const Camera& c) {
    if (c.id.empty()) return base::error(Code::field_missing, "id", "id: must not be empty");
    if (!geo::is_valid(c.position)) {
        return invalid("position", fmt::format("{}, {} is not a valid latitude, longitude",
                                               c.position.lat, c.position.lon));
    }
    // Written as !(inside) so that NaN is refused too.
    if (!(c.heading_deg >= 0 && c.heading_deg < 360)) {
        return invalid("heading_deg",
                       fmt::format("must be within [0, 360), not {}", c.heading_deg));
    }
    if (!(c.fov_deg > 0 && c.fov_deg <= 360)) {
        return invalid("fov_deg", fmt::format("must be within (0, 360], not {}", c.fov_deg));
    }
    if (!(c.range_m > 0 && c.range_m <= kMaxRangeM)) {
        return invalid("range_m",
                       fmt::format("must be within (0, {}] metres, not {}", kMaxRangeM, c.range_m));
    }
    if (auto url = validate_url(c); !url) return url;
    if (c.owner.empty() && c.sharing != Sharing::shared) {
        return base::error(Code::field_missing, "owner",
                           fmt::format("owner: must not be empty when sharing is {} (someone must "
                                       "grant access)",
                                       to_string(c.sharing)));
    }
    return {};
}

std::optional<std::string> stream_origin(const Camera& camera) {
    if (camera.stream_kind != StreamKind::hls) return std::nullopt;
    const std::string_view url = camera.stream_url;
    const std::size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return std::nullopt;
    std::string origin;
    for (char c : url.substr(0, scheme_end))
        origin += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (origin != "http" && origin != "https") return std::nullopt;
    origin += "://";
    const std::string_view rest = url.substr(scheme_end + 3);
    const std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
    if (host.empty()) return std::nullopt;
    for (char c : host) {
        const bool safe = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
                          c == ':' || c == '[' || c == ']';
        if (!safe) return std::nullopt;
        origin += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return origin;
}

} // namespace pingan::cameras
