// A camera of the register: where it stands, which way it looks, how far it usefully sees, how
// its video is streamed and who may watch it. Cameras are places with a view, never people:
// this module knows nothing of what the video shows (see DESIGN.md, "What it will not contain").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "geo/latlon.hpp"

namespace pingan::cameras {

enum class StreamKind : std::uint8_t {
    rtsp,   // rtsp:// (or rtsps://) straight from the camera or a VMS
    hls,    // an http(s):// .m3u8 playlist, playable in the browser
    webrtc, // an http(s):// WHEP endpoint or a wss:// signalling URL
};

enum class Sharing : std::uint8_t {
    shared,     // every console may open the stream
    owner_only, // only the owning agency's consoles
    on_request, // visible on the map; the stream needs the owner's consent each time
};

inline constexpr double kMaxRangeM = 2000; // beyond this a "view" identifies nothing useful

struct Camera {
    std::string id;         // unique within a register, e.g. "PRT-0042"
    geo::LatLon position;   // where the camera is mounted
    double heading_deg = 0; // optical axis: 0 = north, clockwise, in [0, 360)
    double fov_deg = 360;   // full horizontal angle of view, in (0, 360]; 360 = dome
    double range_m = 100;   // how far it usefully sees, in (0, kMaxRangeM]
    StreamKind stream_kind = StreamKind::rtsp;
    std::string stream_url; // scheme must fit stream_kind (see validate)
    std::string owner;      // operating agency or partner; needed unless sharing is shared
    Sharing sharing = Sharing::owner_only; // the safe default: nobody else sees by accident
};

std::string_view to_string(StreamKind kind);
std::string_view to_string(Sharing sharing);
std::optional<StreamKind> parse_stream_kind(std::string_view s);
std::optional<Sharing> parse_sharing(std::string_view s);

// Checks one camera; the first problem found is returned as field_missing or field_invalid,
// its field the member name and its detail "<field>: <reason>", e.g.
// "fov_deg: must be within (0, 360], not 400". Checked: id not empty; position a valid
// coordinate; heading_deg in [0, 360); fov_deg in (0, 360]; range_m in (0, 2000];
// stream_url without spaces or control characters and with a scheme that fits stream_kind
// (rtsp: rtsp:// or rtsps://; hls: http(s):// with a path ending in .m3u8, a query or fragment
// may follow; webrtc: http(s):// or wss://), and something after the scheme; owner not empty
// unless sharing is shared (someone must be able to grant access). Schemes and the .m3u8
// suffix compare case-insensitively, as URLs do.
base::Status validate(const Camera& camera);

// The origin (scheme://host[:port], lower case) of an HLS camera's http(s) stream, for the
// console's content security policy; nothing for other kinds or an address whose host holds
// anything but letters, digits, '.', '-', ':', '[' and ']'.
std::optional<std::string> stream_origin(const Camera& camera);

} // namespace pingan::cameras
