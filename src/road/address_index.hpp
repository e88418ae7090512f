// Finding a place by what a caller says: "1600 Pennsylvania Ave NW", "Connecticut Ave & R St",
// "红星路与东大街", "红星路88号" or a street name alone. Streets and intersections come from the
// road graph (a junction where two differently named streets meet); house numbers from OSM
// `addr:*` (io/osm_addresses.hpp reads them into AddressPoint records).
//
// Pure and immutable after build(); search() may be called from any number of threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "geo/latlon.hpp"
#include "road/graph.hpp"

namespace pingan::road {

struct AddressPoint {
    std::string housenumber; // as written: "1600", "12A", "88"
    std::string street;      // addr:street, as written
    geo::LatLon position;
};

enum class PlaceKind { address, intersection, street };
std::string_view to_string(PlaceKind kind);

struct Place {
    std::string label; // what the call-taker sees, from the data's own names
    geo::LatLon position;
    PlaceKind kind = PlaceKind::street;
    double score = 0; // higher is better; only the order means something
};

// Lower case, abbreviations spelled out ("st" → "street", "nw" → "northwest"), dots and
// apostrophes dropped ("N.W." → "nw"), other punctuation as spaces, single spaces. Non-ASCII
// text (Chinese names) is kept as it is.
std::string normalise_street(std::string_view text);

class AddressIndex {
public:
    AddressIndex() = default;
    static AddressIndex build(const Graph& graph, const std::vector<AddressPoint>& addresses);

    // Candidates, best first, at most `limit`. Empty when nothing resolves.
    std::vector<Place> search(std::string_view query, std::size_t limit = 8) const;

    std::size_t street_count() const { return names_.size(); }
    std::size_t intersection_count() const { return junctions_.size(); }
    std::size_t address_count() const { return address_count_; }

private:
    struct NameMatch {
        std::uint32_t name;
        double score;
    };
    std::vector<NameMatch> match_street(std::string_view normalised, std::size_t limit) const;
    std::uint32_t intern(std::string_view name);

    std::vector<std::string> names_;      // distinct street names as written
    std::vector<std::string> normalised_; // normalise_street(names_[i])
    std::vector<geo::LatLon> street_at_;  // a point on the street, near its middle
    std::unordered_map<std::string, std::uint32_t> name_id_;
    // Junctions of two named streets: key (lower name id << 32 | higher) -> points.
    std::unordered_map<std::uint64_t, std::vector<geo::LatLon>> junctions_;
    // House numbers per street name id: (normalised number, position).
    std::unordered_map<std::uint32_t, std::vector<std::pair<std::string, geo::LatLon>>> numbers_;
    std::size_t address_count_ = 0;
};

} // namespace pingan::road
