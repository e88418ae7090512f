#include <fmt/core.h>

#include "io/compstat_files.hpp"
#include "io/csv_writer.hpp"

namespace pingan::io {
namespace {

using analytics::CompStatRow;

std::string num(const std::optional<double>& v) {
    return v ? fmt::format("{:.6g}", *v) : std::string();
}

struct Writer {
    std::string out;
    void row(std::string_view section, std::string_view category, std::string_view group,
             std::string_view jurisdiction, std::string_view metric, const std::string& current,
             const std::string& previous, const std::string& change,
             const std::string& change_pct) {
        out += fmt::format("{},{},{},{},{},{},{},{},{}\n", section, csv_field(category),
                           csv_field(group), csv_field(jurisdiction), metric, current, previous,
                           change, change_pct);
    }
    void counts(const CompStatRow& r, std::string_view category, std::string_view group,
                std::string_view jurisdiction) {
        row("counts", category, group, jurisdiction, "incidents", std::to_string(r.current),
            std::to_string(r.previous), std::to_string(r.change), num(r.change_pct));
        if (r.with_disposition > 0) {
            row("clearance", category, group, jurisdiction, "with_disposition",
                std::to_string(r.with_disposition), "", "", "");
            row("clearance", category, group, jurisdiction, "cleared", std::to_string(r.cleared),
                "", "", "");
            row("clearance", category, group, jurisdiction, "clearance_share",
                num(r.clearance_share), "", "", "");
        }
    }
};

} // namespace

std::string compstat_csv(const analytics::CompStatReport& r) {
    Writer w;
    w.out = "section,category,group,jurisdiction,metric,current,previous,change,change_pct\n";
    for (const CompStatRow& c : r.cells)
        w.counts(c, c.category, c.group, c.jurisdiction);
    for (const CompStatRow& c : r.by_category)
        w.counts(c, c.category, c.group, "*");
    for (const CompStatRow& c : r.by_group)
        w.counts(c, "*", c.group, "*");
    for (const CompStatRow& c : r.by_jurisdiction)
        w.counts(c, "*", "*", c.jurisdiction);
    w.counts(r.total, "*", "*", "*");

    const auto& s = r.shares;
    const auto& sp = r.shares_previous;
    const bool cmp = r.comparison.has_value();
    auto prev = [&](std::int64_t v) { return cmp ? std::to_string(v) : std::string(); };
    auto prev_share = [&](const std::optional<double>& v) { return cmp ? num(v) : std::string(); };
    w.row("calls", "*", "*", "*", "total", std::to_string(s.total), prev(sp.total), "", "");
    w.row("calls", "*", "*", "*", "valid", std::to_string(s.valid), prev(sp.valid), "", "");
    w.row("calls", "*", "*", "*", "diverted_12345", std::to_string(s.diverted), prev(sp.diverted),
          "", "");
    w.row("calls", "*", "*", "*", "void", std::to_string(s.void_calls), prev(sp.void_calls), "",
          "");
    w.row("calls", "*", "*", "*", "valid_share", num(s.valid_share), prev_share(sp.valid_share), "",
          "");
    w.row("calls", "*", "*", "*", "diverted_share", num(s.diverted_share),
          prev_share(sp.diverted_share), "", "");

    for (std::size_t k = 0; k < r.segments.size(); ++k) {
        const auto& a = r.segments[k];
        const auto& b = r.segments_previous[k];
        const std::string id(analytics::segment_id(a.segment));
        w.row("response", "*", "*", "*", id + ".measured", std::to_string(a.measured),
              prev(b.measured), "", "");
        w.row("response", "*", "*", "*", id + ".p50_s", num(a.p50_s), prev_share(b.p50_s), "", "");
        w.row("response", "*", "*", "*", id + ".p90_s", num(a.p90_s), prev_share(b.p90_s), "", "");
        w.row("response", "*", "*", "*", id + ".mean_s", num(a.mean_s), prev_share(b.mean_s), "",
              "");
    }
    for (const auto& j : r.ranking) {
        w.row("ranking", "*", "*", j.jurisdiction, "rank", std::to_string(j.rank), "", "", "");
        w.row("ranking", "*", "*", j.jurisdiction, "valid_calls", std::to_string(j.current),
              prev(j.previous), cmp ? std::to_string(j.current - j.previous) : std::string(),
              num(j.change_pct));
        w.row("ranking", "*", "*", j.jurisdiction, "p90_total_s", num(j.p90_total_s), "", "", "");
    }
    return std::move(w.out);
}

} // namespace pingan::io
