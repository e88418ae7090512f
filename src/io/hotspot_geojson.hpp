// Hotspots as GeoJSON (RFC 7946, EPSG:4326) for GIS tools and map overlays: one polygon per
// grid cell worth showing, with its count, density, Gi* z, p and label; the run's parameters,
// seeds and data span ride along in the collection's "pingan" member.
#pragma once

#include <string>

#include "analytics/hotspots.hpp"

namespace pingan::io {

struct HotspotGeoJsonOptions {
    // A cell is written when it holds an incident, is a significant Gi* cell, or its density
    // reaches this share of the peak.
    double min_density_share = 0.05;
};

std::string hotspot_geojson(const analytics::HotspotReport& report,
                            const HotspotGeoJsonOptions& options = {});

} // namespace pingan::io
