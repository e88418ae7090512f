// Analytics commands: import incidents, report compstat, hotspots, plan posts, replay.
// Adapters only: they read files and the database, call the analytics engine, write files.
#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <unistd.h>

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "analytics/compstat.hpp"
#include "analytics/hotspots.hpp"
#include "analytics/report_json.hpp"
#include "analytics/road_coverage.hpp"
#include "analytics/taxonomy.hpp"
#include "base/clock.hpp"
#include "base/json_writer.hpp"
#include "base/sha256.hpp"
#include "cli/commands.hpp"
#include "dispatch/recommender.hpp"
#include "io/compstat_files.hpp"
#include "io/fleet_toml.hpp"
#include "io/hotspot_geojson.hpp"
#include "io/incident_csv.hpp"
#include "io/incident_mapping.hpp"
#include "io/report_period.hpp"
#include "io/time_zone.hpp"
#include "road/graph.hpp"
#include "sim/replay.hpp"
#include "store/open_store.hpp"

namespace pingan::cli {
namespace {

namespace fs = std::filesystem;
using analytics::Period;

std::string actor() {
    const char* user = std::getenv("USER");
    return fmt::format("cli:{}", user != nullptr ? user : "unknown");
}

bool read_file(const std::string& path, std::string& out, std::string& why) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        why = fmt::format("{}: no such file", path);
        return false;
    }
    if (fs::is_directory(path, ec)) {
        why = fmt::format("{}: is a directory", path);
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        why = fmt::format("{}: cannot be read", path);
        return false;
    }
    out.assign(std::istreambuf_iterator<char>(in), {});
    return true;
}

// Writes through a temporary sibling renamed into place: a failure leaves no partial file.
bool write_output(const std::string& path, std::string_view text, std::string& why) {
    if (path == "-") {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return true;
    }
    const std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
    {
        std::ofstream out(tmp, std::ios::binary);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.close();
        if (!out) {
            std::error_code ec;
            fs::remove(tmp, ec);
            why = fmt::format("cannot write {}", path);
            return false;
        }
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) {
        fs::remove(tmp, ec);
        why = fmt::format("cannot write {}: {}", path, ec.message());
        return false;
    }
    return true;
}

// A progress bar on stderr when it is a terminal; silent otherwise (logs, tests, pipes).
class ProgressBar {
public:
    explicit ProgressBar(std::string label)
        : label_(std::move(label)), on_(isatty(STDERR_FILENO) != 0) {}
    ~ProgressBar() { done(); }
    void update(std::size_t done, std::size_t total) {
        if (!on_ || total == 0) return;
        const int pct = static_cast<int>(100.0 * static_cast<double>(done) / total);
        if (pct == last_) return;
        last_ = pct;
        const int filled = pct * 30 / 100;
        fmt::print(stderr, "\r  {:<8} [{}{}] {:3d}%", label_, std::string(filled, '#'),
                   std::string(30 - filled, '-'), pct);
        std::fflush(stderr);
        shown_ = true;
    }
    void done() {
        if (shown_) fmt::print(stderr, "\n");
        shown_ = false;
    }

private:
    std::string label_;
    bool on_;
    bool shown_ = false;
    int last_ = -1;
};

std::string thousands(std::size_t n) {
    // Built forwards rather than with insert(): GCC 12 at -O3 reports a false -Wrestrict on
    // std::string::insert (GCC bug 105329).
    const std::string digits = std::to_string(n);
    std::string s;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) s += ',';
        s += digits[i];
    }
    return s;
}

base::Result<io::IncidentMapping> resolve_mapping(const std::string& format) {
    const bool file = format.size() > 5 && format.substr(format.size() - 5) == ".toml";
    if (file) return io::load_mapping_file(format);
    return io::builtin_mapping(format);
}

// --- import incidents --------------------------------------------------------------------

struct ImportOptions {
    std::vector<std::string> files;
    std::string format;
    std::string db;
    double max_rejected_share = 0.5;
    bool json = false;
};

// The records of an incident CSV read with --format (hotspots, plan posts, replay), or nothing
// with the exit code of the problem, already reported, in `code`.
std::optional<io::CsvImport> read_csv_records(const std::string& path, const std::string& format,
                                              int& code) {
    if (format.empty()) {
        code = fail_input("--format: required with a CSV file (dc, baltimore, sacramento or a "
                          "mapping .toml)");
        return std::nullopt;
    }
    auto mapping = resolve_mapping(format);
    if (!mapping) {
        code = fail(mapping.error());
        return std::nullopt;
    }
    std::string bytes, why;
    if (!read_file(path, bytes, why)) {
        code = fail_input(why);
        return std::nullopt;
    }
    auto parsed = io::read_incident_csv(bytes, *mapping, fs::path(path).filename().string());
    if (!parsed) {
        code = fail(parsed.error());
        return std::nullopt;
    }
    return std::move(parsed).value();
}

