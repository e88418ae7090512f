#include "io/patrol_geojson.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "io/boundaries_geojson.hpp"

namespace pingan::io {
namespace {

using base::Code;
using nlohmann::json;

// An id or name given as a string or an integer; empty for anything else.
std::string text_of(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
    return {};
}

// Members of the wrong JSON type are errors naming the field, not exceptions.
class Properties {
public:
    Properties(const json& props, std::string where) : p_(props), where_(std::move(where)) {}

    const std::string& where() const { return where_; }
    void name_as(const std::string& id) { where_ += " (" + id + ")"; }

    base::Error error(Code code, const std::string& field, const std::string& reason) const {
        return base::error(code, field, fmt::format("{}: {}: {}", where_, field, reason));
    }
    bool has(const char* key) const { return p_.is_object() && p_.contains(key); }

    base::Result<std::string> text(const char* key, bool required) const {
        if (!has(key) || p_[key].is_null()) {
            if (required) return error(Code::field_missing, key, "missing");
            return std::string();
        }
        std::string s = text_of(p_[key]);
        if (s.empty()) return error(Code::field_type, key, "must be a non-empty string");
        return s;
    }

    base::Result<double> number(const char* key, double fallback) const {
        if (!has(key)) return fallback;
        if (!p_[key].is_number()) return error(Code::field_type, key, "must be a number");
        return p_[key].get<double>();
    }

    base::Result<int> integer(const char* key, int fallback) const {
        if (!has(key)) return fallback;
        const json& v = p_[key];
        const double d = v.is_number() ? v.get<double>() : std::nan("");
        if (!(std::floor(d) == d) || std::abs(d) > std::numeric_limits<int>::max()) {
            return error(Code::field_type, key, "must be a whole number");
        }
        return static_cast<int>(d);
    }

