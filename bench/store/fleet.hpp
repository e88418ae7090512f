// The reports of a 1,000-unit fleet around Washington, DC, for the store benchmarks: units
// report in turn, each a seeded random walk, with heading and speed.
#pragma once

#include <cstddef>
#include <random>
#include <vector>

#include "ops/model.hpp"

namespace pingan::bench {

constexpr std::size_t kFleetUnits = 1000;
constexpr ops::TimeMs kFleetT0 = 1'795'000'000'000;

class FleetWalk {
public:
    struct Report {
        std::size_t unit; // index in [0, kFleetUnits)
        ops::Position position;
    };

    Report next() {
        const std::size_t u = count_ % kFleetUnits;
        lat_[u] += step_(rng_);
        lon_[u] += step_(rng_);
        const auto at = kFleetT0 + static_cast<ops::TimeMs>(count_++) * 5;
        return Report{u, ops::Position{{lat_[u], lon_[u]}, heading_(rng_), speed_(rng_), at}};
    }

private:
    std::mt19937_64 rng_{20261124};
    std::normal_distribution<double> step_{0.0, 0.0002};
    std::uniform_real_distribution<double> heading_{0.0, 360.0};
    std::uniform_real_distribution<double> speed_{0.0, 25.0};
    std::vector<double> lat_ = std::vector<double>(kFleetUnits, 38.9);
    std::vector<double> lon_ = std::vector<double>(kFleetUnits, -77.03);
    std::size_t count_ = 0;
};

} // namespace pingan::bench
