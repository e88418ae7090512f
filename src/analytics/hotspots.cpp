#include "analytics/hotspots.hpp"

#include <fmt/core.h>

#include "analytics/taxonomy.hpp"

namespace pingan::analytics {

base::Result<HotspotReport> hotspots(const IncidentFacts& f, const HotspotRequest& request) {
    if (request.period.to <= request.period.from) {
        return base::error(base::Code::bad_argument, "to",
                           "the hotspot period must end after it starts");
    }
    if (!(request.cell_m > 0)) {
        return base::error(base::Code::bad_argument, "cell", "the cell size must be positive");
    }
    if (!(request.kde.bandwidth_m > 0)) {
        return base::error(base::Code::bad_argument, "bandwidth",
                           "the KDE bandwidth must be positive");
    }
    // Which category indices are wanted.
    std::vector<std::uint8_t> wanted(f.category_names.size(), request.categories.empty());
    for (const std::string& want : request.categories) {
        bool known = false;
        for (std::size_t c = 0; c < f.category_names.size(); ++c) {
            if (f.category_names[c] == want || group_of(f.category_names[c]) == want) {
                wanted[c] = 1;
                known = true;
            }
        }
        if (!known && find_category(want) == nullptr) {
            return base::error(base::Code::bad_argument, "category",
                               fmt::format("'{}' is not a category code or group", want));
        }
    }

    HotspotReport rep;
    rep.request = request;
    std::vector<geo::LatLon> located;
    std::vector<TimeMs> times;
    const auto [begin, end] = f.range_of(request.period);
    for (std::size_t i = begin; i < end; ++i) {
        if (!wanted[f.category[i]]) continue;
        ++rep.selected;
        if (!rep.first_received_at) rep.first_received_at = f.received_at[i];
        rep.last_received_at = f.received_at[i];
        if (!f.has_location(i)) continue;
        located.push_back({f.lat[i], f.lon[i]});
        times.push_back(f.received_at[i]);
    }
    rep.located = located.size();
    if (located.empty()) {
        return base::error(
            base::Code::bad_argument, "from",
            fmt::format("no located incident records{} between {} and {} ({} without a usable "
                        "location)",
                        request.categories.empty() ? "" : " of the chosen categories",
                        base::format_iso8601(request.period.from),
                        base::format_iso8601(request.period.to), rep.selected));
    }

    if (request.grid) {
        rep.grid = *request.grid;
    } else {
        const double margin = request.margin_m.value_or(request.kde.bandwidth_m);
        rep.grid = *grid_covering(located, request.cell_m, margin);
    }
    if (rep.grid.cells() > request.max_cells) {
        return base::error(base::Code::bad_argument, "cell",
                           fmt::format("a {} m grid over this area has {} × {} cells (limit {}); "
                                       "choose a larger cell",
                                       rep.grid.cell_m, rep.grid.nx, rep.grid.ny,
                                       request.max_cells));
    }
    rep.request.grid = rep.grid;
    const std::vector<PointM> pts = to_metres(rep.grid, located);
    rep.counts = count_per_cell(rep.grid, pts, &rep.outside_grid);

    if (request.run_kde) rep.kde = kde(rep.grid, pts, request.kde);
    if (request.run_gi_star) {
        auto gi = gi_star(rep.counts, rep.grid.nx, rep.grid.ny, request.gi_star);
        if (!gi) return std::move(gi).error();
        rep.gi_star = std::move(gi).value();
    }
    if (request.run_knox) {
        if (pts.size() > request.max_knox_events) {
            return base::error(base::Code::bad_argument, "knox",
                               fmt::format("near-repeat analysis of {} events exceeds the limit "
                                           "of {}; narrow the period or the categories",
                                           pts.size(), request.max_knox_events));
        }
        if (pts.size() >= 2) {
            auto k = knox(pts, times, request.knox);
            if (!k) return std::move(k).error();
            rep.knox = std::move(k).value();
        }
    }
    return rep;
}

} // namespace pingan::analytics