int import_one(const ImportOptions& o, const io::IncidentMapping& mapping,
               store::RecordStore& records, const std::string& file) {
    std::string bytes, why;
    if (!read_file(file, bytes, why)) return fail_input(why);
    const std::string name = fs::path(file).filename().string();
    io::CsvImport parsed;
    {
        ProgressBar bar("reading");
        auto r = io::read_incident_csv(bytes, mapping, name,
                                       [&](std::size_t d, std::size_t t) { bar.update(d, t); });
        bar.done();
        if (!r) return fail(r.error());
        parsed = std::move(r).value();
    }
    auto list_problems = [&](std::string& out) {
        for (const io::RowProblem& p : parsed.problems)
            out += fmt::format("  line {}: {}\n", p.line, p.reason);
        if (parsed.rejected > parsed.problems.size()) {
            out += fmt::format("  … and {} more\n",
                               thousands(parsed.rejected - parsed.problems.size()));
        }
    };
    if (parsed.records.empty()) {
        std::string msg =
            fmt::format("{}: no row could be imported ({} read, {} rejected); "
                        "nothing was stored:\n",
                        name, thousands(parsed.rows_read), thousands(parsed.rejected));
        list_problems(msg);
        msg.pop_back();
        return fail_input(msg);
    }
    const double rejected_share =
        static_cast<double>(parsed.rejected) / static_cast<double>(parsed.rows_read);
    if (rejected_share > o.max_rejected_share) {
        std::string msg = fmt::format(
            "{}: {} of {} rows rejected ({:.0f} %, more than --max-rejected-share {:.0f} %): the "
            "mapping probably does not fit this file; nothing was stored:\n",
            name, thousands(parsed.rejected), thousands(parsed.rows_read), rejected_share * 100,
            o.max_rejected_share * 100);
        list_problems(msg);
        msg.pop_back();
        return fail_input(msg);
    }
    // Stored in time order, so that loading a period reads the table nearly sequentially.
    std::stable_sort(parsed.records.begin(), parsed.records.end(),
                     [](const auto& a, const auto& b) { return a.received_at < b.received_at; });

    store::RecordImport batch;
    batch.file_name = name;
    batch.file_sha256 = base::sha256_hex(bytes);
    batch.source = mapping.source;
    batch.mapping = mapping.name;
    batch.rows_read = parsed.rows_read;
    batch.rejected = parsed.rejected;
    batch.blank_location = parsed.blank_location;
    batch.bad_geocode = parsed.bad_geocode;
    batch.records = std::move(parsed.records);
    batch.actor = actor();
    batch.at = base::SystemClock().now_ms();
    store::RecordImportResult result;
    {
        ProgressBar bar("writing");
        auto r =
            records.import_records(batch, [&](std::size_t d, std::size_t t) { bar.update(d, t); });
        bar.done();
        if (!r) return fail(r.error());
        result = std::move(r).value();
    }
    if (o.json) {
        std::string out;
        base::JsonWriter w(out);
        w.begin_object().field("file", name).field("sha256", batch.file_sha256);
        w.field("source", mapping.source).field("mapping", mapping.name);
        w.field("rows_read", static_cast<std::int64_t>(parsed.rows_read));
        w.field("imported", static_cast<std::int64_t>(result.inserted));
        w.field("duplicates", static_cast<std::int64_t>(result.duplicates));
        w.field("rejected", static_cast<std::int64_t>(parsed.rejected));
        w.field("blank_location", static_cast<std::int64_t>(parsed.blank_location));
        w.field("bad_geocode", static_cast<std::int64_t>(parsed.bad_geocode));
        w.field("default_category", static_cast<std::int64_t>(parsed.default_category));
        w.key("problems").begin_array();
        for (const io::RowProblem& p : parsed.problems) {
            w.begin_object().field("line", static_cast<std::int64_t>(p.line));
            w.field("reason", p.reason).end_object();
        }
        w.end_array();
        w.field("event_seq", result.event_seq).field("event_hash", result.event_hash);
        w.end_object();
        fmt::print("{}\n", out);
        return kExitOk;
    }
    std::string out =
        fmt::format("{} (mapping {}, source {})\n", name, mapping.name, mapping.source);
    out += fmt::format("  rows read        {:>10}\n", thousands(parsed.rows_read));
    out += fmt::format("  imported         {:>10}\n", thousands(result.inserted));
    out += fmt::format("  already stored   {:>10}\n", thousands(result.duplicates));
    out += fmt::format("  rejected         {:>10}\n", thousands(parsed.rejected));
    out += fmt::format("  blank location   {:>10}   (kept, left off maps)\n",
                       thousands(parsed.blank_location));
    out += fmt::format("  bad geocode      {:>10}   (kept, left off maps)\n",
                       thousands(parsed.bad_geocode));
    if (parsed.default_category > 0) {
        out += fmt::format("  default category {:>10}   (values the mapping does not list)\n",
                           thousands(parsed.default_category));
    }
    out += fmt::format("  event            #{} records.imported {}\n", result.event_seq,
                       result.event_hash.substr(0, 16));
    if (parsed.rejected > 0) {
        out += "rejected rows:\n";
        list_problems(out);
    }
    fmt::print("{}", out);
    return kExitOk;
}

int import_incidents(const ImportOptions& o) {
    if (o.files.empty()) return fail_input("FILE: give at least one CSV file");
    if (!(o.max_rejected_share >= 0 && o.max_rejected_share <= 1)) {
        return fail_input("--max-rejected-share: must be between 0 and 1");
    }
    auto mapping = resolve_mapping(o.format);
    if (!mapping) return fail(mapping.error());
    for (const std::string& f : o.files) {
        if (!fs::exists(f)) return fail_input(fmt::format("{}: no such file", f));
    }
    auto records = store::open_records(o.db);
    if (!records) return fail(records.error());
    for (const std::string& f : o.files) {
        const int code = import_one(o, *mapping, **records, f);
        if (code != kExitOk) return code;
    }
    return kExitOk;
}

