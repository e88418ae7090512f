// Road engine benchmarks on ../shared/data/roads/porto.osm.pbf (see bench/README.md).
// Every measure records each operation's own time and reports p50_us / p99_us counters.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include <benchmark/benchmark.h>

#include "io/osm_import.hpp"
#include "io/road_csv.hpp"
#include "road/coverage.hpp"
#include "road/nearest.hpp"
#include "road/route.hpp"
#include "road/units.hpp"

namespace {

using namespace pingan;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string data_dir() {
    const char* d = std::getenv("DATA");
    return d ? d : "../shared/data";
}
std::string porto_path() {
    return data_dir() + "/roads/porto.osm.pbf";
}

std::unique_ptr<road::Graph>& graph_slot() {
    static std::unique_ptr<road::Graph> g;
    return g;
}

// The Porto graph, imported once (by road_import when it runs first).
const road::Graph* porto() {
    auto& g = graph_slot();
    if (!g && fs::exists(porto_path())) {
        auto imported = io::import_osm(porto_path(), road::Profile::car());
        if (imported) g = std::make_unique<road::Graph>(std::move(imported->graph));
    }
    return g.get();
}

double us_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

void report(benchmark::State& state, std::vector<double>& us) {
    if (us.empty()) return;
    std::sort(us.begin(), us.end());
    auto pct = [&](double p) {
        return us[std::min(us.size() - 1, static_cast<std::size_t>(p * (us.size() - 1) + 0.5))];
    };
    state.counters["p50_us"] = pct(0.50);
    state.counters["p99_us"] = pct(0.99);
    state.counters["samples"] = static_cast<double>(us.size());
}

double peak_mb() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    }
    return 0;
}

road::RoadPosition random_position(const road::Graph& g, std::mt19937& rng) {
    const road::SegmentId s = static_cast<road::SegmentId>(rng() % g.segment_count());
    std::uniform_real_distribution<double> off(0, g.length_m(s));
    return g.position_on(s, off(rng));
}

#define NEED_PORTO(g)                                                                              \
    const road::Graph* g = porto();                                                                \
    if (!g) {                                                                                      \
        state.SkipWithError(("needs " + porto_path() + " (set DATA)").c_str());                    \
        return;                                                                                    \
    }

void road_import(benchmark::State& state) {
    if (!fs::exists(porto_path())) {
        state.SkipWithError(("needs " + porto_path() + " (set DATA)").c_str());
        return;
    }
    std::vector<double> us, load_us;
    const fs::path file =
        fs::temp_directory_path() / ("pingan_bench_porto_" + std::to_string(::getpid()) + ".graph");
    std::size_t nodes = 0, arcs = 0, shortcuts = 0;
    for (auto _ : state) {
        const auto t0 = Clock::now();
        auto imported = io::import_osm(porto_path(), road::Profile::car());
        if (!imported || !imported->graph.save(file.string()).ok()) {
            state.SkipWithError("import failed");
            return;
        }
        us.push_back(us_since(t0));
        nodes = imported->graph.node_count();
        arcs = imported->graph.arc_count();
        shortcuts = imported->stats.build.shortcuts;
        state.counters["peak_mb"] = peak_mb(); // first iteration: nothing else was loaded before
        const auto t1 = Clock::now();
        auto loaded = road::Graph::load(file.string());
        load_us.push_back(us_since(t1));
        if (!graph_slot() && loaded)
            graph_slot() = std::make_unique<road::Graph>(std::move(loaded).value());
    }
    fs::remove(file);
    report(state, us);
    std::sort(load_us.begin(), load_us.end());
    state.counters["load_ms"] = load_us[load_us.size() / 2] / 1000.0;
    state.counters["nodes"] = static_cast<double>(nodes);
    state.counters["arcs"] = static_cast<double>(arcs);
    state.counters["shortcuts"] = static_cast<double>(shortcuts);
}
BENCHMARK(road_import)->Iterations(3)->Unit(benchmark::kMillisecond)->UseRealTime();

