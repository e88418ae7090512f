// One camera's validation: every refusal names its field and the reason, stream URLs must fit
// their kind, and the enums' names round-trip.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "cameras/camera.hpp"

using namespace pingan;
using namespace pingan::cameras;

namespace {

Camera good() {
    Camera c;
    c.id = "PRT-0001";
    c.position = {41.1496, -8.6109};
    c.heading_deg = 90;
    c.fov_deg = 60;
    c.range_m = 120;
    c.stream_kind = StreamKind::rtsp;
    c.stream_url = "rtsp://10.0.0.7:554/stream1";
    c.owner = "PSP Porto";
    c.sharing = Sharing::owner_only;
    return c;
}

// The refusal of `c`: its field and detail ("" when it is accepted).
std::pair<std::string, std::string> refusal(const Camera& c) {
    const base::Status s = validate(c);
    if (s.ok()) return {"", ""};
    return {s.error().field, s.error().detail};
}

::testing::AssertionResult refused(const Camera& c, const std::string& field,
                                   const std::string& detail_prefix) {
    const auto [f, d] = refusal(c);
    if (f.empty()) return ::testing::AssertionFailure() << "accepted";
    if (f != field || d.rfind(detail_prefix, 0) != 0) {
        return ::testing::AssertionFailure() << "refused with field '" << f << "': " << d;
    }
    return ::testing::AssertionSuccess();
}

} // namespace

TEST(Camera, GoodCameraIsAccepted) {
    EXPECT_TRUE(validate(good()).ok());
    Camera dome = good();
    dome.fov_deg = 360;
    dome.heading_deg = 0;
    dome.range_m = 2000;
    EXPECT_TRUE(validate(dome).ok());
}

TEST(Camera, RefusalsNameTheFieldAndReason) {
    Camera c = good();
    c.id.clear();
    EXPECT_TRUE(refused(c, "id", "id: must not be empty"));
    EXPECT_EQ(validate(c).error().code, base::Code::field_missing);

    c = good();
    c.position = {91, 0};
    EXPECT_TRUE(refused(c, "position", "position: 91, 0 is not a valid latitude, longitude"));
    c.position = {41, std::numeric_limits<double>::quiet_NaN()};
    EXPECT_TRUE(refused(c, "position", "position: "));

    c = good();
    c.heading_deg = 360;
    EXPECT_TRUE(refused(c, "heading_deg", "heading_deg: must be within [0, 360), not 360"));
    c.heading_deg = -0.5;
    EXPECT_TRUE(refused(c, "heading_deg", "heading_deg: must be within [0, 360)"));
    c.heading_deg = std::nan("");
    EXPECT_TRUE(refused(c, "heading_deg", "heading_deg: must be within [0, 360)"));
    c.heading_deg = 0;
    EXPECT_TRUE(validate(c).ok());

    c = good();
    c.fov_deg = 0;
    EXPECT_TRUE(refused(c, "fov_deg", "fov_deg: must be within (0, 360], not 0"));
    c.fov_deg = 400;
    EXPECT_TRUE(refused(c, "fov_deg", "fov_deg: must be within (0, 360], not 400"));
    EXPECT_EQ(validate(c).error().code, base::Code::field_invalid);

    c = good();
    c.range_m = 0;
    EXPECT_TRUE(refused(c, "range_m", "range_m: must be within (0, 2000] metres, not 0"));
    c.range_m = 2000.5;
    EXPECT_TRUE(refused(c, "range_m", "range_m: must be within (0, 2000] metres"));
    c.range_m = std::numeric_limits<double>::infinity();
    EXPECT_TRUE(refused(c, "range_m", "range_m: "));

    c = good();
    c.owner.clear();
    EXPECT_TRUE(refused(c, "owner", "owner: must not be empty when sharing is owner_only"));
    c.sharing = Sharing::on_request;
    EXPECT_TRUE(refused(c, "owner", "owner: must not be empty when sharing is on_request"));
    c.sharing = Sharing::shared; // nobody has to grant anything
    EXPECT_TRUE(validate(c).ok());
}

