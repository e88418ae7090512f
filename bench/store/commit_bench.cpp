// Commits of position reports into the SQLite store (store/sqlite_store.hpp), as the commit
// thread makes them under load: a batch of one-report changes from different units of a
// 1,000-unit fleet, in one transaction with its fsync. "CPU" is the commit thread's own work
// (SQLite, the WAL write); "Time" adds the wait for the disk.
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include <benchmark/benchmark.h>

#include "fleet.hpp"
#include "ops/board.hpp"
#include "store/sqlite_store.hpp"

namespace {

using namespace pingan;
namespace fs = std::filesystem;

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
        for (std::size_t i = 0; i < bench::kFleetUnits; ++i) {
            ops::NewUnit nu;
            nu.callsign = "B-" + std::to_string(i + 1);
            units.push_back(board.create_unit(nu, "bench", bench::kFleetT0, events).value().id);
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
    bench::FleetWalk walk;
    std::vector<store::Change> changes(batch);
    for (auto _ : state) {
        state.PauseTiming();
        for (store::Change& c : changes) {
            c.side.clear();
            const auto [u, p] = walk.next();
            c.side.emplace_back(store::PositionRecord{fleet.units[u], p});
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
