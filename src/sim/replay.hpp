// Day replay: a discrete-event simulation of real calls against a fleet on the road graph, to
// compare dispatch policies and deployments. Pure: calls, fleet and graph in, statistics out;
// the only clock is the simulation's own virtual clock (the time of the event being handled).
//
// The model, for every call in order of receipt:
//   received ──call processing──► ready ──(wait for a free unit)──► dispatched ──turnout──►
//   rolling ──road travel──► on scene ──service (by category, seeded)──► cleared: the unit is
//   available again and drives back to its post, and may be sent to another call on the way.
// Units are chosen by dispatch::Recommender — the code live dispatch uses — with the policy
// under test (road ETA or straight line); whatever the policy, units drive the road graph at
// the profile's speeds. A returning unit's position is reported to the recommender as it
// would be by AVL: at most every `avl_interval_ms`, and always at the moment it is needed.
//
// Determinism: the outcome depends only on the inputs and the seed. Random draws (time on
// scene) come from a generator seeded by (seed, call index), so both policies see the same
// draws for the same call ("common random numbers"), and equal event times are ordered by
// insertion.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "dispatch/recommender.hpp"
#include "road/graph.hpp"
#include "sim/fleet.hpp"

namespace pingan::sim {

struct Call {
    TimeMs received_at = 0; // NFPA 1221 "call received"
    geo::LatLon location;
    std::string category; // taxonomy code (service time; never the ranking)
    int priority = 3;     // 1 (most urgent) .. 4: order of the waiting queue
};

struct ReplayOptions {
    dispatch::Policy policy = dispatch::Policy::eta;
    std::uint64_t seed = 1;
    double snap_radius_m = 500;      // calls farther from every road are not replayed (counted)
    TimeMs within_ms = 300'000;      // "share within" threshold (5 minutes)
    TimeMs avl_interval_ms = 10'000; // position reports of moving (returning) units
    // The recommender's coverage figures are reasons shown to dispatchers and do not change the
    // ranking; refreshing them every 30 s of a simulated day would dominate the run time.
    TimeMs coverage_refresh_ms = 15 * 60'000;
};

// p50/p90/p95 (linear interpolation between order statistics) and the mean, in seconds.
struct Distribution {
    std::size_t n = 0;
    std::optional<double> p50_s, p90_s, p95_s, mean_s, max_s;
};

// What happened to one call (for tests and for maps of late arrivals).
struct CallOutcome {
    std::size_t call = 0;     // index into the calls given
    bool replayed = false;    // false: not on the road network (snapping failed)
    std::int64_t unit = -1;   // index into Fleet::units
    TimeMs ready_at = 0;      // received + call processing
    TimeMs dispatched_at = 0; // a unit assigned
    TimeMs on_scene_at = 0;   // dispatched + turnout + travel
    TimeMs cleared_at = 0;    // on scene + service
    TimeMs travel_ms = 0;     // road travel alone
    double straight_m = 0;    // unit to call as the crow flies when dispatched
    bool waited = false;      // no unit was free when the call was ready
    bool from_post = false;   // the unit was parked at its post (not on its way back)
};

struct UnitStats {
    std::string callsign;
    std::size_t calls = 0;
    TimeMs busy_ms = 0;     // dispatched .. cleared
    double driven_m = 0;    // to calls (return trips are not counted)
    double utilisation = 0; // busy / replay span
};

struct ReplayResult {
    dispatch::Policy policy = dispatch::Policy::eta;
    std::uint64_t seed = 0;
    std::size_t calls = 0;       // given
    std::size_t replayed = 0;    // on the road network
    std::size_t off_network = 0; // farther than snap_radius_m from a road
    TimeMs first_call_at = 0, last_call_at = 0, end_at = 0; // end: the last unit cleared
    Distribution dispatch_to_arrival; // turnout + travel (NFPA 1710 turnout + travel time)
    Distribution call_to_arrival;     // call processing + waiting + turnout + travel
    Distribution travel;              // road travel alone
    Distribution wait;                // ready .. dispatched, over the calls that waited
    double share_dispatch_within = 0; // dispatch-to-arrival <= within_ms
    double share_call_within = 0;     // call-to-arrival <= within_ms
    TimeMs within_ms = 0;
    double utilisation = 0; // busy time of all units / (units × span first call .. end)
    double utilisation_max = 0;
    std::size_t waited = 0;               // calls that found no free unit when ready
    std::size_t max_queue = 0;            // most calls waiting at once
    std::size_t dispatched_returning = 0; // sent while on the way back to the post
    std::vector<UnitStats> units;
    std::vector<CallOutcome> outcomes; // one per call given, in that order
};

// bad_argument when the fleet has no unit, a unit's post is out of range, or a post is not
// on the road network (the message names it). Calls need not be sorted.
base::Result<ReplayResult> replay(const road::Graph& graph, const Fleet& fleet,
                                  std::span<const Call> calls, const ReplayOptions& options);

// The result as JSON text (one object; outcomes left out unless asked for).
std::string to_json(const ReplayResult& r, bool with_outcomes = false);

} // namespace pingan::sim
