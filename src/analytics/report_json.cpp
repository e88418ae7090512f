#include "analytics/report_json.hpp"

#include "base/json_writer.hpp"

namespace pingan::analytics {
namespace {

using base::JsonWriter;

JsonWriter& count(JsonWriter& w, std::string_view k, std::uint64_t v) {
    return w.field(k, static_cast<std::int64_t>(v));
}

void write_optional(JsonWriter& w, std::string_view k, const std::optional<double>& v) {
    w.key(k);
    if (v) {
        w.value(*v);
    } else {
        w.null();
    }
}

std::string_view compare_name(Compare c) {
    switch (c) {
    case Compare::none:
        return "none";
    case Compare::previous_year:
        return "previous-year";
    case Compare::previous_period:
        return "previous-period";
    }
    return "none";
}

void write_period(JsonWriter& w, std::string_view k, const Period& p) {
    w.key(k).begin_object().time_field("from", p.from).time_field("to", p.to).end_object();
}

void write_row(JsonWriter& w, const CompStatRow& r) {
    w.begin_object();
    w.field("category", r.category).field("group", r.group).field("jurisdiction", r.jurisdiction);
    w.field("current", r.current).field("previous", r.previous).field("change", r.change);
    write_optional(w, "change_pct", r.change_pct);
    w.field("with_disposition", r.with_disposition).field("cleared", r.cleared);
    write_optional(w, "clearance_share", r.clearance_share);
    w.end_object();
}

void write_shares(JsonWriter& w, std::string_view k, const CallShares& s) {
    w.key(k).begin_object();
    w.field("total", s.total).field("valid", s.valid).field("diverted", s.diverted);
    w.field("void", s.void_calls);
    write_optional(w, "valid_share", s.valid_share);
    write_optional(w, "diverted_share", s.diverted_share);
    w.end_object();
}

void write_segments(JsonWriter& w, std::string_view k, const std::array<SegmentStats, 4>& segs) {
    w.key(k).begin_array();
    for (const SegmentStats& s : segs) {
        w.begin_object();
        w.field("id", segment_id(s.segment)).field("segment", segment_name(s.segment));
        w.field("measured", s.measured).field("missing", s.missing).field("coarse", s.coarse);
        w.field("inconsistent", s.inconsistent);
        write_optional(w, "p50_s", s.p50_s);
        write_optional(w, "p90_s", s.p90_s);
        write_optional(w, "mean_s", s.mean_s);
        w.end_object();
    }
    w.end_array();
}

void write_data_range(JsonWriter& w, std::string_view k, std::size_t n,
                      const std::optional<TimeMs>& first, const std::optional<TimeMs>& last) {
    w.key(k).begin_object();
    count(w, "count", n);
    w.time_field("first_received_at", first).time_field("last_received_at", last);
    w.end_object();
}

void write_grid(JsonWriter& w, const GridSpec& g) {
    w.key("grid").begin_object();
    w.key("projection_origin").begin_object().field("lat", g.projection_origin.lat);
    w.field("lon", g.projection_origin.lon).end_object();
    w.field("x0_m", g.x0_m).field("y0_m", g.y0_m).field("cell_m", g.cell_m);
    w.field("nx", g.nx).field("ny", g.ny);
    const geo::LatLon sw = g.to_latlon({g.x0_m, g.y0_m});
    const geo::LatLon ne = g.to_latlon({g.x0_m + g.nx * g.cell_m, g.y0_m + g.ny * g.cell_m});
    w.key("bbox").begin_array().value(sw.lon).value(sw.lat).value(ne.lon).value(ne.lat).end_array();
    w.end_object();
}

template <class T>
void write_array(JsonWriter& w, std::string_view k, const std::vector<T>& v) {
    w.key(k).begin_array();
    for (const T& x : v) {
        if constexpr (std::is_floating_point_v<T>) {
            w.value(static_cast<double>(x));
        } else {
            w.value(static_cast<std::int64_t>(x));
        }
    }
    w.end_array();
}

} // namespace

std::string to_json(const CompStatReport& r) {
    std::string out;
    JsonWriter w(out);
    w.begin_object();
    w.field("report", "compstat");
    write_period(w, "period", r.current);
    w.field("compare", compare_name(r.compare));
    w.key("comparison");
    if (r.comparison) {
        w.begin_object().time_field("from", r.comparison->from);
        w.time_field("to", r.comparison->to).end_object();
    } else {
        w.null();
    }
    write_data_range(w, "data", r.data.count, r.data.first_received_at, r.data.last_received_at);
    w.key("cleared_dispositions").begin_array();
    for (const std::string& d : r.cleared_dispositions)
        w.value(d);
    w.end_array();
    w.key("total");
    write_row(w, r.total);
    write_shares(w, "calls", r.shares);
    write_shares(w, "calls_previous", r.shares_previous);
    write_segments(w, "response_times", r.segments);
    write_segments(w, "response_times_previous", r.segments_previous);
    for (const auto& [name, rows] :
         {std::pair{"by_group", &r.by_group}, std::pair{"by_category", &r.by_category},
          std::pair{"by_jurisdiction", &r.by_jurisdiction}, std::pair{"cells", &r.cells}}) {
        w.key(name).begin_array();
        for (const CompStatRow& row : *rows)
            write_row(w, row);
        w.end_array();
    }
    w.key("ranking").begin_array();
    for (const JurisdictionRank& j : r.ranking) {
        w.begin_object().field("rank", j.rank).field("jurisdiction", j.jurisdiction);
        w.field("valid_calls", j.current).field("valid_calls_previous", j.previous);
        write_optional(w, "change_pct", j.change_pct);
        write_optional(w, "p90_total_s", j.p90_total_s);
        w.end_object();
    }
    w.end_array();
    w.end_object();
    return out;
}

std::string to_json(const HotspotReport& r, const HotspotJsonOptions& options) {
    std::string out;
    JsonWriter w(out);
    w.begin_object();
    w.field("report", "hotspots");
    write_period(w, "period", r.request.period);
    w.key("categories").begin_array();
    for (const std::string& c : r.request.categories)
        w.value(c);
    w.end_array();
    write_data_range(w, "data", r.selected, r.first_received_at, r.last_received_at);
    count(w, "located", r.located);
    count(w, "outside_grid", r.outside_grid);
    write_grid(w, r.grid);
    if (options.cells) write_array(w, "counts", r.counts);
    if (r.kde) {
        const KdeResult& k = *r.kde;
        w.key("kde").begin_object();
        w.key("params").begin_object().field("kernel", "gaussian");
        w.field("bandwidth_m", k.params.bandwidth_m).field("cutoff_sigmas", k.params.cutoff_sigmas);
        w.field("binning", "linear").end_object();
        w.field("unit", "incidents per km²");
        w.field("max_density", k.max_density_per_km2).field("binned_mass", k.binned_mass);
        if (options.cells) write_array(w, "density", k.density_per_km2);
        w.end_object();
    }
    if (r.gi_star) {
        const GiStarResult& g = *r.gi_star;
        w.key("gi_star").begin_object();
        w.key("params").begin_object();
        w.field("weights", "binary distance band, self included");
        w.field("neighbor_radius_cells", g.params.neighbor_radius_cells);
        w.field("permutations", g.params.permutations).field("inference", "conditional");
        w.field("fdr_p", "two-sided normal p of z_sim");
        count(w, "seed", g.params.seed);
        w.field("fdr_q", g.params.fdr_q).field("fdr_method", "benjamini-hochberg").end_object();
        w.field("mean", g.mean).field("sd", g.sd).field("constant", g.constant);
        w.field("p_cutoff", g.p_cutoff);
        count(w, "hot", g.hot);
        count(w, "cold", g.cold);
        if (options.cells) {
            write_array(w, "z", g.z);
            write_array(w, "z_sim", g.z_sim);
            write_array(w, "p", g.p);
            write_array(w, "p_sim", g.p_sim);
            write_array(w, "label", g.label);
        }
        w.end_object();
    }
    if (r.knox) {
        const KnoxResult& k = *r.knox;
        w.key("knox").begin_object();
        w.key("params").begin_object();
        write_array(w, "distance_edges_m", k.params.distance_edges_m);
        write_array(w, "time_edges_days", k.params.time_edges_days);
        w.field("permutations", k.params.permutations);
        count(w, "seed", k.params.seed);
        w.end_object();
        count(w, "events", k.events);
        count(w, "pairs", k.pairs);
        count(w, "rows", k.rows());
        count(w, "cols", k.cols());
        write_array(w, "observed", k.observed);
        write_array(w, "expected", k.expected);
        write_array(w, "ratio", k.ratio);
        write_array(w, "p", k.p);
        w.end_object();
    }
    w.end_object();
    return out;
}

std::string to_json(const PostPlan& p) {
    std::string out;
    JsonWriter w(out);
    w.begin_object();
    w.field("report", "posts");
    w.key("params").begin_object();
    count(w, "units", p.request.units);
    w.field("within_s", p.request.within_ms / 1000.0);
    count(w, "candidates", p.request.candidates);
    w.field("snap_radius_m", p.request.snap_radius_m).field("merge_m", p.request.merge_m);
    w.field("heuristic", p.request.swap ? "greedy + 1-swap" : "greedy");
    w.end_object();
    count(w, "incidents", p.incidents);
    count(w, "off_road", p.off_road);
    count(w, "demand_points", p.demand_points);
    count(w, "candidate_sites", p.candidate_count);
    count(w, "relation_size", p.relation_size);
    w.field("covered", p.result.covered_weight).field("total", p.result.total_weight);
    w.field("share", p.result.share);
    w.field("share_of_all_incidents",
            p.incidents > 0 ? p.result.covered_weight / static_cast<double>(p.incidents) : 0.0);
    w.field("greedy_covered", p.result.greedy_covered_weight).field("swaps", p.result.swaps);
    w.key("posts").begin_array();
    for (std::size_t i = 0; i < p.posts.size(); ++i) {
        w.begin_object();
        count(w, "node", p.posts[i]);
        w.field("lat", p.post_locations[i].lat).field("lon", p.post_locations[i].lon);
        w.end_object();
    }
    w.end_array();
    w.end_object();
    return out;
}

} // namespace pingan::analytics