    base::Result<std::vector<patrol::DailyWindow>> windows() const {
        std::vector<patrol::DailyWindow> out;
        if (!has("windows")) return out;
        const json& w = p_["windows"];
        if (!w.is_array()) {
            return error(Code::field_type, "windows", "must be a list like [\"08:00-10:00\"]");
        }
        for (std::size_t i = 0; i < w.size(); ++i) {
            const auto parsed = w[i].is_string()
                                    ? patrol::parse_daily_window(w[i].get<std::string>())
                                    : std::nullopt;
            if (!parsed) {
                return error(Code::field_invalid, "windows",
                             fmt::format("entry {} is not a daily window like \"08:00-10:00\"", i));
            }
            out.push_back(*parsed);
        }
        return out;
    }

private:
    const json& p_;
    std::string where_;
};

base::Result<patrol::PatrolArea> read_area(const json& geometry, const std::string& type,
                                           Properties& props, std::vector<std::string>& warnings) {
    auto id = props.text("id", true);
    if (!id) return std::move(id).error();
    props.name_as(*id);
    auto name = props.text("name", false);
    if (!name) return std::move(name).error();
    // One reader for polygons in the code base: the boundary reader's, fed a MultiPolygon.
    const json coords = geometry.value("coordinates", json());
    const json multi = {{"type", "MultiPolygon"},
                        {"coordinates", type == "Polygon" ? json::array({coords}) : coords}};
    auto shape = read_geojson_geometry(multi.dump());
    if (!shape) {
        return base::error(Code::field_invalid, "geometry",
                           fmt::format("{}: {}", props.where(), shape.error().detail));
    }
    auto checked = geo::normalise(*shape);
    if (!checked) {
        return base::error(Code::field_invalid, "geometry",
                           fmt::format("{}: geometry: {}", props.where(), checked.error().detail));
    }
    for (const std::string& w : *checked)
        warnings.push_back(fmt::format("{}: {}", props.where(), w));
    return patrol::PatrolArea{*id, name->empty() ? *id : *name, std::move(shape).value()};
}

base::Result<geo::LatLon> read_position(const json& pos, const Properties& props) {
    if (!pos.is_array() || pos.size() < 2 || !pos[0].is_number() || !pos[1].is_number()) {
        return props.error(Code::field_invalid, "geometry",
                           "a position is not [longitude, latitude]");
    }
    return geo::LatLon{pos[1].get<double>(), pos[0].get<double>()};
}

// The properties a point and a route share, read into a template point.
base::Result<patrol::RequiredPoint> read_point_properties(Properties& props) {
    patrol::RequiredPoint p;
    auto id = props.text("id", true);
    if (!id) return std::move(id).error();
    props.name_as(*id);
    auto area_id = props.text("area_id", true);
    if (!area_id) return std::move(area_id).error();
    auto name = props.text("name", false);
    if (!name) return std::move(name).error();
    auto radius = props.number("radius_m", p.radius_m);
    if (!radius) return std::move(radius).error();
    auto dwell = props.integer("min_dwell_s", p.min_dwell_s);
    if (!dwell) return std::move(dwell).error();
    auto visits = props.integer("min_visits", p.min_visits);
    if (!visits) return std::move(visits).error();
    auto windows = props.windows();
    if (!windows) return std::move(windows).error();
    p.id = *id;
    p.area_id = *area_id;
    p.name = name->empty() ? *id : *name;
    p.radius_m = *radius;
    p.min_dwell_s = *dwell;
    p.min_visits = *visits;
    p.windows = std::move(windows).value();
    return p;
}

} // namespace

base::Result<PatrolPlanFile> read_patrol_plan(std::string_view text, int utc_offset_minutes) {
    auto read = read_features(text);
    if (!read) return std::move(read).error();
    PatrolPlanFile out;
    out.plan.utc_offset_minutes = utc_offset_minutes;
    std::map<std::string, std::size_t> area_feature;  // area id -> feature index
    std::map<std::string, std::size_t> point_feature; // point id -> feature index
    std::vector<std::size_t> feature_of_point;        // per plan point
    const json& features = *read;
    for (std::size_t i = 0; i < features.size(); ++i) {
        const json& f = features[i];
        const std::string where = fmt::format("feature {}", i);
        if (!f.is_object() || !f.contains("geometry") || !f["geometry"].is_object()) {
            return base::error(Code::field_invalid, "geometry", where + ": geometry: missing");
        }
        const json& g = f["geometry"];
        const std::string type =
            g.contains("type") && g["type"].is_string() ? g["type"].get<std::string>() : "";
        const json empty = json::object();
        const json& pj =
            f.contains("properties") && f["properties"].is_object() ? f["properties"] : empty;
        Properties props(pj, where);
        if (type == "Polygon" || type == "MultiPolygon") {
            auto area = read_area(g, type, props, out.warnings);
            if (!area) return std::move(area).error();
            if (!area_feature.emplace(area->id, i).second) {
                return props.error(
                    Code::field_invalid, "id",
                    fmt::format("feature {} has the same area id", area_feature[area->id]));
            }
            if (auto s = patrol::validate(*area); !s) {
                return base::error(s.error().code, s.error().field,
                                   fmt::format("{}: {}", props.where(), s.error().detail));
            }
            out.plan.areas.push_back(std::move(area).value());
            continue;
        }
        const bool is_route = type == "LineString";
        if (type != "Point" && !is_route) {
            return props.error(Code::field_invalid, "geometry",
                               fmt::format("type '{}' is not Polygon, MultiPolygon, Point or a "
                                           "LineString route",
                                           type));
        }
        auto base_point = read_point_properties(props);
        if (!base_point) return std::move(base_point).error();
        if (is_route) {
            auto kind = props.text("kind", false);
            if (!kind || *kind != "route") {
                return props.error(Code::field_invalid, "kind",
                                   "a LineString is a required route only with kind \"route\"");
            }
        }
        std::vector<patrol::RequiredPoint> points;
        const json coords = g.value("coordinates", json());
        if (!is_route) {
            auto at = read_position(coords, props);
            if (!at) return std::move(at).error();
            points.push_back(*base_point);
            points.back().location = *at;
        } else {
            if (!coords.is_array() || coords.size() < 2) {
                return props.error(Code::field_invalid, "geometry",
                                   "a route needs at least two positions");
            }
            for (const json& pos : coords) {
                auto at = read_position(pos, props);
                if (!at) return std::move(at).error();
                if (!points.empty() && points.back().location == *at) continue;
                const int n = static_cast<int>(points.size()) + 1;
                patrol::RequiredPoint p = *base_point;
                p.id = fmt::format("{}#{}", base_point->id, n);
                p.name = fmt::format("{} #{}", base_point->name, n);
                p.location = *at;
                p.route_id = base_point->id;
                p.route_seq = n;
                points.push_back(std::move(p));
            }
        }
        for (patrol::RequiredPoint& p : points) {
            if (auto s = patrol::validate(p); !s) {
                return base::error(s.error().code, s.error().field,
                                   fmt::format("{}: {}", props.where(), s.error().detail));
            }
            if (!point_feature.emplace(p.id, i).second) {
                return props.error(Code::field_invalid, "id",
                                   fmt::format("feature {} has the same point id '{}'",
                                               point_feature[p.id], p.id));
            }
            out.plan.points.push_back(std::move(p));
            feature_of_point.push_back(i);
        }
    }
    // Areas may come after their points in the file, so references are checked at the end.
    for (std::size_t k = 0; k < out.plan.points.size(); ++k) {
        const patrol::RequiredPoint& p = out.plan.points[k];
        const patrol::PatrolArea* area = out.plan.find_area(p.area_id);
        const std::string where = fmt::format("feature {} ({})", feature_of_point[k], p.id);
        if (area == nullptr) {
            return base::error(
                Code::field_invalid, "area_id",
                fmt::format("{}: area_id: no area feature has the id '{}'", where, p.area_id));
        }
        if (!geo::contains(area->shape, p.location)) {
            out.warnings.push_back(
                fmt::format("{}: lies outside its area '{}'; units on shift there still owe the "
                            "visits",
                            where, p.area_id));
        }
    }
    if (out.plan.areas.empty()) {
        return base::error(Code::corrupt_file, "file", "file: no patrol area features");
    }
    if (auto s = patrol::validate(out.plan); !s) return s.error();
    return out;
}

} // namespace pingan::io
