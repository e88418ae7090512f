#include "io/incident_mapping.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <set>

#include <fmt/core.h>
#include <toml++/toml.h>

#include "analytics/taxonomy.hpp"
#include "io/builtin_import_mappings.hpp"
#include "io/time_format.hpp"
#include "io/time_zone.hpp"

namespace pingan::io {
namespace {

std::string normalise(std::string_view v) {
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front())))
        v.remove_prefix(1);
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back())))
        v.remove_suffix(1);
    std::string out(v);
    for (char& c : out)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

class Reader {
public:
    Reader(const toml::table& root, std::string_view name) : root_(root), name_(name) {}

    base::Error fail(std::string_view key, std::string_view why) const {
        return base::error(base::Code::bad_argument, std::string(key),
                           fmt::format("mapping {}: {}: {}", name_, key, why));
    }

    // Refuses keys a table may not hold (typos would otherwise be ignored silently).
    std::optional<base::Error> only(const toml::table& t, std::string_view where,
                                    std::initializer_list<std::string_view> allowed) const {
        for (const auto& [k, v] : t) {
            if (std::find(allowed.begin(), allowed.end(), k.str()) == allowed.end()) {
                std::string list;
                for (auto a : allowed)
                    list += (list.empty() ? "" : ", ") + std::string(a);
                return fail(where.empty() ? std::string(k.str())
                                          : fmt::format("{}.{}", where, k.str()),
                            fmt::format("unknown key (allowed: {})", list));
            }
        }
        return std::nullopt;
    }

    const toml::table& root_;
    std::string name_;
};

base::Result<TimeColumn> read_time(const Reader& r, const toml::table& t, std::string_view where,
                                   const std::string& default_zone) {
    if (auto e = r.only(t, where, {"column", "format", "timezone"})) return *e;
    TimeColumn tc;
    auto column = t["column"].value<std::string>();
    auto format = t["format"].value<std::string>();
    if (!column || column->empty()) return r.fail(fmt::format("{}.column", where), "required");
    if (!format) return r.fail(fmt::format("{}.format", where), "required");
    tc.column = *column;
    tc.format = *format;
    if (auto s = check_time_format(tc.format); !s) {
        return r.fail(fmt::format("{}.format", where), s.error().detail);
    }
    tc.timezone = t["timezone"].value<std::string>().value_or(default_zone);
    if (tc.timezone.empty()) {
        return r.fail(fmt::format("{}.timezone", where),
                      "required (the zone the times are written in, e.g. UTC or "
                      "America/New_York); times are stored in UTC");
    }
    if (auto z = TimeZone::load(tc.timezone); !z) {
        return r.fail(fmt::format("{}.timezone", where), z.error().detail);
    }
    return tc;
}

std::optional<base::Error> check_code(const Reader& r, std::string_view key,
                                      std::string_view code) {
    if (analytics::find_category(code) == nullptr) {
        std::string codes;
        for (const auto& c : analytics::categories())
            codes += (codes.empty() ? "" : ", ") + std::string(c.code);
        return r.fail(key, fmt::format("'{}' is not a taxonomy code (codes: {})", code, codes));
    }
    return std::nullopt;
}

} // namespace

std::optional<std::string> IncidentMapping::code_for(std::string_view value) const {
    const std::string v = normalise(value);
    for (const auto& [from, code] : category_codes) {
        if (from == v) return code;
    }
    for (const auto& [prefix, code] : category_prefixes) {
        if (v.compare(0, prefix.size(), prefix) == 0) return code;
    }
    return category_default;
}

