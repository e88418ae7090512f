#include "io/incident_csv.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <unordered_map>

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "base/sha256.hpp"
#include "io/crs_transform.hpp"
#include "io/csv_reader.hpp"
#include "io/time_format.hpp"
#include "io/time_zone.hpp"

namespace pingan::io {
namespace {

std::string_view trim(std::string_view v) {
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front())))
        v.remove_prefix(1);
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back())))
        v.remove_suffix(1);
    return v;
}

std::optional<double> parse_number(std::string_view v) {
    v = trim(v);
    if (v.empty()) return std::nullopt;
    if (v.front() == '+') v.remove_prefix(1);
    double d = 0;
    const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
    if (ec != std::errc() || p != v.data() + v.size() || !std::isfinite(d)) return std::nullopt;
    return d;
}

// A time column resolved against the header, with its zone.
struct TimeSlot {
    const TimeColumn* spec = nullptr;
    std::size_t index = 0;
    TimeZone zone = TimeZone::fixed("UTC", 0);
};

// The first row whose explicit offset disagrees with the mapping's zone.
struct ZoneClash {
    std::size_t rows = 0;
    std::size_t line = 0;
    std::string column, value;
    int offset_s = 0, zone_offset_s = 0;
    std::string zone;
};

} // namespace

base::Result<CsvImport> read_incident_csv(std::string_view text, const IncidentMapping& m,
                                          std::string_view file_name, const ReadProgress& progress,
                                          std::size_t max_problems) {
    auto file_error = [&](std::string why) {
        return base::error(base::Code::bad_argument, "file", fmt::format("{}: {}", file_name, why));
    };
    if (text.empty()) return file_error("the file is empty");
    CsvReader csv(text, m.delimiter);
    std::vector<std::string_view> fields;
    if (!csv.next(fields)) {
        return file_error(csv.error().empty() ? "the file is empty" : csv.error());
    }
    // Header: column name -> index (names trimmed; the BOM is already gone).
    std::vector<std::string> header;
    for (std::string_view f : fields)
        header.emplace_back(trim(f));
    if (header.size() == 1 && header[0].empty()) return file_error("the first line is blank");
    auto index_of = [&](const std::string& column) -> std::optional<std::size_t> {
        for (std::size_t i = 0; i < header.size(); ++i) {
            if (header[i] == column) return i;
        }
        return std::nullopt;
    };
    std::string missing;
    for (const auto& [column, key] : m.columns()) {
        if (!index_of(column)) {
            missing += fmt::format("{}'{}' (mapping {})", missing.empty() ? "" : ", ", column, key);
        }
    }
    if (!missing.empty()) {
        std::string have;
        for (const std::string& h : header)
            have += (have.empty() ? "" : ", ") + h;
        return file_error(fmt::format("the header has no column {}; mapping {} does not fit this "
                                      "file (its columns: {})",
                                      missing, m.name, have));
    }

    auto make_slot = [&](const TimeColumn& spec) -> base::Result<TimeSlot> {
        auto zone = TimeZone::load(spec.timezone);
        if (!zone) return std::move(zone).error();
        return TimeSlot{&spec, *index_of(spec.column), std::move(zone).value()};
    };
    auto received = make_slot(m.received);
    if (!received) return std::move(received).error();
    struct Stage {
        TimeSlot slot;
        std::optional<base::TimeMs> analytics::IncidentRecord::*field;
    };
    std::vector<Stage> stages;
    const std::pair<const std::optional<TimeColumn>*,
                    std::optional<base::TimeMs> analytics::IncidentRecord::*>
        stage_specs[] = {{&m.dispatched, &analytics::IncidentRecord::dispatched_at},
                         {&m.en_route, &analytics::IncidentRecord::en_route_at},
                         {&m.on_scene, &analytics::IncidentRecord::on_scene_at},
                         {&m.cleared, &analytics::IncidentRecord::cleared_at}};
    int resolution_s = time_resolution_s(m.received.format);
    for (const auto& [spec, field] : stage_specs) {
        if (!*spec) continue;
        auto slot = make_slot(**spec);
        if (!slot) return std::move(slot).error();
        stages.push_back({std::move(slot).value(), field});
        resolution_s = std::max(resolution_s, time_resolution_s((*spec)->format));
    }
    std::optional<CrsTransform> crs;
    if (!m.crs.empty()) {
        auto t = CrsTransform::to_wgs84(m.crs);
        if (!t) return std::move(t).error();
        crs = std::move(t).value();
    }
    const bool projected = crs.has_value();
    const std::size_t col_a = *index_of(projected ? m.x_column : m.lat_column);
    const std::size_t col_b = *index_of(projected ? m.y_column : m.lon_column);
    const std::size_t col_cat = *index_of(m.category_column);
    const auto col_jur =
        m.jurisdiction_column.empty() ? std::nullopt : index_of(m.jurisdiction_column);
    const auto col_patrol =
        m.patrol_area_column.empty() ? std::nullopt : index_of(m.patrol_area_column);
    const auto col_disp =
        m.disposition_column.empty() ? std::nullopt : index_of(m.disposition_column);
    std::vector<std::size_t> key_cols;
    for (const std::string& k : m.key_columns)
        key_cols.push_back(*index_of(k));

    CsvImport out;
    out.had_bom = csv.had_bom();
    ZoneClash clash;
    std::unordered_map<std::string, std::size_t> seen_keys; // key -> line
    auto reject = [&](std::size_t line, std::string reason) {
        ++out.rejected;
        if (out.problems.size() < max_problems) out.problems.push_back({line, std::move(reason)});
    };
    // Parses one time value; false (after rejecting) when it does not match.
    auto parse = [&](const TimeSlot& slot, std::string_view raw, std::size_t line,
                     base::TimeMs& utc) {
        const std::string_view value = trim(raw);
        auto t = parse_time(value, slot.spec->format);
        if (!t) {
            reject(line, fmt::format("{}: '{}' does not match the format '{}'", slot.spec->column,
                                     value, slot.spec->format));
            return false;
        }
        if (t->offset_s) {
            utc = t->local_ms - static_cast<base::TimeMs>(*t->offset_s) * 1000;
            const int zone_offset = slot.zone.offset_at(utc);
            if (zone_offset != *t->offset_s) {
                if (clash.rows++ == 0) {
                    clash.line = line;
                    clash.column = slot.spec->column;
                    clash.value = std::string(value);
                    clash.offset_s = *t->offset_s;
                    clash.zone_offset_s = zone_offset;
                    clash.zone = slot.zone.name();
                }
            }
        } else {
            utc = slot.zone.to_utc(t->local_ms);
        }
        return true;
    };

    std::size_t next_report = 0;
    while (csv.next(fields)) {
        const std::size_t line = csv.line();
        if (progress && csv.consumed() >= next_report) {
            progress(csv.consumed(), csv.size());
            next_report = csv.consumed() + std::max<std::size_t>(csv.size() / 100, 1);
        }
        if (fields.size() == 1 && trim(fields[0]).empty()) continue; // blank line
        ++out.rows_read;
        if (fields.size() != header.size()) {
            reject(line, fmt::format("the row has {} fields, the header {}", fields.size(),
                                     header.size()));
            continue;
        }
        analytics::IncidentRecord r;
        r.source = m.source;
        // Identity.
        if (key_cols.empty()) {
            std::string raw;
            for (std::string_view f : fields) {
                raw += f;
                raw += '\x1f';
            }
            r.source_key = "sha256:" + base::sha256_hex(raw);
        } else {
            bool blank = false;
            for (std::size_t i = 0; i < key_cols.size(); ++i) {
                const std::string_view v = trim(fields[key_cols[i]]);
                blank = blank || v.empty();
                if (i > 0) r.source_key += '|';
                r.source_key += v;
            }
            if (blank) {
                reject(line, fmt::format("key column {} is empty", fmt::join(m.key_columns, ", ")));
                continue;
            }
        }
        // Times.
        if (trim(fields[received->index]).empty()) {
            reject(line, fmt::format("{}: empty (the time a call was received is required)",
                                     m.received.column));
            continue;
        }
        if (!parse(*received, fields[received->index], line, r.received_at)) continue;
        bool ok = true;
        for (const Stage& st : stages) {
            const std::string_view v = trim(fields[st.slot.index]);
            if (v.empty()) continue; // the stage never happened
            base::TimeMs t = 0;
            if (!parse(st.slot, v, line, t)) {
                ok = false;
                break;
            }
            r.*(st.field) = t;
        }
        if (!ok) continue;
        r.time_resolution_s = resolution_s;
        // Category.
        const std::string_view source_cat = trim(fields[col_cat]);
        auto code = m.code_for(source_cat);
        if (!code) {
            reject(line, fmt::format("{}: '{}' has no taxonomy code in mapping {} (add it to "
                                     "[category.codes] or set category.default)",
                                     m.category_column, source_cat, m.name));
            continue;
        }
        r.category = *code;
        r.source_category = std::string(source_cat);
        if (m.category_default && *code == *m.category_default) {
            // Counted only when the default was the fallback, not an explicit mapping.
            bool listed = false;
            std::string upper(source_cat);
            for (char& c : upper)
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            for (const auto& [from, to] : m.category_codes)
                listed = listed || from == upper;
            for (const auto& [prefix, to] : m.category_prefixes)
                listed = listed || upper.compare(0, prefix.size(), prefix) == 0;
            if (!listed) ++out.default_category;
        }
        // Location.
        const std::string_view a = trim(fields[col_a]), b = trim(fields[col_b]);
        if (a.empty() || b.empty()) {
            ++out.blank_location;
        } else {
            const auto va = parse_number(a), vb = parse_number(b);
            std::optional<geo::LatLon> p;
            if (va && vb) p = projected ? crs->apply(*va, *vb) : geo::LatLon{*va, *vb};
            if (p && std::isfinite(p->lat) && std::isfinite(p->lon)) r.location = p;
            bool good = p && geo::is_valid(*p) && !(p->lat == 0 && p->lon == 0);
            if (good && m.bbox) {
                const auto& box = *m.bbox;
                good = p->lon >= box[0] && p->lat >= box[1] && p->lon <= box[2] && p->lat <= box[3];
            }
            r.geocode_ok = good;
            if (!good) ++out.bad_geocode;
        }
        if (col_jur) r.jurisdiction = std::string(trim(fields[*col_jur]));
        if (col_patrol) r.patrol_area = std::string(trim(fields[*col_patrol]));
        if (col_disp) r.disposition = std::string(trim(fields[*col_disp]));
        // Duplicates within the file (across files the store's unique key handles them).
        auto [it, inserted] = seen_keys.try_emplace(r.source_key, line);
        if (!inserted) {
            reject(line,
                   fmt::format("duplicate key {} (first on line {})", r.source_key, it->second));
            continue;
        }
        out.records.push_back(std::move(r));
    }
    if (!csv.error().empty()) return file_error(csv.error());
    if (progress) progress(csv.size(), csv.size());
    if (out.rows_read == 0) return file_error("the file has a header but no rows");
    if (clash.rows > 0) {
        return file_error(fmt::format(
            "{}: mixed time zones: line {} has '{}' (offset {}) but the mapping's time zone {} "
            "has offset {} at that time ({} values disagree); every time in a file must be in "
            "the mapping's time zone",
            clash.column, clash.line, clash.value, offset_text(clash.offset_s), clash.zone,
            offset_text(clash.zone_offset_s), clash.rows));
    }
    return out;
}

} // namespace pingan::io
