#include "io/mvt_encoder.hpp"

#include <algorithm>

#include <protozero/pbf_writer.hpp>

namespace pingan::io {

namespace {

// vector_tile.proto field numbers.
constexpr protozero::pbf_tag_type kTileLayers = 3;
constexpr protozero::pbf_tag_type kLayerVersion = 15;
constexpr protozero::pbf_tag_type kLayerName = 1;
constexpr protozero::pbf_tag_type kLayerFeatures = 2;
constexpr protozero::pbf_tag_type kLayerKeys = 3;
constexpr protozero::pbf_tag_type kLayerValues = 4;
constexpr protozero::pbf_tag_type kLayerExtent = 5;
constexpr protozero::pbf_tag_type kFeatureTags = 2;
constexpr protozero::pbf_tag_type kFeatureType = 3;
constexpr protozero::pbf_tag_type kFeatureGeometry = 4;
constexpr protozero::pbf_tag_type kValueString = 1;

constexpr std::uint32_t kMoveTo = 1;
constexpr std::uint32_t kLineTo = 2;
constexpr std::uint32_t kClosePath = 7;

std::uint32_t command(std::uint32_t id, std::uint32_t count) {
    return (id & 0x7u) | (count << 3);
}
std::uint32_t zigzag(std::int32_t v) {
    return (static_cast<std::uint32_t>(v) << 1) ^ static_cast<std::uint32_t>(v >> 31);
}

// Points without consecutive repeats (a repeated point would encode a zero-length LineTo).
TileLine dedupe(const TileLine& line) {
    TileLine out;
    out.reserve(line.size());
    for (const TilePoint& p : line) {
        if (out.empty() || !(out.back() == p)) out.push_back(p);
    }
    return out;
}

// Geometry cursor: parameters are deltas from the previous point of the same feature.
struct Cursor {
    std::int32_t x = 0;
    std::int32_t y = 0;
    void emit(std::vector<std::uint32_t>& g, TilePoint p) {
        g.push_back(zigzag(p.x - x));
        g.push_back(zigzag(p.y - y));
        x = p.x;
        y = p.y;
    }
};

} // namespace

std::int64_t ring_area2(const TileLine& ring) {
    std::int64_t sum = 0;
    const std::size_t n = ring.size();
    for (std::size_t i = 0; i < n; ++i) {
        const TilePoint& a = ring[i];
        const TilePoint& b = ring[(i + 1) % n];
        sum += static_cast<std::int64_t>(a.x) * b.y - static_cast<std::int64_t>(b.x) * a.y;
    }
    return sum;
}

std::vector<std::uint32_t>
MvtLayer::tags_for(const std::vector<std::pair<std::string_view, std::string_view>>& properties) {
    std::vector<std::uint32_t> tags;
    tags.reserve(properties.size() * 2);
    for (const auto& [k, v] : properties) {
        if (v.empty()) continue; // absent beats empty: styles test with "has"
        auto ki = key_index_.find(k);
        if (ki == key_index_.end()) {
            ki = key_index_.emplace(std::string(k), static_cast<std::uint32_t>(keys_.size())).first;
            keys_.emplace_back(k);
        }
        auto vi = value_index_.find(v);
        if (vi == value_index_.end()) {
            vi = value_index_.emplace(std::string(v), static_cast<std::uint32_t>(values_.size()))
                     .first;
            values_.emplace_back(v);
        }
        tags.push_back(ki->second);
        tags.push_back(vi->second);
    }
    return tags;
}

bool MvtLayer::add_lines(
    const std::vector<TileLine>& lines,
    const std::vector<std::pair<std::string_view, std::string_view>>& properties) {
    Feature f{MvtGeomType::linestring, {}, {}};
    Cursor c;
    for (const TileLine& raw : lines) {
        const TileLine line = dedupe(raw);
        if (line.size() < 2) continue;
        f.geometry.push_back(command(kMoveTo, 1));
        c.emit(f.geometry, line[0]);
        f.geometry.push_back(command(kLineTo, static_cast<std::uint32_t>(line.size() - 1)));
        for (std::size_t i = 1; i < line.size(); ++i)
            c.emit(f.geometry, line[i]);
    }
    if (f.geometry.empty()) return false;
    f.tags = tags_for(properties);
    features_.push_back(std::move(f));
    return true;
}

bool MvtLayer::add_polygon(
    const std::vector<TileLine>& rings, const std::vector<bool>& is_exterior,
    const std::vector<std::pair<std::string_view, std::string_view>>& properties) {
    Feature f{MvtGeomType::polygon, {}, {}};
    Cursor c;
    bool have_exterior = false;
    for (std::size_t r = 0; r < rings.size(); ++r) {
        TileLine ring = dedupe(rings[r]);
        if (ring.size() > 1 && ring.front() == ring.back()) ring.pop_back(); // ClosePath closes
        if (ring.size() < 3) continue;
        const std::int64_t area = ring_area2(ring);
        if (area == 0) continue;
        const bool exterior = is_exterior[r];
        // A hole is meaningless without the exterior ring before it.
        if (!exterior && !have_exterior) continue;
        if (exterior) have_exterior = true;
        if ((area > 0) != exterior) std::reverse(ring.begin(), ring.end());
        f.geometry.push_back(command(kMoveTo, 1));
        c.emit(f.geometry, ring[0]);
        f.geometry.push_back(command(kLineTo, static_cast<std::uint32_t>(ring.size() - 1)));
        for (std::size_t i = 1; i < ring.size(); ++i)
            c.emit(f.geometry, ring[i]);
        f.geometry.push_back(command(kClosePath, 1));
    }
    if (f.geometry.empty()) return false;
    f.tags = tags_for(properties);
    features_.push_back(std::move(f));
    return true;
}

void MvtLayer::add_point(
    TilePoint p, const std::vector<std::pair<std::string_view, std::string_view>>& properties) {
    Feature f{MvtGeomType::point, {}, {}};
    Cursor c;
    f.geometry.push_back(command(kMoveTo, 1));
    c.emit(f.geometry, p);
    f.tags = tags_for(properties);
    features_.push_back(std::move(f));
}

void MvtLayer::encode(std::string& out) const {
    protozero::pbf_writer layer(out);
    layer.add_uint32(kLayerVersion, 2);
    layer.add_string(kLayerName, name_);
    for (const Feature& f : features_) {
        protozero::pbf_writer feature(layer, kLayerFeatures);
        if (!f.tags.empty()) feature.add_packed_uint32(kFeatureTags, f.tags.begin(), f.tags.end());
        feature.add_enum(kFeatureType, static_cast<std::int32_t>(f.type));
        feature.add_packed_uint32(kFeatureGeometry, f.geometry.begin(), f.geometry.end());
    }
    for (const std::string& k : keys_)
        layer.add_string(kLayerKeys, k);
    for (const std::string& v : values_) {
        protozero::pbf_writer value(layer, kLayerValues);
        value.add_string(kValueString, v);
    }
    layer.add_uint32(kLayerExtent, extent_);
}

std::string encode_tile(const std::vector<MvtLayer>& layers) {
    std::string out;
    protozero::pbf_writer tile(out);
    for (const MvtLayer& l : layers) {
        if (l.empty()) continue;
        std::string layer_bytes;
        l.encode(layer_bytes);
        tile.add_message(kTileLayers, layer_bytes);
    }
    return out;
}

} // namespace pingan::io
