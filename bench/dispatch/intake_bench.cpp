// Intake without HTTP and disk: for each incident, triage of the call text, point-in-polygon
// (4×4 jurisdictions, 12×12 patrol areas over central Porto), the duplicate check against the
// open incidents, and the recommendation (k = 5, road ETA, coverage lost) among 1,000 police
// units of which 2.5 move between two incidents (500 positions/s against 200 incidents/s, as
// bench/intake/run.sh drives the server). Reports p50/p99 of the whole per-incident work.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <benchmark/benchmark.h>

#include "dispatch/recommender.hpp"
#include "geo/boundary.hpp"
#include "porto.hpp"
#include "triage/duplicates.hpp"
#include "triage/rules.hpp"
#include "triage/taxonomy.hpp"

namespace {

using namespace pingan;
using Clock = std::chrono::steady_clock;
using bench::kEast;
using bench::kNorth;
using bench::kSouth;
using bench::kWest;
using bench::porto;
using bench::random_point;

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void add_grid(geo::BoundaryIndex& index, const std::string& layer, int k) {
    for (int i = 0; i < k; ++i) {
        for (int j = 0; j < k; ++j) {
            const double x0 = kWest + (kEast - kWest) * i / k,
                         x1 = kWest + (kEast - kWest) * (i + 1) / k;
            const double y0 = kSouth + (kNorth - kSouth) * j / k,
                         y1 = kSouth + (kNorth - kSouth) * (j + 1) / k;
            geo::Polygon p;
            p.outer = {{y0, x0}, {y0, x1}, {y1, x1}, {y1, x0}};
            index.add(geo::Boundary{layer, layer + std::to_string(i * k + j), {p}});
        }
    }
}

void intake_porto(benchmark::State& state) {
    const road::Graph* graph = porto();
    if (graph == nullptr) {
        state.SkipWithError("needs porto.osm.pbf under $DATA");
        return;
    }
    const std::string config = std::string(PINGAN_SOURCE_DIR) + "/config/";
    auto taxonomy = triage::Taxonomy::parse(read_text(config + "taxonomy.toml"));
    auto rules = triage::Triage::parse(read_text(config + "triage.toml"), *taxonomy);
    if (!taxonomy || !rules) {
        state.SkipWithError("config/taxonomy.toml or triage.toml does not load");
        return;
    }
    geo::BoundaryIndex areas;
    add_grid(areas, "jurisdiction", 4);
    add_grid(areas, "patrol_area", 12);

    const int units = static_cast<int>(state.range(0));
    dispatch::Recommender rec(graph);
    std::mt19937 rng(42);
    base::TimeMs now = 0;
    std::vector<ops::Unit> fleet(static_cast<std::size_t>(units));
    for (int i = 0; i < units; ++i) {
        ops::Unit& u = fleet[static_cast<std::size_t>(i)];
        u.id = i + 1;
        u.callsign = "P-" + std::to_string(i + 1);
        u.agency = ops::Agency::police;
        u.position = ops::Position{random_point(rng), std::nullopt, std::nullopt, 0};
        rec.upsert(u, now);
    }
    static const char* const kTexts[] = {
        "bicycle taken from the rack outside the library",
        "two men fighting outside the bar, one is bleeding",
        "someone broke the back door of the shop during the night",
        "有人抢了我的手机往地铁站跑了",
        "两车相撞，路口堵住了",
        "a man trying car door handles along the street",
    };
    const triage::DuplicateRule rule;
    std::vector<triage::OpenCall> open;
    std::vector<std::string> categories;
    categories.reserve(1'000'000);
    std::vector<double> us;
    std::uint64_t n = 0;
    double moves = 0;
    for (auto _ : state) {
        // The fleet moves between two calls (not timed: positions are their own requests).
        now += 5; // 200 incidents per second
        for (moves += 2.5; moves >= 1; moves -= 1) {
            ops::Unit& u = fleet[rng() % fleet.size()];
            u.position = ops::Position{random_point(rng), std::nullopt, std::nullopt, now};
            rec.upsert(u, now);
        }
        const geo::LatLon at = random_point(rng);
        const char* text = kTexts[n % 6];
        const auto t0 = Clock::now();
        auto suggestion = rules->suggest(triage::CallFacts{text, "", 600});
        const std::string category = suggestion ? suggestion->category : "suspicious";
        const geo::Boundary* j = areas.locate("jurisdiction", at);
        const geo::Boundary* p = areas.locate("patrol_area", at);
        auto dups = triage::likely_duplicates(open, at, now, category, *taxonomy, rule);
        dispatch::Need need;
        need.location = at;
        need.jurisdiction = j != nullptr ? j->name : "";
        need.agencies = {ops::Agency::police};
        auto list = rec.recommend(need, dispatch::Policy::eta, now);
        us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
        benchmark::DoNotOptimize(p);
        benchmark::DoNotOptimize(dups);
        benchmark::DoNotOptimize(list);
        categories.push_back(category);
        // Incidents stay open for 15 minutes of call time (the duplicate window).
        open.push_back({static_cast<std::int64_t>(++n), at, now, categories.back()});
        std::erase_if(open,
                      [&](const triage::OpenCall& c) { return now - c.received_at > 15 * 60'000; });
    }
    std::sort(us.begin(), us.end());
    auto pct = [&](double q) {
        return us[std::min(us.size() - 1, static_cast<std::size_t>(q * (us.size() - 1) + 0.5))];
    };
    state.counters["p50_us"] = pct(0.50);
    state.counters["p99_us"] = pct(0.99);
    state.counters["max_us"] = pct(1.0);
    state.counters["open_incidents"] = static_cast<double>(open.size());
}
BENCHMARK(intake_porto)->Arg(1000)->Iterations(20000)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
