#include "ops/case_reports.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <tuple>
#include <utility>

#include <fmt/core.h>

namespace pingan::ops {
namespace {

using nlohmann::json;

cases::Date first_day(Month m) {
    return cases::Date{m.year, m.month, 1};
}

json row_json(const ComplianceRow& r) {
    const auto share = r.compliance();
    return json{{"unit", r.unit},
                {"by", r.team ? "team" : "officer"},
                {"month", format_month(r.month)},
                {"due", r.due},
                {"on_time", r.on_time},
                {"late", r.late},
                {"overdue", r.overdue},
                {"pending", r.pending},
                {"extended", r.extended},
                {"compliance", share ? json(*share) : json(nullptr)}};
}

json period_json(const ReportPeriod& p) {
    return json{{"from", format_month(p.from)},
                {"to", format_month(p.to)},
                {"utc_offset_minutes", p.utc_offset_minutes},
                {"begins_at", base::format_iso8601(p.begin())},
                {"ends_at", base::format_iso8601(p.end())}};
}

bool same(const cases::Discrepancy& a, const cases::Discrepancy& b) {
    return a.kind == b.kind && a.item_code == b.item_code;
}

} // namespace

std::optional<Month> parse_month(std::string_view s) {
    if (s.size() != 7 || s[4] != '-') return std::nullopt;
    Month m;
    auto num = [&s](std::size_t from, std::size_t len, int& out) {
        auto [end, ec] = std::from_chars(s.data() + from, s.data() + from + len, out);
        return ec == std::errc() && end == s.data() + from + len;
    };
    if (!num(0, 4, m.year) || !num(5, 2, m.month)) return std::nullopt;
    if (m.year < 1970 || m.month < 1 || m.month > 12) return std::nullopt;
    return m;
}

std::string format_month(Month m) {
    return fmt::format("{:04}-{:02}", m.year, m.month);
}

Month month_of(TimeMs t, int utc_offset_minutes) {
    const cases::Date d = cases::local_date(t, utc_offset_minutes);
    return Month{d.year, d.month};
}

TimeMs ReportPeriod::begin() const {
    return cases::start_of_day(first_day(from), utc_offset_minutes);
}

TimeMs ReportPeriod::end() const {
    return cases::start_of_day(cases::add_months(first_day(to), 1), utc_offset_minutes);
}

std::optional<double> ComplianceRow::compliance() const {
    const int decided = on_time + late + overdue;
    if (decided == 0) return std::nullopt;
    return static_cast<double>(on_time) / decided;
}

ComplianceReport deadline_compliance(const CaseBook& book, const ReportPeriod& period, TimeMs now,
                                     const std::function<bool(const Case&)>& include) {
    ComplianceReport report;
    report.period = period;
    report.now = now;
    report.total.unit.push_back('*'); // (= "*" trips GCC 12's -Wrestrict false positive)
    report.total.month = period.from;
    std::map<std::tuple<Month, std::string, bool>, ComplianceRow> rows;
    for (const auto& entry : book.cases()) {
        const Case& c = entry.second;
        if (include && !include(c)) continue;
        // RP-1: a case's handling unit is its team (派出所/中队) when it has one, else its
        // first officer (主办), for unit accounts the unit.
        const bool by_team = !c.team.empty();
        const std::string& unit =
            by_team ? c.team : (c.officers.empty() ? c.opened_by : c.officers.front());
        for (const CaseStage& s : c.stages) {
            const cases::Deadline& d = s.deadline;
            // RP-2: a deadline falls due on the local day of its last instant (ends_at is the
            // first instant outside the period: for day limits midnight after last_day).
            const Month due = month_of(d.ends_at - 1, period.utc_offset_minutes);
            if (due < period.from || period.to < due) continue;
            ComplianceRow& row = rows[{due, unit, by_team}];
            row.unit = unit;
            row.team = by_team;
            row.month = due;
            for (ComplianceRow* r : {&row, &report.total}) {
                ++r->due;
                // RP-3: the deadline is the one in force, extensions included (DL-6 admits
                // only approved extensions granted before the deadline).
                if (!s.extensions.empty()) ++r->extended;
                // RP-4: a stage is met when it ends (next stage or closure) before ends_at.
                if (s.ended_at) {
                    if (*s.ended_at < d.ends_at)
                        ++r->on_time;
                    else
                        ++r->late;
                } else if (d.overdue(now)) {
                    ++r->overdue;
                } else {
                    ++r->pending;
                }
            }
        }
    }
    for (auto& entry : rows)
        report.rows.push_back(std::move(entry.second));
    return report;
}

DiscrepancyReport custody_discrepancies(const CaseBook& book, const ReportPeriod& period,
                                        const std::function<bool(std::string_view)>& include) {
    DiscrepancyReport report;
    report.period = period;
    const std::vector<Reconciliation>& all = book.reconciliations();
    const TimeMs begin = period.begin();
    const TimeMs end = period.end();
    for (std::size_t i = 0; i < all.size(); ++i) {
        const Reconciliation& rec = all[i];
        // RP-5: the reconciliations recorded within the period.
        if (rec.at < begin || rec.at >= end) continue;
        for (const cases::Discrepancy& d : rec.discrepancies) {
            if (include && !include(d.item_code)) continue;
            DiscrepancyRecord out;
            out.found_at = rec.at;
            out.location = rec.location;
            out.found_by = rec.actor;
            out.discrepancy = d;
            // RP-6: resolved by the first later reconciliation at the location that no
            // longer reports it, whenever that was.
            for (std::size_t j = i + 1; j < all.size(); ++j) {
                const Reconciliation& later = all[j];
                if (later.location != rec.location) continue;
                const bool again =
                    std::any_of(later.discrepancies.begin(), later.discrepancies.end(),
                                [&d](const cases::Discrepancy& x) { return same(x, d); });
                if (!again) {
                    out.resolved_at = later.at;
                    break;
                }
            }
            // RP-7: where the ledger has the item now.
            if (const cases::EvidenceItem* item = book.ledger().find(d.item_code)) {
                out.known_item = true;
                out.current_location = item->location;
                out.holder = item->holder;
                out.last_event_at = item->last_event_at;
                out.disposed = item->disposal.has_value();
            }
            report.items.push_back(std::move(out));
        }
    }
    return report;
}

json to_json(const ComplianceReport& r) {
    json rows = json::array();
    for (const ComplianceRow& row : r.rows)
        rows.push_back(row_json(row));
    json total = row_json(r.total);
    total.erase("month");
    total.erase("by");
    return json{{"period", period_json(r.period)},
                {"now", base::format_iso8601(r.now)},
                {"rows", std::move(rows)},
                {"total", std::move(total)}};
}

json to_json(const DiscrepancyReport& r) {
    json items = json::array();
    for (const DiscrepancyRecord& x : r.items) {
        const cases::Discrepancy& d = x.discrepancy;
        json j{{"found_at", base::format_iso8601(x.found_at)},
               {"location", x.location},
               {"found_by", x.found_by},
               {"kind", cases::to_string(d.kind)},
               {"item_code", d.item_code},
               {"recorded_location", d.recorded_location},
               {"scanned_location", d.scanned_location},
               {"detail", d.detail},
               {"resolved", x.resolved_at.has_value()}};
        j["resolved_at"] = x.resolved_at ? json(base::format_iso8601(*x.resolved_at)) : json();
        if (x.known_item) {
            j["item"] = {{"location", x.current_location},
                         {"holder", x.holder},
                         {"last_event_at", base::format_iso8601(x.last_event_at)},
                         {"disposed", x.disposed}};
        } else {
            j["item"] = nullptr;
        }
        items.push_back(std::move(j));
    }
    const auto open = std::count_if(r.items.begin(), r.items.end(),
                                    [](const DiscrepancyRecord& x) { return !x.resolved_at; });
    return json{{"period", period_json(r.period)},
                {"count", r.items.size()},
                {"unresolved", open},
                {"items", std::move(items)}};
}

} // namespace pingan::ops
