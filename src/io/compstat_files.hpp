// CompStat as files for people and for other tools: CSV (long format, one measure per row, so
// pandas or a spreadsheet can pivot it) and a self-contained HTML page with ECharts charts and
// a map, which makes no network request (the ECharts library is embedded in the page).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "analytics/compstat.hpp"
#include "analytics/hotspots.hpp"

namespace pingan::io {

// Columns: section,category,group,jurisdiction,metric,current,previous,change,change_pct.
// "*" in category, group or jurisdiction means "all" (an empty jurisdiction is the source's
// blank district). Sections: counts, clearance, calls, response, ranking (docs/analytics.md).
std::string compstat_csv(const analytics::CompStatReport& report);

struct CompStatHtmlInput {
    std::string title = "CompStat";
    std::string_view echarts_js;                   // text of echarts.min.js, embedded as is
    const analytics::HotspotReport* map = nullptr; // density of the report period, for the map
    std::string_view boundaries_geojson;           // optional district polygons (EPSG:4326)
    std::string time_zone;                         // shown with the period
};
std::string compstat_html(const analytics::CompStatReport& report, const CompStatHtmlInput& in);

} // namespace pingan::io
