// A request body read as the handlers read it: BodyReader, then each field with its checks.
// The flat reader takes bodies of scalar fields; a body with a nested value goes through
// nlohmann's tree, so the *_tree cases give the same fields that way for comparison.
#include <string>

#include <benchmark/benchmark.h>

#include "server/body_reader.hpp"

namespace {

using pingan::server::BodyReader;
using pingan::server::Need;

// As the load client's api_position_update sends it.
const std::string kPosition = R"({"lat":38.912300,"lon":-77.045600,"heading":123,"speed":12.5})";
const std::string kPositionTree =
    R"({"lat":38.912300,"lon":-77.045600,"heading":123,"speed":12.5,"extra":{}})";
const std::string kIncident =
    R"({"lat":38.889100,"lon":-77.020300,"category":"theft","priority":3,"description":"load test call 4711 bicycle taken from rack outside the library"})";
const std::string kIncidentTree =
    R"({"lat":38.889100,"lon":-77.020300,"category":"theft","priority":3,"description":"load test call 4711 bicycle taken from rack outside the library","caller":{"phone":"13800001234"}})";

// The fields of POST /api/v1/units/{id}/position (read_position in api_units.cpp).
void read_position(benchmark::State& state, const std::string& body) {
    for (auto _ : state) {
        BodyReader r(body);
        auto lat = r.number("lat", Need::required, -90, 90);
        auto lon = r.number("lon", Need::required, -180, 180);
        auto heading = r.number("heading", Need::optional, 0, 360);
        auto speed = r.number("speed", Need::optional, 0, 150);
        auto at = r.time("at", Need::optional);
        if (!r.ok()) state.SkipWithError("refused");
        benchmark::DoNotOptimize(lat);
        benchmark::DoNotOptimize(lon);
        benchmark::DoNotOptimize(heading);
        benchmark::DoNotOptimize(speed);
        benchmark::DoNotOptimize(at);
    }
}

// The main fields of POST /api/v1/incidents.
void read_incident(benchmark::State& state, const std::string& body) {
    for (auto _ : state) {
        BodyReader r(body);
        auto lat = r.number("lat", Need::required, -90, 90);
        auto lon = r.number("lon", Need::required, -180, 180);
        auto category = r.string("category", Need::optional, 64);
        auto priority = r.integer("priority", Need::optional, 1, 4);
        auto description = r.string("description", Need::optional, 4000, true);
        if (!r.ok()) state.SkipWithError("refused");
        benchmark::DoNotOptimize(lat);
        benchmark::DoNotOptimize(lon);
        benchmark::DoNotOptimize(category);
        benchmark::DoNotOptimize(priority);
        benchmark::DoNotOptimize(description);
    }
}

void BM_body_position(benchmark::State& state) {
    read_position(state, kPosition);
}
void BM_body_position_tree(benchmark::State& state) {
    read_position(state, kPositionTree);
}
void BM_body_incident(benchmark::State& state) {
    read_incident(state, kIncident);
}
void BM_body_incident_tree(benchmark::State& state) {
    read_incident(state, kIncidentTree);
}

} // namespace

BENCHMARK(BM_body_position);
BENCHMARK(BM_body_position_tree);
BENCHMARK(BM_body_incident);
BENCHMARK(BM_body_incident_tree);
