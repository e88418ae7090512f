#include "ascii_map.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include "road/graph_builder.hpp"

namespace pingan::road::testing {

namespace {

constexpr double kColM = 10, kRowM = 20;
const geo::LocalProjection kProjection({39.0, -77.0});

bool is_letter(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

struct Link {
    bool ok = true, forward = true, backward = true, motorway = false;
};

// Classifies the characters between two letters; ok=false when they are not all road.
Link classify(const std::string& between, bool horizontal) {
    Link l;
    if (between.empty()) l.ok = false;
    for (char c : between) {
        if (horizontal && (c == '-' || c == '=')) {
            l.motorway |= c == '=';
        } else if (!horizontal && (c == '|' || c == '"')) {
            l.motorway |= c == '"';
        } else if ((horizontal && c == '>') || (!horizontal && c == 'v')) {
            l.backward = false;
        } else if ((horizontal && c == '<') || (!horizontal && c == '^')) {
            l.forward = false;
        } else {
            l.ok = false;
        }
    }
    return l;
}

} // namespace

AsciiMap parse_ascii_map(std::string_view text) {
    std::vector<std::string> rows;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = text.find('\n', start);
        rows.emplace_back(
            text.substr(start, end == std::string_view::npos ? text.size() - start : end - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    auto at = [&](std::size_t r, std::size_t c) { return c < rows[r].size() ? rows[r][c] : ' '; };
    AsciiMap map;
    GraphBuilder builder("ascii");
    for (std::size_t r = 0; r < rows.size(); ++r) {
        for (std::size_t c = 0; c < rows[r].size(); ++c) {
            if (!is_letter(rows[r][c])) continue;
            const char letter = rows[r][c];
            if (map.points.count(letter))
                throw std::invalid_argument(std::string("letter used twice: ") + letter);
            const geo::LatLon p = kProjection.to_latlon(c * kColM, -static_cast<double>(r) * kRowM);
            map.points[letter] = p;
            builder.add_node(letter, p);
        }
    }
    std::int64_t way_id = 1;
    auto add = [&](char a, char b, const Link& l) {
        WayRules rules;
        rules.road_class = l.motorway ? RoadClass::motorway : RoadClass::residential;
        rules.speed_kmh = l.motorway ? 108 : 36;
        rules.forward = l.forward;
        rules.backward = l.backward;
        const std::int64_t ids[2] = {a, b};
        builder.add_way(way_id++, rules, std::string{a} + "-" + b, ids);
    };
    for (std::size_t r = 0; r < rows.size(); ++r) {
        for (std::size_t c = 0; c < rows[r].size(); ++c) {
            if (!is_letter(rows[r][c])) continue;
            // Right neighbour on the row.
            std::string between;
            std::size_t k = c + 1;
            while (k < rows[r].size() && !is_letter(rows[r][k]) && rows[r][k] != ' ')
                between += rows[r][k++];
            if (k < rows[r].size() && is_letter(rows[r][k])) {
                const Link l = classify(between, true);
                if (l.ok) add(rows[r][c], rows[r][k], l);
            }
            // Neighbour below in the column.
            between.clear();
            std::size_t q = r + 1;
            while (q < rows.size() && !is_letter(at(q, c)) && at(q, c) != ' ')
                between += at(q++, c);
            if (q < rows.size() && is_letter(at(q, c))) {
                const Link l = classify(between, false);
                if (l.ok) add(rows[r][c], at(q, c), l);
            }
        }
    }
    auto built = builder.build();
    if (!built) throw std::invalid_argument("ascii map does not build: " + built.error().detail);
    map.graph = std::move(built).value();
    return map;
}

NodeId AsciiMap::node(char letter) const {
    const auto& ids = graph.data().node_osm_id;
    for (NodeId i = 0; i < ids.size(); ++i) {
        if (ids[i] == letter) return i;
    }
    throw std::invalid_argument(std::string("no junction ") + letter + " in the graph");
}

RoadPosition AsciiMap::at(char letter) const {
    return graph.node_position(node(letter));
}

RoadPosition AsciiMap::between(char a, char b, double metres) const {
    const NodeId na = node(a), nb = node(b);
    for (SegmentId s = 0; s < graph.segment_count(); ++s) {
        if (graph.tail(s) == na && graph.head(s) == nb) return graph.position_on(s, metres);
        if (graph.tail(s) == nb && graph.head(s) == na)
            return graph.position_on(s, graph.length_m(s) - metres);
    }
    throw std::invalid_argument(std::string("no road ") + a + "-" + b);
}

} // namespace pingan::road::testing