void road_p2p(benchmark::State& state) {
    NEED_PORTO(g);
    road::RouteQuery q(*g);
    std::mt19937 rng(1);
    std::vector<double> us;
    us.reserve(200000);
    std::size_t settled = 0;
    for (auto _ : state) {
        const road::NodeId s = rng() % g->node_count(), t = rng() % g->node_count();
        const auto t0 = Clock::now();
        benchmark::DoNotOptimize(q.eta_ms(s, t));
        us.push_back(us_since(t0));
        settled += q.last_settled();
    }
    report(state, us);
    state.counters["settled"] = static_cast<double>(settled) / us.size();
}
BENCHMARK(road_p2p)->Iterations(100000)->Unit(benchmark::kMicrosecond);

void road_p2p_snapped(benchmark::State& state) {
    NEED_PORTO(g);
    road::RouteQuery q(*g);
    std::mt19937 rng(2);
    std::uniform_real_distribution<double> jitter(-0.0008, 0.0008); // about +-80 m
    std::vector<double> us;
    std::size_t off_road = 0;
    for (auto _ : state) {
        const geo::LatLon a = g->node_latlon(rng() % g->node_count());
        const geo::LatLon b = g->node_latlon(rng() % g->node_count());
        const geo::LatLon pa{a.lat + jitter(rng), a.lon + jitter(rng)};
        const geo::LatLon pb{b.lat + jitter(rng), b.lon + jitter(rng)};
        const auto t0 = Clock::now();
        auto sa = g->snap(pa);
        auto sb = g->snap(pb);
        if (sa && sb) {
            benchmark::DoNotOptimize(q.eta_ms(*sa, *sb));
        } else {
            ++off_road;
        }
        us.push_back(us_since(t0));
    }
    report(state, us);
    state.counters["off_road"] = static_cast<double>(off_road);
}
BENCHMARK(road_p2p_snapped)->Iterations(50000)->Unit(benchmark::kMicrosecond);

// Measured value of road_nearest_k10/units:1000, for the peer's ratio.
double g_nearest_1000_p50_us = 0;

void road_nearest_k10(benchmark::State& state) {
    NEED_PORTO(g);
    const auto n = static_cast<std::size_t>(state.range(0));
    std::mt19937 rng(3);
    road::UnitIndex units(*g);
    // A pool of road positions to move units to; units report one position per second.
    std::vector<road::RoadPosition> pool(50000);
    for (auto& p : pool)
        p = random_position(*g, rng);
    for (std::size_t k = 0; k < n; ++k)
        units.update({k, pool[rng() % pool.size()], true, k % 4});
    road::NearestQuery q(*g);
    road::NearestRequest req;
    req.k = 10;
    std::vector<double> us, query_us, update_ns, settled;
    std::size_t next = 0;
    for (auto _ : state) {
        const road::RoadPosition incident = random_position(*g, rng);
        // Strictest amortisation: one incident per second, so every query pays for a full
        // second of position reports (one per unit) made since the previous query.
        const auto t0 = Clock::now();
        for (std::size_t k = 0; k < n; ++k) {
            units.update({k, pool[next], true, k % 4});
            if (++next == pool.size()) next = 0;
        }
        const double updates = us_since(t0);
        const auto t1 = Clock::now();
        benchmark::DoNotOptimize(q.nearest(units, incident, req));
        const double query = us_since(t1);
        settled.push_back(static_cast<double>(q.last_settled()));
        us.push_back(updates + query);
        query_us.push_back(query);
        update_ns.push_back(updates * 1000.0 / n);
    }
    report(state, us);
    std::sort(query_us.begin(), query_us.end());
    std::sort(update_ns.begin(), update_ns.end());
    state.counters["query_p50_us"] = query_us[query_us.size() / 2];
    state.counters["query_p99_us"] =
        query_us[static_cast<std::size_t>(0.99 * (query_us.size() - 1))];
    state.counters["update_ns"] = update_ns[update_ns.size() / 2];
    std::sort(settled.begin(), settled.end());
    state.counters["settled_p50"] = settled[settled.size() / 2];
    state.counters["settled_p99"] = settled[static_cast<std::size_t>(0.99 * (settled.size() - 1))];
    if (n == 1000) g_nearest_1000_p50_us = state.counters["p50_us"];
}
BENCHMARK(road_nearest_k10)
    ->ArgName("units")
    ->Arg(100)
    ->Arg(1000)
    ->Arg(5000)
    ->Iterations(3000)
    ->Unit(benchmark::kMicrosecond);

