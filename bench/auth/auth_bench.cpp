// The bearer token of every request: its SHA-256 (only hashes are kept), then the session it
// names among a centre's live sessions.
#include <cstdint>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "auth/sessions.hpp"

namespace {

using namespace pingan;

void BM_token_hash(benchmark::State& state) {
    const std::string token = auth::new_token();
    for (auto _ : state)
        benchmark::DoNotOptimize(auth::token_hash(token));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_token_hash);

// Hash and look-up together, among `range(0)` live sessions, as Router::authenticate does.
void BM_session_find(benchmark::State& state) {
    auth::SessionRegistry sessions;
    std::vector<std::string> tokens;
    for (std::int64_t i = 0; i < state.range(0); ++i) {
        tokens.push_back(auth::new_token());
        sessions.add(auth::token_hash(tokens.back()),
                     {auth::Principal{"user" + std::to_string(i), auth::Role::unit, i, ""},
                      base::TimeMs{1} << 50});
    }
    std::size_t i = 0;
    for (auto _ : state) {
        auto who = sessions.find(auth::token_hash(tokens[i]), 1000);
        benchmark::DoNotOptimize(who);
        i = (i + 1) % tokens.size();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_session_find)->Arg(1000);

} // namespace
