// How the columns of an incident CSV file become incident records: a mapping file (TOML, see
// config/import/*.toml and docs/analytics.md) names the columns for time (with format and time
// zone), location (lat/lon, or projected x/y with a CRS), category (with the source's values
// mapped to taxonomy codes), jurisdiction, patrol area, disposition and the optional stage
// times. The three shared data sets have built-in mappings (`--format dc|baltimore|sacramento`),
// compiled from the same files in config/import/.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"

namespace pingan::io {

struct TimeColumn {
    std::string column;
    std::string format;   // see io/time_format.hpp
    std::string timezone; // IANA name, UTC or a fixed offset (see io/time_zone.hpp)
};

struct IncidentMapping {
    std::string name;        // built-in name or mapping file path (for messages)
    std::string source;      // stored as incident_records.source
    std::string description; // what the data set is
    char delimiter = ',';
    std::vector<std::string> key_columns; // identity of a row; empty: SHA-256 of the row

    TimeColumn received;
    std::optional<TimeColumn> dispatched, en_route, on_scene, cleared;

    // Location: lat/lon columns, or x/y columns in `crs` (converted with PROJ).
    std::string lat_column, lon_column;
    std::string x_column, y_column, crs;
    // West, south, east, north: a location outside is a bad geocode (kept, flagged).
    std::optional<std::array<double, 4>> bbox;

    std::string category_column;
    std::optional<std::string> category_default; // for values not mapped; none: reject the row
    // Source value -> taxonomy code. Values are compared trimmed and upper-cased.
    std::vector<std::pair<std::string, std::string>> category_codes;
    std::vector<std::pair<std::string, std::string>> category_prefixes; // longest first

    std::string jurisdiction_column;
    std::string patrol_area_column;
    std::string disposition_column;

    // The taxonomy code for a source category value, or nothing when unmapped and no default.
    std::optional<std::string> code_for(std::string_view value) const;
    // Every column the mapping reads (for checking the header).
    std::vector<std::pair<std::string, std::string>> columns() const; // (column, mapping key)
};

// Parses a mapping; bad_argument naming the file and the key for unknown keys, missing
// required keys, unknown taxonomy codes, bad formats and zones.
base::Result<IncidentMapping> parse_mapping(std::string_view toml_text, std::string_view name);
base::Result<IncidentMapping> load_mapping_file(const std::string& path);
// "dc", "baltimore", "sacramento".
base::Result<IncidentMapping> builtin_mapping(std::string_view format);
std::vector<std::string_view> builtin_mapping_names();

} // namespace pingan::io