void road_coverage_full(benchmark::State& state) {
    NEED_PORTO(g);
    const auto n = static_cast<std::size_t>(state.range(0));
    std::mt19937 rng(4);
    road::Coverage cov(*g, 300'000); // 5 minutes
    std::vector<std::pair<road::UnitKey, road::RoadPosition>> units(n);
    std::vector<double> us;
    double share = 0;
    for (auto _ : state) {
        for (std::size_t k = 0; k < n; ++k)
            units[k] = {k, random_position(*g, rng)};
        const auto t0 = Clock::now();
        cov.assign(units);
        us.push_back(us_since(t0));
        share += cov.share();
    }
    report(state, us);
    state.counters["share"] = share / us.size();
}
BENCHMARK(road_coverage_full)
    ->ArgName("units")
    ->Arg(100)
    ->Iterations(300)
    ->Unit(benchmark::kMicrosecond);

void road_coverage_incremental(benchmark::State& state) {
    NEED_PORTO(g);
    std::mt19937 rng(5);
    road::Coverage cov(*g, 300'000);
    std::vector<std::pair<road::UnitKey, road::RoadPosition>> units(100);
    for (std::size_t k = 0; k < units.size(); ++k)
        units[k] = {k, random_position(*g, rng)};
    cov.assign(units);
    std::vector<double> us, without_us;
    for (auto _ : state) {
        const road::UnitKey k = rng() % units.size();
        // A unit moves to a nearby road (up to ~1 minute of driving away): what AVL reports.
        road::RoadPosition p = units[k].second;
        const road::NodeId from = rng() % 2 ? g->tail(p.segment) : g->head(p.segment);
        const auto& d = g->data();
        road::NodeId at = from;
        for (int hop = 0; hop < 6; ++hop) {
            const road::ArcId a = d.first_out[at] + rng() % (d.first_out[at + 1] - d.first_out[at]);
            at = d.arc_head[a];
        }
        p = g->node_position(at);
        units[k].second = p;
        const auto t0 = Clock::now();
        cov.set_unit(k, p);
        us.push_back(us_since(t0));
        if (us.size() % 10 == 0) {
            const auto t1 = Clock::now();
            benchmark::DoNotOptimize(cov.covered_m_without(rng() % units.size()));
            without_us.push_back(us_since(t1));
        }
    }
    report(state, us);
    std::sort(without_us.begin(), without_us.end());
    state.counters["without_p50_us"] = without_us[without_us.size() / 2];
}
BENCHMARK(road_coverage_incremental)->Iterations(5000)->Unit(benchmark::kMicrosecond);

std::string run_capture(const std::string& cmd, int& status) {
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) {
        status = -1;
        return out;
    }
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    const int rc = ::pclose(p);
    status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return out;
}

// pgRouting's pgr_dijkstraCost from 1,000 unit nodes to one incident node on the same graph
// (exported as CSV), timed by psql's \timing inside one session; plus our k=10 query on the
// same units for the ratio.
void peer_pgrouting_nearest(benchmark::State& state) {
    NEED_PORTO(g);
    const std::string script = std::string(PINGAN_SOURCE_DIR) + "/scripts/pg_temp.sh";
    if (!fs::exists("/usr/lib/postgresql/15/bin/initdb")) {
        state.SkipWithError("PostgreSQL 15 with pgRouting is not installed");
        return;
    }
    char tmpl[] = "/tmp/pingan_bench_pg_XXXXXX";
    if (!::mkdtemp(tmpl)) {
        state.SkipWithError("cannot create a temporary directory");
        return;
    }
    const fs::path dir = tmpl;
    fs::permissions(dir, fs::perms::all);
    {
        std::ofstream csv(dir / "edges.csv");
        io::write_graph_csv(*g, csv);
    }
    const std::string port = std::to_string(20000 + ::getpid() % 20000);
    int status = 0;
    const std::string uri =
        run_capture(script + " start " + (dir / "pg").string() + " " + port + " 2>&1", status);
    if (status != 0) {
        fs::remove_all(dir);
        state.SkipWithError(("could not start PostgreSQL: " + uri).c_str());
        return;
    }
    const std::string psql = script + " psql " + (dir / "pg").string() + " " + port;
    run_capture(psql + " -c \"CREATE EXTENSION pgrouting CASCADE; CREATE TABLE edges (id bigint, "
                       "source bigint,"
                       " target bigint, cost float8, reverse_cost float8, length_m float8, x1 "
                       "float8, y1 float8,"
                       " x2 float8, y2 float8, road_class text, name text);\" 2>&1",
                status);
    run_capture(psql + " -c \"\\copy edges FROM STDIN WITH (FORMAT csv, HEADER true)\" < " +
                    (dir / "edges.csv").string() + " 2>&1",
                status);

    std::mt19937 rng(6);
    std::vector<road::NodeId> unit_nodes(1000);
    for (auto& u : unit_nodes)
        u = rng() % g->node_count();
    const int queries = 5; // each pgRouting query runs 1,000 Dijkstras: ~10 s apiece
    std::vector<road::NodeId> incidents(queries);
    for (auto& i : incidents)
        i = rng() % g->node_count();
    std::ostringstream script_sql;
    script_sql << "\\timing on\n";
    std::string array = "ARRAY[";
    for (std::size_t i = 0; i < unit_nodes.size(); ++i) {
        if (i) array += ',';
        array += std::to_string(unit_nodes[i]);
    }
    array += "]::bigint[]";
    for (road::NodeId inc : incidents) {
        script_sql << "SELECT count(*), min(agg_cost) FROM pgr_dijkstraCost('SELECT id, source, "
                      "target, cost, "
                      "reverse_cost FROM edges', "
                   << array << ", " << inc << "::bigint, directed => true);\n";
    }
    {
        std::ofstream f(dir / "queries.sql");
        f << script_sql.str();
    }
    std::vector<double> us;
    for (auto _ : state) {
        const std::string out =
            run_capture(psql + " -At < " + (dir / "queries.sql").string() + " 2>&1", status);
        std::istringstream lines(out);
        std::string line;
        while (std::getline(lines, line)) {
            if (line.rfind("Time: ", 0) == 0) us.push_back(std::stod(line.substr(6)) * 1000.0);
        }
    }
    run_capture(script + " stop " + (dir / "pg").string(), status);
    fs::remove_all(dir);
    if (us.empty()) {
        state.SkipWithError("pgRouting returned no timings");
        return;
    }
    report(state, us);
    if (g_nearest_1000_p50_us > 0) {
        state.counters["ratio_vs_pingan"] = state.counters["p50_us"] / g_nearest_1000_p50_us;
        std::printf("peer_pgrouting_nearest: pgRouting p50 %.0f us vs pingan "
                    "road_nearest_k10/units:1000 p50 "
                    "%.1f us: %.0fx\n",
                    static_cast<double>(state.counters["p50_us"]), g_nearest_1000_p50_us,
                    state.counters["p50_us"] / g_nearest_1000_p50_us);
    }
}
BENCHMARK(peer_pgrouting_nearest)
    ->Name("peer_pgrouting_nearest/units:1000")
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

} // namespace

BENCHMARK_MAIN();
