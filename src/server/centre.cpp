#include "server/centre.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/core.h>
#include <toml++/toml.h>

#include "base/toml_integer.hpp"

namespace pingan::server {
namespace {

using base::Code;

base::Error problem(std::string_view where, std::string detail) {
    return base::error(Code::corrupt_file, std::string(where),
                       fmt::format("dispatch.toml: {}: {}", where, detail));
}

} // namespace

base::Result<DispatchConfig> parse_dispatch_config(std::string_view text) {
    toml::table doc;
    try {
        doc = toml::parse(text);
    } catch (const toml::parse_error& e) {
        return problem(fmt::format("line {}", e.source().begin.line), std::string(e.description()));
    }
    DispatchConfig c;
    const std::string policy = doc["recommendation"]["policy"].value_or(std::string("eta"));
    auto p = dispatch::parse_policy(policy);
    if (!p) return problem("recommendation.policy", "must be eta or straight");
    c.policy = *p;
    const auto count = base::toml_integer(doc["recommendation"]["count"]).value_or(5);
    if (count < 1 || count > 50) return problem("recommendation.count", "must be 1..50");
    c.count = static_cast<std::size_t>(count);
    const auto cov = base::toml_integer(doc["recommendation"]["coverage_minutes"]).value_or(5);
    if (cov < 1 || cov > 60) return problem("recommendation.coverage_minutes", "must be 1..60");
    c.coverage_minutes = static_cast<int>(cov);
    const double radius = doc["duplicates"]["radius_m"].value_or(200.0);
    const auto window = base::toml_integer(doc["duplicates"]["window_minutes"]).value_or(15);
    if (radius < 0 || radius > 10'000) return problem("duplicates.radius_m", "must be 0..10000");
    if (window < 0 || window > 24 * 60)
        return problem("duplicates.window_minutes", "must be 0..1440");
    const auto listed = base::toml_integer(doc["duplicates"]["max_listed"]).value_or(10);
    if (listed < 1 || listed > 1000) return problem("duplicates.max_listed", "must be 1..1000");
    c.duplicates = triage::DuplicateRule{radius, window * 60'000, static_cast<std::size_t>(listed)};
    const auto* h = doc["handoff"].as_table();
    if (h != nullptr) {
        c.handoff.url = (*h)["url"].value_or(std::string());
        if (!c.handoff.url.empty() && c.handoff.url.rfind("http://", 0) != 0) {
            return problem("handoff.url", "must start with http:// (TLS arrives with issue 7)");
        }
        c.handoff.api_key = (*h)["api_key"].value_or(std::string());
        c.handoff.jurisdiction_id = (*h)["jurisdiction_id"].value_or(std::string());
        c.handoff.timeout_s = static_cast<int>(base::toml_integer((*h)["timeout_s"]).value_or(5));
        c.handoff.alert_after_failures =
            static_cast<int>(base::toml_integer((*h)["alert_after_failures"]).value_or(5));
        c.handoff.give_up_after_hours =
            static_cast<int>(base::toml_integer((*h)["give_up_after_hours"]).value_or(24));
        c.handoff.send_caller_phone = (*h)["send_caller_phone"].value_or(false);
        c.handoff.retry_base_ms =
            static_cast<int>(base::toml_integer((*h)["retry_base_ms"]).value_or(1000));
        c.handoff.poll_ms = static_cast<int>(base::toml_integer((*h)["poll_ms"]).value_or(1000));
        if (c.handoff.retry_base_ms < 10 || c.handoff.poll_ms < 10 || c.handoff.poll_ms > 60'000) {
            return problem("handoff", "retry_base_ms and poll_ms must be at least 10 ms");
        }
        if (const auto* codes = (*h)["service_codes"].as_table()) {
            for (const auto& [k, v] : *codes) {
                if (auto s = v.value<std::string>())
                    c.handoff.service_codes[std::string(k.str())] = *s;
            }
        }
        if (c.handoff.timeout_s < 1 || c.handoff.timeout_s > 120) {
            return problem("handoff.timeout_s", "must be 1..120");
        }
    }
    return c;
}

base::Result<std::string> read_config_text(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        return base::error(base::Code::io_error, "config",
                           fmt::format("config: cannot read {}", p.string()));
    }
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

base::Status load_config(const std::string& config_dir, Centre& centre) {
    namespace fs = std::filesystem;
    auto taxonomy_text = read_config_text(fs::path(config_dir) / "taxonomy.toml");
    if (!taxonomy_text) return taxonomy_text.error();
    auto taxonomy = triage::Taxonomy::parse(*taxonomy_text);
    if (!taxonomy) return taxonomy.error();
    centre.taxonomy = std::move(taxonomy).value();
    auto triage_text = read_config_text(fs::path(config_dir) / "triage.toml");
    if (!triage_text) return triage_text.error();
    auto rules = triage::Triage::parse(*triage_text, centre.taxonomy);
    if (!rules) return rules.error();
    centre.triage = std::make_unique<triage::Triage>(std::move(rules).value());
    auto dispatch_text = read_config_text(fs::path(config_dir) / "dispatch.toml");
    if (!dispatch_text) return dispatch_text.error();
    auto dispatch = parse_dispatch_config(*dispatch_text);
    if (!dispatch) return dispatch.error();
    centre.dispatch = std::move(dispatch).value();
    for (const auto& [code, service] : centre.dispatch.handoff.service_codes) {
        if (centre.taxonomy.find(code) == nullptr) {
            return problem("handoff.service_codes", fmt::format("'{}' is not a category", code));
        }
    }
    return {};
}

ops::TargetsByPriority Centre::targets() const {
    ops::TargetsByPriority out;
    for (int p = 1; p <= 4; ++p) {
        const triage::PriorityTargets& t = taxonomy.targets(p);
        out[static_cast<std::size_t>(p - 1)] =
            ops::TimerTargets{t.dispatch_s * 1000LL, t.en_route_s * 1000LL, t.on_scene_s * 1000LL,
                              t.on_scene_max_s * 1000LL};
    }
    return out;
}

int Centre::minute_of_day(base::TimeMs t) const {
    const base::CivilTime c = base::to_civil(t, utc_offset_minutes);
    return c.hour * 60 + c.minute;
}

} // namespace pingan::server
