// ASCII maps for scenario tests (after Valhalla's gurka): letters are junctions on a grid,
// and the characters between two letters on a row or a column make a road:
//
//   -  |   residential street, 36 km/h (10 m/s)      >  <  v  ^   one-way in that direction
//   =  "   motorway, 108 km/h (30 m/s)               ~  anything else: scenery (no road)
//
// One column is 10 m east, one row 20 m south, so A---B (4 columns) is 40 m, 4 s on a street.
#pragma once

#include <map>
#include <string_view>

#include "road/graph.hpp"

namespace pingan::road::testing {

struct AsciiMap {
    Graph graph;
    std::map<char, geo::LatLon> points;

    NodeId node(char letter) const;     // junction at the letter
    RoadPosition at(char letter) const; // road position at the letter
    // Position `metres` along the road from letter a towards letter b (they must be adjacent).
    RoadPosition between(char a, char b, double metres) const;
};

AsciiMap parse_ascii_map(std::string_view text);

} // namespace pingan::road::testing
