// Unit recommendation: which units should go to an incident, ranked by road travel time (or,
// for comparison, by straight-line distance), each with the reasons for its rank. Pure: the
// caller feeds unit changes and asks; it serialises calls (the server holds its Board lock).
#pragma once

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.hpp"
#include "geo/latlon.hpp"
#include "ops/model.hpp"
#include "road/coverage.hpp"
#include "road/nearest.hpp"
#include "road/route.hpp"
#include "road/units.hpp"

namespace pingan::dispatch {

enum class Policy { eta, straight };

std::string_view to_string(Policy p);
std::optional<Policy> parse_policy(std::string_view s);

// What is needed at an incident.
struct Need {
    geo::LatLon location;
    std::string jurisdiction;
    std::vector<ops::Agency> agencies;     // empty: any
    std::vector<std::string> capabilities; // every one required
    std::size_t k = 5;
};

// Why a unit has its rank. All of it is shown to the dispatcher and stored with the list.
struct Reasons {
    std::optional<double> eta_s;      // road travel time; nothing without a road graph
    std::optional<double> distance_m; // road distance
    double straight_m = 0;            // as the crow flies
    ops::UnitStatus status = ops::UnitStatus::available;
    bool capability_match = true;
    bool jurisdiction_match = false;           // the unit's home jurisdiction is the incident's
    std::optional<double> coverage_lost_share; // 5-minute road coverage the area loses if it goes
};

struct Recommendation {
    ops::Id unit_id = 0;
    std::string callsign;
    Reasons reasons;
};

class Recommender {
public:
    // `graph` may be null: then only straight-line ranking is possible. It must outlive this.
    explicit Recommender(const road::Graph* graph, road::TimeMs coverage_within_ms = 300'000);
    ~Recommender();
    Recommender(const Recommender&) = delete;
    Recommender& operator=(const Recommender&) = delete;

    bool has_graph() const { return graph_ != nullptr; }

    // A unit was created, moved or changed status.
    void upsert(const ops::Unit& unit, base::TimeMs now);
    void remove(ops::Id unit_id, base::TimeMs now);

    // Available units of the needed agencies and capabilities, best first (at most need.k).
    std::vector<Recommendation> recommend(const Need& need, Policy policy, base::TimeMs now);

    // Share of road length reachable within the coverage time by an available unit of the
    // agency, and the covered pieces (for maps). Refreshed at most every `refresh`.
    double coverage_share(ops::Agency agency, base::TimeMs now);
    std::vector<road::CoveredPiece> coverage_pieces(ops::Agency agency, base::TimeMs now);

    base::TimeMs coverage_refresh_ms = 30'000;

private:
    struct Tracked {
        ops::Id id = 0;
        std::string callsign;
        ops::Agency agency = ops::Agency::police;
        ops::UnitStatus status = ops::UnitStatus::available;
        std::vector<std::string> capabilities;
        std::string home_jurisdiction;
        std::optional<geo::LatLon> position;
        // The position as a point on the unit sphere, set with it: the straight-line ranking
        // compares chord lengths, which order exactly as great-circle distances, without trig.
        std::array<double, 3> on_sphere{};
        std::optional<road::RoadPosition> road_position; // when snapped to the graph
    };
    struct AgencyCoverage {
        std::unique_ptr<road::Coverage> coverage;
        base::TimeMs computed_at = 0;
        bool dirty = true;
    };
    std::uint64_t capability_bits(const std::vector<std::string>& caps, bool add);
    bool has_capabilities(const Tracked& t, const std::vector<std::string>& caps) const;
    road::Coverage& coverage_of(ops::Agency agency, base::TimeMs now);
    void mark_dirty(ops::Agency agency);

    const road::Graph* graph_;
    road::TimeMs coverage_within_ms_;
    std::unique_ptr<road::UnitIndex> index_;
    std::unique_ptr<road::NearestQuery> nearest_;
    std::unique_ptr<road::RouteQuery> routes_;
    // Contiguous, so the ranking scans 1,000 units without chasing hash-map nodes.
    std::vector<Tracked> units_;
    std::unordered_map<ops::Id, std::size_t> slot_of_; // unit id -> index in units_
    Tracked* find(ops::Id id);
    std::map<std::string, int> capability_bit_; // capability name -> bit (up to 64)
    std::map<ops::Agency, AgencyCoverage> coverage_;
};

} // namespace pingan::dispatch
