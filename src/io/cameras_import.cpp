#include "io/cameras_import.hpp"

#include <array>
#include <charconv>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "io/boundaries_geojson.hpp"
#include "io/csv_reader.hpp"

namespace pingan::io {
namespace {

using base::Code;
using cameras::Camera;
using nlohmann::json;

enum Column : std::size_t {
    c_id,
    c_lat,
    c_lon,
    c_heading,
    c_fov,
    c_range,
    c_kind,
    c_url,
    c_owner,
    c_sharing,
    c_count
};
constexpr std::array<std::string_view, c_count> kColumns{
    "id",      "lat",         "lon",        "heading_deg", "fov_deg",
    "range_m", "stream_kind", "stream_url", "owner",       "sharing"};
constexpr std::array<std::string_view, 3> kKinds{"rtsp", "hls", "webrtc"};
constexpr std::array<std::string_view, 3> kSharings{"shared", "owner_only", "on_request"};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// `where` ("line 7", "feature 3") before a problem's detail, which starts with its field.
base::Error at(std::string_view where, base::Error e) {
    e.detail = fmt::format("{}: {}", where, e.detail);
    return e;
}

base::Error bad(std::string_view where, std::string_view field, std::string_view reason,
                Code code = Code::field_invalid) {
    return base::error(code, std::string(field), fmt::format("{}: {}: {}", where, field, reason));
}

std::optional<double> parse_number(std::string_view s) {
    double v = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

std::string one_of(std::span<const std::string_view> names) {
    std::string out;
    for (std::string_view n : names)
        out += fmt::format("{}{}", out.empty() ? "" : ", ", n);
    return out;
}

// Sets the two enums from their text, or says which is wrong.
std::optional<base::Error> read_enums(std::string_view where, std::string_view kind,
                                      std::string_view sharing, Camera& c) {
    if (auto k = cameras::parse_stream_kind(kind)) {
        c.stream_kind = *k;
    } else {
        return bad(where, "stream_kind",
                   fmt::format("must be one of {}, not '{}'", one_of(kKinds), kind));
    }
    if (auto s = cameras::parse_sharing(sharing)) {
        c.sharing = *s;
    } else {
        return bad(where, "sharing",
                   fmt::format("must be one of {}, not '{}'", one_of(kSharings), sharing));
    }
    return std::nullopt;
}

// Validates a parsed camera and checks its id is new; `first_use` maps ids to where they were
// first seen.
std::optional<base::Error> accept(std::string where, Camera c,
                                  std::unordered_map<std::string, std::string>& first_use,
                                  std::vector<Camera>& out) {
    if (auto ok = cameras::validate(c); !ok) return at(where, ok.error());
    const auto [it, fresh] = first_use.emplace(c.id, where);
    if (!fresh) {
        return bad(where, "id", fmt::format("'{}' is already used on {}", c.id, it->second));
    }
    out.push_back(std::move(c));
    return std::nullopt;
}

} // namespace

base::Result<std::vector<Camera>> read_cameras_csv(std::string_view text) {
    CsvReader csv(text);
    std::vector<std::string_view> fields;
    if (!csv.next(fields)) {
        return base::error(Code::corrupt_file, "file",
                           csv.error().empty() ? "file: is empty" : "file: " + csv.error());
    }
    constexpr std::size_t kAbsent = static_cast<std::size_t>(-1);
    std::array<std::size_t, c_count> col{};
    col.fill(kAbsent);
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::string_view name = trim(fields[i]);
        for (std::size_t k = 0; k < c_count; ++k) {
            if (name != kColumns[k]) continue;
            if (col[k] != kAbsent) {
                return base::error(Code::corrupt_file, std::string(name),
                                   fmt::format("line 1: the header names column {} twice", name));
            }
            col[k] = i;
        }
    }
    std::string missing;
    std::size_t needed = 0; // fields a record must have to reach every column
    for (std::size_t k = 0; k < c_count; ++k) {
        if (col[k] == kAbsent) {
            missing += fmt::format("{}{}", missing.empty() ? "" : ", ", kColumns[k]);
        } else {
            needed = std::max(needed, col[k] + 1);
        }
    }
    if (!missing.empty()) {
        return base::error(Code::corrupt_file, "file",
                           fmt::format("line 1: the header has no column {} (it needs {})", missing,
                                       one_of(kColumns)));
    }

