// Analytics routes for analysts and commanders: CompStat, place-based hotspots and the span of
// the incident records. The same engine calls and JSON as `pingan report compstat` and
// `pingan hotspots`. Reports run on the analytics pool's one thread: they queue behind each
// other and never hold up the network threads, intake or logins. Place-based only: no route
// here returns anything about a person.
#include <fmt/core.h>

#include "analytics/compstat.hpp"
#include "analytics/hotspots.hpp"
#include "analytics/report_json.hpp"
#include "base/time.hpp"
#include "io/compstat_files.hpp"
#include "io/hotspot_geojson.hpp"
#include "io/report_period.hpp"
#include "server/api.hpp"
#include "store/records.hpp"

namespace pingan::server {
namespace {

using base::Code;

// "field: reason" as the problem detail, so the reader sees the parameter by name.
Response problem_of(base::Error e) {
    if (!e.field.empty() && !e.detail.starts_with(e.field + ":")) {
        e.detail = e.field + ": " + e.detail;
    }
    return Response::problem(e);
}

std::string query_text(const Request& req, const std::string& name, std::string fallback = {}) {
    const std::string* v = req.query_param(name);
    return v == nullptr || v->empty() ? std::move(fallback) : *v;
}

// A number in [min, max] or the default when absent.
base::Result<double> query_number(const Request& req, const std::string& name, double fallback,
                                  double min, double max) {
    const std::string* text = req.query_param(name);
    if (text == nullptr || text->empty()) return fallback;
    std::vector<double> v;
    if (!io::parse_numbers(*text, v) || v.size() != 1 || !(v[0] >= min && v[0] <= max)) {
        return base::error(Code::bad_argument, name,
                           fmt::format("{}: must be a number from {} to {}", name, min, max));
    }
    return v[0];
}

base::Result<bool> query_flag(const Request& req, const std::string& name, bool fallback) {
    const std::string* text = req.query_param(name);
    if (text == nullptr || text->empty()) return fallback;
    if (*text == "true" || *text == "1") return true;
    if (*text == "false" || *text == "0") return false;
    return base::error(Code::bad_argument, name, fmt::format("{}: must be true or false", name));
}

// The period and which records to read: from, to, tz, source (comma list), live.
struct Scope {
    io::ReportPeriod period;
    store::RecordQuery query;
};

base::Result<Scope> read_scope(const ApiContext& ctx, const Request& req) {
    io::PeriodText text;
    text.from = query_text(req, "from");
    text.to = query_text(req, "to");
    // Default: the centre's offset as a zone name ("+08:00").
    text.tz = query_text(req, "tz", io::offset_text(ctx.utc_offset_minutes * 60));
    if (text.from.empty()) {
        return base::error(Code::bad_argument, "from",
                           "from: give the first day of the period (YYYY-MM-DD or ISO-8601)");
    }
    if (text.to.empty()) {
        return base::error(Code::bad_argument, "to",
                           "to: give the last day of the period (YYYY-MM-DD or ISO-8601)");
    }
    auto period = io::parse_report_period(text);
    if (!period) return period.error();
    Scope s{std::move(period).value(), {}};
    s.query.sources = io::split_list(query_text(req, "source"));
    auto live = query_flag(req, "live", true);
    if (!live) return live.error();
    s.query.include_live = *live;
    return s;
}

// Runs `work` on the analytics thread and replies with what it returns.
void run_report(ApiContext& ctx, Reply reply, std::function<base::Result<Response>()> work) {
    if (ctx.records == nullptr || ctx.analytics == nullptr) {
        return reply(Response::problem(
            base::error(Code::unavailable, "the incident records store is not open")));
    }
    ctx.analytics->post([reply = std::move(reply), work = std::move(work)] {
        base::Result<Response> r = work();
        reply(r ? std::move(r).value() : problem_of(r.error()));
    });
}

std::string iso_or_null(const std::optional<base::TimeMs>& t) {
    return t ? fmt::format("\"{}\"", base::format_iso8601(*t)) : std::string("null");
}

// GET /api/v1/analytics/range: how many records the store holds and their first and last
// times, so the console can offer a period that has data.
void data_range(ApiContext& ctx, Request& req, Reply reply) {
    store::RecordQuery q;
    q.sources = io::split_list(query_text(req, "source"));
    auto live = query_flag(req, "live", true);
    if (!live) return reply(problem_of(live.error()));
    q.include_live = *live;
    run_report(ctx, std::move(reply), [&ctx, q]() -> base::Result<Response> {
        auto range = ctx.records->data_range(q);
        if (!range) return range.error();
        return Response{
            200,
            "application/json",
            fmt::format(R"({{"count":{},"first_received_at":{},"last_received_at":{}}})",
                        range->count, iso_or_null(range->first_received_at),
                        iso_or_null(range->last_received_at)),
            {}};
    });
}

// GET /api/v1/analytics/compstat: from, to, tz, compare, source, live, cleared, format.
void compstat(ApiContext& ctx, Request& req, Reply reply) {
    auto scope = read_scope(ctx, req);
    if (!scope) return reply(problem_of(scope.error()));
    auto compare = io::parse_compare(query_text(req, "compare", "previous-year"));
    if (!compare) return reply(problem_of(compare.error()));
    const std::string format = query_text(req, "format", "json");
    if (format != "json" && format != "csv") {
        return reply(
            problem_of(base::error(Code::bad_argument, "format", "format: must be json or csv")));
    }
    analytics::CompStatRequest cr;
    cr.current = scope->period.period;
    cr.compare = *compare;
    cr.comparison = io::comparison_period(*compare, cr.current, scope->period.zone);
    if (const std::string* c = req.query_param("cleared"); c != nullptr && !c->empty()) {
        cr.cleared_dispositions = io::split_list(*c);
    }
    store::RecordQuery q = scope->query;
    q.periods.push_back(cr.current);
    if (cr.comparison) q.periods.push_back(*cr.comparison);
    run_report(ctx, std::move(reply), [&ctx, cr, q, format]() -> base::Result<Response> {
        auto facts = ctx.records->load_facts(q);
        if (!facts) return facts.error();
        auto report = analytics::compstat(*facts, cr);
        if (!report) {
            if (report.error().field == "from") {
                return store::empty_period_error(*ctx.records, q, cr.current);
            }
            return report.error();
        }
        if (format == "csv") return Response{200, "text/csv", io::compstat_csv(*report), {}};
        return Response{200, "application/json", analytics::to_json(*report), {}};
    });
}

// The hotspot request from the query string; unset parameters keep the engine's defaults.
base::Result<analytics::HotspotRequest> hotspot_request(const Request& req,
                                                        const analytics::Period& period) {
    analytics::HotspotRequest r;
    r.period = period;
    r.categories = io::split_list(query_text(req, "categories"));
    r.max_cells = 250'000; // the answer is a map layer: keep it to a few megabytes
    auto cell = query_number(req, "cell_m", r.cell_m, 10, 5'000);
    if (!cell) return cell.error();
    r.cell_m = *cell;
    auto bandwidth = query_number(req, "bandwidth_m", r.kde.bandwidth_m, 10, 20'000);
    if (!bandwidth) return bandwidth.error();
    r.kde.bandwidth_m = *bandwidth;
    auto radius = query_number(req, "radius_cells", r.gi_star.neighbor_radius_cells, 1, 10);
    if (!radius) return radius.error();
    r.gi_star.neighbor_radius_cells = *radius;
    auto permutations = query_number(req, "permutations", r.gi_star.permutations, 0, 9'999);
    if (!permutations) return permutations.error();
    r.gi_star.permutations = static_cast<int>(*permutations);
    auto fdr = query_number(req, "fdr", r.gi_star.fdr_q, 0.0001, 0.5);
    if (!fdr) return fdr.error();
    r.gi_star.fdr_q = *fdr;
    auto seed = query_number(req, "seed", 1, 0, 4'294'967'295.0);
    if (!seed) return seed.error();
    r.gi_star.seed = r.knox.seed = static_cast<std::uint64_t>(*seed);
    auto knox_permutations = query_number(req, "knox_permutations", r.knox.permutations, 0, 999);
    if (!knox_permutations) return knox_permutations.error();
    r.knox.permutations = static_cast<int>(*knox_permutations);
    if (const std::string* d = req.query_param("knox_distances"); d != nullptr && !d->empty()) {
        if (!io::parse_numbers(*d, r.knox.distance_edges_m)) {
            return base::error(Code::bad_argument, "knox_distances",
                               "knox_distances: must be a comma-separated list of metres");
        }
    }
    if (const std::string* d = req.query_param("knox_days"); d != nullptr && !d->empty()) {
        if (!io::parse_numbers(*d, r.knox.time_edges_days)) {
            return base::error(Code::bad_argument, "knox_days",
                               "knox_days: must be a comma-separated list of days");
        }
    }
    if (const std::string* a = req.query_param("analyses"); a != nullptr && !a->empty()) {
        r.run_kde = r.run_gi_star = r.run_knox = false;
        for (const std::string& name : io::split_list(*a)) {
            if (name == "kde") {
                r.run_kde = true;
            } else if (name == "gi_star") {
                r.run_gi_star = true;
            } else if (name == "knox") {
                r.run_knox = true;
            } else {
                return base::error(
                    Code::bad_argument, "analyses",
                    fmt::format("analyses: '{}' is not kde, gi_star or knox", name.substr(0, 40)));
            }
        }
    }
    return r;
}

// GET /api/v1/analytics/hotspots: from, to, tz, source, live, categories, cell_m, bandwidth_m,
// radius_cells, permutations, fdr, seed, knox_*, analyses, format (geojson or json).
void hotspots(ApiContext& ctx, Request& req, Reply reply) {
    auto scope = read_scope(ctx, req);
    if (!scope) return reply(problem_of(scope.error()));
    auto hr = hotspot_request(req, scope->period.period);
    if (!hr) return reply(problem_of(hr.error()));
    const std::string format = query_text(req, "format", "geojson");
    if (format != "geojson" && format != "json") {
        return reply(problem_of(
            base::error(Code::bad_argument, "format", "format: must be geojson or json")));
    }
    store::RecordQuery q = scope->query;
    q.periods.push_back(scope->period.period);
    run_report(ctx, std::move(reply), [&ctx, r = *hr, q, format]() -> base::Result<Response> {
        auto facts = ctx.records->load_facts(q);
        if (!facts) return facts.error();
        if (facts->size() == 0) return store::empty_period_error(*ctx.records, q, r.period);
        auto report = analytics::hotspots(*facts, r);
        if (!report) return report.error();
        if (format == "json")
            return Response{200, "application/json", analytics::to_json(*report), {}};
        return Response{200, "application/geo+json", io::hotspot_geojson(*report), {}};
    });
}

} // namespace

void add_analytics_routes(Router& router, ApiContext& ctx) {
    router.add("GET", "/api/v1/analytics/range",
               [&ctx](Request& req, Reply reply) { data_range(ctx, req, std::move(reply)); });
    router.add("GET", "/api/v1/analytics/compstat",
               [&ctx](Request& req, Reply reply) { compstat(ctx, req, std::move(reply)); });
    router.add("GET", "/api/v1/analytics/hotspots",
               [&ctx](Request& req, Reply reply) { hotspots(ctx, req, std::move(reply)); });
}

} // namespace pingan::server
