// Analytics benchmarks on 1,000,000 incidents resampled from the DC file, with the peers the
// issue names timed in the same run (pandas, scikit-learn, numpy, CBC through PuLP; Python
// subprocesses running bench/analytics/peers.py). See bench/README.md "Analytics".
//
// The resampled set: DC records drawn at random (seeded), their time of day kept and their day
// spread over 2023-01-01 .. 2024-12-31, locations jittered by up to 30 m, and synthetic stage
// times (the DC file has none) so that response-time percentiles have work to do. Written once
// to $ANALYTICS_BENCH_DIR (default build/bench/analytics_data) and reused.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "analytics/compstat.hpp"
#include "analytics/gi_star.hpp"
#include "analytics/kde.hpp"
#include "analytics/mclp.hpp"
#include "analytics/random.hpp"
#include "analytics/road_coverage.hpp"
#include "io/incident_csv.hpp"
#include "io/incident_mapping.hpp"
#include "io/osm_import.hpp"
#include "store/records.hpp"

namespace {

using namespace pingan;
using analytics::Period;
using analytics::Rng;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kIncidents = 1'000'000;
constexpr base::TimeMs kDay = 86'400'000;
constexpr base::TimeMs k2023 = 1'672'531'200'000; // 2023-01-01T00:00:00Z
constexpr base::TimeMs k2024 = 1'704'067'200'000; // 2024-01-01T00:00:00Z
constexpr base::TimeMs k2025 = 1'735'689'600'000; // 2025-01-01T00:00:00Z

std::string data_dir() {
    const char* d = std::getenv("DATA");
    return d != nullptr ? d : "../shared/data";
}
std::string work_dir() {
    const char* d = std::getenv("ANALYTICS_BENCH_DIR");
    return d != nullptr ? d : "build/bench/analytics_data";
}
std::string python() {
    const char* p = std::getenv("PYTHON");
    return p != nullptr ? p : "/usr/bin/python3";
}
std::string peers_script() {
    return std::string(PINGAN_SOURCE_DIR) + "/bench/analytics/peers.py";
}

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Runs a peer; its JSON, or nothing when Python or a package is missing.
std::optional<nlohmann::json> run_peer(const std::string& args) {
    const std::string cmd = python() + " " + peers_script() + " " + args + " 2>&1";
    std::FILE* pipe = ::popen(cmd.c_str(), "r");
    if (pipe == nullptr) return std::nullopt;
    std::string out;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe))
        out.append(buf, n);
    const int status = ::pclose(pipe);
    const auto brace = out.rfind('{');
    if (status != 0 || brace == std::string::npos) {
        std::fprintf(stderr, "peer failed: %s\n%s\n", cmd.c_str(), out.c_str());
        return std::nullopt;
    }
    return nlohmann::json::parse(out.substr(brace), nullptr, false);
}

void p50_p99(benchmark::State& state, std::vector<double> ms) {
    if (ms.empty()) return;
    std::sort(ms.begin(), ms.end());
    state.counters["p50_ms"] = ms[ms.size() / 2];
    state.counters["p99_ms"] = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
}

// --- the data sets ----------------------------------------------------------------------------

struct Data {
    std::vector<analytics::IncidentRecord> dc;        // the DC file as imported
    std::vector<analytics::IncidentRecord> resampled; // 1,000,000
    std::string db, csv;                              // on disk, for end-to-end and pandas
    bool ok = false;
};