std::vector<std::pair<std::string, std::string>> IncidentMapping::columns() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const std::string& k : key_columns)
        out.emplace_back(k, "key");
    out.emplace_back(received.column, "time.column");
    const std::pair<const std::optional<TimeColumn>*, const char*> stages[] = {
        {&dispatched, "stages.dispatched.column"},
        {&en_route, "stages.en_route.column"},
        {&on_scene, "stages.on_scene.column"},
        {&cleared, "stages.cleared.column"}};
    for (const auto& [stage, key] : stages) {
        if (*stage) out.emplace_back((*stage)->column, key);
    }
    if (!lat_column.empty()) {
        out.emplace_back(lat_column, "location.lat");
        out.emplace_back(lon_column, "location.lon");
    } else {
        out.emplace_back(x_column, "location.x");
        out.emplace_back(y_column, "location.y");
    }
    out.emplace_back(category_column, "category.column");
    if (!jurisdiction_column.empty()) out.emplace_back(jurisdiction_column, "jurisdiction.column");
    if (!patrol_area_column.empty()) out.emplace_back(patrol_area_column, "patrol_area.column");
    if (!disposition_column.empty()) out.emplace_back(disposition_column, "disposition.column");
    return out;
}

base::Result<IncidentMapping> parse_mapping(std::string_view text, std::string_view name) {
    toml::table root;
    try {
        root = toml::parse(text, std::string_view(name));
    } catch (const toml::parse_error& e) {
        return base::error(
            base::Code::bad_argument, "mapping",
            fmt::format("mapping {}: line {}: {}", name, e.source().begin.line, e.description()));
    }
    const Reader r(root, name);
    if (auto e = r.only(root, "",
                        {"source", "description", "delimiter", "key", "time", "stages", "location",
                         "category", "jurisdiction", "patrol_area", "disposition"})) {
        return *e;
    }
    IncidentMapping m;
    m.name = std::string(name);
    m.source = root["source"].value<std::string>().value_or("");
    if (m.source.empty()) return r.fail("source", "required (a short name for the data set)");
    m.description = root["description"].value<std::string>().value_or("");
    if (auto d = root["delimiter"].value<std::string>()) {
        if (d->size() != 1) return r.fail("delimiter", "must be one character");
        m.delimiter = (*d)[0];
    }
    if (const toml::array* keys = root["key"].as_array()) {
        for (const auto& k : *keys) {
            auto s = k.value<std::string>();
            if (!s || s->empty()) return r.fail("key", "must be a list of column names");
            m.key_columns.push_back(*s);
        }
    } else if (root.contains("key")) {
        return r.fail("key", "must be a list of column names");
    }

    const toml::table* time = root["time"].as_table();
    if (time == nullptr)
        return r.fail("time", "required table [time] with column, format, timezone");
    auto received = read_time(r, *time, "time", "");
    if (!received) return std::move(received).error();
    m.received = *received;

    if (const toml::table* stages = root["stages"].as_table()) {
        if (auto e = r.only(*stages, "stages", {"dispatched", "en_route", "on_scene", "cleared"})) {
            return *e;
        }
        const std::pair<const char*, std::optional<TimeColumn>*> slots[] = {
            {"dispatched", &m.dispatched},
            {"en_route", &m.en_route},
            {"on_scene", &m.on_scene},
            {"cleared", &m.cleared}};
        for (const auto& [key, slot] : slots) {
            if (const toml::table* t = (*stages)[key].as_table()) {
                auto tc = read_time(r, *t, fmt::format("stages.{}", key), m.received.timezone);
                if (!tc) return std::move(tc).error();
                *slot = *tc;
            }
        }
    }

    const toml::table* loc = root["location"].as_table();
    if (loc == nullptr) {
        return r.fail("location", "required table [location] with lat/lon or x/y/crs");
    }
    if (auto e = r.only(*loc, "location", {"lat", "lon", "x", "y", "crs", "bbox"})) return *e;
    m.lat_column = (*loc)["lat"].value<std::string>().value_or("");
    m.lon_column = (*loc)["lon"].value<std::string>().value_or("");
    m.x_column = (*loc)["x"].value<std::string>().value_or("");
    m.y_column = (*loc)["y"].value<std::string>().value_or("");
    m.crs = (*loc)["crs"].value<std::string>().value_or("");
    const bool latlon = !m.lat_column.empty() || !m.lon_column.empty();
    const bool xy = !m.x_column.empty() || !m.y_column.empty() || !m.crs.empty();
    if (latlon == xy) {
        return r.fail("location", "give either lat and lon, or x, y and crs");
    }
    if (latlon && (m.lat_column.empty() || m.lon_column.empty())) {
        return r.fail("location", "lat and lon are both required");
    }
    if (xy && (m.x_column.empty() || m.y_column.empty() || m.crs.empty())) {
        return r.fail("location", "x, y and crs are all required");
    }
    if (const toml::array* b = (*loc)["bbox"].as_array()) {
        std::array<double, 4> box{};
        if (b->size() != 4) return r.fail("location.bbox", "must be [west, south, east, north]");
        for (std::size_t i = 0; i < 4; ++i) {
            auto v = (*b)[i].value<double>();
            if (!v) return r.fail("location.bbox", "must be four numbers");
            box[i] = *v;
        }
        if (!(box[0] < box[2] && box[1] < box[3])) {
            return r.fail("location.bbox", "west < east and south < north");
        }
        m.bbox = box;
    }

    const toml::table* cat = root["category"].as_table();
    if (cat == nullptr) return r.fail("category", "required table [category] with column");
    if (auto e = r.only(*cat, "category", {"column", "default", "codes", "prefixes"})) return *e;
    m.category_column = (*cat)["column"].value<std::string>().value_or("");
    if (m.category_column.empty()) return r.fail("category.column", "required");
    if (auto d = (*cat)["default"].value<std::string>()) {
        if (auto e = check_code(r, "category.default", *d)) return *e;
        m.category_default = *d;
    }
    for (const auto& [table_key, out] :
         {std::pair{"codes", &m.category_codes}, std::pair{"prefixes", &m.category_prefixes}}) {
        if (!cat->contains(table_key)) continue;
        const toml::table* t = (*cat)[table_key].as_table();
        if (t == nullptr) return r.fail(fmt::format("category.{}", table_key), "must be a table");
        for (const auto& [k, v] : *t) {
            auto code = v.value<std::string>();
            const std::string key = fmt::format("category.{}.\"{}\"", table_key, k.str());
            if (!code) return r.fail(key, "must be a taxonomy code (a string)");
            if (auto e = check_code(r, key, *code)) return *e;
            out->emplace_back(normalise(k.str()), *code);
        }
    }
    std::stable_sort(m.category_prefixes.begin(), m.category_prefixes.end(),
                     [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
    if (m.category_codes.empty() && m.category_prefixes.empty() && !m.category_default) {
        return r.fail("category", "map the source's values with [category.codes] or "
                                  "[category.prefixes], or give a default");
    }

    for (const auto& [key, out] : {std::pair{"jurisdiction", &m.jurisdiction_column},
                                   std::pair{"patrol_area", &m.patrol_area_column},
                                   std::pair{"disposition", &m.disposition_column}}) {
        if (!root.contains(key)) continue;
        const toml::table* t = root[key].as_table();
        if (t == nullptr) return r.fail(key, "must be a table with column");
        if (auto e = r.only(*t, key, {"column"})) return *e;
        *out = (*t)["column"].value<std::string>().value_or("");
        if (out->empty()) return r.fail(fmt::format("{}.column", key), "required");
    }
    return m;
}

base::Result<IncidentMapping> load_mapping_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return base::error(base::Code::bad_argument, "format",
                           fmt::format("cannot read the mapping file {}", path));
    }
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    return parse_mapping(text, path);
}

base::Result<IncidentMapping> builtin_mapping(std::string_view format) {
    for (const BuiltinMapping& b : builtin_import_mappings()) {
        if (b.name == format) return parse_mapping(b.toml, b.name);
    }
    std::string names;
    for (const BuiltinMapping& b : builtin_import_mappings())
        names += (names.empty() ? "" : ", ") + std::string(b.name);
    return base::error(base::Code::bad_argument, "format",
                       fmt::format("'{}' is neither a built-in format ({}) nor a .toml mapping "
                                   "file",
                                   format, names));
}

std::vector<std::string_view> builtin_mapping_names() {
    std::vector<std::string_view> out;
    for (const BuiltinMapping& b : builtin_import_mappings())
        out.push_back(b.name);
    return out;
}

} // namespace pingan::io