TEST(Camera, StreamUrlMustFitItsKind) {
    struct Case {
        StreamKind kind;
        const char* url;
        const char* refusal; // nullptr: accepted
    };
    const Case cases[] = {
        {StreamKind::rtsp, "rtsp://cam.example/live", nullptr},
        {StreamKind::rtsp, "RTSP://cam.example/live", nullptr}, // schemes are case-insensitive
        {StreamKind::rtsp, "rtsps://cam.example/live", nullptr},
        {StreamKind::rtsp, "http://cam.example/live", "stream_url: an rtsp stream needs"},
        {StreamKind::rtsp, "rtsp://", "stream_url: has no host after the scheme"},
        {StreamKind::rtsp, "rtsp:///live", "stream_url: has no host after the scheme"},
        {StreamKind::rtsp, "", "stream_url: must not be empty"},
        {StreamKind::rtsp, "rtsp://cam.example/my live", "stream_url: must not contain spaces"},
        {StreamKind::rtsp, "rtsp://cam.example/\nlive", "stream_url: must not contain spaces"},
        {StreamKind::hls, "https://vms.example/cam/7/index.m3u8", nullptr},
        {StreamKind::hls, "http://vms.example/cam/7/index.M3U8", nullptr},
        {StreamKind::hls, "https://vms.example/7.m3u8?token=abc&x=.mp4", nullptr},
        {StreamKind::hls, "https://vms.example/7.m3u8#t=10", nullptr},
        {StreamKind::hls, "https://vms.example/7.mp4",
         "stream_url: an hls stream needs a playlist"},
        {StreamKind::hls, "https://vms.example/7?f=.m3u8", "stream_url: an hls stream needs a"},
        {StreamKind::hls, "rtsp://vms.example/7.m3u8", "stream_url: an hls stream needs an http"},
        {StreamKind::webrtc, "https://vms.example/whep/7", nullptr},
        {StreamKind::webrtc, "http://vms.example/whep/7", nullptr},
        {StreamKind::webrtc, "wss://vms.example/signal/7", nullptr},
        {StreamKind::webrtc, "ws://vms.example/signal/7", "stream_url: a webrtc stream needs"},
        {StreamKind::webrtc, "rtsp://vms.example/7", "stream_url: a webrtc stream needs"},
    };
    for (const Case& k : cases) {
        Camera c = good();
        c.stream_kind = k.kind;
        c.stream_url = k.url;
        if (k.refusal == nullptr) {
            EXPECT_TRUE(validate(c).ok()) << k.url << ": " << refusal(c).second;
        } else {
            EXPECT_TRUE(refused(c, "stream_url", k.refusal)) << k.url;
        }
    }
}

TEST(Camera, EnumNamesRoundTrip) {
    for (StreamKind k : {StreamKind::rtsp, StreamKind::hls, StreamKind::webrtc})
        EXPECT_EQ(parse_stream_kind(to_string(k)), k);
    for (Sharing s : {Sharing::shared, Sharing::owner_only, Sharing::on_request})
        EXPECT_EQ(parse_sharing(to_string(s)), s);
    EXPECT_EQ(to_string(StreamKind::webrtc), "webrtc");
    EXPECT_EQ(to_string(Sharing::on_request), "on_request");
    EXPECT_FALSE(parse_stream_kind("RTSP"));
    EXPECT_FALSE(parse_stream_kind("mjpeg"));
    EXPECT_FALSE(parse_sharing(""));
    EXPECT_FALSE(parse_sharing("public"));
}

TEST(Camera, StreamOriginIsWhatAPageMayLoadVideoFrom) {
    Camera c;
    c.stream_kind = StreamKind::hls;
    c.stream_url = "HTTPS://Video.Example.org:8443/live/cam1/index.m3u8?token=x";
    EXPECT_EQ(stream_origin(c), "https://video.example.org:8443");
    c.stream_url = "http://[::1]:9000/a.m3u8";
    EXPECT_EQ(stream_origin(c), "http://[::1]:9000");
    c.stream_url = "http://evil.org; script-src *'/a.m3u8"; // would widen the policy
    EXPECT_EQ(stream_origin(c), std::nullopt);
    c.stream_url = "ftp://h/a.m3u8";
    EXPECT_EQ(stream_origin(c), std::nullopt);
    c.stream_kind = StreamKind::rtsp;
    c.stream_url = "rtsp://10.0.0.2/b";
    EXPECT_EQ(stream_origin(c), std::nullopt); // not played by the page
}