Data& data() {
    static Data d;
    static bool tried = false;
    if (tried) return d;
    tried = true;
    const std::string dc_path = data_dir() + "/incidents/dc_crime_2024-01-01_2024-03-17.csv";
    std::ifstream in(dc_path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "bench_analytics: %s missing (set DATA)\n", dc_path.c_str());
        return d;
    }
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    auto parsed = io::read_incident_csv(text, *io::builtin_mapping("dc"), "dc");
    if (!parsed) return d;
    d.dc = std::move(parsed->records);

    Rng rng(20240101);
    d.resampled.reserve(kIncidents);
    const geo::LocalProjection proj({38.9, -77.0});
    for (std::size_t i = 0; i < kIncidents; ++i) {
        const auto& src = d.dc[rng.below(static_cast<std::uint32_t>(d.dc.size()))];
        analytics::IncidentRecord r = src;
        r.source = "bench";
        r.source_key = std::to_string(i);
        const base::TimeMs time_of_day = ((src.received_at % kDay) + kDay) % kDay;
        r.received_at = k2023 + static_cast<base::TimeMs>(rng.below(731)) * kDay + time_of_day;
        const double dx = (rng.uniform() - 0.5) * 60, dy = (rng.uniform() - 0.5) * 60;
        r.location = proj.to_latlon(proj.x_m(*src.location) + dx, proj.y_m(*src.location) + dy);
        // Synthetic stages: call processing 20 s + ~Exp(60 s), turnout 10 s + ~Exp(40 s),
        // travel 60 s + ~Exp(240 s); 8 % never reach the scene (cancelled on the way).
        auto expo = [&](double mean_s) { return -mean_s * std::log(1 - rng.uniform()); };
        const auto disp = r.received_at + static_cast<base::TimeMs>((20 + expo(60)) * 1000);
        const auto enr = disp + static_cast<base::TimeMs>((10 + expo(40)) * 1000);
        r.dispatched_at = disp;
        r.en_route_at = enr;
        if (rng.below(100) >= 8)
            r.on_scene_at = enr + static_cast<base::TimeMs>((60 + expo(240)) * 1000);
        d.resampled.push_back(std::move(r));
    }
    fs::create_directories(work_dir());
    d.db = work_dir() + "/incidents-1m.db";
    d.csv = work_dir() + "/incidents-1m.csv";
    // The database and CSV are made once; later runs reuse them (delete the folder to redo).
    if (!fs::exists(d.csv)) {
        std::ofstream out(d.csv + ".tmp");
        out << "received_at,category,jurisdiction,lat,lon\n";
        for (const auto& r : d.resampled) {
            out << fmt::format("{},{},{},{:.7f},{:.7f}\n", r.received_at, r.category,
                               r.jurisdiction, r.location->lat, r.location->lon);
        }
        out.close();
        fs::rename(d.csv + ".tmp", d.csv);
    }
    auto records = store::open_sqlite_records(d.db);
    if (!records) return d;
    auto range = (*records)->data_range({});
    if (!range || range->count != kIncidents) {
        std::fprintf(stderr, "bench_analytics: writing %zu incidents to %s ...\n", kIncidents,
                     d.db.c_str());
        store::RecordImport batch;
        batch.file_name = "resampled";
        batch.source = "bench";
        batch.mapping = "bench";
        batch.rows_read = kIncidents;
        batch.records = d.resampled;
        std::stable_sort(
            batch.records.begin(), batch.records.end(),
            [](const auto& a, const auto& b) { return a.received_at < b.received_at; });
        batch.actor = "bench";
        auto r = (*records)->import_records(batch);
        if (!r) {
            std::fprintf(stderr, "bench_analytics: %s\n", r.error().detail.c_str());
            return d;
        }
    }
    d.ok = true;
    return d;
}

analytics::CompStatRequest year_over_year() {
    analytics::CompStatRequest req;
    req.current = {k2024, k2025};
    req.comparison = Period{k2023, k2024};
    req.compare = analytics::Compare::previous_year;
    return req;
}

store::RecordQuery both_years() {
    store::RecordQuery q;
    q.periods = {{k2024, k2025}, {k2023, k2024}};
    q.include_live = false;
    return q;
}

// --- CompStat --------------------------------------------------------------------------------

// Open the database, load both years into the facts cache, aggregate. Target <= 0.5 s.
void compstat_end_to_end(benchmark::State& state) {
    Data& d = data();
    if (!d.ok) return state.SkipWithError("no data");
    std::vector<double> ms;
    std::size_t rows = 0;
    for (auto _ : state) {
        const auto t0 = Clock::now();
        auto records = store::open_sqlite_records(d.db);
        auto facts = (*records)->load_facts(both_years());
        auto report = analytics::compstat(*facts, year_over_year());
        benchmark::DoNotOptimize(report);
        ms.push_back(seconds_since(t0) * 1000);
        rows = facts->size();
    }
    state.counters["incidents"] = static_cast<double>(rows);
    p50_p99(state, ms);
}
BENCHMARK(compstat_end_to_end)->Iterations(7)->Unit(benchmark::kMillisecond)->UseRealTime();

// The aggregation alone, on the cache in memory. Target <= 20 ms.
void compstat_aggregate(benchmark::State& state) {
    Data& d = data();
    if (!d.ok) return state.SkipWithError("no data");
    auto records = store::open_sqlite_records(d.db);
    auto facts = (*records)->load_facts(both_years());
    auto req = year_over_year();
    req.threads = static_cast<int>(state.range(0));
    std::vector<double> ms;
    for (auto _ : state) {
        const auto t0 = Clock::now();
        auto report = analytics::compstat(*facts, req);
        benchmark::DoNotOptimize(report);
        ms.push_back(seconds_since(t0) * 1000);
    }
    state.counters["incidents"] = static_cast<double>(facts->size());
    p50_p99(state, ms);
}
// Argument: threads (2: the comparison year is tallied on a second thread).
BENCHMARK(compstat_aggregate)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("threads")
    ->Iterations(50)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// pandas: read_csv (+ the year column) and the same year-over-year table by category x
