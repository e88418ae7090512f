// Containment plans ("10-minute closure", 封控圈): for a serious incident and an escape time T,
// the places where a vehicle leaving the incident could cross the edge of what it can reach
// by road within T, merged into checkpoints, each staffed by an available unit that can be
// there before the escaping vehicle. Place-based only: it picks roads and units, never persons.
//
// Model:
// - The escaping vehicle drives at the road graph's travel times, like the units. The area it
//   can reach within T is the isochrone from the incident.
// - Checkpoints stand at junctions past T that every way out passes through: a minimum vertex
//   cut between the area and the ring T + depth beyond it. Sealing the area's own exits (the cut
//   arcs of the isochrone) is one such cut; where streets converge (a bridge, a ring road, a
//   motorway ramp) the minimum one needs far fewer checkpoints. A cul-de-sac at the edge seals
//   nothing and is never chosen.
// - Cut junctions closer than `merge_radius_m` to an earlier one (by escape time) join its
//   checkpoint; the checkpoint stands at its earliest junction and its deadline is that
//   junction's escape time.
// - A unit can staff a checkpoint when elapsed + its road ETA < the escape time there. Units
//   are matched to checkpoints by ETA, the fastest pairs first, then augmented so that as many
//   checkpoints as possible are staffed (one unit per checkpoint).
// - Roads only: walking, rail and water are not modelled, nor turn restrictions beyond one-ways.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "geo/latlon.hpp"
#include "road/graph.hpp"
#include "road/units.hpp"

namespace pingan::dispatch {

struct ContainmentRequest {
    road::TimeMs escape_ms = 600'000; // T: how long the vehicle may have been driving
    road::TimeMs depth_ms = 0;        // how far past T checkpoints may stand; 0: T / 4
    road::TimeMs elapsed_ms = 0;      // since the incident happened, when the plan is made
    double merge_radius_m = 150;      // cut junctions closer than this share a checkpoint
    std::size_t alternatives = 2;     // other units listed per checkpoint that could make it
};

struct ContainmentUnit {
    road::UnitKey key = 0;
    road::RoadPosition position;
};

struct StaffingOption {
    road::UnitKey unit = 0;
    road::TimeMs eta_ms = 0;

    friend bool operator==(const StaffingOption&, const StaffingOption&) = default;
};

struct Checkpoint {
    road::NodeId node = road::kInvalid; // the junction it stands at
    geo::LatLon point;
    road::TimeMs escape_ms = 0;      // earliest arrival of the escaping vehicle, from the incident
    std::vector<road::NodeId> exits; // every cut junction merged into it (node first)
    std::vector<road::ArcId> cut_arcs; // the arcs entering them from the area's side
    road::RoadClass road_class = road::RoadClass::road; // most important class among cut arcs
    std::optional<StaffingOption> staffed;    // the unit assigned, if one can be there in time
    std::vector<StaffingOption> alternatives; // others that could be there in time, by ETA
    // Best ETA of any unit even when late (kNoTime without units), so an unstaffed checkpoint
    // says by how much help is short.
    road::TimeMs best_eta_ms = road::kNoTime;
};

struct ContainmentPlan {
    road::TimeMs escape_ms = 0;
    road::TimeMs depth_ms = 0; // as used (the request's, or T / 4)
    road::TimeMs elapsed_ms = 0;
    std::size_t reached_nodes = 0;       // junctions inside the area (reached within T)
    std::vector<Checkpoint> checkpoints; // by escape time, most urgent first
    std::size_t staffed() const;
};

// Units are the ones that may be sent (the caller filters availability and capabilities);
// positions must come from `graph`. An invalid incident position gives an empty plan.
ContainmentPlan plan_containment(const road::Graph& graph, const road::RoadPosition& incident,
                                 std::span<const ContainmentUnit> units,
                                 const ContainmentRequest& request);

} // namespace pingan::dispatch
