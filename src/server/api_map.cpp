// The console's offline base map and address search: /tiles/{z}/{x}/{y}.mvt (Mapbox Vector
// Tiles from the road graph and the areas), /tiles/style.json (a MapLibre style for them) and
// /api/v1/geocode (street + house number, intersections, streets; and the reverse: which road
// is at a clicked point). Nothing here leaves the host: no internet tiles, fonts or geocoders.
#include <charconv>
#include <cmath>
#include <list>
#include <mutex>
#include <unordered_map>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "base/json_writer.hpp"
#include "io/mvt_map.hpp"
#include "road/address_index.hpp"
#include "road/graph.hpp"
#include "server/api.hpp"

namespace pingan::server {
namespace {

using base::Code;
using nlohmann::json;

// Tiles past this zoom are drawn by the browser from the zoom-16 tile (overzoom), which keeps
// the cache small: the road graph holds nothing finer than a z16 tile shows.
constexpr int kSourceMaxZoom = 16;
// The cache keeps recently served tiles: a shift of consoles looks at the same district.
constexpr std::size_t kCacheBytes = 64u << 20;

// Least-recently-used tile cache, bounded in bytes. Shared by the network threads.
class TileCache {
public:
    std::optional<std::shared_ptr<const std::string>> get(std::uint64_t key) {
        std::lock_guard lock(mutex_);
        auto it = index_.find(key);
        if (it == index_.end()) return std::nullopt;
        order_.splice(order_.begin(), order_, it->second);
        return it->second->second;
    }
    void put(std::uint64_t key, std::shared_ptr<const std::string> tile) {
        std::lock_guard lock(mutex_);
        if (index_.count(key) != 0) return; // another thread made it meanwhile
        bytes_ += tile->size() + kOverhead;
        order_.emplace_front(key, std::move(tile));
        index_[key] = order_.begin();
        while (bytes_ > kCacheBytes && !order_.empty()) {
            bytes_ -= order_.back().second->size() + kOverhead;
            index_.erase(order_.back().first);
            order_.pop_back();
        }
    }

private:
    static constexpr std::size_t kOverhead = 96; // list node + map entry, roughly
    std::mutex mutex_;
    std::list<std::pair<std::uint64_t, std::shared_ptr<const std::string>>> order_;
    std::unordered_map<std::uint64_t, decltype(order_)::iterator> index_;
    std::size_t bytes_ = 0;
};

struct MapState {
    ApiContext& ctx;
    std::once_flag built;
    std::unique_ptr<io::MapTiler> tiler;
    std::string style;
    TileCache cache;

    explicit MapState(ApiContext& c) : ctx(c) {}

    // The tiler and the style are made on first use: loading the areas reads the store.
    void build() {
        std::call_once(built, [this] {
            std::vector<geo::Boundary> areas;
            if (ctx.boundaries) areas = ctx.boundaries();
            tiler = std::make_unique<io::MapTiler>(ctx.graph, areas);
            style = make_style(tiler->bounds());
        });
    }

