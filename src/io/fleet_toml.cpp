#include "io/fleet_toml.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <set>

#include <fmt/core.h>
#include <toml++/toml.h>

#include "analytics/taxonomy.hpp"
#include "base/toml_integer.hpp"

namespace pingan::io {
namespace {

class FleetReader {
public:
    explicit FleetReader(std::string_view name) : name_(name) {}

    base::Error fail(std::string_view key, std::string_view why) const {
        return base::error(base::Code::bad_argument, std::string(key),
                           fmt::format("fleet {}: {}: {}", name_, key, why));
    }
    std::optional<base::Error> only(const toml::table& t, std::string_view where,
                                    std::initializer_list<std::string_view> allowed) const {
        for (const auto& [k, v] : t) {
            if (std::find(allowed.begin(), allowed.end(), k.str()) != allowed.end()) continue;
            std::string list;
            for (auto a : allowed)
                list += (list.empty() ? "" : ", ") + std::string(a);
            return fail(where.empty() ? std::string(k.str()) : fmt::format("{}.{}", where, k.str()),
                        fmt::format("unknown key (allowed: {})", list));
        }
        return std::nullopt;
    }
    // A number of seconds (or minutes) in [0, max]; missing: the default.
    template <class View>
    base::Result<double> number(const View& n, std::string_view key, double fallback,
                                double max) const {
        if (!n) return fallback;
        auto v = n.template value<double>();
        if (!v || !std::isfinite(*v) || *v < 0 || *v > max) {
            return fail(key, fmt::format("a number from 0 to {} is required", max));
        }
        return *v;
    }

private:
    std::string name_;
};

} // namespace

base::Result<sim::Fleet> parse_fleet(std::string_view toml_text, std::string_view name) {
    FleetReader r(name);
    toml::table root;
    try {
        root = toml::parse(toml_text, name);
    } catch (const toml::parse_error& e) {
        return base::error(
            base::Code::bad_argument, "fleet",
            fmt::format("fleet {}: line {}: {}", name, e.source().begin.line, e.description()));
    }
    if (auto e = r.only(
            root, "",
            {"name", "call_processing_s", "turnout_s", "service_spread", "service_min", "posts"})) {
        return *e;
    }
    sim::Fleet f;
    f.name = root["name"].value<std::string>().value_or(std::string(name));
    auto processing = r.number(root["call_processing_s"], "call_processing_s", 60, 3600);
    if (!processing) return processing.error();
    auto turnout = r.number(root["turnout_s"], "turnout_s", 60, 3600);
    if (!turnout) return turnout.error();
    auto spread = r.number(root["service_spread"], "service_spread", 0.5, 1);
    if (!spread) return spread.error();
    f.call_processing_ms = std::llround(*processing * 1000);
    f.turnout_ms = std::llround(*turnout * 1000);
    f.service_spread = *spread;

    if (const toml::table* svc = root["service_min"].as_table()) {
        for (const auto& [k, v] : *svc) {
            const std::string key = fmt::format("service_min.{}", k.str());
            auto minutes = v.value<double>();
            if (!minutes || !std::isfinite(*minutes) || *minutes <= 0 || *minutes > 24 * 60) {
                return r.fail(key, "minutes on scene, more than 0 and at most 1440");
            }
            const auto ms = static_cast<sim::TimeMs>(std::llround(*minutes * 60'000));
            if (k.str() == "default") {
                f.service_default_ms = ms;
                continue;
            }
            if (analytics::find_category(k.str()) == nullptr) {
                std::string codes;
                for (const auto& c : analytics::categories())
                    codes += (codes.empty() ? "" : ", ") + std::string(c.code);
                return r.fail(key, fmt::format("'{}' is not a taxonomy code or group (codes: {})",
                                               k.str(), codes));
            }
            f.service_ms.emplace(std::string(k.str()), ms);
        }
    } else if (root.contains("service_min")) {
        return r.fail("service_min", "a table of minutes by category is required");
    }

    const toml::array* posts = root["posts"].as_array();
    if (posts == nullptr || posts->empty()) {
        return r.fail("posts", "at least one [[posts]] table (name, lat, lon, units) is required");
    }
    std::set<std::string> callsigns;
    for (std::size_t i = 0; i < posts->size(); ++i) {
        const std::string where = fmt::format("posts[{}]", i + 1);
        const toml::table* t = (*posts)[i].as_table();
        if (t == nullptr) return r.fail(where, "a table is required");
        if (auto e =
                r.only(*t, where,
                       {"name", "lat", "lon", "units", "callsigns", "agency", "capabilities"})) {
            return *e;
        }
        sim::Post post;
        post.name = (*t)["name"].value<std::string>().value_or(fmt::format("P{}", i + 1));
        auto lat = (*t)["lat"].value<double>();
        auto lon = (*t)["lon"].value<double>();
        if (!lat || !(*lat >= -90 && *lat <= 90)) {
            return r.fail(where + ".lat", "latitude in degrees, -90 to 90, is required");
        }
        if (!lon || !(*lon >= -180 && *lon <= 180)) {
            return r.fail(where + ".lon", "longitude in degrees, -180 to 180, is required");
        }
        post.location = {*lat, *lon};
        ops::Agency agency = ops::Agency::police;
        if (auto a = (*t)["agency"].value<std::string>()) {
            auto parsed = ops::parse_agency(*a);
            if (!parsed) return r.fail(where + ".agency", "police, fire or ems");
            agency = *parsed;
        }
        std::vector<std::string> caps;
        if (const toml::array* c = (*t)["capabilities"].as_array()) {
            for (const auto& v : *c) {
                auto s = v.value<std::string>();
                if (!s) return r.fail(where + ".capabilities", "a list of strings");
                caps.push_back(*s);
            }
        }
        std::vector<std::string> names;
        if (const toml::array* c = (*t)["callsigns"].as_array()) {
            for (const auto& v : *c) {
                auto s = v.value<std::string>();
                if (!s || s->empty()) return r.fail(where + ".callsigns", "a list of names");
                names.push_back(*s);
            }
            if (t->contains("units")) {
                return r.fail(where + ".units", "give either units (a count) or callsigns");
            }
        } else {
            auto n = base::toml_integer((*t)["units"]);
            if (!n || *n < 1 || *n > 1000) {
                return r.fail(where + ".units", "the number of units at the post, 1 to 1000");
            }
            for (std::int64_t k = 1; k <= *n; ++k)
                names.push_back(fmt::format("{}-{}", post.name, k));
        }
        for (const std::string& cs : names) {
            if (!callsigns.insert(cs).second) {
                return r.fail(where + ".callsigns", fmt::format("call sign {} is used twice", cs));
            }
            f.units.push_back(sim::FleetUnit{cs, f.posts.size(), agency, caps});
        }
        f.posts.push_back(std::move(post));
    }
    return f;
}

base::Result<sim::Fleet> load_fleet_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return base::error(base::Code::bad_argument, "fleet",
                           fmt::format("--fleet: cannot read {}", path));
    }
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    return parse_fleet(text, path);
}

} // namespace pingan::io
