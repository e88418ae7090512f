// The centre's configuration and reference data, loaded once by `pingan serve`: taxonomy,
// triage rules, dispatch settings, areas, and the road graph. Read-only while serving.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "base/result.hpp"
#include "dispatch/recommender.hpp"
#include "geo/boundary.hpp"
#include "ops/board.hpp"
#include "road/graph.hpp"
#include "triage/duplicates.hpp"
#include "triage/rules.hpp"
#include "triage/taxonomy.hpp"

namespace pingan::server {

// Hand-off of non-police calls to the 12345 city service line (Open311 GeoReport v2).
struct HandoffConfig {
    std::string url; // empty: hand-off by phone (items are marked "manual")
    std::string api_key;
    std::string jurisdiction_id;
    int timeout_s = 5;
    int alert_after_failures = 5;
    int give_up_after_hours = 24;
    bool send_caller_phone = false;
    int retry_base_ms = 1000; // waits 1, 2, 4, … times this between attempts, at most 5 min
    int poll_ms = 1000;       // how often the outbox is looked at
    std::map<std::string, std::string> service_codes; // taxonomy code -> Open311 service_code
};

struct DispatchConfig {
    dispatch::Policy policy = dispatch::Policy::eta;
    std::size_t count = 5;
    int coverage_minutes = 5;
    triage::DuplicateRule duplicates;
    HandoffConfig handoff;
};

base::Result<DispatchConfig> parse_dispatch_config(std::string_view toml_text);

struct Centre {
    triage::Taxonomy taxonomy;
    std::unique_ptr<triage::Triage> triage; // points into taxonomy: keep Centre in place
    DispatchConfig dispatch;
    geo::BoundaryIndex boundaries;
    std::unique_ptr<road::Graph> graph; // null without --graph
    int utc_offset_minutes = 0;

    // Response-time targets for the Board's timers.
    ops::TargetsByPriority targets() const;
    // Minute of the day in the centre's time (for time-of-day triage rules).
    int minute_of_day(base::TimeMs t) const;
};

// The text of a configuration file, or an io_error naming it (field "config").
base::Result<std::string> read_config_text(const std::filesystem::path& p);

// Loads taxonomy.toml, triage.toml and dispatch.toml from `config_dir`.
base::Status load_config(const std::string& config_dir, Centre& centre);

} // namespace pingan::server
