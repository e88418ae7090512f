#include "io/hotspot_geojson.hpp"

#include <cmath>

#include "analytics/report_json.hpp"
#include "base/json_writer.hpp"

namespace pingan::io {

std::string hotspot_geojson(const analytics::HotspotReport& r,
                            const HotspotGeoJsonOptions& options) {
    std::string out;
    base::JsonWriter w(out);
    const analytics::GridSpec& g = r.grid;
    w.begin_object().field("type", "FeatureCollection");
    // The run's description without the per-cell arrays (those are the features).
    w.key("pingan").raw(analytics::to_json(r, {.cells = false}));
    w.key("features").begin_array();
    const double peak = r.kde ? r.kde->max_density_per_km2 : 0.0;
    auto rounded = [](double v) { return std::round(v * 1e7) / 1e7; };
    for (int iy = 0; iy < g.ny; ++iy) {
        for (int ix = 0; ix < g.nx; ++ix) {
            const std::size_t i = g.index(ix, iy);
            const double count = r.counts.empty() ? 0.0 : r.counts[i];
            const double density = r.kde ? r.kde->density_per_km2[i] : 0.0;
            const int label = r.gi_star ? r.gi_star->label[i] : 0;
            const bool dense = peak > 0 && density >= options.min_density_share * peak;
            if (count == 0 && label == 0 && !dense) continue;
            const double x0 = g.x0_m + ix * g.cell_m, y0 = g.y0_m + iy * g.cell_m;
            const geo::LatLon sw = g.to_latlon({x0, y0});
            const geo::LatLon ne = g.to_latlon({x0 + g.cell_m, y0 + g.cell_m});
            w.begin_object().field("type", "Feature");
            w.key("geometry").begin_object().field("type", "Polygon");
            w.key("coordinates").begin_array().begin_array();
            const double ring[5][2] = {{sw.lon, sw.lat},
                                       {ne.lon, sw.lat},
                                       {ne.lon, ne.lat},
                                       {sw.lon, ne.lat},
                                       {sw.lon, sw.lat}};
            for (const auto& p : ring)
                w.begin_array().value(rounded(p[0])).value(rounded(p[1])).end_array();
            w.end_array().end_array().end_object();
            w.key("properties").begin_object();
            w.field("ix", ix).field("iy", iy).field("count", count);
            if (r.kde) w.field("density", density);
            if (r.gi_star) {
                w.field("z", r.gi_star->z[i]).field("z_sim", r.gi_star->z_sim[i]);
                w.field("p", r.gi_star->p[i]).field("p_sim", r.gi_star->p_sim[i]);
                w.field("hotspot", label > 0 ? "hot" : label < 0 ? "cold" : "");
            }
            w.end_object().end_object();
        }
    }
    w.end_array().end_object();
    return out;
}

} // namespace pingan::io