// --- periods ---------------------------------------------------------------------------------

using PeriodOptions = io::PeriodText;
using io::parse_numbers;
using io::split_list;

bool parse_period(const PeriodOptions& o, Period& out, io::TimeZone& zone, int& code) {
    auto parsed = io::parse_report_period(o);
    if (!parsed) {
        code = fail_input(fmt::format("--{}: {}", parsed.error().field, parsed.error().detail));
        return false;
    }
    out = parsed->period;
    zone = std::move(parsed->zone);
    return true;
}

bool open_db(const std::string& db, std::unique_ptr<store::RecordStore>& out, int& code) {
    if (auto missing = missing_db(db)) {
        code = fail_input(*missing);
        return false;
    }
    auto r = store::open_records(db);
    if (!r) {
        code = fail(r.error());
        return false;
    }
    out = std::move(r).value();
    return true;
}

// --- report compstat ---------------------------------------------------------------------------

struct CompStatOptions {
    std::string db;
    PeriodOptions period;
    std::string compare = "previous-year";
    std::string format = "json";
    std::string out = "-";
    std::vector<std::string> sources;
    bool no_live = false;
    std::string echarts;
    std::string boundaries;
    std::string title;
    std::string cleared;
};

// Where the bundled ECharts is: --echarts, $PINGAN_ECHARTS, then tools/report/node_modules
// under the working directory (installed by `npm ci --prefix tools/report`).
bool find_echarts(const std::string& option, std::string& js, int& code) {
    std::vector<std::string> tried;
    std::vector<std::string> candidates;
    if (!option.empty()) {
        candidates.push_back(option);
    } else {
        if (const char* env = std::getenv("PINGAN_ECHARTS"); env != nullptr && *env != 0) {
            candidates.emplace_back(env);
        }
        candidates.emplace_back("tools/report/node_modules/echarts/dist/echarts.min.js");
    }
    for (std::string c : candidates) {
        if (fs::is_directory(c)) {
            // A node_modules directory or the package directory.
            for (const char* sub : {"echarts/dist/echarts.min.js", "dist/echarts.min.js"}) {
                if (fs::exists(fs::path(c) / sub)) {
                    c = (fs::path(c) / sub).string();
                    break;
                }
            }
        }
        tried.push_back(c);
        std::string why;
        if (fs::is_regular_file(c) && read_file(c, js, why) && !js.empty()) return true;
    }
    code = fail_input(fmt::format(
        "ECharts is needed for --format html but was not found (looked at {}); install it with "
        "`npm ci --prefix tools/report`, or pass --echarts PATH/TO/echarts.min.js, or set "
        "PINGAN_ECHARTS",
        fmt::format("{}", fmt::join(tried, ", "))));
    return false;
}

int report_compstat(const CompStatOptions& o) {
    if (o.format != "html" && o.format != "csv" && o.format != "json") {
        return fail_input(fmt::format("--format: '{}' is not html, csv or json", o.format));
    }
    auto compare = io::parse_compare(o.compare);
    if (!compare) return fail_input(fmt::format("--compare: {}", compare.error().detail));
    int code = kExitOk;
    Period period;
    io::TimeZone zone = io::TimeZone::fixed("UTC", 0);
    if (!parse_period(o.period, period, zone, code)) return code;
    std::string echarts, boundaries;
    if (o.format == "html") {
        if (!find_echarts(o.echarts, echarts, code)) return code;
        std::string why;
        if (!o.boundaries.empty() && !read_file(o.boundaries, boundaries, why)) {
            return fail_input(fmt::format("--boundaries: {}", why));
        }
    }
    std::unique_ptr<store::RecordStore> records;
    if (!open_db(o.db, records, code)) return code;

    analytics::CompStatRequest req;
    req.current = period;
    req.compare = *compare;
    req.comparison = io::comparison_period(*compare, period, zone);
    if (!o.cleared.empty()) req.cleared_dispositions = split_list(o.cleared);
    store::RecordQuery q;
    q.periods.push_back(period);
    if (req.comparison) q.periods.push_back(*req.comparison);
    q.sources = o.sources;
    q.include_live = !o.no_live;
    auto facts = records->load_facts(q);
    if (!facts) return fail(facts.error());
    auto report = analytics::compstat(*facts, req);
    if (!report) {
        if (report.error().field != "from") return fail(report.error());
        // Say what the whole database covers, not only the loaded periods.
        const base::Error empty = store::empty_period_error(*records, q, period);
        return fail_input(empty.detail);
    }
    std::string text;
    if (o.format == "json") {
        text = analytics::to_json(*report) + "\n";
    } else if (o.format == "csv") {
        text = io::compstat_csv(*report);
    } else {
        // The map layer: density of the report period's incidents.
        analytics::HotspotRequest hr;
        hr.period = period;
        hr.run_gi_star = false;
        hr.run_knox = false;
        hr.cell_m = 150;
        hr.kde.bandwidth_m = 300;
        hr.max_cells = 1'000'000;
        auto map = analytics::hotspots(*facts, hr);
        io::CompStatHtmlInput in;
        in.title =
            o.title.empty() ? fmt::format("CompStat {} – {}", o.period.from, o.period.to) : o.title;
        in.echarts_js = echarts;
        in.map = map ? &map.value() : nullptr;
        in.boundaries_geojson = boundaries;
        in.time_zone = zone.name();
        text = io::compstat_html(*report, in);
    }
    std::string why;
    if (!write_output(o.out, text, why)) return fail_input(why);
    return kExitOk;
}