    std::vector<Camera> out;
    std::unordered_map<std::string, std::string> first_use;
    while (csv.next(fields)) {
        const std::string where = fmt::format("line {}", csv.line());
        if (fields.size() == 1 && trim(fields[0]).empty()) continue; // a blank line
        if (fields.size() < needed) {
            return base::error(Code::field_missing, "file",
                               fmt::format("{}: has {} fields, the header names {}", where,
                                           fields.size(), needed));
        }
        auto field = [&](Column k) { return trim(fields[col[k]]); };
        Camera c;
        c.id = field(c_id);
        double* const numbers[] = {&c.position.lat, &c.position.lon, &c.heading_deg, &c.fov_deg,
                                   &c.range_m};
        for (Column k : {c_lat, c_lon, c_heading, c_fov, c_range}) {
            const std::string_view s = field(k);
            const std::optional<double> v = parse_number(s);
            if (!v) {
                return bad(where, kColumns[k],
                           s.empty() ? std::string("is empty")
                                     : fmt::format("'{}' is not a number", s),
                           s.empty() ? Code::field_missing : Code::field_invalid);
            }
            *numbers[k - c_lat] = *v;
        }
        if (auto e = read_enums(where, field(c_kind), field(c_sharing), c)) return *std::move(e);
        c.stream_url = field(c_url);
        c.owner = field(c_owner);
        if (auto e = accept(where, std::move(c), first_use, out)) return *std::move(e);
    }
    if (!csv.error().empty()) return base::error(Code::corrupt_file, "file", csv.error());
    if (out.empty()) return base::error(Code::corrupt_file, "file", "file: has no cameras");
    return out;
}

base::Result<std::vector<Camera>> read_cameras_geojson(std::string_view text) {
    auto read = read_features(text);
    if (!read) return std::move(read).error();
    const json& features = *read;
    std::vector<Camera> out;
    out.reserve(features.size());
    std::unordered_map<std::string, std::string> first_use;
    for (std::size_t i = 0; i < features.size(); ++i) {
        const std::string where = fmt::format("feature {}", i);
        const json& f = features[i];
        if (!f.is_object()) return bad(where, "feature", "is not a JSON object");
        // Geometry: a Point, [longitude, latitude(, altitude)].
        const json* g = f.contains("geometry") ? &f["geometry"] : nullptr;
        if (g == nullptr || !g->is_object() || !g->contains("type") || (*g)["type"] != "Point" ||
            !g->contains("coordinates")) {
            return bad(where, "geometry", "must be a GeoJSON Point");
        }
        const json& xy = (*g)["coordinates"];
        if (!xy.is_array() || xy.size() < 2 || !xy[0].is_number() || !xy[1].is_number()) {
            return bad(where, "geometry", "coordinates must be [longitude, latitude]");
        }
        Camera c;
        c.position = {xy[1].get<double>(), xy[0].get<double>()};

        const json empty = json::object();
        const json& props =
            f.contains("properties") && f["properties"].is_object() ? f["properties"] : empty;
        // id: the property, else the feature's own id.
        const json* id =
            props.contains("id") ? &props["id"] : (f.contains("id") ? &f["id"] : nullptr);
        if (id == nullptr) return bad(where, "id", "missing", Code::field_missing);
        if (id->is_string()) {
            c.id = id->get<std::string>();
        } else if (id->is_number_integer()) {
            c.id = id->dump();
        } else {
            return bad(where, "id", "must be a string or an integer", Code::field_type);
        }
        const std::pair<std::string_view, double*> numbers[] = {
            {"heading_deg", &c.heading_deg}, {"fov_deg", &c.fov_deg}, {"range_m", &c.range_m}};
        for (const auto& [name, target] : numbers) {
            const std::string key(name);
            if (!props.contains(key)) return bad(where, name, "missing", Code::field_missing);
            if (!props[key].is_number())
                return bad(where, name, "must be a number", Code::field_type);
            *target = props[key].get<double>();
        }
        std::string strings[4]; // stream_kind, stream_url, owner, sharing
        const std::string_view string_names[] = {"stream_kind", "stream_url", "owner", "sharing"};
        for (std::size_t k = 0; k < 4; ++k) {
            const std::string key(string_names[k]);
            if (!props.contains(key)) {
                if (key == "owner") continue; // validate decides whether it may be empty
                return bad(where, key, "missing", Code::field_missing);
            }
            if (!props[key].is_string())
                return bad(where, key, "must be a string", Code::field_type);
            strings[k] = props[key].get<std::string>();
        }
        if (auto e = read_enums(where, strings[0], strings[3], c)) return *std::move(e);
        c.stream_url = std::move(strings[1]);
        c.owner = std::move(strings[2]);
        if (auto e = accept(where, std::move(c), first_use, out)) return *std::move(e);
    }
    if (out.empty()) return base::error(Code::corrupt_file, "file", "file: has no cameras");
    return out;
}

} // namespace pingan::io
