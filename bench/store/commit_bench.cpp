// Commits of position reports into the SQLite store (store/sqlite_store.hpp), as the commit
// thread makes them under load: a batch of one-report changes from different units of a
// 1,000-unit fleet, in one transaction with its fsync. "CPU" is the commit thread's own work
// (SQLite, the WAL write); "Time" adds the wait for the disk.
#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <vector>

#include <benchmark/benchmark.h>

#include "ops/board.hpp"
#include "store/sqlite_store.hpp"

namespace {

using namespace pingan;
namespace fs = std::filesystem;

constexpr std::size_t kUnits = 1000;
constexpr ops::TimeMs kT0 = 1'795'000'000'000;

struct Fleet {
    fs::path dir;
    std::unique_ptr<store::SqliteStore> store;
    std::vector<ops::Id> units;

    Fleet() {
        dir = fs::temp_directory_path() / fs::path("pingan-bench-store-XXXXXX");
        std::string tmpl = dir.string();
        if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        dir = tmpl;
        store = std::move(store::SqliteStore::open((dir / "bench.db").string()).value());
        ops::Board board;
        std::vector<ops::Event> events;
        for (std::size_t i = 0; i < kUnits; ++i) {
            ops::NewUnit nu;
            nu.callsign = "B-" + std::to_string(i + 1);
            units.push_back(board.create_unit(nu, "bench", kT0, events).value().id);
        }
        store::Change created{std::move(events), {}};
        if (!store->commit(std::span<const store::Change>(&created, 1)).ok())
            throw std::runtime_error("cannot create the fleet");
    }
    ~Fleet() {
        store.reset();
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

void BM_commit_positions(benchmark::State& state) {
    Fleet fleet;
    const auto batch = static_cast<std::size_t>(state.range(0));
    std::mt19937_64 rng(20261124);
    std::normal_distribution<double> step(0.0, 0.0002);
    std::vector<store::Change> changes(batch);
    std::size_t next_unit = 0;
    ops::TimeMs at = kT0;
    for (auto _ : state) {
        state.PauseTiming();
        for (store::Change& c : changes) {
            c.side.clear();
            const ops::Id unit = fleet.units[next_unit++ % kUnits];
            c.side.emplace_back(store::PositionRecord{
                unit, ops::Position{{38.9 + step(rng), -77.03 + step(rng)}, 90.0, 8.0, ++at}});
        }
        state.ResumeTiming();
        auto r = fleet.store->commit(changes);
        if (!r.ok()) {
            state.SkipWithError("commit failed");
            break;
        }
    }
    state.counters["cpu_us_per_report"] =
        benchmark::Counter(static_cast<double>(batch) * static_cast<double>(state.iterations()),
                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// 25 reports per commit: the mean batch of the position measure (bench/README.md, HTTP API).
BENCHMARK(BM_commit_positions)->Arg(1)->Arg(25)->Arg(100)->Unit(benchmark::kMicrosecond);

} // namespace
