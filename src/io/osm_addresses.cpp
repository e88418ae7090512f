#include "io/osm_addresses.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <unordered_map>

#include <fmt/core.h>
#include <osmium/io/any_input.hpp>
#include <osmium/osm/node.hpp>
#include <osmium/osm/way.hpp>

#include "io/osm_file.hpp"

namespace pingan::io {

namespace {

constexpr std::string_view kHeader = "# pingan addresses 1";

// Tabs and line breaks would break the file's columns; OSM values rarely hold them.
std::string clean(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    }
    return out;
}

} // namespace

std::string address_file_for(const std::string& graph_path) {
    return graph_path + ".addresses";
}

base::Result<std::vector<road::AddressPoint>> read_osm_addresses(const std::string& path) {
    auto checked = check_osm_file(path);
    if (!checked) return checked.error();
    return read_osm_addresses(*checked);
}

base::Result<std::vector<road::AddressPoint>> read_osm_addresses(const CheckedOsmFile& osm) {
    const std::string& path = osm.path();
    std::vector<road::AddressPoint> out;
    // Ways with an address: their nodes are read in a second pass (files need not be sorted).
    struct WayAddress {
        std::string housenumber, street;
        std::vector<std::int64_t> refs;
    };
    std::vector<WayAddress> ways;
    std::vector<std::int64_t> needed;
    try {
        osmium::io::File file(path);
        osmium::io::Reader reader(file,
                                  osmium::osm_entity_bits::node | osmium::osm_entity_bits::way,
                                  osmium::io::read_meta::no);
        while (osmium::memory::Buffer buffer = reader.read()) {
            for (const auto& item : buffer) {
                if (item.type() == osmium::item_type::node) {
                    const auto& node = static_cast<const osmium::Node&>(item);
                    const char* number = node.tags()["addr:housenumber"];
                    const char* street = node.tags()["addr:street"];
                    if (number == nullptr || street == nullptr || !node.location().valid())
                        continue;
                    out.push_back({clean(number),
                                   clean(street),
                                   {node.location().lat(), node.location().lon()}});
                } else if (item.type() == osmium::item_type::way) {
                    const auto& way = static_cast<const osmium::Way&>(item);
                    const char* number = way.tags()["addr:housenumber"];
                    const char* street = way.tags()["addr:street"];
                    if (number == nullptr || street == nullptr || way.nodes().empty()) continue;
                    WayAddress w{clean(number), clean(street), {}};
                    for (const auto& r : way.nodes()) {
                        w.refs.push_back(r.ref());
                        needed.push_back(r.ref());
                    }
                    ways.push_back(std::move(w));
                }
            }
        }
        reader.close();
        if (!ways.empty()) {
            std::sort(needed.begin(), needed.end());
            needed.erase(std::unique(needed.begin(), needed.end()), needed.end());
            std::unordered_map<std::int64_t, geo::LatLon> where;
            osmium::io::Reader nodes(file, osmium::osm_entity_bits::node,
                                     osmium::io::read_meta::no);
            while (osmium::memory::Buffer buffer = nodes.read()) {
                for (const auto& node : buffer.select<osmium::Node>()) {
                    if (!node.location().valid() ||
                        !std::binary_search(needed.begin(), needed.end(), node.id()))
                        continue;
                    where[node.id()] = {node.location().lat(), node.location().lon()};
                }
            }
            nodes.close();
            for (const WayAddress& w : ways) {
                geo::LatLon sum{0, 0};
                int count = 0;
                // A closed way repeats its first node; counting it twice would pull the mean.
                const std::size_t n = w.refs.size() > 1 && w.refs.front() == w.refs.back()
                                          ? w.refs.size() - 1
                                          : w.refs.size();
                for (std::size_t i = 0; i < n; ++i) {
                    auto it = where.find(w.refs[i]);
                    if (it == where.end()) continue;
                    sum.lat += it->second.lat;
                    sum.lon += it->second.lon;
                    ++count;
                }
                if (count == 0) continue;
                out.push_back({w.housenumber, w.street, {sum.lat / count, sum.lon / count}});
            }
        }
    } catch (const std::exception& e) {
        return unreadable_osm(path, e.what());
    }
    return out;
}

base::Status save_addresses(const std::string& path, const std::vector<road::AddressPoint>& list) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) {
        return base::error(base::Code::io_error, "file", fmt::format("cannot write {}", path));
    }
    out << kHeader << '\n';
    for (const road::AddressPoint& a : list) {
        out << fmt::format("{:.7f}\t{:.7f}\t{}\t{}\n", a.position.lat, a.position.lon,
                           clean(a.housenumber), clean(a.street));
    }
    out.flush();
    if (!out)
        return base::error(base::Code::io_error, "file", fmt::format("cannot write {}", path));
    return {};
}

base::Result<std::vector<road::AddressPoint>> load_addresses(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return base::error(base::Code::io_error, "file", fmt::format("cannot open {}", path));
    }
    auto bad = [&](std::size_t line, std::string_view why) {
        return base::error(base::Code::corrupt_file, "file",
                           fmt::format("{} line {}: {}", path, line, why));
    };
    std::string line;
    if (!std::getline(in, line) || line != kHeader) {
        return bad(1,
                   fmt::format("not a pingan address file (the first line must be '{}')", kHeader));
    }
    std::vector<road::AddressPoint> out;
    std::size_t line_no = 1;
    while (std::getline(in, line)) {
        ++line_no;
        if (line.empty()) continue;
        std::string_view rest = line;
        std::string_view cols[4];
        for (int i = 0; i < 3; ++i) {
            const std::size_t tab = rest.find('\t');
            if (tab == std::string_view::npos)
                return bad(line_no, "expected 4 tab-separated columns");
            cols[i] = rest.substr(0, tab);
            rest.remove_prefix(tab + 1);
        }
        cols[3] = rest;
        road::AddressPoint a;
        auto num = [](std::string_view s, double& v) {
            const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
            return ec == std::errc() && p == s.data() + s.size();
        };
        if (!num(cols[0], a.position.lat) || !num(cols[1], a.position.lon) ||
            !geo::is_valid(a.position)) {
            return bad(line_no, "lat and lon must be numbers in range");
        }
        if (cols[2].empty() || cols[3].empty())
            return bad(line_no, "house number or street is empty");
        a.housenumber = std::string(cols[2]);
        a.street = std::string(cols[3]);
        out.push_back(std::move(a));
    }
    return out;
}

} // namespace pingan::io
