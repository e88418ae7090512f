#include "cases/limits.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include <fmt/core.h>
#include <toml++/toml.h>

#include "base/toml_integer.hpp"

namespace pingan::cases {
namespace {

constexpr std::array<std::string_view, 2> kCaseKindNames{"criminal", "administrative"};
constexpr std::array<std::string_view, 4> kUnitNames{"hours", "calendar_days", "working_days",
                                                     "months"};
// Upper bounds that catch typos (a limit of 3000 days) without judging the law.
constexpr int kMaxAmount = 10'000;
constexpr std::int64_t kMaxLeadMinutes = 60LL * 24 * 366;

base::Error limits_problem(const std::string& where, const std::string& detail) {
    return base::error(base::Code::corrupt_file, where,
                       fmt::format("case limits: {}: {}", where, detail));
}

template <std::size_t N>
std::optional<std::size_t> index_of(const std::array<std::string_view, N>& names,
                                    std::string_view s) {
    for (std::size_t i = 0; i < N; ++i) {
        if (names[i] == s) return i;
    }
    return std::nullopt;
}

base::Result<StageLimit> parse_limit(const toml::table& row, const std::string& index_where) {
    StageLimit s;
    const std::string kind = row["kind"].value_or(std::string());
    s.stage = row["stage"].value_or(std::string());
    const std::string where =
        s.stage.empty() ? index_where : fmt::format("{} ({} {})", index_where, kind, s.stage);
    const auto k = index_of(kCaseKindNames, kind);
    if (!k) {
        return limits_problem(where + ".kind",
                              fmt::format("'{}' is not criminal or administrative", kind));
    }
    s.kind = static_cast<CaseKind>(*k);
    if (s.stage.empty()) return limits_problem(where + ".stage", "is required");
    s.zh = row["zh"].value_or(std::string());
    s.en = row["en"].value_or(std::string());
    if (s.zh.empty() || s.en.empty()) return limits_problem(where, "zh and en are required");
    s.legal_ref = row["legal_ref"].value_or(std::string());
    if (s.legal_ref.empty()) return limits_problem(where + ".legal_ref", "is required");

    const auto amount = base::toml_integer(row["amount"]);
    if (!amount || *amount <= 0 || *amount > kMaxAmount) {
        return limits_problem(where + ".amount",
                              fmt::format("must be a whole number 1..{}", kMaxAmount));
    }
    s.amount = static_cast<int>(*amount);
    const std::string unit = row["unit"].value_or(std::string());
    const auto u = index_of(kUnitNames, unit);
    if (!u) {
        return limits_problem(where + ".unit", fmt::format("'{}' is not hours, calendar_days, "
                                                           "working_days or months",
                                                           unit));
    }
    s.unit = static_cast<LimitUnit>(*u);

    const toml::node* holiday = row.get("holiday_extends");
    if (holiday == nullptr || !holiday->is_boolean()) {
        return limits_problem(where + ".holiday_extends", "must be true or false");
    }
    s.holiday_extends = holiday->value_or(false);
    if (s.holiday_extends && (s.unit == LimitUnit::hours || s.unit == LimitUnit::working_days)) {
        return limits_problem(where + ".holiday_extends",
                              "applies only to calendar_days and months limits");
    }

    const auto ext = base::toml_integer(row["extension_max"]).value_or(0);
    if (ext < 0 || ext > kMaxAmount) {
        return limits_problem(where + ".extension_max",
                              fmt::format("must be a whole number 0..{}", kMaxAmount));
    }
    s.extension_max = static_cast<int>(ext);
    s.extension_unit = s.unit;
    if (const toml::node* eu = row.get("extension_unit")) {
        const auto e = index_of(kUnitNames, eu->value_or(std::string()));
        if (!e) return limits_problem(where + ".extension_unit", "is not a known unit");
        s.extension_unit = static_cast<LimitUnit>(*e);
    }
    if (day_based(s.unit) != day_based(s.extension_unit)) {
        return limits_problem(
            where + ".extension_unit",
            "an hours limit extends in hours, a day or month limit in days or months");
    }
    s.extension_ref = row["extension_ref"].value_or(std::string());
    if (s.extension_max > 0 && s.extension_ref.empty()) {
        return limits_problem(where + ".extension_ref", "is required when extension_max > 0");
    }
    return s;
}

} // namespace

std::string_view to_string(CaseKind k) {
    return kCaseKindNames[static_cast<std::size_t>(k)];
}

std::string_view to_string(LimitUnit u) {
    return kUnitNames[static_cast<std::size_t>(u)];
}

base::Result<LimitsTable> LimitsTable::parse(std::string_view toml_text) {
    toml::table doc;
    try {
        doc = toml::parse(toml_text);
    } catch (const toml::parse_error& e) {
        return limits_problem(fmt::format("line {}", e.source().begin.line),
                              std::string(e.description()));
    }
    LimitsTable t;
    const toml::array* limits = doc["limit"].as_array();
    if (limits == nullptr || limits->empty()) return limits_problem("limit", "no [[limit]] rows");
    for (std::size_t i = 0; i < limits->size(); ++i) {
        const std::string where = fmt::format("limit[{}]", i);
        const toml::table* row = limits->get(i)->as_table();
        if (row == nullptr) return limits_problem(where, "must be a table");
        auto s = parse_limit(*row, where);
        if (!s) return std::move(s).error();
        if (t.find(s->kind, s->stage) != nullptr) {
            return limits_problem(
                where, fmt::format("duplicate stage {} {}", to_string(s->kind), s->stage));
        }
        t.rows_.push_back(std::move(s).value());
    }

    if (const toml::node* node = doc.get("alert")) {
        const toml::array* alerts = node->as_array();
        if (alerts == nullptr)
            return limits_problem("alert", "must be an array of [[alert]] tables");
        for (std::size_t i = 0; i < alerts->size(); ++i) {
            const std::string where = fmt::format("alert[{}]", i);
            const toml::table* row = alerts->get(i)->as_table();
            if (row == nullptr) return limits_problem(where, "must be a table");
            AlertThreshold a;
            a.name = (*row)["name"].value_or(std::string());
            if (a.name.empty()) return limits_problem(where + ".name", "is required");
            const auto lead = base::toml_integer((*row)["lead_minutes"]);
            if (!lead || *lead <= 0 || *lead > kMaxLeadMinutes) {
                return limits_problem(where + ".lead_minutes",
                                      "must be a positive number of minutes "
                                      "up to a year");
            }
            a.lead_ms = *lead * 60'000;
            const std::string applies = (*row)["applies_to"].value_or(std::string());
            if (applies == "days") {
                t.alerts_.day_limits.push_back(std::move(a));
            } else if (applies == "hours") {
                t.alerts_.hour_limits.push_back(std::move(a));
            } else {
                return limits_problem(where + ".applies_to",
                                      fmt::format("'{}' is not days or hours", applies));
            }
        }
    }
    for (auto* list : {&t.alerts_.day_limits, &t.alerts_.hour_limits}) {
        std::stable_sort(
            list->begin(), list->end(),
            [](const AlertThreshold& a, const AlertThreshold& b) { return a.lead_ms > b.lead_ms; });
        for (std::size_t i = 1; i < list->size(); ++i) {
            if ((*list)[i].lead_ms == (*list)[i - 1].lead_ms) {
                return limits_problem("alert", fmt::format("'{}' and '{}' have the same lead time",
                                                           (*list)[i - 1].name, (*list)[i].name));
            }
        }
    }
    return t;
}

const StageLimit* LimitsTable::find(CaseKind kind, std::string_view stage) const {
    for (const StageLimit& s : rows_) {
        if (s.kind == kind && s.stage == stage) return &s;
    }
    return nullptr;
}

} // namespace pingan::cases