// district; the group-by alone is the 0.105 s reference.
void peer_pandas(benchmark::State& state) {
    Data& d = data();
    if (!d.ok) return state.SkipWithError("no data");
    std::optional<nlohmann::json> j;
    for (auto _ : state) {
        j = run_peer("pandas " + d.csv);
        if (!j) return state.SkipWithError("pandas peer failed (python3-pandas installed?)");
        state.SetIterationTime(j->at("read_s").get<double>() + j->at("groupby_s").get<double>());
    }
    state.counters["read_csv_ms"] = j->at("read_s").get<double>() * 1000;
    state.counters["groupby_ms"] = j->at("groupby_s").get<double>() * 1000;
    state.counters["rows"] = j->at("rows").get<double>();
}
BENCHMARK(peer_pandas)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

// --- KDE -------------------------------------------------------------------------------------

// 1,000,000 points on a 1000 x 1000 grid. Target <= 0.3 s. Counters: the error against a
// direct sum over the raw points on 200 sampled cells (relative to the peak), and against the
// direct sum over the binned masses (the method's exactness).
void kde_1m_1000x1000(benchmark::State& state) {
    Data& d = data();
    if (!d.ok) return state.SkipWithError("no data");
    std::vector<geo::LatLon> pts;
    for (const auto& r : d.resampled)
        pts.push_back(*r.location);
    const double cell_m = static_cast<double>(state.range(0));
    analytics::GridSpec g = *analytics::grid_covering(pts, cell_m, 0);
    // Exactly 1000 x 1000 cells around the data's centre.
    g.x0_m += (g.nx - 1000) * cell_m / 2;
    g.y0_m += (g.ny - 1000) * cell_m / 2;
    g.nx = g.ny = 1000;
    const auto pm = analytics::to_metres(g, pts);
    analytics::KdeParams params;
    params.bandwidth_m = static_cast<double>(state.range(1)) * cell_m;
    std::vector<double> ms;
    analytics::KdeResult r;
    for (auto _ : state) {
        const auto t0 = Clock::now();
        r = analytics::kde(g, pm, params);
        ms.push_back(seconds_since(t0) * 1000);
    }
    p50_p99(state, ms);
    // Errors on sampled cells (the densest 100 and 100 at random).
    std::vector<std::size_t> cells(r.density_per_km2.size());
    for (std::size_t i = 0; i < cells.size(); ++i)
        cells[i] = i;
    std::partial_sort(cells.begin(), cells.begin() + 100, cells.end(),
                      [&](auto a, auto b) { return r.density_per_km2[a] > r.density_per_km2[b]; });
    cells.resize(100);
    Rng rng(3);
    for (int i = 0; i < 100; ++i)
        cells.push_back(rng.below(static_cast<std::uint32_t>(g.cells())));
    const double h = params.bandwidth_m;
    const double norm = 1e6 / (2 * std::numbers::pi * h * h);
    const auto mass = analytics::linear_binning(g, pm);
    double raw_err = 0, binned_err = 0;
    for (std::size_t c : cells) {
        const auto centre = g.cell_centre_m(static_cast<int>(c % 1000), static_cast<int>(c / 1000));
        double raw = 0;
        for (const auto& p : pm) {
            const double dx = p.x - centre.x, dy = p.y - centre.y;
            if (dx * dx + dy * dy < 81 * h * h) raw += std::exp(-(dx * dx + dy * dy) / (2 * h * h));
        }
        double binned = 0;
        const int cx = static_cast<int>(c % 1000), cy = static_cast<int>(c / 1000);
        const int reach = static_cast<int>(std::ceil(9 * h / cell_m));
        for (int y = std::max(0, cy - reach); y <= std::min(999, cy + reach); ++y) {
            for (int x = std::max(0, cx - reach); x <= std::min(999, cx + reach); ++x) {
                const double m = mass[g.index(x, y)];
                if (m == 0) continue;
                const double dx = (x - cx) * cell_m, dy = (y - cy) * cell_m;
                binned += m * std::exp(-(dx * dx + dy * dy) / (2 * h * h));
            }
        }
        raw_err = std::max(raw_err, std::abs(raw * norm - r.density_per_km2[c]));
        binned_err = std::max(binned_err, std::abs(binned * norm - r.density_per_km2[c]));
    }
    state.counters["err_vs_raw_direct_of_peak"] = raw_err / r.max_density_per_km2;
    state.counters["err_vs_binned_direct_of_peak"] = binned_err / r.max_density_per_km2;
    state.counters["cell_m"] = cell_m;
    state.counters["bandwidth_m"] = h;
}
// Arguments: cell side (m), bandwidth (cells). 5 cells: direct separable convolution;
// 60 cells: the FFT path.
BENCHMARK(kde_1m_1000x1000)
    ->Args({20, 5})
    ->Args({20, 60})
    ->ArgNames({"cell_m", "bandwidth_cells"})
    ->Iterations(5)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// scikit-learn KernelDensity on 20,000 points x 10,000 cells, extrapolated to 1M x 1M.
