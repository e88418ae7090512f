#include <algorithm>
#include <cmath>

#include <fmt/core.h>

#include "analytics/report_json.hpp"
#include "analytics/taxonomy.hpp"
#include "base/json_writer.hpp"
#include "io/compstat_files.hpp"
#include "io/report_html.hpp"

namespace pingan::io {
namespace {

using analytics::CompStatRow;

// Text placed inside <script>: "</" would end the element early. In JSON "<\/" reads back as
// "</"; in the ECharts source the sequence only occurs inside string literals.
std::string script_safe(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 16);
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '<' && i + 1 < s.size() && s[i + 1] == '/') {
            out += "<\\/";
            ++i;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::string pct(const std::optional<double>& v) {
    return v ? fmt::format("{:+.1f} %", *v) : std::string("–");
}
std::string share(const std::optional<double>& v) {
    return v ? fmt::format("{:.1f} %", *v * 100) : std::string("–");
}
std::string secs(const std::optional<double>& v) {
    return v ? fmt::format("{:.0f} s", *v) : std::string("–");
}

std::string label(std::string_view code) {
    if (const auto* c = analytics::find_category(code)) {
        return fmt::format("{} {} <small>({})</small>", html_escape(c->name_zh),
                           html_escape(c->name_en), html_escape(code));
    }
    return html_escape(code);
}

std::string jurisdiction(std::string_view j) {
    return j.empty() ? std::string("<i>(none)</i>") : html_escape(j);
}

std::string row_html(const CompStatRow& r, std::string_view first, std::string_view second) {
    return fmt::format("<tr><td>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td>"
                       "<td class=n>{:+}</td><td class=n>{}</td><td class=n>{}</td></tr>\n",
                       first, second, r.current, r.previous, r.change, pct(r.change_pct),
                       share(r.clearance_share));
}

// Cells of the density grid worth drawing: at least 2 % of the peak, densest first, capped.
std::string density_json(const analytics::HotspotReport& map) {
    std::string out;
    base::JsonWriter w(out);
    w.begin_array();
    if (map.kde) {
        const auto& k = *map.kde;
        std::vector<std::size_t> idx;
        for (std::size_t i = 0; i < k.density_per_km2.size(); ++i) {
            if (k.density_per_km2[i] >= 0.02 * k.max_density_per_km2 && k.density_per_km2[i] > 0) {
                idx.push_back(i);
            }
        }
        std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
            return k.density_per_km2[a] > k.density_per_km2[b];
        });
        if (idx.size() > 40000) idx.resize(40000);
        for (std::size_t i : idx) {
            const int ix = static_cast<int>(i % static_cast<std::size_t>(map.grid.nx));
            const int iy = static_cast<int>(i / static_cast<std::size_t>(map.grid.nx));
            const geo::LatLon c = map.grid.cell_centre(ix, iy);
            w.begin_array();
            w.value(std::round(c.lon * 1e6) / 1e6).value(std::round(c.lat * 1e6) / 1e6);
            w.value(std::round(k.density_per_km2[i] * 100) / 100).end_array();
        }
    }
    w.end_array();
    return out;
}

std::string frame_geojson(const analytics::HotspotReport* map) {
    // Without district polygons the map gets a frame around the data, so ECharts' geo
    // coordinate system (which keeps the aspect of longitude and latitude) has a map.
    double w = -180, s = -85, e = 180, n = 85;
    if (map != nullptr) {
        const geo::LatLon sw = map->grid.to_latlon({map->grid.x0_m, map->grid.y0_m});
        const geo::LatLon ne =
            map->grid.to_latlon({map->grid.x0_m + map->grid.nx * map->grid.cell_m,
                                 map->grid.y0_m + map->grid.ny * map->grid.cell_m});
        w = sw.lon;
        s = sw.lat;
        e = ne.lon;
        n = ne.lat;
    }
    return fmt::format(
        R"({{"type":"FeatureCollection","features":[{{"type":"Feature",)"
        R"("properties":{{"name":"area"}},"geometry":{{"type":"Polygon",)"
        R"("coordinates":[[[{0},{1}],[{2},{1}],[{2},{3}],[{0},{3}],[{0},{1}]]]}}}}]}})",
        w, s, e, n);
}

