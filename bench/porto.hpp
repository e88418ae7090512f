// The Porto road graph and random places in central Porto, shared by the dispatch benchmarks.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "io/osm_import.hpp"
#include "road/graph.hpp"

namespace pingan::bench {

inline constexpr double kSouth = 41.140, kWest = -8.660, kNorth = 41.180, kEast = -8.570;

inline std::string data_dir() {
    const char* d = std::getenv("DATA");
    return d ? d : "../shared/data";
}

// Imported once per process; null when the file is missing.
inline const road::Graph* porto() {
    static std::unique_ptr<road::Graph> g;
    const std::string path = data_dir() + "/roads/porto.osm.pbf";
    if (!g && std::filesystem::exists(path)) {
        auto imported = io::import_osm(path, road::Profile::car());
        if (imported) g = std::make_unique<road::Graph>(std::move(imported->graph));
    }
    return g.get();
}

inline geo::LatLon random_point(std::mt19937& rng) {
    std::uniform_real_distribution<double> lat(kSouth, kNorth), lon(kWest, kEast);
    return {lat(rng), lon(rng)};
}

} // namespace pingan::bench