// --- hotspots ---------------------------------------------------------------------------------

struct HotspotOptions {
    std::string db;
    PeriodOptions period;
    std::string categories;
    std::vector<std::string> sources;
    double cell_m = 100;
    double bandwidth_m = 300;
    double radius_cells = 1.5;
    int permutations = 999;
    std::uint64_t seed = 1;
    double fdr = 0.05;
    std::string knox_distances = "100,200,400,800";
    std::string knox_days = "7,14,28";
    int knox_permutations = 99;
    bool no_kde = false, no_gi = false, no_knox = false, no_live = false;
    std::string geojson, json;
};

int hotspots(const HotspotOptions& o) {
    int code = kExitOk;
    Period period;
    io::TimeZone zone = io::TimeZone::fixed("UTC", 0);
    if (!parse_period(o.period, period, zone, code)) return code;
    analytics::HotspotRequest r;
    r.period = period;
    r.categories = split_list(o.categories);
    r.cell_m = o.cell_m;
    r.kde.bandwidth_m = o.bandwidth_m;
    r.gi_star.neighbor_radius_cells = o.radius_cells;
    r.gi_star.permutations = o.permutations;
    r.gi_star.seed = o.seed;
    r.gi_star.fdr_q = o.fdr;
    r.knox.permutations = o.knox_permutations;
    r.knox.seed = o.seed;
    if (!parse_numbers(o.knox_distances, r.knox.distance_edges_m)) {
        return fail_input(
            fmt::format("--knox-distances: '{}' is not a list of metres", o.knox_distances));
    }
    if (!parse_numbers(o.knox_days, r.knox.time_edges_days)) {
        return fail_input(fmt::format("--knox-days: '{}' is not a list of days", o.knox_days));
    }
    r.run_kde = !o.no_kde;
    r.run_gi_star = !o.no_gi;
    r.run_knox = !o.no_knox;
    std::unique_ptr<store::RecordStore> records;
    if (!open_db(o.db, records, code)) return code;
    store::RecordQuery q;
    q.periods.push_back(period);
    q.sources = o.sources;
    q.include_live = !o.no_live;
    auto facts = records->load_facts(q);
    if (!facts) return fail(facts.error());
    auto report = analytics::hotspots(*facts, r);
    if (!report) return fail(report.error());
    std::string why;
    if (!o.geojson.empty() && !write_output(o.geojson, io::hotspot_geojson(*report), why)) {
        return fail_input(why);
    }
    if (!o.json.empty() && !write_output(o.json, analytics::to_json(*report) + "\n", why)) {
        return fail_input(why);
    }
    if (o.json != "-" && o.geojson != "-") {
        const analytics::HotspotReport& h = *report;
        fmt::print("hotspots {} – {}: {} incidents, {} located, grid {} × {} of {} m\n",
                   base::format_iso8601(period.from), base::format_iso8601(period.to), h.selected,
                   h.located, h.grid.nx, h.grid.ny, h.grid.cell_m);
        if (h.kde) {
            fmt::print("  kde: bandwidth {} m, peak {:.1f} incidents/km²\n",
                       h.kde->params.bandwidth_m, h.kde->max_density_per_km2);
        }
        if (h.gi_star) {
            fmt::print("  gi*: {} hot and {} cold cells at FDR {} ({} conditional permutations, "
                       "seed {})\n",
                       h.gi_star->hot, h.gi_star->cold, h.gi_star->params.fdr_q,
                       h.gi_star->params.permutations, h.gi_star->params.seed);
        }
        if (h.knox) {
            const auto& k = *h.knox;
            fmt::print("  knox: {} events; observed/expected, first distance band × time bands:",
                       k.events);
            for (std::size_t c = 0; c < k.cols(); ++c)
                fmt::print(" {:.2f} (p {:.3f})", k.ratio[c], k.p[c]);
            fmt::print("\n");
        }
    }
    return kExitOk;
}

// --- plan posts ----------------------------------------------------------------------------------

struct PlanOptions {
    std::string graph;
    std::string incidents;
    std::string format;
    std::string from, to, tz = "UTC";
    std::string categories;
    std::size_t units = 10;
    double within_s = 300;
    std::size_t candidates = 2000;
    double snap_radius_m = 200;
    int threads = 2;
    bool no_swap = false;
    std::string json, geojson;
};