void peer_sklearn_kde(benchmark::State& state) {
    Data& d = data();
    if (!d.ok) return state.SkipWithError("no data");
    std::optional<nlohmann::json> j;
    for (auto _ : state) {
        j = run_peer("sklearn " + d.csv + " 20000 10000 100");
        if (!j) return state.SkipWithError("sklearn peer failed (python3-sklearn installed?)");
        state.SetIterationTime(j->at("seconds").get<double>());
    }
    state.counters["extrapolated_1m_x_1m_s"] = j->at("extrapolated_1m_x_1m_s").get<double>();
}
BENCHMARK(peer_sklearn_kde)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

// --- Gi* -------------------------------------------------------------------------------------

// 100 x 100 cells of resampled counts; 999 conditional permutations. Target <= 0.1 s.
std::vector<double>& gi_grid() {
    static std::vector<double> counts;
    if (!counts.empty() || !data().ok) return counts;
    std::vector<geo::LatLon> pts;
    for (const auto& r : data().resampled)
        pts.push_back(*r.location);
    auto g = *analytics::grid_covering(pts, 1, 0);
    // 100 x 100 square cells over the data's box.
    const double side = std::max(g.nx, g.ny) / 100.0 + 1e-6;
    g.cell_m = side;
    g.nx = g.ny = 100;
    counts = analytics::count_per_cell(g, analytics::to_metres(g, pts));
    std::ofstream out(work_dir() + "/gi_counts.txt");
    for (double c : counts)
        out << c << "\n";
    return counts;
}

void gi_star_10000_cells(benchmark::State& state) {
    const auto& counts = gi_grid();
    if (counts.empty()) return state.SkipWithError("no data");
    analytics::GiStarParams p;
    p.permutations = 999;
    std::vector<double> ms;
    std::size_t hot = 0;
    for (auto _ : state) {
        const auto t0 = Clock::now();
        auto r = analytics::gi_star(counts, 100, 100, p);
        ms.push_back(seconds_since(t0) * 1000);
        hot = r->hot;
    }
    p50_p99(state, ms);
    state.counters["hot"] = static_cast<double>(hot);
}
BENCHMARK(gi_star_10000_cells)->Iterations(20)->Unit(benchmark::kMillisecond)->UseRealTime();

void peer_numpy_gi_star(benchmark::State& state) {
    if (gi_grid().empty()) return state.SkipWithError("no data");
    std::optional<nlohmann::json> j;
    for (auto _ : state) {
        j = run_peer("numpy_gi " + work_dir() + "/gi_counts.txt 100 100 999");
        if (!j) return state.SkipWithError("numpy peer failed");
        state.SetIterationTime(j->at("plain_s").get<double>());
    }
    state.counters["plain_999_ms"] = j->at("plain_s").get<double>() * 1000;
    state.counters["conditional_999_ms"] = j->at("conditional_s").get<double>() * 1000;
}
BENCHMARK(peer_numpy_gi_star)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

// --- coverage planning -------------------------------------------------------------------------

struct Planning {
    std::unique_ptr<road::Graph> graph;
    std::vector<geo::LatLon> incidents; // 100,000 inside the dc-nw extract
    bool ok = false;
};

Planning& planning() {
    static Planning p;
    static bool tried = false;
    if (tried) return p;
    tried = true;
    if (!data().ok) return p;
    auto imported = io::import_osm(data_dir() + "/roads/dc-nw.osm.pbf", road::Profile::car());
    if (!imported) return p;
    p.graph = std::make_unique<road::Graph>(std::move(imported->graph));
    // dc-nw.osm.pbf's box: -77.107,38.880,-76.974,38.976.
    std::vector<geo::LatLon> inside;
    for (const auto& r : data().dc) {
        const auto& l = *r.location;
        if (l.lon >= -77.107 && l.lon <= -76.974 && l.lat >= 38.880 && l.lat <= 38.976) {
            inside.push_back(l);
        }
    }
    Rng rng(99);
    const geo::LocalProjection proj({38.93, -77.04});
    for (int i = 0; i < 100'000; ++i) {
        const auto& s = inside[rng.below(static_cast<std::uint32_t>(inside.size()))];
        p.incidents.push_back(proj.to_latlon(proj.x_m(s) + (rng.uniform() - 0.5) * 60,
                                             proj.y_m(s) + (rng.uniform() - 0.5) * 60));
    }
    p.ok = true;
    return p;
}

