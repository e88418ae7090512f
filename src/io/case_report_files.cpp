#include "io/case_report_files.hpp"

#include <fmt/core.h>

#include "io/csv_writer.hpp"
#include "io/report_html.hpp"

namespace pingan::io {
namespace {

std::string share_csv(const std::optional<double>& v) {
    return v ? fmt::format("{:.4f}", *v) : std::string();
}

std::string share_html(const std::optional<double>& v) {
    return v ? fmt::format("{:.1f} %", *v * 100) : std::string("–");
}

std::string period_meta(const ops::ReportPeriod& p) {
    const int off = p.utc_offset_minutes;
    return fmt::format("<p class=meta>Months {} – {} (local time, UTC{}{:02}:{:02}): {} – {}",
                       ops::format_month(p.from), ops::format_month(p.to), off < 0 ? '-' : '+',
                       (off < 0 ? -off : off) / 60, (off < 0 ? -off : off) % 60,
                       base::format_iso8601(p.begin()), base::format_iso8601(p.end()));
}

std::string row_html(const ops::ComplianceRow& r, std::string_view month) {
    return fmt::format("<tr><td>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td>"
                       "<td class=n>{}</td><td class=n>{}</td><td class=n>{}</td>"
                       "<td class=n>{}</td><td class=n>{}</td></tr>\n",
                       month, html_escape(r.unit), r.due, r.on_time, r.late, r.overdue, r.pending,
                       r.extended, share_html(r.compliance()));
}

} // namespace

std::string deadline_compliance_csv(const ops::ComplianceReport& r) {
    std::string out;
    append_csv_row(out, {"month", "unit", "due", "on_time", "late", "overdue", "pending",
                         "extended", "compliance"});
    for (const ops::ComplianceRow& row : r.rows) {
        append_csv_row(out, {ops::format_month(row.month), row.unit, std::to_string(row.due),
                             std::to_string(row.on_time), std::to_string(row.late),
                             std::to_string(row.overdue), std::to_string(row.pending),
                             std::to_string(row.extended), share_csv(row.compliance())});
    }
    return out;
}

std::string custody_discrepancies_csv(const ops::DiscrepancyReport& r) {
    std::string out;
    append_csv_row(out, {"found_at", "location", "found_by", "kind", "item_code",
                         "recorded_location", "scanned_location", "detail", "resolved_at",
                         "item_location", "item_holder", "item_last_event_at", "item_disposed"});
    for (const ops::DiscrepancyRecord& x : r.items) {
        const cases::Discrepancy& d = x.discrepancy;
        append_csv_row(out, {base::format_iso8601(x.found_at), x.location, x.found_by,
                             cases::to_string(d.kind), d.item_code, d.recorded_location,
                             d.scanned_location, d.detail,
                             x.resolved_at ? base::format_iso8601(*x.resolved_at) : std::string(),
                             x.current_location, x.holder,
                             x.known_item ? base::format_iso8601(x.last_event_at) : std::string(),
                             x.known_item ? (x.disposed ? "true" : "false") : ""});
    }
    return out;
}

std::string deadline_compliance_html(const ops::ComplianceReport& r) {
    std::string h = report_page_begin("办案期限执行情况 Deadline compliance");
    h += period_meta(r.period);
    h += fmt::format(". As of {}.</p>\n", base::format_iso8601(r.now));
    h += "<h2>By unit and month</h2>\n<table><tr><th>month</th><th>unit</th><th>due</th>"
         "<th>on time</th><th>late</th><th>overdue</th><th>pending</th><th>extended</th>"
         "<th>compliance</th></tr>\n";
    for (const ops::ComplianceRow& row : r.rows)
        h += row_html(row, ops::format_month(row.month));
    h += row_html(r.total, "<b>total</b>");
    h += "</table>\n<p class=meta>Definitions: a stage deadline is due in the local month of its "
         "last day; on time = the stage ended (next stage or closure) before its deadline, "
         "approved extensions included; late = ended at or after it; overdue = still running "
         "past it; pending = still running, not yet due; compliance = on time / (on time + late "
         "+ overdue). Unit = the case's first officer.</p>\n";
    h += report_page_end();
    return h;
}

std::string custody_discrepancies_html(const ops::DiscrepancyReport& r) {
    std::string h = report_page_begin("涉案财物清点差异 Custody discrepancies");
    h += period_meta(r.period);
    h += fmt::format(". {} discrepancies.</p>\n", r.items.size());
    h += "<h2>Discrepancies</h2>\n<table><tr><th>found</th><th>location</th><th>by</th>"
         "<th>kind</th><th>item</th><th>recorded at</th><th>scanned at</th><th>resolved</th>"
         "<th>item now</th></tr>\n";
    for (const ops::DiscrepancyRecord& x : r.items) {
        const cases::Discrepancy& d = x.discrepancy;
        std::string now = "<i>(unknown code)</i>";
        if (x.known_item) {
            now = fmt::format("{}, {}{} <small>({})</small>", html_escape(x.current_location),
                              html_escape(x.holder), x.disposed ? ", disposed of" : "",
                              base::format_iso8601(x.last_event_at));
        }
        h += fmt::format(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
            "<td>{}</td><td>{}</td></tr>\n",
            base::format_iso8601(x.found_at), html_escape(x.location), html_escape(x.found_by),
            cases::to_string(d.kind), html_escape(d.item_code), html_escape(d.recorded_location),
            html_escape(d.scanned_location),
            x.resolved_at ? base::format_iso8601(*x.resolved_at) : std::string("–"), now);
    }
    h += "</table>\n<p class=meta>Resolved = a later reconciliation at the same location no "
         "longer reported the item with the same kind.</p>\n";
    h += report_page_end();
    return h;
}

} // namespace pingan::io