    static std::string make_style(const io::MapBounds& b);
};

// Road colours and widths by class: motorways stand out, residential streets recede, service
// roads are thin. Widths in pixels at zoom 16 (scaled for other zooms in the style).
json road_match(bool width) {
    json m = json::array({"match", json::array({"get", "class"})});
    auto add = [&](std::initializer_list<const char*> classes, json colour, double w) {
        json names = json::array();
        for (const char* c : classes)
            names.push_back(c);
        m.push_back(names);
        m.push_back(width ? json(w) : colour);
    };
    add({"motorway", "motorway_link"}, "#e07b39", 10);
    add({"trunk", "trunk_link"}, "#eb9f4d", 9);
    add({"primary", "primary_link"}, "#f5c45e", 8);
    add({"secondary", "secondary_link"}, "#f7e08a", 7);
    add({"tertiary", "tertiary_link"}, "#ffffff", 6);
    add({"service", "living_street"}, "#ffffff", 2.5);
    m.push_back(width ? json(4.5) : json("#ffffff")); // residential, unclassified, road
    return m;
}

json width_by_zoom(double extra) {
    json w = road_match(true);
    auto scaled = [&](double factor) {
        return json::array({"+", json::array({"*", w, factor}), extra});
    };
    return json::array({"interpolate", json::array({"exponential", 1.6}), json::array({"zoom"}), 8,
                        scaled(0.08), 12, scaled(0.25), 16, scaled(1.0), 19, scaled(3.0)});
}

std::string MapState::make_style(const io::MapBounds& b) {
    json source = {{"type", "vector"},
                   {"tiles", json::array({"/tiles/{z}/{x}/{y}.mvt"})},
                   {"minzoom", 0},
                   {"maxzoom", kSourceMaxZoom},
                   {"attribution", "© OpenStreetMap contributors"}};
    json style = {{"version", 8}, {"name", "pingan"}};
    if (!b.empty) {
        source["bounds"] = {b.south_west.lon, b.south_west.lat, b.north_east.lon, b.north_east.lat};
        style["center"] = {(b.south_west.lon + b.north_east.lon) / 2,
                           (b.south_west.lat + b.north_east.lat) / 2};
        style["zoom"] = 13;
    }
    style["sources"] = {{"pingan", source}};
    // No font server: the console draws glyphs itself from the browser's fonts (docs/console.md).
    style["glyphs"] = "pingan-glyphs://{fontstack}/{range}";
    const json font = json::array({"Noto Sans Regular"});
    style["layers"] = json::array({
        {{"id", "background"},
         {"type", "background"},
         {"paint", {{"background-color", "#efece6"}}}},
        {{"id", "patrol-areas-fill"},
         {"type", "fill"},
         {"source", "pingan"},
         {"source-layer", "patrol_areas"},
         {"paint", {{"fill-color", "#4a78c2"}, {"fill-opacity", 0.04}}}},
        {{"id", "patrol-areas-line"},
         {"type", "line"},
         {"source", "pingan"},
         {"source-layer", "patrol_areas"},
         {"paint",
          {{"line-color", "#4a78c2"},
           {"line-width", 1},
           {"line-dasharray", {3, 2}},
           {"line-opacity", 0.6}}}},
        {{"id", "jurisdictions-line"},
         {"type", "line"},
         {"source", "pingan"},
         {"source-layer", "jurisdictions"},
         {"paint", {{"line-color", "#7a4fc4"}, {"line-width", 2}, {"line-opacity", 0.7}}}},
        {{"id", "roads-casing"},
         {"type", "line"},
         {"source", "pingan"},
         {"source-layer", "roads"},
         {"layout", {{"line-join", "round"}, {"line-cap", "round"}}},
         {"paint", {{"line-color", "#bdb6aa"}, {"line-width", width_by_zoom(1.5)}}}},
        {{"id", "roads"},
         {"type", "line"},
         {"source", "pingan"},
         {"source-layer", "roads"},
         {"layout", {{"line-join", "round"}, {"line-cap", "round"}}},
         {"paint", {{"line-color", road_match(false)}, {"line-width", width_by_zoom(0)}}}},
        {{"id", "road-labels"},
         {"type", "symbol"},
         {"source", "pingan"},
         {"source-layer", "roads"},
         {"minzoom", 14},
         {"filter", json::array({"has", "name"})},
         {"layout",
          {{"symbol-placement", "line"},
           {"text-field", json::array({"get", "name"})},
           {"text-font", font},
           {"text-size", 12},
           {"text-max-angle", 30}}},
         {"paint",
          {{"text-color", "#3d3a35"}, {"text-halo-color", "#ffffff"}, {"text-halo-width", 1.5}}}},
        {{"id", "area-labels"},
         {"type", "symbol"},
         {"source", "pingan"},
         {"source-layer", "area_labels"},
         {"minzoom", 11},
         {"layout",
          {{"text-field", json::array({"get", "name"})}, {"text-font", font}, {"text-size", 13}}},
         {"paint",
          {{"text-color", "#5d3a9b"}, {"text-halo-color", "#ffffff"}, {"text-halo-width", 1.5}}}},
    });
    return style.dump();
}

base::Error no_map() {
    return base::error(Code::unavailable, "graph",
                       "no road map is loaded: start pingan serve with --graph FILE.graph "
                       "(made by pingan import osm)");
}

bool parse_uint(std::string_view s, std::uint32_t& v) {
    if (s.empty() || s.size() > 9) return false;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size();
}

void get_tile(MapState& m, Request& req, Reply reply) {
    if (m.ctx.graph == nullptr && !m.ctx.boundaries) return reply(Response::problem(no_map()));
    std::uint32_t z = 0, x = 0, y = 0;
    if (!parse_uint(req.params.at(0), z) || !parse_uint(req.params.at(1), x) ||
        !parse_uint(req.params.at(2), y) ||
        !io::valid_tile({static_cast<int>(std::min<std::uint32_t>(z, 99)), x, y})) {
        return reply(Response::problem(
            base::error(Code::bad_argument, "z",
                        fmt::format("tile {}/{}/{}: z must be 0..{} and x, y below 2^z",
                                    req.params.at(0).substr(0, 12), req.params.at(1).substr(0, 12),
                                    req.params.at(2).substr(0, 12), io::kMaxTileZoom))));
    }
    m.build();
    const std::uint64_t key = static_cast<std::uint64_t>(z) << 58 |
                              static_cast<std::uint64_t>(x) << 29 | static_cast<std::uint64_t>(y);
    std::shared_ptr<const std::string> tile;
    if (auto hit = m.cache.get(key)) {
        tile = *hit;
    } else {
        tile = std::make_shared<const std::string>(m.tiler->tile({static_cast<int>(z), x, y}));
        m.cache.put(key, tile);
    }
    // An empty tile is 204: MapLibre draws nothing there without treating it as an error.
    if (tile->empty()) return reply(Response::no_content());
    reply(Response{200, "application/vnd.mapbox-vector-tile", *tile, {}});
}

void get_style(MapState& m, Request&, Reply reply) {
    if (m.ctx.graph == nullptr && !m.ctx.boundaries) return reply(Response::problem(no_map()));
    m.build();
    reply(Response{200, "application/json", m.style, {}});
}

void geocode(ApiContext& ctx, Request& req, Reply reply) {
    const std::string* q = req.query_param("q");
    if (q == nullptr || q->find_first_not_of(" \t") == std::string::npos) {
        return reply(
            Response::problem(base::error(Code::bad_argument, "q",
                                          "q: say what to look for: a street and house number, "
                                          "an intersection (A & B) or a street")));
    }
    if (q->size() > 200) {
        return reply(
            Response::problem(base::error(Code::bad_argument, "q", "q: longer than 200 bytes")));
    }
    auto limit = api::query_int(req, "limit", 8, 1, 50);
    if (!limit) return reply(Response::problem(limit.error()));
    if (ctx.graph == nullptr || ctx.addresses == nullptr) return reply(Response::problem(no_map()));
    const auto places = ctx.addresses->search(*q, static_cast<std::size_t>(*limit));
    std::string body;
    base::JsonWriter w(body);
    w.begin_object().key("items").begin_array();
    for (const road::Place& p : places) {
        w.begin_object()
            .field("label", p.label)
            .field("lat", std::round(p.position.lat * 1e7) / 1e7)
            .field("lon", std::round(p.position.lon * 1e7) / 1e7)
            .field("kind", road::to_string(p.kind))
            .end_object();
    }
    w.end_array().end_object();
    reply(Response{200, "application/json", std::move(body), {}});
}

// Which road is at a clicked point: the call-taker sees the street name at once, and a click
// outside the map's data is refused in words rather than creating an incident nobody can reach.
void reverse_geocode(ApiContext& ctx, Request& req, Reply reply) {
    auto lat = api::query_number(req, "lat", -90, 90);
    if (!lat) return reply(Response::problem(lat.error()));
    auto lon = api::query_number(req, "lon", -180, 180);
    if (!lon) return reply(Response::problem(lon.error()));
    if (ctx.graph == nullptr) return reply(Response::problem(no_map()));
    constexpr double kRadiusM = 300;
    auto snapped = ctx.graph->snap({*lat, *lon}, kRadiusM);
    if (!snapped) {
        return reply(Response::problem(base::error(
            Code::off_road, "lat",
            fmt::format("no road within {} m of {:.5f}, {:.5f}: the point lies outside the "
                        "map's data",
                        kRadiusM, *lat, *lon))));
    }
    std::string body;
    base::JsonWriter w(body);
    w.begin_object()
        .field("label", ctx.graph->name(snapped->segment))
        .field("lat", std::round(snapped->point.lat * 1e7) / 1e7)
        .field("lon", std::round(snapped->point.lon * 1e7) / 1e7)
        .field("kind", "street")
        .field("distance_m", std::round(snapped->snap_distance_m * 10) / 10)
        .end_object();
    reply(Response{200, "application/json", std::move(body), {}});
}

// What the console needs to know before it draws: the centre's time zone and whether a base
// map and house numbers are there (so it can say so instead of showing an empty map).
void console_settings(ApiContext& ctx, Request&, Reply reply) {
    std::string body;
    base::JsonWriter w(body);
    w.begin_object()
        .field("utc_offset_minutes", ctx.utc_offset_minutes)
        .field("map", ctx.graph != nullptr)
        .field("streets",
               static_cast<std::int64_t>(ctx.addresses ? ctx.addresses->street_count() : 0))
        .field("addresses",
               static_cast<std::int64_t>(ctx.addresses ? ctx.addresses->address_count() : 0))
        .end_object();
    reply(Response{200, "application/json", std::move(body), {}});
}

} // namespace

void add_map_routes(Router& router, ApiContext& ctx) {
    auto state = std::make_shared<MapState>(ctx);
    router.add("GET", "/tiles/{z}/{x}/{y}.mvt",
               [state](Request& req, Reply reply) { get_tile(*state, req, std::move(reply)); });
    router.add("GET", "/tiles/style.json",
               [state](Request& req, Reply reply) { get_style(*state, req, std::move(reply)); });
    router.add("GET", "/api/v1/geocode",
               [&ctx](Request& req, Reply reply) { geocode(ctx, req, std::move(reply)); });
    router.add("GET", "/api/v1/geocode/reverse",
               [&ctx](Request& req, Reply reply) { reverse_geocode(ctx, req, std::move(reply)); });
    router.add("GET", "/api/v1/console",
               [&ctx](Request& req, Reply reply) { console_settings(ctx, req, std::move(reply)); });
}

} // namespace pingan::server