int plan_posts(const PlanOptions& o) {
    if (o.units == 0) return fail_input("--units: must be at least 1");
    if (!(o.within_s > 0 && o.within_s < 86400)) {
        return fail_input("--within: seconds between 1 and 86399");
    }
    if (!fs::exists(o.graph)) return fail_input(fmt::format("--graph: no file at {}", o.graph));
    if (!fs::exists(o.incidents)) {
        return fail_input(fmt::format("--incidents: no file at {}", o.incidents));
    }
    // Incidents: a database (imported records, optionally a period), or a CSV with --format.
    std::vector<geo::LatLon> points;
    const std::vector<std::string> wanted = split_list(o.categories);
    auto want = [&](std::string_view code) {
        if (wanted.empty()) return true;
        for (const std::string& w : wanted) {
            if (w == code || analytics::group_of(code) == w) return true;
        }
        return false;
    };
    const bool csv = fs::path(o.incidents).extension() == ".csv";
    std::optional<Period> period;
    if (!o.from.empty() || !o.to.empty()) {
        if (o.from.empty() || o.to.empty()) return fail_input("--from and --to go together");
        int code = kExitOk;
        Period p;
        io::TimeZone zone = io::TimeZone::fixed("UTC", 0);
        if (!parse_period({o.from, o.to, o.tz}, p, zone, code)) return code;
        period = p;
    }
    if (csv) {
        int code = kExitOk;
        auto parsed = read_csv_records(o.incidents, o.format, code);
        if (!parsed) return code;
        for (const auto& r : parsed->records) {
            if (!r.geocode_ok || !want(r.category)) continue;
            if (period && !period->contains(r.received_at)) continue;
            points.push_back(*r.location);
        }
    } else {
        std::unique_ptr<store::RecordStore> records;
        int code = kExitOk;
        if (!open_db(o.incidents, records, code)) return code;
        store::RecordQuery q;
        if (period) q.periods.push_back(*period);
        auto facts = records->load_facts(q);
        if (!facts) return fail(facts.error());
        for (std::size_t i = 0; i < facts->size(); ++i) {
            if (!facts->has_location(i) || !want(facts->category_names[facts->category[i]]))
                continue;
            points.push_back({facts->lat[i], facts->lon[i]});
        }
    }
    if (points.empty()) {
        return fail_input(fmt::format("--incidents: no located incident records in {}{}",
                                      o.incidents, period ? " for that period" : ""));
    }
    auto graph = road::Graph::load(o.graph);
    if (!graph) return fail(graph.error());
    analytics::PostPlanRequest req;
    req.units = o.units;
    req.within_ms = static_cast<road::TimeMs>(o.within_s * 1000);
    req.candidates = o.candidates;
    req.snap_radius_m = o.snap_radius_m;
    req.threads = std::max(1, o.threads);
    req.swap = !o.no_swap;
    auto plan = analytics::plan_posts(*graph, points, req);
    if (!plan) return fail(plan.error());
    const std::string json = analytics::to_json(*plan) + "\n";
    std::string why;
    if (!write_output(o.json.empty() ? "-" : o.json, json, why)) return fail_input(why);
    if (!o.geojson.empty()) {
        std::string g;
        base::JsonWriter w(g);
        w.begin_object().field("type", "FeatureCollection").key("features").begin_array();
        for (std::size_t i = 0; i < plan->posts.size(); ++i) {
            w.begin_object().field("type", "Feature");
            w.key("geometry").begin_object().field("type", "Point").key("coordinates");
            w.begin_array().value(plan->post_locations[i].lon).value(plan->post_locations[i].lat);
            w.end_array().end_object();
            w.key("properties").begin_object().field("post", static_cast<std::int64_t>(i + 1));
            w.field("node", static_cast<std::int64_t>(plan->posts[i])).end_object();
            w.end_object();
        }
        w.end_array().end_object();
        if (!write_output(o.geojson, g + "\n", why)) return fail_input(why);
    }
    return kExitOk;
}

// --- replay --------------------------------------------------------------------------------------

struct ReplayCliOptions {
    std::string graph;
    std::string incidents;
    std::string format;
    std::string fleet;
    std::string policy = "eta,straight";
    std::uint64_t seed = 1;
    std::string from, to, tz = "UTC";
    std::string categories;
    double snap_radius_m = 200; // as plan posts: farther calls lie off the extract's roads
    double within_s = 300;
    bool outcomes = false;
    std::string out;
};

void print_replay(const sim::ReplayResult& r) {
    auto s = [](const std::optional<double>& v) {
        return v ? fmt::format("{:.0f} s", *v) : std::string("–");
    };
    fmt::print("  {:<8} {} calls replayed ({} farther from the roads than the snap radius)\n",
               dispatch::to_string(r.policy), r.replayed, r.off_network);
    fmt::print(
        "           dispatch→arrival p50 {} p90 {} p95 {} | call→arrival p50 {} p90 {} p95 {}"
        "\n",
        s(r.dispatch_to_arrival.p50_s), s(r.dispatch_to_arrival.p90_s),
        s(r.dispatch_to_arrival.p95_s), s(r.call_to_arrival.p50_s), s(r.call_to_arrival.p90_s),
        s(r.call_to_arrival.p95_s));
    fmt::print("           within {:.0f} s: {:.1f} % (dispatch→arrival), {:.1f} % (call→arrival); "
               "utilisation {:.1f} % (max {:.1f} %); {} calls waited for a unit (queue up to {})\n",
               r.within_ms / 1000.0, 100 * r.share_dispatch_within, 100 * r.share_call_within,
               100 * r.utilisation, 100 * r.utilisation_max, r.waited, r.max_queue);
}

