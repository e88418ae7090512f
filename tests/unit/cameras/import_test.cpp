// Camera registers from CSV and GeoJSON: what is read, and that every refusal names the line or
// feature and the field.
#include <gtest/gtest.h>

#include "io/cameras_import.hpp"

using namespace pingan;
using cameras::Camera;
using cameras::Sharing;
using cameras::StreamKind;

namespace {

const char* const kHeader =
    "id,lat,lon,heading_deg,fov_deg,range_m,stream_kind,stream_url,owner,sharing\n";

std::string csv(const std::string& rows) {
    return kHeader + rows;
}

// The detail of the refusal of `text`, or "accepted".
template <class Read>
std::string refusal(Read read, const std::string& text) {
    auto r = read(text);
    return r.ok() ? std::string("accepted") : r.error().detail;
}

std::string csv_refusal(const std::string& text) {
    return refusal(io::read_cameras_csv, text);
}
std::string geojson_refusal(const std::string& text) {
    return refusal(io::read_cameras_geojson, text);
}

std::string
feature(const std::string& properties,
        const std::string& geometry = R"({"type": "Point", "coordinates": [-8.6109, 41.1496]})") {
    return R"({"type": "Feature", "geometry": )" + geometry + R"(, "properties": {)" + properties +
           "}}";
}

std::string collection(const std::vector<std::string>& features) {
    std::string out = R"({"type": "FeatureCollection", "features": [)";
    for (std::size_t i = 0; i < features.size(); ++i)
        out += (i ? ", " : "") + features[i];
    return out + "]}";
}

const char* const kProps =
    R"("id": "PRT-1", "heading_deg": 90, "fov_deg": 60, "range_m": 120, "stream_kind": "hls",
       "stream_url": "https://vms.example/1/index.m3u8", "owner": "CM Porto", "sharing": "shared")";

} // namespace

TEST(CameraImport, CsvReadsEveryField) {
    auto r = io::read_cameras_csv(
        csv("PRT-1,41.1496,-8.6109,90,60,120,rtsp,rtsp://10.0.0.7/s1,PSP Porto,owner_only\r\n"
            "\n"
            "\"PRT-2\", 41.15 , -8.61,0,360,2000,hls,\"https://vms.example/2.m3u8?t=a,b\","
            "\"Metro do Porto, S.A.\",on_request\n"
            "PRT-3,41.16,-8.62,359.9,10,30,webrtc,wss://vms.example/3,,shared"));
    ASSERT_TRUE(r.ok()) << r.error().detail;
    ASSERT_EQ(r->size(), 3u);
    const Camera& a = (*r)[0];
    EXPECT_EQ(a.id, "PRT-1");
    EXPECT_EQ(a.position, (geo::LatLon{41.1496, -8.6109}));
    EXPECT_EQ(a.heading_deg, 90);
    EXPECT_EQ(a.fov_deg, 60);
    EXPECT_EQ(a.range_m, 120);
    EXPECT_EQ(a.stream_kind, StreamKind::rtsp);
    EXPECT_EQ(a.stream_url, "rtsp://10.0.0.7/s1");
    EXPECT_EQ(a.owner, "PSP Porto");
    EXPECT_EQ(a.sharing, Sharing::owner_only);
    const Camera& b = (*r)[1];
    EXPECT_EQ(b.id, "PRT-2");
    EXPECT_EQ(b.position, (geo::LatLon{41.15, -8.61}));
    EXPECT_EQ(b.stream_kind, StreamKind::hls);
    EXPECT_EQ(b.stream_url, "https://vms.example/2.m3u8?t=a,b");
    EXPECT_EQ(b.owner, "Metro do Porto, S.A.");
    EXPECT_EQ(b.sharing, Sharing::on_request);
    EXPECT_EQ((*r)[2].stream_kind, StreamKind::webrtc);
    EXPECT_EQ((*r)[2].owner, "");
}

TEST(CameraImport, CsvColumnsInAnyOrderAndExtraOnesIgnored) {
    auto r = io::read_cameras_csv(
        "\xEF\xBB\xBFnote,sharing,owner,stream_url,stream_kind,range_m,fov_deg,heading_deg,lon,"
        "lat,id\n"
        "by the fountain,shared,,rtsp://c/1,rtsp,50,90,180,-8.61,41.15,A\n");
    ASSERT_TRUE(r.ok()) << r.error().detail;
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].id, "A");
    EXPECT_EQ((*r)[0].position, (geo::LatLon{41.15, -8.61}));
    EXPECT_EQ((*r)[0].heading_deg, 180);
}

