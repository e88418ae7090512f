// Road network commands: import osm, route, nearest, coverage, export graph.
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <unistd.h>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "io/osm_addresses.hpp"
#include "io/osm_import.hpp"
#include "io/road_csv.hpp"
#include "io/road_geojson.hpp"
#include "io/road_profile.hpp"
#include "road/coverage.hpp"
#include "road/nearest.hpp"
#include "road/route.hpp"
#include "road/units.hpp"

namespace pingan::cli {

namespace {

namespace fs = std::filesystem;

// Writes a file through a temporary sibling renamed into place, so that a failure never leaves
// a partial output behind. `write` returns false (after saying why) to abandon the file.
bool write_atomically(const std::string& path,
                      const std::function<bool(const std::string&)>& write) {
    const std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
    bool ok = false;
    try {
        ok = write(tmp);
    } catch (const std::exception& e) {
        fail_input(fmt::format("cannot write {}: {}", path, e.what()));
        ok = false;
    }
    std::error_code ec;
    if (ok) {
        fs::rename(tmp, path, ec);
        if (ec) {
            fail_input(fmt::format("cannot write {}: {}", path, ec.message()));
            ok = false;
        }
    }
    if (!ok) fs::remove(tmp, ec);
    return ok;
}

bool parse_latlon(const std::string& text, geo::LatLon& out) {
    const auto comma = text.find(',');
    if (comma == std::string::npos) return false;
    auto num = [](std::string_view s, double& v) {
        while (!s.empty() && s.front() == ' ')
            s.remove_prefix(1);
        const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        return ec == std::errc() && p == s.data() + s.size();
    };
    return num(std::string_view(text).substr(0, comma), out.lat) &&
           num(std::string_view(text).substr(comma + 1), out.lon);
}

std::unique_ptr<road::Graph> load_graph(const std::string& path, int& exit_code) {
    auto g = road::Graph::load(path);
    if (!g) {
        exit_code = fail(g.error());
        return nullptr;
    }
    return std::make_unique<road::Graph>(std::move(g).value());
}

// Snaps a LAT,LON option value; on failure prints the named error and sets exit_code.
bool snap_option(const road::Graph& g, const std::string& option, const std::string& text,
                 double radius_m, road::RoadPosition& out, int& exit_code) {
    geo::LatLon p;
    if (!parse_latlon(text, p)) {
        exit_code =
            fail_input(fmt::format("{} must be LAT,LON in degrees, got '{}'", option, text));
        return false;
    }
    auto snapped = g.snap(p, radius_m);
    if (!snapped) {
        const base::Error& e = snapped.error();
        exit_code = fail_input(fmt::format("{}: {} ({})", option, e.detail, e.slug()));
        return false;
    }
    out = snapped.value();
    return true;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void add_import_osm(Parents& parents, RunState& state) {
    struct Opts {
        std::string file, out, profile;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = parents.import->add_subcommand(
        "osm", "Build a routable road graph from an OSM file (.osm.pbf or .osm)");
    cmd->add_option("file", o->file, "OSM file (PBF or XML; sorted or not)")->required();
    cmd->add_option("--out", o->out, "graph file to write")->required();
    cmd->add_option("--profile", o->profile, "road profile TOML (default: built-in car profile)");
    cmd->callback([o, &state] {
        const auto t0 = std::chrono::steady_clock::now();
        road::Profile profile = road::Profile::car();
        if (!o->profile.empty()) {
            auto p = io::load_road_profile(o->profile);
            if (!p) {
                state.exit_code = fail(p.error());
                return;
            }
            profile = std::move(p).value();
        }
        auto progress = [&](std::string_view msg) {
            fmt::print(stderr, "[{:6.2f}s] {}\n", seconds_since(t0), msg);
        };
        // Checked once, read twice (roads, then addresses).
        auto osm = io::check_osm_file(o->file);
        if (!osm) {
            state.exit_code = fail(osm.error());
            return;
        }
        auto imported = io::import_osm(*osm, profile, progress);
        if (!imported) {
            state.exit_code = fail(imported.error());
            return;
        }
        const io::OsmImportStats& s = imported->stats;
        progress("writing graph file");
        const bool ok = write_atomically(o->out, [&](const std::string& tmp) {
            base::Status st = imported->graph.save(tmp);
            if (!st) fail(st.error());
            return st.ok();
        });
        if (!ok) {
            state.exit_code = kExitBadInput;
            return;
        }
        // House numbers for call-taking, next to the graph (io/osm_addresses.hpp).
        progress("reading addresses");
        auto addresses = io::read_osm_addresses(*osm);
        if (!addresses) {
            state.exit_code = fail(addresses.error());
            return;
        }
        const bool addresses_ok =
            write_atomically(io::address_file_for(o->out), [&](const std::string& tmp) {
                base::Status st = io::save_addresses(tmp, *addresses);
                if (!st) fail(st.error());
                return st.ok();
            });
        if (!addresses_ok) {
            state.exit_code = kExitBadInput;
            return;
        }
        const nlohmann::json summary = {{"out", o->out},
                                        {"addresses", addresses->size()},
                                        {"profile", profile.name},
                                        {"nodes", s.build.nodes},
                                        {"segments", s.build.segments},
                                        {"arcs", s.build.arcs},
                                        {"shortcuts", s.build.shortcuts},
                                        {"ways_read", s.ways_read},
                                        {"ways_routable", s.ways_routable},
                                        {"ways_unusable", s.build.ways_unusable},
                                        {"missing_node_refs", s.build.missing_node_refs},
                                        {"dropped",
                                         {{"nodes", s.build.dropped_nodes},
                                          {"segments", s.build.dropped_segments},
                                          {"length_m", std::round(s.build.dropped_length_m)}}},
                                        {"road_length_m", std::round(s.build.kept_length_m)},
                                        {"bytes", fs::file_size(o->out)},
                                        {"seconds", std::round(seconds_since(t0) * 1000) / 1000}};
        fmt::print("{}\n", summary.dump());
        state.exit_code = kExitOk;
    });
}

void add_route(CLI::App& app, RunState& state) {
    struct Opts {
        std::string graph, from, to, pairs;
        double radius_m = road::kDefaultSnapRadiusM;
        bool geojson = false;
        long long from_node = -1, to_node = -1;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd =
        app.add_subcommand("route", "Fastest route between two places: ETA, distance, geometry");
    cmd->add_option("--graph", o->graph, "graph file from `pingan import osm`")->required();
    cmd->add_option("--from", o->from, "start LAT,LON");
    cmd->add_option("--to", o->to, "destination LAT,LON");
    cmd->add_option("--from-node", o->from_node, "start at a graph node id (as in `export graph`)");
    cmd->add_option("--to-node", o->to_node, "end at a graph node id");
    cmd->add_option("--pairs", o->pairs, "CSV of from_node,to_node rows: one JSON line each");
    cmd->add_option("--radius", o->radius_m, "snapping radius in metres (default 500)");
    cmd->add_flag("--geojson", o->geojson, "print the route as a GeoJSON Feature");
    cmd->callback([o, &state] {
        auto g = load_graph(o->graph, state.exit_code);
        if (!g) return;
        road::RouteQuery query(*g);
        const auto n = static_cast<long long>(g->node_count());
        if (!o->pairs.empty()) {
            std::ifstream in(o->pairs);
            if (!in) {
                state.exit_code = fail_input(fmt::format("cannot open {}", o->pairs));
                return;
            }
            std::string line;
            std::size_t line_no = 0;
            while (std::getline(in, line)) {
                ++line_no;
                long long a = -1, b = -1;
                if (std::sscanf(line.c_str(), "%lld,%lld", &a, &b) != 2) continue; // header
                if (a < 0 || b < 0 || a >= n || b >= n) {
                    state.exit_code = fail_input(
                        fmt::format("{} line {}: node id out of range", o->pairs, line_no));
                    return;
                }
                const road::TimeMs t =
                    query.eta_ms(static_cast<road::NodeId>(a), static_cast<road::NodeId>(b));
                fmt::print("{{\"from_node\":{},\"to_node\":{},\"eta_s\":{:.3f}}}\n", a, b,
                           t / 1000.0);
            }
            state.exit_code = kExitOk;
            return;
        }
        road::RoadPosition from, to;
        if (o->from_node >= 0) {
            if (o->from_node >= n) {
                state.exit_code = fail_input("--from-node is not a node of this graph");
                return;
            }
            from = g->node_position(static_cast<road::NodeId>(o->from_node));
        } else if (o->from.empty()) {
            state.exit_code = fail_input("give --from LAT,LON or --from-node N");
            return;
        } else if (!snap_option(*g, "--from", o->from, o->radius_m, from, state.exit_code)) {
            return;
        }
        if (o->to_node >= 0) {
            if (o->to_node >= n) {
                state.exit_code = fail_input("--to-node is not a node of this graph");
                return;
            }
            to = g->node_position(static_cast<road::NodeId>(o->to_node));
        } else if (o->to.empty()) {
            state.exit_code = fail_input("give --to LAT,LON or --to-node N");
            return;
        } else if (!snap_option(*g, "--to", o->to, o->radius_m, to, state.exit_code)) {
            return;
        }
        auto route = query.route(from, to);
        if (!route) {
            state.exit_code = fail(route.error());
            return;
        }
        if (o->geojson) {
            fmt::print("{}\n", io::route_geojson(*route).dump());
        } else {
            const nlohmann::json out = {{"eta_s", route->eta_s()},
                                        {"distance_m", std::round(route->distance_m * 10) / 10}};
            fmt::print("{}\n", out.dump());
        }
        state.exit_code = kExitOk;
    });
}

// Reads the units CSV and snaps every unit; units off the road are reported and skipped.
bool load_units(const road::Graph& g, const std::string& path, double radius_m,
                std::vector<io::UnitRow>& rows, std::vector<road::RoadPosition>& positions,
                nlohmann::json& skipped, int& exit_code) {
    auto r = io::read_units_csv(path);
    if (!r) {
        exit_code = fail(r.error());
        return false;
    }
    skipped = nlohmann::json::array();
    for (io::UnitRow& row : *r) {
        auto p = g.snap(row.position, radius_m);
        if (!p) {
            skipped.push_back({{"id", row.id}, {"error", std::string(p.error().slug())}});
            continue;
        }
        rows.push_back(std::move(row));
        positions.push_back(p.value());
    }
    return true;
}

void add_nearest(CLI::App& app, RunState& state) {
    struct Opts {
        std::string graph, to, units;
        std::size_t k = 5;
        double radius_m = road::kDefaultSnapRadiusM;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = app.add_subcommand("nearest", "Units ranked by driving time to a place");
    cmd->add_option("--graph", o->graph, "graph file")->required();
    cmd->add_option("--to", o->to, "incident LAT,LON")->required();
    cmd->add_option("--units", o->units, "CSV with columns id,lat,lon")->required();
    cmd->add_option("--k", o->k, "how many units (default 5)");
    cmd->add_option("--radius", o->radius_m, "snapping radius in metres (default 500)");
    cmd->callback([o, &state] {
        auto g = load_graph(o->graph, state.exit_code);
        if (!g) return;
        road::RoadPosition incident;
        if (!snap_option(*g, "--to", o->to, o->radius_m, incident, state.exit_code)) return;
        std::vector<io::UnitRow> rows;
        std::vector<road::RoadPosition> positions;
        nlohmann::json skipped;
        if (!load_units(*g, o->units, o->radius_m, rows, positions, skipped, state.exit_code))
            return;
        road::UnitIndex index(*g);
        for (std::size_t i = 0; i < rows.size(); ++i) {
            index.update({static_cast<road::UnitKey>(i), positions[i], true, 0});
        }
        road::NearestQuery query(*g);
        road::NearestRequest req;
        req.k = o->k;
        nlohmann::json ranked = nlohmann::json::array();
        int rank = 0;
        for (const road::NearestUnit& u : query.nearest(index, incident, req)) {
            ranked.push_back(
                {{"rank", ++rank}, {"id", rows[u.key].id}, {"eta_s", u.eta_ms / 1000.0}});
        }
        const nlohmann::json out = {
            {"to",
             {{"lat", incident.point.lat},
              {"lon", incident.point.lon},
              {"snap_distance_m", std::round(incident.snap_distance_m * 10) / 10}}},
            {"units", ranked},
            {"skipped", skipped}};
        fmt::print("{}\n", out.dump());
        state.exit_code = kExitOk;
    });
}

void add_coverage(CLI::App& app, RunState& state) {
    struct Opts {
        std::string graph, units, geojson;
        double within_s = 0;
        double radius_m = road::kDefaultSnapRadiusM;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd =
        app.add_subcommand("coverage", "Road length reachable by some unit within a time");
    cmd->add_option("--graph", o->graph, "graph file")->required();
    cmd->add_option("--units", o->units, "CSV with columns id,lat,lon")->required();
    cmd->add_option("--within", o->within_s, "time limit in seconds")->required();
    cmd->add_option("--geojson", o->geojson, "write the covered roads as GeoJSON to this file");
    cmd->add_option("--radius", o->radius_m, "snapping radius in metres (default 500)");
    cmd->callback([o, &state] {
        if (!(o->within_s >= 0) || o->within_s > 86400) {
            state.exit_code = fail_input("--within must be between 0 and 86400 seconds");
            return;
        }
        auto g = load_graph(o->graph, state.exit_code);
        if (!g) return;
        std::vector<io::UnitRow> rows;
        std::vector<road::RoadPosition> positions;
        nlohmann::json skipped;
        if (!load_units(*g, o->units, o->radius_m, rows, positions, skipped, state.exit_code))
            return;
        road::Coverage coverage(*g, static_cast<road::TimeMs>(std::llround(o->within_s * 1000)));
        std::vector<std::pair<road::UnitKey, road::RoadPosition>> units;
        for (std::size_t i = 0; i < rows.size(); ++i)
            units.emplace_back(i, positions[i]);
        coverage.assign(units);
        if (!o->geojson.empty()) {
            const bool ok = write_atomically(o->geojson, [&](const std::string& tmp) {
                std::ofstream f(tmp);
                f << io::coverage_geojson(*g, coverage).dump() << '\n';
                f.close();
                if (!f) fail_input(fmt::format("cannot write {}", o->geojson));
                return static_cast<bool>(f);
            });
            if (!ok) {
                state.exit_code = kExitBadInput;
                return;
            }
        }
        const nlohmann::json out = {{"within_s", o->within_s},
                                    {"units", rows.size()},
                                    {"covered_m", std::round(coverage.covered_m())},
                                    {"total_m", std::round(coverage.total_m())},
                                    {"share", std::round(coverage.share() * 10000) / 10000},
                                    {"skipped", skipped}};
        fmt::print("{}\n", out.dump());
        state.exit_code = kExitOk;
    });
}

void add_export_graph(Parents& parents, RunState& state) {
    struct Opts {
        std::string graph, csv;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = parents.export_->add_subcommand(
        "graph", "Export the road graph's edges as CSV (pgRouting, networkx)");
    cmd->add_option("--graph", o->graph, "graph file")->required();
    cmd->add_option("--csv", o->csv, "CSV file to write")->required();
    cmd->callback([o, &state] {
        auto g = load_graph(o->graph, state.exit_code);
        if (!g) return;
        const bool ok = write_atomically(o->csv, [&](const std::string& tmp) {
            std::ofstream f(tmp);
            io::write_graph_csv(*g, f);
            f.close();
            if (!f) fail_input(fmt::format("cannot write {}", o->csv));
            return static_cast<bool>(f);
        });
        state.exit_code = ok ? kExitOk : kExitBadInput;
    });
}

} // namespace

void add_road_commands(CLI::App& app, Parents& parents, RunState& state) {
    add_import_osm(parents, state);
    add_export_graph(parents, state);
    add_route(app, state);
    add_nearest(app, state);
    add_coverage(app, state);
}

} // namespace pingan::cli