int replay(const ReplayCliOptions& o) {
    std::vector<dispatch::Policy> policies;
    for (const std::string& p : split_list(o.policy)) {
        auto parsed = dispatch::parse_policy(p);
        if (!parsed) {
            return fail_input(fmt::format("--policy: '{}' is not eta or straight (or both, "
                                          "comma-separated)",
                                          p));
        }
        if (std::find(policies.begin(), policies.end(), *parsed) == policies.end()) {
            policies.push_back(*parsed);
        }
    }
    if (policies.empty()) return fail_input("--policy: eta, straight or eta,straight");
    if (!(o.within_s > 0 && o.within_s < 86400)) {
        return fail_input("--within: seconds between 1 and 86399");
    }
    if (!(o.snap_radius_m > 0 && o.snap_radius_m <= 5000)) {
        return fail_input("--snap-radius: metres between 1 and 5000");
    }
    if (!fs::exists(o.graph)) return fail_input(fmt::format("--graph: no file at {}", o.graph));
    if (!fs::exists(o.incidents)) {
        return fail_input(fmt::format("--incidents: no file at {}", o.incidents));
    }
    if (!fs::exists(o.fleet)) return fail_input(fmt::format("--fleet: no file at {}", o.fleet));
    auto fleet = io::load_fleet_file(o.fleet);
    if (!fleet) return fail(fleet.error());

    std::optional<Period> period;
    if (!o.from.empty() || !o.to.empty()) {
        if (o.from.empty() || o.to.empty()) return fail_input("--from and --to go together");
        int code = kExitOk;
        Period p;
        io::TimeZone zone = io::TimeZone::fixed("UTC", 0);
        if (!parse_period({o.from, o.to, o.tz}, p, zone, code)) return code;
        period = p;
    }
    const std::vector<std::string> wanted = split_list(o.categories);
    auto want = [&](std::string_view code) {
        if (wanted.empty()) return true;
        for (const std::string& w : wanted) {
            if (w == code || analytics::group_of(code) == w) return true;
        }
        return false;
    };
    // Calls: located records of the period (a CSV through its mapping, or an imported database).
    std::vector<sim::Call> calls;
    std::size_t unlocated = 0;
    auto take = [&](base::TimeMs at, std::optional<geo::LatLon> where, std::string_view category) {
        if (period && !period->contains(at)) return;
        if (!want(category)) return;
        if (!where) {
            ++unlocated;
            return;
        }
        calls.push_back(sim::Call{at, *where, std::string(category), 3});
    };
    if (fs::path(o.incidents).extension() == ".csv") {
        int code = kExitOk;
        auto parsed = read_csv_records(o.incidents, o.format, code);
        if (!parsed) return code;
        for (const auto& r : parsed->records) {
            if (r.time_resolution_s >= 86400) continue; // dates only: no time of day to replay
            take(r.received_at, r.geocode_ok ? r.location : std::nullopt, r.category);
        }
    } else {
        std::unique_ptr<store::RecordStore> records;
        int code = kExitOk;
        if (!open_db(o.incidents, records, code)) return code;
        store::RecordQuery q;
        if (period) q.periods.push_back(*period);
        auto facts = records->load_facts(q);
        if (!facts) return fail(facts.error());
        for (std::size_t i = 0; i < facts->size(); ++i) {
            std::optional<geo::LatLon> where;
            if (facts->has_location(i)) where = geo::LatLon{facts->lat[i], facts->lon[i]};
            take(facts->received_at[i], where, facts->category_names[facts->category[i]]);
        }
    }
    if (calls.empty()) {
        return fail_input(fmt::format("--incidents: no located incident records with a time of "
                                      "day in {}{}",
                                      o.incidents, period ? " for that period" : ""));
    }
    auto graph = road::Graph::load(o.graph);
    if (!graph) return fail(graph.error());

    std::string json;
    base::JsonWriter w(json);
    w.begin_object();
    w.field("graph", fs::path(o.graph).filename().string());
    w.field("incidents", fs::path(o.incidents).filename().string());
    w.field("fleet", fleet->name);
    w.field("units", static_cast<std::int64_t>(fleet->units.size()));
    w.field("seed", static_cast<std::int64_t>(o.seed));
    if (period) {
        w.key("period").begin_object().time_field("from", period->from);
        w.time_field("to", period->to).end_object();
    }
    w.field("records_without_location", static_cast<std::int64_t>(unlocated));
    w.key("note").value("Incident records are reported crimes, not full call logs: their report "
                        "times stand in for call times.");
    w.key("policies").begin_array();
    std::vector<sim::ReplayResult> results;
    fmt::print("replay of {} calls ({} without a usable location left out) with {} units of "
               "{}, seed {}\n",
               calls.size(), unlocated, fleet->units.size(), fleet->name, o.seed);
    for (dispatch::Policy policy : policies) {
        sim::ReplayOptions ro;
        ro.policy = policy;
        ro.seed = o.seed;
        ro.snap_radius_m = o.snap_radius_m;
        ro.within_ms = static_cast<base::TimeMs>(std::llround(o.within_s * 1000));
        auto r = sim::replay(*graph, *fleet, calls, ro);
        if (!r) return fail(r.error());
        w.raw(sim::to_json(*r, o.outcomes));
        print_replay(*r);
        results.push_back(std::move(r).value());
    }
    w.end_array();
    if (results.size() == 2) {
        // How much the first policy improves on the second (positive: faster / more covered).
        const sim::ReplayResult& a = results[0];
        const sim::ReplayResult& b = results[1];
        auto diff = [](const std::optional<double>& x, const std::optional<double>& y) {
            return x && y ? std::optional<double>(*y - *x) : std::nullopt;
        };
        w.key("comparison").begin_object();
        w.field("policy", fmt::format("{} vs {}", dispatch::to_string(a.policy),
                                      dispatch::to_string(b.policy)));
        w.field("dispatch_to_arrival_p50_saved_s",
                diff(a.dispatch_to_arrival.p50_s, b.dispatch_to_arrival.p50_s));
        w.field("dispatch_to_arrival_p90_saved_s",
                diff(a.dispatch_to_arrival.p90_s, b.dispatch_to_arrival.p90_s));
        w.field("call_to_arrival_p90_saved_s",
                diff(a.call_to_arrival.p90_s, b.call_to_arrival.p90_s));
        w.field("dispatch_to_arrival_mean_saved_s",
                diff(a.dispatch_to_arrival.mean_s, b.dispatch_to_arrival.mean_s));
        w.field("share_dispatch_within_gain", a.share_dispatch_within - b.share_dispatch_within);
        w.field("share_call_within_gain", a.share_call_within - b.share_call_within);
        w.end_object();
        fmt::print("  {} saves {:.0f} s at p50 and {:.0f} s at p90 of dispatch→arrival over {}; "
                   "within {:.0f} s: {:+.1f} points\n",
                   dispatch::to_string(a.policy),
                   diff(a.dispatch_to_arrival.p50_s, b.dispatch_to_arrival.p50_s).value_or(0),
                   diff(a.dispatch_to_arrival.p90_s, b.dispatch_to_arrival.p90_s).value_or(0),
                   dispatch::to_string(b.policy), o.within_s,
                   100 * (a.share_dispatch_within - b.share_dispatch_within));
    }
    w.end_object();
    std::string why;
    if (!o.out.empty() && !write_output(o.out, json + "\n", why)) return fail_input(why);
    return kExitOk;
}