// 50 posts among 2,000 candidate sites for 100,000 incidents within 300 s. Target <= 5 s.
void mclp_plan_posts(benchmark::State& state) {
    Planning& p = planning();
    if (!p.ok) return state.SkipWithError("no data");
    analytics::PostPlanRequest req;
    req.units = 50;
    req.within_ms = 300'000;
    req.candidates = 2000;
    req.threads = static_cast<int>(state.range(0));
    std::vector<double> ms;
    std::optional<analytics::PostPlan> plan;
    for (auto _ : state) {
        const auto t0 = Clock::now();
        auto r = analytics::plan_posts(*p.graph, p.incidents, req);
        ms.push_back(seconds_since(t0) * 1000);
        plan = std::move(r).value();
    }
    p50_p99(state, ms);
    state.counters["share"] = plan->result.share;
    state.counters["greedy_share"] = plan->result.greedy_covered_weight / plan->result.total_weight;
    state.counters["swaps"] = plan->result.swaps;
    state.counters["demand_points"] = static_cast<double>(plan->demand_points);
    state.counters["candidates"] = static_cast<double>(plan->candidate_count);
    state.counters["relation_pairs"] = static_cast<double>(plan->relation_size);
}
BENCHMARK(mclp_plan_posts)
    ->Arg(1)
    ->Arg(2)
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The heuristic against CBC's exact optimum on instances small enough for CBC to finish:
// 300 candidate sites, demand from 5,000 incidents, p = 5, 10, 20, T = 180 s.
void mclp_vs_cbc(benchmark::State& state) {
    Planning& p = planning();
    if (!p.ok) return state.SkipWithError("no data");
    const auto posts = static_cast<std::size_t>(state.range(0));
    std::vector<geo::LatLon> some(p.incidents.begin(), p.incidents.begin() + 5000);
    const auto demand = analytics::snap_demand(*p.graph, some, 200, 10);
    geo::LatLon sw{90, 180}, ne{-90, -180};
    for (const auto& d : demand.positions) {
        sw = {std::min(sw.lat, d.point.lat), std::min(sw.lon, d.point.lon)};
        ne = {std::max(ne.lat, d.point.lat), std::max(ne.lon, d.point.lon)};
    }
    const auto nodes = analytics::candidate_sites(*p.graph, 300, sw, ne);
    std::vector<road::RoadPosition> sites;
    for (auto v : nodes)
        sites.push_back(p.graph->node_position(v));
    const auto rel = analytics::build_coverage_relation(*p.graph, sites, demand, 180'000, 2);
    const std::string path = work_dir() + fmt::format("/mclp_{}.json", posts);
    {
        nlohmann::json inst;
        inst["p"] = posts;
        inst["weights"] = demand.weights;
        auto& s = inst["sites"] = nlohmann::json::array();
        for (std::size_t i = 0; i < rel.site_count(); ++i) {
            auto r = rel.reach(i);
            s.push_back(std::vector<std::uint32_t>(r.begin(), r.end()));
        }
        std::ofstream(path) << inst.dump();
    }
    double ours_ms = 0;
    analytics::MclpResult res;
    for (auto _ : state) {
        const auto t0 = Clock::now();
        res = *analytics::solve_mclp(rel, demand.weights, {.facilities = posts});
        ours_ms = seconds_since(t0) * 1000;
        state.SetIterationTime(ours_ms / 1000);
    }
    state.counters["heuristic_covered"] = res.covered_weight;
    state.counters["heuristic_ms"] = ours_ms;
    auto cbc = run_peer("cbc " + path + " 300");
    if (cbc && cbc->at("objective").is_number()) {
        const double opt = cbc->at("objective").get<double>();
        state.counters["cbc_covered"] = opt;
        state.counters["cbc_s"] = cbc->at("seconds").get<double>();
        state.counters["cbc_optimal"] = cbc->at("optimal").get<bool>() ? 1 : 0;
        state.counters["gap_pct"] = opt > 0 ? 100 * (opt - res.covered_weight) / opt : 0;
    }
}
BENCHMARK(mclp_vs_cbc)
    ->Arg(5)
    ->Arg(10)
    ->Arg(20)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