// Builds the charts from the embedded data. No network access: the page's Content-Security-
// Policy forbids every fetch, and ECharts is inline.
constexpr std::string_view kScript = R"js(
(function(){
var R = JSON.parse(document.getElementById('report-data').textContent);
var D = JSON.parse(document.getElementById('density-data').textContent);
var B = JSON.parse(document.getElementById('boundaries-data').textContent);
var cmp = R.comparison !== null;
function bar(id, title, names, cur, prev, unit){
  var c = echarts.init(document.getElementById(id));
  var series = [{name:'current', type:'bar', data:cur}];
  if (prev) series.push({name:'comparison', type:'bar', data:prev});
  c.setOption({title:{text:title, textStyle:{fontSize:14}}, tooltip:{trigger:'axis'},
    legend:{top:24}, grid:{left:60,right:20,top:60,bottom:90},
    xAxis:{type:'category', data:names, axisLabel:{rotate:35, interval:0}},
    yAxis:{type:'value', name:unit||''}, series:series});
}
bar('chart-groups', 'Incidents by category group', R.by_group.map(function(r){return r.category;}),
    R.by_group.map(function(r){return r.current;}), cmp ? R.by_group.map(function(r){return r.previous;}) : null);
bar('chart-ranking', 'Valid calls by jurisdiction (ranked)',
    R.ranking.map(function(r){return r.jurisdiction || '(none)';}),
    R.ranking.map(function(r){return r.valid_calls;}), cmp ? R.ranking.map(function(r){return r.valid_calls_previous;}) : null);
bar('chart-segments', 'Response-time segments, 90th percentile (s)',
    R.response_times.map(function(s){return s.id;}),
    R.response_times.map(function(s){return s.p90_s;}),
    cmp ? R.response_times_previous.map(function(s){return s.p90_s;}) : null, 's');
echarts.registerMap('area', B);
var max = 0; D.forEach(function(d){ if (d[2] > max) max = d[2]; });
var m = echarts.init(document.getElementById('map'));
m.setOption({title:{text:'Incident density, report period (incidents per km²)', textStyle:{fontSize:14}},
  tooltip:{formatter:function(p){return p.value ? p.value[2] + ' /km²' : p.name;}},
  geo:{map:'area', roam:true, itemStyle:{areaColor:'#f7f7f7', borderColor:'#999'}, emphasis:{disabled:true}},
  visualMap:{min:0, max:max || 1, dimension:2, calculable:true, right:10, bottom:20,
    inRange:{color:['#fee8c8','#fdbb84','#e34a33','#7f0000']}},
  series:[{type:'scatter', coordinateSystem:'geo', symbol:'rect', symbolSize:5, data:D}]});
})();
)js";

} // namespace