// A parent command another family may already have created (e.g. `report`, `plan`).
CLI::App* parent(CLI::App& app, const std::string& name, const std::string& description) {
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
        if (sub->get_name() == name) return sub;
    }
    CLI::App* p = app.add_subcommand(name, description);
    p->require_subcommand(1);
    return p;
}

void add_period_options(CLI::App* cmd, PeriodOptions& p) {
    cmd->add_option("--from", p.from, "first day (YYYY-MM-DD in --tz) or ISO-8601 time")
        ->required();
    cmd->add_option("--to", p.to, "last day, included (YYYY-MM-DD) or ISO-8601 end (excluded)")
        ->required();
    cmd->add_option("--tz", p.tz, "time zone of the dates (IANA name, UTC or +08:00)")
        ->capture_default_str();
}

} // namespace

void add_analytics_commands(CLI::App& app, Parents& parents, RunState& state) {
    auto imp = std::make_shared<ImportOptions>();
    CLI::App* incidents = parents.import->add_subcommand(
        "incidents", "Import incident records from CSV (city open data) into the database");
    incidents->add_option("FILE", imp->files, "CSV files")->required();
    incidents
        ->add_option("--format", imp->format,
                     "dc, baltimore, sacramento, or a mapping file MAPPING.toml")
        ->required();
    incidents->add_option("--db", imp->db, kDbHelp)->required();
    incidents
        ->add_option("--max-rejected-share", imp->max_rejected_share,
                     "refuse a file when more of its rows are rejected")
        ->capture_default_str();
    incidents->add_flag("--json", imp->json, "print the summary as JSON");
    incidents->callback([imp, &state] { state.exit_code = import_incidents(*imp); });

    CLI::App* report = parent(app, "report", "Reports for commanders and analysts");
    auto cs = std::make_shared<CompStatOptions>();
    CLI::App* compstat = report->add_subcommand(
        "compstat", "Counts by category × jurisdiction vs a comparison period, response times");
    compstat->add_option("--db", cs->db, kDbHelp)->required();
    add_period_options(compstat, cs->period);
    compstat->add_option("--compare", cs->compare, "previous-year, previous-period or none")
        ->capture_default_str();
    compstat->add_option("--format", cs->format, "html, csv or json")->capture_default_str();
    compstat->add_option("--out", cs->out, "output file (- for stdout)")->capture_default_str();
    compstat->add_option("--source", cs->sources, "only records of these sources");
    compstat->add_flag("--no-live", cs->no_live, "leave out the live incidents table");
    compstat->add_option("--echarts", cs->echarts,
                         "echarts.min.js for html (default: $PINGAN_ECHARTS, then "
                         "tools/report/node_modules)");
    compstat->add_option("--boundaries", cs->boundaries, "district polygons (GeoJSON) for the map");
    compstat->add_option("--title", cs->title, "title of the html page");
    compstat->add_option("--cleared-dispositions", cs->cleared,
                         "comma-separated dispositions that count as cleared");
    compstat->callback([cs, &state] { state.exit_code = report_compstat(*cs); });

    auto hs = std::make_shared<HotspotOptions>();
    CLI::App* hot = app.add_subcommand(
        "hotspots", "Kernel density, Getis-Ord Gi* and near-repeat (Knox) of incident places");
    hot->add_option("--db", hs->db, kDbHelp)->required();
    add_period_options(hot, hs->period);
    hot->add_option("--category", hs->categories, "comma-separated codes or groups");
    hot->add_option("--source", hs->sources, "only records of these sources");
    hot->add_option("--cell", hs->cell_m, "grid cell side, metres")->capture_default_str();
    hot->add_option("--bandwidth", hs->bandwidth_m, "KDE bandwidth, metres")->capture_default_str();
    hot->add_option("--radius-cells", hs->radius_cells, "Gi* neighbourhood radius, cells")
        ->capture_default_str();
    hot->add_option("--permutations", hs->permutations, "Gi* conditional permutations")
        ->capture_default_str();
    hot->add_option("--seed", hs->seed, "random seed (recorded in the output)")
        ->capture_default_str();
    hot->add_option("--fdr", hs->fdr, "false-discovery rate for Gi*")->capture_default_str();
    hot->add_option("--knox-distances", hs->knox_distances, "distance band edges, metres")
        ->capture_default_str();
    hot->add_option("--knox-days", hs->knox_days, "time band edges, days")->capture_default_str();
    hot->add_option("--knox-permutations", hs->knox_permutations, "Knox permutations")
        ->capture_default_str();
    hot->add_flag("--no-kde", hs->no_kde, "skip kernel density");
    hot->add_flag("--no-gi", hs->no_gi, "skip Gi*");
    hot->add_flag("--no-knox", hs->no_knox, "skip the near-repeat table");
    hot->add_flag("--no-live", hs->no_live, "leave out the live incidents table");
    hot->add_option("--geojson", hs->geojson, "write grid cells as GeoJSON (- for stdout)");
    hot->add_option("--json", hs->json, "write the full result as JSON (- for stdout)");
    hot->callback([hs, &state] { state.exit_code = hotspots(*hs); });

    CLI::App* plan = parent(app, "plan", "Deployment planning");
    auto pp = std::make_shared<PlanOptions>();
    CLI::App* posts = plan->add_subcommand(
        "posts", "Choose unit posts covering the most historical incidents within a time");
    posts->add_option("--graph", pp->graph, "road graph (pingan import osm)")->required();
    posts->add_option("--incidents", pp->incidents, "database file, or a CSV with --format")
        ->required();
    posts->add_option("--format", pp->format, "mapping of a CSV file");
    posts->add_option("--units", pp->units, "number of posts")->required();
    posts->add_option("--within", pp->within_s, "seconds of driving")->capture_default_str();
    posts->add_option("--candidates", pp->candidates, "candidate sites spread over the area")
        ->capture_default_str();
    posts->add_option("--snap-radius", pp->snap_radius_m, "metres from an incident to a road")
        ->capture_default_str();
    posts->add_option("--from", pp->from, "only incidents from this day");
    posts->add_option("--to", pp->to, "until this day (included)");
    posts->add_option("--tz", pp->tz, "time zone of the dates")->capture_default_str();
    posts->add_option("--category", pp->categories, "comma-separated codes or groups");
    posts->add_option("--threads", pp->threads, "parallel searches")->capture_default_str();
    posts->add_flag("--no-swap", pp->no_swap, "greedy only, no swap search");
    posts->add_option("--json", pp->json, "write the plan here instead of stdout");
    posts->add_option("--geojson", pp->geojson, "write the posts as GeoJSON points");
    posts->callback([pp, &state] { state.exit_code = plan_posts(*pp); });

    auto rp = std::make_shared<ReplayCliOptions>();
    CLI::App* rep = app.add_subcommand(
        "replay",
        "Replay real calls against a fleet on the road graph (discrete-event simulation)");
    rep->add_option("--graph", rp->graph, "road graph (pingan import osm)")->required();
    rep->add_option("--incidents", rp->incidents, "database file, or a CSV with --format")
        ->required();
    rep->add_option("--format", rp->format, "mapping of a CSV file (dc, baltimore, …, or .toml)");
    rep->add_option("--fleet", rp->fleet, "fleet file (config/fleet/*.toml)")->required();
    rep->add_option("--policy", rp->policy, "eta, straight, or both (comma-separated)")
        ->capture_default_str();
    rep->add_option("--seed", rp->seed, "random seed (time on scene)")->capture_default_str();
    rep->add_option("--from", rp->from, "only calls from this day (YYYY-MM-DD) or time");
    rep->add_option("--to", rp->to, "until this day (included) or time (excluded)");
    rep->add_option("--tz", rp->tz, "time zone of the dates")->capture_default_str();
    rep->add_option("--category", rp->categories, "comma-separated codes or groups");
    rep->add_option("--snap-radius", rp->snap_radius_m, "metres from a call to a road")
        ->capture_default_str();
    rep->add_option("--within", rp->within_s, "seconds for the 'share within' figures")
        ->capture_default_str();
    rep->add_flag("--outcomes", rp->outcomes, "include every call's outcome in the JSON");
    rep->add_option("--out", rp->out, "write the result JSON here (- for stdout)");
    rep->callback([rp, &state] { state.exit_code = replay(*rp); });
}

} // namespace pingan::cli