TEST(CameraImport, CsvRefusalsNameLineAndField) {
    const std::string ok = "PRT-1,41.1496,-8.6109,90,60,120,rtsp,rtsp://c/1,PSP,owner_only\n";
    // Line numbers count physical lines, the header being line 1.
    EXPECT_EQ(csv_refusal(csv(ok + "PRT-2,41.15,-8.61,90,400,120,rtsp,rtsp://c/2,PSP,shared\n")),
              "line 3: fov_deg: must be within (0, 360], not 400");
    EXPECT_EQ(csv_refusal(csv(ok + "\n\nPRT-2,41.15,-8.61,90,60,120,rtsp,rtsp://c/2,PSP,x\n")),
              "line 5: sharing: must be one of shared, owner_only, on_request, not 'x'");
    EXPECT_EQ(csv_refusal(csv("P,41.15,-8.61,90,60,120,mjpeg,rtsp://c/2,PSP,shared\n")),
              "line 2: stream_kind: must be one of rtsp, hls, webrtc, not 'mjpeg'");
    EXPECT_EQ(csv_refusal(csv("P,41.15,-8.61,east,60,120,rtsp,rtsp://c/2,PSP,shared\n")),
              "line 2: heading_deg: 'east' is not a number");
    EXPECT_EQ(csv_refusal(csv("P,,-8.61,0,60,120,rtsp,rtsp://c/2,PSP,shared\n")),
              "line 2: lat: is empty");
    EXPECT_EQ(csv_refusal(csv("P,95,-8.61,0,60,120,rtsp,rtsp://c/2,PSP,shared\n")),
              "line 2: position: 95, -8.61 is not a valid latitude, longitude");
    EXPECT_EQ(csv_refusal(csv(",41.15,-8.61,0,60,120,rtsp,rtsp://c/2,PSP,shared\n")),
              "line 2: id: must not be empty");
    EXPECT_EQ(csv_refusal(csv("P,41.15,-8.61,0,60,120,hls,https://c/2.mp4,PSP,shared\n")),
              "line 2: stream_url: an hls stream needs a playlist URL ending in .m3u8");
    EXPECT_EQ(csv_refusal(csv("P,41.15,-8.61,0,60,120,rtsp,rtsp://c/2,PSP\n")),
              "line 2: has 9 fields, the header names 10");
    EXPECT_EQ(csv_refusal(csv(ok + "PRT-2,41.15,-8.61,0,60,120,rtsp,rtsp://c/2,PSP,shared\n" + ok)),
              "line 4: id: 'PRT-1' is already used on line 2");
    auto r = io::read_cameras_csv(csv("P,41.15,-8.61,90,0,120,rtsp,rtsp://c/2,PSP,shared\n"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "fov_deg");
    EXPECT_EQ(r.error().code, base::Code::field_invalid);
}

TEST(CameraImport, CsvRefusesBadFiles) {
    EXPECT_EQ(csv_refusal(""), "file: is empty");
    EXPECT_EQ(csv_refusal(kHeader), "file: has no cameras");
    EXPECT_EQ(csv_refusal("id,lat,lon\nA,41,-8\n"),
              "line 1: the header has no column heading_deg, fov_deg, range_m, stream_kind, "
              "stream_url, owner, sharing (it needs id, lat, lon, heading_deg, fov_deg, range_m, "
              "stream_kind, stream_url, owner, sharing)");
    EXPECT_EQ(csv_refusal("id,id,lat\n"), "line 1: the header names column id twice");
    EXPECT_EQ(csv_refusal(csv("P,41.15,-8.61,0,60,120,rtsp,\"rtsp://c/2,PSP,shared\n")),
              "line 2: a quoted field is never closed");
}

TEST(CameraImport, GeoJsonReadsEveryField) {
    auto r = io::read_cameras_geojson(collection({
        feature(kProps),
        // The feature's own id; an altitude; no owner (shared needs none).
        R"({"type": "Feature", "id": 17, "geometry": {"type": "Point",
            "coordinates": [-8.62, 41.16, 85.5]}, "properties": {"heading_deg": 0,
            "fov_deg": 360, "range_m": 50, "stream_kind": "webrtc",
            "stream_url": "https://vms.example/whep/17", "sharing": "shared"}})",
    }));
    ASSERT_TRUE(r.ok()) << r.error().detail;
    ASSERT_EQ(r->size(), 2u);
    const Camera& a = (*r)[0];
    EXPECT_EQ(a.id, "PRT-1");
    EXPECT_EQ(a.position, (geo::LatLon{41.1496, -8.6109}));
    EXPECT_EQ(a.heading_deg, 90);
    EXPECT_EQ(a.fov_deg, 60);
    EXPECT_EQ(a.range_m, 120);
    EXPECT_EQ(a.stream_kind, StreamKind::hls);
    EXPECT_EQ(a.stream_url, "https://vms.example/1/index.m3u8");
    EXPECT_EQ(a.owner, "CM Porto");
    EXPECT_EQ(a.sharing, Sharing::shared);
    const Camera& b = (*r)[1];
    EXPECT_EQ(b.id, "17");
    EXPECT_EQ(b.position, (geo::LatLon{41.16, -8.62}));
    EXPECT_EQ(b.stream_kind, StreamKind::webrtc);
    EXPECT_EQ(b.owner, "");
}

