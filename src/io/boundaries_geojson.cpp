#include "io/boundaries_geojson.hpp"

#include <set>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "base/json_writer.hpp"

namespace pingan::io {
namespace {

using base::Code;
using nlohmann::json;

base::Result<geo::Ring> read_ring(const json& j, const std::string& where) {
    if (!j.is_array() || j.size() < 3) {
        return base::error(Code::field_invalid, "geometry",
                           where + ": a ring needs at least three positions");
    }
    geo::Ring ring;
    ring.reserve(j.size());
    for (const json& pos : j) {
        if (!pos.is_array() || pos.size() < 2 || !pos[0].is_number() || !pos[1].is_number()) {
            return base::error(Code::field_invalid, "geometry",
                               where + ": a position is not [longitude, latitude]");
        }
        ring.push_back({pos[1].get<double>(), pos[0].get<double>()});
    }
    return ring;
}

base::Result<geo::Polygon> read_polygon(const json& j, const std::string& where) {
    if (!j.is_array() || j.empty()) {
        return base::error(Code::field_invalid, "geometry", where + ": a polygon has no rings");
    }
    geo::Polygon p;
    for (std::size_t i = 0; i < j.size(); ++i) {
        auto ring = read_ring(j[i], where);
        if (!ring) return std::move(ring).error();
        if (i == 0) {
            p.outer = std::move(ring).value();
        } else {
            p.holes.push_back(std::move(ring).value());
        }
    }
    return p;
}

std::string property_text(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
    if (v.is_number()) return fmt::format("{}", v.get<double>());
    return {};
}

} // namespace

std::string to_geojson_geometry(const geo::MultiPolygon& shape) {
    std::string out;
    base::JsonWriter w(out);
    auto ring = [&w](const geo::Ring& r) {
        w.begin_array();
        for (const geo::LatLon& p : r)
            w.begin_array().value(p.lon).value(p.lat).end_array();
        w.end_array();
    };
    w.begin_object().field("type", "MultiPolygon").key("coordinates").begin_array();
    for (const geo::Polygon& p : shape) {
        w.begin_array();
        ring(p.outer);
        for (const geo::Ring& h : p.holes)
            ring(h);
        w.end_array();
    }
    w.end_array().end_object();
    return out;
}

base::Result<geo::MultiPolygon> read_geojson_geometry(std::string_view text) {
    const json g = json::parse(text, nullptr, false);
    if (!g.is_object() || !g.contains("type") || g["type"] != "MultiPolygon" ||
        !g.contains("coordinates")) {
        return base::error(Code::corrupt_file, "geometry", "geometry: not a GeoJSON MultiPolygon");
    }
    geo::MultiPolygon shape;
    for (const json& pj : g["coordinates"]) {
        auto p = read_polygon(pj, "geometry");
        if (!p) return std::move(p).error();
        shape.push_back(std::move(p).value());
    }
    return shape;
}

base::Result<json> read_features(std::string_view text) {
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded()) {
        return base::error(Code::corrupt_file, "file", "file: not valid JSON, so not GeoJSON");
    }
    // Compared, not read with value(): a "type" of another JSON type must not throw.
    if (!doc.is_object() || !doc.contains("type") || doc["type"] != "FeatureCollection" ||
        !doc.contains("features") || !doc["features"].is_array()) {
        return base::error(Code::corrupt_file, "file",
                           "file: not a GeoJSON FeatureCollection with a features array");
    }
    return std::move(doc["features"]);
}

base::Result<std::vector<BoundaryFeature>>
read_boundaries(std::string_view text, std::string_view name_field, bool strict) {
    auto read = read_features(text);
    if (!read) return std::move(read).error();
    const json& features = *read;
    std::vector<BoundaryFeature> out;
    std::set<std::string> names;
    for (std::size_t i = 0; i < features.size(); ++i) {
        const json& f = features[i];
        std::string where = fmt::format("feature {}", i);
        if (!f.is_object() || !f.contains("geometry") || !f["geometry"].is_object()) {
            return base::error(Code::field_invalid, "geometry", where + ": has no geometry");
        }
        const json props = f.value("properties", json::object());
        BoundaryFeature b;
        if (props.is_object() && props.contains(name_field))
            b.name = property_text(props[name_field]);
        if (b.name.empty()) {
            return base::error(Code::field_missing, std::string(name_field),
                               fmt::format("{}: has no property '{}' to name it by (--name-field)",
                                           where, name_field));
        }
        where += " (" + b.name + ")";
        if (!names.insert(b.name).second) {
            return base::error(Code::field_invalid, std::string(name_field),
                               where + ": another feature has the same name");
        }
        b.properties = props.dump(-1, ' ', false, json::error_handler_t::replace);
        const json& g = f["geometry"];
        // Members of the wrong JSON type read as absent (json::value would throw).
        const json* type_member = g.is_object() && g.contains("type") ? &g["type"] : nullptr;
        const std::string type = type_member != nullptr && type_member->is_string()
                                     ? type_member->get<std::string>()
                                     : std::string();
        const json coords = g.is_object() ? g.value("coordinates", json()) : json();
        if (type == "Polygon") {
            auto p = read_polygon(coords, where);
            if (!p) return std::move(p).error();
            b.shape.push_back(std::move(p).value());
        } else if (type == "MultiPolygon" && coords.is_array()) {
            for (const json& pj : coords) {
                auto p = read_polygon(pj, where);
                if (!p) return std::move(p).error();
                b.shape.push_back(std::move(p).value());
            }
        } else {
            return base::error(
                Code::field_invalid, "geometry",
                fmt::format("{}: geometry type '{}' is not Polygon or MultiPolygon", where, type));
        }
        auto checked = geo::normalise(b.shape);
        if (!checked) {
            return base::error(Code::field_invalid, "geometry",
                               fmt::format("{}: {}", where, checked.error().detail));
        }
        for (const std::string& w : *checked)
            b.warnings.push_back(fmt::format("{}: {}", where, w));
        if (strict && !b.warnings.empty()) {
            return base::error(Code::field_invalid, "geometry", b.warnings.front());
        }
        out.push_back(std::move(b));
    }
    if (out.empty()) return base::error(Code::corrupt_file, "file", "file: no features");
    return out;
}

} // namespace pingan::io