std::string compstat_html(const analytics::CompStatReport& r, const CompStatHtmlInput& in) {
    std::string h;
    h.reserve(in.echarts_js.size() + 200'000);
    h += report_page_begin(in.title);
    const std::string zone = in.time_zone.empty() ? "UTC" : in.time_zone;
    h += fmt::format("<p class=meta>Period {} – {} (UTC; dates in {})",
                     base::format_iso8601(r.current.from), base::format_iso8601(r.current.to),
                     html_escape(zone));
    if (r.comparison) {
        h += fmt::format(", compared with {} – {} ({})", base::format_iso8601(r.comparison->from),
                         base::format_iso8601(r.comparison->to),
                         r.compare == analytics::Compare::previous_year ? "previous year"
                                                                        : "previous period");
    }
    h += fmt::format(". Data: {} records", r.data.count);
    if (r.data.first_received_at) {
        h += fmt::format(", {} – {}", base::format_iso8601(*r.data.first_received_at),
                         base::format_iso8601(*r.data.last_received_at));
    }
    h += ". Place-based statistics only.</p>\n";

    const auto& s = r.shares;
    h += "<h2>Calls</h2>\n<table><tr><th></th><th>current</th><th>comparison</th></tr>\n";
    auto prev_count = [&](std::int64_t v) {
        return r.comparison ? std::to_string(v) : std::string("–");
    };
    auto prev_share = [&](const std::optional<double>& v) {
        return r.comparison ? share(v) : std::string("–");
    };
    h += fmt::format("<tr><td>incidents</td><td class=n>{}</td><td class=n>{}</td></tr>\n", s.total,
                     prev_count(r.shares_previous.total));
    h += fmt::format("<tr><td>valid calls</td><td class=n>{} ({})</td><td class=n>{}</td></tr>\n",
                     s.valid, share(s.valid_share), prev_share(r.shares_previous.valid_share));
    h += fmt::format("<tr><td>diverted to 12345 (non-police)</td><td class=n>{} ({})</td>"
                     "<td class=n>{}</td></tr>\n",
                     s.diverted, share(s.diverted_share),
                     prev_share(r.shares_previous.diverted_share));
    h += "</table>\n";

    h += "<h2>Map</h2>\n<div id=map></div>\n";
    h += "<h2>Charts</h2>\n<div class=charts><div class=chart id=chart-groups></div>"
         "<div class=chart id=chart-ranking></div><div class=chart id=chart-segments></div>"
         "</div>\n";

    h += "<h2>Response-time segments (NFPA 1221/1225)</h2>\n<table><tr><th>segment</th>"
         "<th>measured</th><th>p50</th><th>p90</th><th>p90 comparison</th><th>missing</th>"
         "<th>date-only</th><th>inconsistent</th></tr>\n";
    for (std::size_t k = 0; k < r.segments.size(); ++k) {
        const auto& a = r.segments[k];
        h += fmt::format("<tr><td>{} <small>{}</small></td><td class=n>{}</td><td class=n>{}</td>"
                         "<td class=n>{}</td><td class=n>{}</td><td class=n>{}</td>"
                         "<td class=n>{}</td><td class=n>{}</td></tr>\n",
                         analytics::segment_name(a.segment), analytics::segment_id(a.segment),
                         a.measured, secs(a.p50_s), secs(a.p90_s),
                         r.comparison ? secs(r.segments_previous[k].p90_s) : "–", a.missing,
                         a.coarse, a.inconsistent);
    }
    h += "</table>\n";

    h += "<h2>Jurisdictions, ranked by valid calls</h2>\n<table><tr><th>rank</th>"
         "<th>jurisdiction</th><th>valid calls</th><th>comparison</th><th>change</th>"
         "<th>p90 total response</th></tr>\n";
    for (const auto& j : r.ranking) {
        h += fmt::format("<tr><td class=n>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}"
                         "</td><td class=n>{}</td><td class=n>{}</td></tr>\n",
                         j.rank, jurisdiction(j.jurisdiction), j.current, prev_count(j.previous),
                         pct(j.change_pct), secs(j.p90_total_s));
    }
    h += "</table>\n";

    const std::string head = "<tr><th>{}</th><th>{}</th><th>current</th><th>comparison</th>"
                             "<th>change</th><th>change %</th><th>clearance</th></tr>\n";
    h += "<h2>By category</h2>\n<table>";
    h += fmt::format(fmt::runtime(head), "category", "group");
    for (const CompStatRow& c : r.by_group)
        h += row_html(c, "<b>" + label(c.category) + "</b>", "");
    for (const CompStatRow& c : r.by_category)
        h += row_html(c, label(c.category), html_escape(c.group));
    h += row_html(r.total, "<b>total</b>", "");
    h += "</table>\n<h2>Category × jurisdiction</h2>\n<table>";
    h += fmt::format(fmt::runtime(head), "category", "jurisdiction");
    for (const CompStatRow& c : r.cells)
        h += row_html(c, label(c.category), jurisdiction(c.jurisdiction));
    h += "</table>\n";
    h += "<p class=meta>Definitions: valid = not diverted to 12345 and not a merged or cancelled "
         "duplicate; diverted = category non_police (or a live incident diverted); clearance = "
         "cleared dispositions / records with a disposition (– where none is recorded); "
         "percentiles interpolate linearly; segments need minute-resolved stamps.</p>\n";

    h += "<script>";
    h += script_safe(in.echarts_js);
    h += "</script>\n<script type=\"application/json\" id=\"report-data\">";
    h += script_safe(analytics::to_json(r));
    h += "</script>\n<script type=\"application/json\" id=\"density-data\">";
    h += script_safe(in.map != nullptr ? density_json(*in.map) : std::string("[]"));
    h += "</script>\n<script type=\"application/json\" id=\"boundaries-data\">";
    h += script_safe(in.boundaries_geojson.empty() ? frame_geojson(in.map)
                                                   : std::string(in.boundaries_geojson));
    h += "</script>\n<script>";
    h += kScript;
    h += "</script>\n";
    h += report_page_end();
    return h;
}

} // namespace pingan::io