TEST(CameraImport, GeoJsonRefusalsNameFeatureAndField) {
    const std::string first = feature(kProps);
    auto second = [&](const std::string& props) {
        return geojson_refusal(collection({first, feature(props)}));
    };
    const std::string base =
        R"("stream_kind": "rtsp", "stream_url": "rtsp://c/2", "owner": "PSP", "sharing": "shared")";
    EXPECT_EQ(second(R"("id": "B", "heading_deg": 0, "fov_deg": 60, "range_m": 3000, )" + base),
              "feature 1: range_m: must be within (0, 2000] metres, not 3000");
    EXPECT_EQ(second(R"("id": "B", "heading_deg": 0, "fov_deg": "60", "range_m": 30, )" + base),
              "feature 1: fov_deg: must be a number");
    EXPECT_EQ(second(R"("id": "B", "heading_deg": 0, "range_m": 30, )" + base),
              "feature 1: fov_deg: missing");
    EXPECT_EQ(second(R"("heading_deg": 0, "fov_deg": 60, "range_m": 30, )" + base),
              "feature 1: id: missing");
    EXPECT_EQ(second(R"("id": 1.5, "heading_deg": 0, "fov_deg": 60, "range_m": 30, )" + base),
              "feature 1: id: must be a string or an integer");
    EXPECT_EQ(second(R"("id": "PRT-1", "heading_deg": 0, "fov_deg": 60, "range_m": 30, )" + base),
              "feature 1: id: 'PRT-1' is already used on feature 0");
    EXPECT_EQ(second(R"("id": "B", "heading_deg": 0, "fov_deg": 60, "range_m": 30,
                        "stream_kind": "rtsp", "stream_url": "rtsp://c/2", "sharing": "owner_only")"),
              "feature 1: owner: must not be empty when sharing is owner_only (someone must grant "
              "access)");
    EXPECT_EQ(second(R"("id": "B", "heading_deg": 0, "fov_deg": 60, "range_m": 30,
                        "stream_kind": "rtsp", "stream_url": 7, "sharing": "shared")"),
              "feature 1: stream_url: must be a string");
    EXPECT_EQ(geojson_refusal(collection(
                  {first, feature(kProps, R"({"type": "LineString", "coordinates": []})")})),
              "feature 1: geometry: must be a GeoJSON Point");
    EXPECT_EQ(geojson_refusal(collection(
                  {feature(kProps, R"({"type": "Point", "coordinates": ["-8.6", 41]})")})),
              "feature 0: geometry: coordinates must be [longitude, latitude]");
    // Latitude and longitude the wrong way round put Porto at 8.6° S, 41° E: still valid; a
    // latitude of 195 is not.
    EXPECT_EQ(geojson_refusal(
                  collection({feature(kProps, R"({"type": "Point", "coordinates": [41, 195]})")})),
              "feature 0: position: 195, 41 is not a valid latitude, longitude");
    EXPECT_EQ(geojson_refusal(collection({"[]"})), "feature 0: feature: is not a JSON object");
}

TEST(CameraImport, GeoJsonRefusesBadFiles) {
    EXPECT_EQ(geojson_refusal("{"), "file: not valid JSON, so not GeoJSON");
    EXPECT_EQ(geojson_refusal(R"({"type": "Feature"})"),
              "file: not a GeoJSON FeatureCollection with a features array");
    EXPECT_EQ(geojson_refusal(R"({"type": "FeatureCollection", "features": {}})"),
              "file: not a GeoJSON FeatureCollection with a features array");
    EXPECT_EQ(geojson_refusal(collection({})), "file: has no cameras");
}
