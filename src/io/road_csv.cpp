#include "io/road_csv.hpp"

#include <charconv>
#include <fstream>
#include <string_view>

#include <fmt/core.h>

#include "io/csv_writer.hpp"

namespace pingan::io {

namespace {

// Splits one CSV line (RFC 4180 quotes, no embedded newlines).
std::vector<std::string> split_csv(std::string_view line) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                fields.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                fields.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.emplace_back();
        } else {
            fields.back() += c;
        }
    }
    for (std::string& f : fields) {
        while (!f.empty() && (f.back() == ' ' || f.back() == '\r'))
            f.pop_back();
        while (!f.empty() && f.front() == ' ')
            f.erase(f.begin());
    }
    return fields;
}

bool parse_double(const std::string& s, double& out) {
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && ptr == s.data() + s.size();
}

std::string seconds(road::TimeMs ms) {
    return ms == road::kNoTime ? std::string("-1") : fmt::format("{:.3f}", ms / 1000.0);
}

} // namespace

void write_graph_csv(const road::Graph& graph, std::ostream& out) {
    out << "id,source,target,cost_s,reverse_cost_s,length_m,x1,y1,x2,y2,road_class,name\n";
    std::string line;
    for (road::SegmentId s = 0; s < graph.segment_count(); ++s) {
        const geo::LatLon a = graph.node_latlon(graph.tail(s));
        const geo::LatLon b = graph.node_latlon(graph.head(s));
        line =
            fmt::format("{},{},{},{},{},{:.2f},{:.7f},{:.7f},{:.7f},{:.7f},{},{}\n", s,
                        graph.tail(s), graph.head(s), seconds(graph.forward_time_ms(s)),
                        seconds(graph.backward_time_ms(s)), graph.length_m(s), a.lon, a.lat, b.lon,
                        b.lat, road::to_string(graph.road_class(s)), csv_field(graph.name(s)));
        out << line;
    }
}

base::Result<std::vector<UnitRow>> read_units_csv(const std::string& path) {
    std::ifstream in(path);
    if (!in) return base::error(base::Code::io_error, "units", fmt::format("cannot open {}", path));
    std::string line;
    std::size_t line_no = 0;
    int id_col = -1, lat_col = -1, lon_col = -1;
    std::vector<UnitRow> rows;
    while (std::getline(in, line)) {
        ++line_no;
        if (line_no == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3); // UTF-8 BOM
        if (line.empty() || line == "\r") continue;
        const std::vector<std::string> f = split_csv(line);
        if (id_col < 0) {
            for (int i = 0; i < static_cast<int>(f.size()); ++i) {
                if (f[i] == "id") id_col = i;
                if (f[i] == "lat") lat_col = i;
                if (f[i] == "lon") lon_col = i;
            }
            if (id_col < 0 || lat_col < 0 || lon_col < 0) {
                return base::error(
                    base::Code::bad_argument, "units",
                    fmt::format("{}: the header must name the columns id,lat,lon", path));
            }
            continue;
        }
        const int need = std::max({id_col, lat_col, lon_col});
        UnitRow row;
        row.line = line_no;
        if (static_cast<int>(f.size()) <= need || f[id_col].empty() ||
            !parse_double(f[lat_col], row.position.lat) ||
            !parse_double(f[lon_col], row.position.lon)) {
            return base::error(
                base::Code::bad_argument, "units",
                fmt::format("{} line {}: expected id,lat,lon with numbers", path, line_no));
        }
        if (!geo::is_valid(row.position)) {
            return base::error(base::Code::bad_argument, "units",
                               fmt::format("{} line {}: {},{} is not a valid latitude,longitude",
                                           path, line_no, f[lat_col], f[lon_col]));
        }
        row.id = f[id_col];
        rows.push_back(std::move(row));
    }
    if (id_col < 0) {
        return base::error(base::Code::bad_argument, "units", fmt::format("{} is empty", path));
    }
    return rows;
}

} // namespace pingan::io
