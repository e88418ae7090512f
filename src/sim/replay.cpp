#include "sim/replay.hpp"

#include <algorithm>
#include <numeric>
#include <queue>
#include <set>

#include <fmt/core.h>

#include "analytics/compstat.hpp"
#include "analytics/random.hpp"
#include "analytics/taxonomy.hpp"
#include "road/route.hpp"
#include "sim/event_queue.hpp"

namespace pingan::sim {

TimeMs Fleet::service_mean_ms(std::string_view category) const {
    auto it = service_ms.find(category);
    if (it != service_ms.end()) return it->second;
    it = service_ms.find(analytics::group_of(category));
    if (it != service_ms.end()) return it->second;
    return service_default_ms;
}

namespace {

enum class EventKind : std::uint8_t {
    call_ready, // call processing done: dispatch now or queue
    arrive,     // a unit reaches its call
    clear,      // a unit leaves the scene, available again
    home,       // a returning unit reaches its post (stale when it was sent elsewhere meanwhile)
};

struct Payload {
    EventKind kind;
    std::uint32_t index;    // call (call_ready) or unit (the others)
    std::uint32_t trip = 0; // the unit's trip number when scheduled (home events)
};

enum class Phase : std::uint8_t { at_post, to_call, on_scene, returning };

struct SimUnit {
    road::RoadPosition post; // snapped post
    road::RoadPosition at;   // exact position when the phase began (post or scene)
    Phase phase = Phase::at_post;
    road::Route back;       // the way back to the post while returning
    TimeMs back_since = 0;  // when the return trip began
    TimeMs reported_at = 0; // last position report to the recommender
    std::uint32_t trip = 0; // bumped at every dispatch
    std::size_t call = 0;   // current call while to_call / on_scene
    TimeMs dispatched_at = 0;
    ops::Unit unit; // what the recommender is told
};

// Where a vehicle is after driving elapsed_ms along a route, as a position on the road graph
// (a step is one segment or part of one; time within a step is proportional to distance).
road::RoadPosition position_along(const road::Graph& g, const road::Route& r, TimeMs elapsed_ms,
                                  const road::RoadPosition& end) {
    TimeMs t = 0;
    for (const road::RouteStep& s : r.steps) {
        if (elapsed_ms < t + s.time_ms) {
            const double f = s.time_ms > 0 ? static_cast<double>(elapsed_ms - t) / s.time_ms : 0;
            return g.position_on(s.segment, s.from_m + f * (s.to_m - s.from_m));
        }
        t += s.time_ms;
    }
    return end;
}

Distribution distribution(std::vector<std::int32_t> ms) {
    Distribution d;
    d.n = ms.size();
    if (ms.empty()) return d;
    const double sum = std::accumulate(ms.begin(), ms.end(), 0.0);
    d.mean_s = sum / 1000.0 / static_cast<double>(ms.size());
    d.max_s = *std::max_element(ms.begin(), ms.end()) / 1000.0;
    auto q = [&](double p) -> std::optional<double> {
        auto v = analytics::quantile_ms(ms, p);
        if (!v) return std::nullopt;
        return *v / 1000.0;
    };
    d.p50_s = q(0.50);
    d.p90_s = q(0.90);
    d.p95_s = q(0.95);
    return d;
}

std::int32_t clamp_ms(TimeMs v) {
    return static_cast<std::int32_t>(
        std::clamp<TimeMs>(v, 0, std::numeric_limits<std::int32_t>::max()));
}

class Simulation {
public:
    Simulation(const road::Graph& g, const Fleet& fleet, std::span<const Call> calls,
               const ReplayOptions& o)
        : g_(g), fleet_(fleet), calls_(calls), o_(o), rec_(&g, o.within_ms), routes_(g) {
        rec_.coverage_refresh_ms = o.coverage_refresh_ms;
    }

    base::Result<ReplayResult> run();

private:
    void report(SimUnit& u, const road::RoadPosition& p, TimeMs now) {
        u.unit.status = u.phase == Phase::at_post || u.phase == Phase::returning
                            ? ops::UnitStatus::available
                            : (u.phase == Phase::to_call ? ops::UnitStatus::en_route
                                                         : ops::UnitStatus::on_scene);
        u.unit.position = ops::Position{p.point, std::nullopt, std::nullopt, now};
        u.unit.status_at = now;
        u.reported_at = now;
        rec_.upsert(u.unit, now);
    }
    road::RoadPosition where(const SimUnit& u, TimeMs now) const {
        if (u.phase != Phase::returning) return u.at;
        return position_along(g_, u.back, now - u.back_since, u.post);
    }
    // Returning units tell the recommender where they are, as AVL would.
    void refresh_positions(TimeMs now) {
        for (std::size_t i = 0; i < units_.size(); ++i) {
            SimUnit& u = units_[i];
            if (u.phase == Phase::returning && now - u.reported_at >= o_.avl_interval_ms) {
                report(u, where(u, now), now);
            }
        }
    }
    bool try_dispatch(std::size_t call, TimeMs now);

    const road::Graph& g_;
    const Fleet& fleet_;
    std::span<const Call> calls_;
    const ReplayOptions& o_;
    dispatch::Recommender rec_;
    road::RouteQuery routes_;
    EventQueue<Payload> events_;
    std::vector<SimUnit> units_;
    std::vector<road::RoadPosition> call_at_;
    ReplayResult r_;
    // Calls waiting for a free unit: most urgent first, then in order of readiness.
    std::set<std::tuple<int, TimeMs, std::size_t>> waiting_;
};

bool Simulation::try_dispatch(std::size_t ci, TimeMs now) {
    // With every unit busy the recommender would search the whole graph for nothing.
    if (std::none_of(units_.begin(), units_.end(), [](const SimUnit& u) {
            return u.phase == Phase::at_post || u.phase == Phase::returning;
        })) {
        return false;
    }
    refresh_positions(now);
    const Call& call = calls_[ci];
    dispatch::Need need;
    need.location = call.location;
    need.k = 1;
    const auto recs = rec_.recommend(need, o_.policy, now);
    if (recs.empty()) return false;
    const std::size_t ui = static_cast<std::size_t>(recs.front().unit_id - 1);
    SimUnit& u = units_[ui];
    CallOutcome& out = r_.outcomes[ci];
    const road::RoadPosition from = where(u, now);
    // One route gives both the travel time and the kilometres driven.
    auto route = routes_.route(from, call_at_[ci]);
    if (u.phase == Phase::returning) ++r_.dispatched_returning;
    out.from_post = u.phase == Phase::at_post;
    out.unit = static_cast<std::int64_t>(ui);
    out.dispatched_at = now;
    // The graph is strongly connected (road::GraphData invariant), so a route always exists.
    out.travel_ms = route ? route->eta_ms : 0;
    out.straight_m = geo::distance_m(from.point, call.location);
    out.on_scene_at = now + fleet_.turnout_ms + out.travel_ms;
    u.phase = Phase::to_call;
    u.call = ci;
    u.dispatched_at = now;
    ++u.trip;
    report(u, from, now);
    UnitStats& st = r_.units[ui];
    ++st.calls;
    if (route) st.driven_m += route->distance_m;
    events_.push(out.on_scene_at, Payload{EventKind::arrive, static_cast<std::uint32_t>(ui)});
    return true;
}

base::Result<ReplayResult> Simulation::run() {
    if (fleet_.units.empty()) {
        return base::error(base::Code::bad_argument, "fleet", "the fleet has no units");
    }
    std::vector<road::RoadPosition> posts;
    for (const Post& p : fleet_.posts) {
        auto s = g_.snap(p.location, o_.snap_radius_m);
        if (!s) {
            return base::error(base::Code::bad_argument, "fleet",
                               fmt::format("post {} ({:.6f}, {:.6f}) is not within {} m of a road "
                                           "of the graph",
                                           p.name, p.location.lat, p.location.lon,
                                           o_.snap_radius_m));
        }
        posts.push_back(*s);
    }
    r_.policy = o_.policy;
    r_.seed = o_.seed;
    r_.calls = calls_.size();
    r_.within_ms = o_.within_ms;
    r_.outcomes.resize(calls_.size());
    call_at_.resize(calls_.size());
    for (std::size_t i = 0; i < calls_.size(); ++i) {
        r_.outcomes[i].call = i;
        auto s = g_.snap(calls_[i].location, o_.snap_radius_m);
        if (!s) {
            ++r_.off_network;
            continue;
        }
        call_at_[i] = *s;
        r_.outcomes[i].replayed = true;
        r_.outcomes[i].ready_at = calls_[i].received_at + fleet_.call_processing_ms;
        ++r_.replayed;
    }
    // Order of readiness; equal times in the order given (the event queue is stable).
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < calls_.size(); ++i) {
        if (r_.outcomes[i].replayed) order.push_back(i);
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return calls_[a].received_at < calls_[b].received_at;
    });
    if (order.empty()) {
        return base::error(base::Code::bad_argument, "incidents",
                           fmt::format("none of the {} calls is within {} m of a road of the graph",
                                       calls_.size(), o_.snap_radius_m));
    }
    r_.first_call_at = calls_[order.front()].received_at;
    r_.last_call_at = calls_[order.back()].received_at;

    units_.resize(fleet_.units.size());
    r_.units.resize(fleet_.units.size());
    for (std::size_t i = 0; i < fleet_.units.size(); ++i) {
        const FleetUnit& f = fleet_.units[i];
        if (f.post >= posts.size()) {
            return base::error(base::Code::bad_argument, "fleet",
                               fmt::format("unit {} has post {} but the fleet has {} posts",
                                           f.callsign, f.post + 1, posts.size()));
        }
        SimUnit& u = units_[i];
        u.post = posts[f.post];
        u.at = u.post;
        u.unit.id = static_cast<ops::Id>(i + 1);
        u.unit.callsign = f.callsign;
        u.unit.agency = f.agency;
        u.unit.capabilities = f.capabilities;
        u.unit.home_station = fleet_.posts[f.post].name;
        report(u, u.at, r_.first_call_at);
        r_.units[i].callsign = f.callsign;
    }

    for (std::size_t ci : order) {
        events_.push(r_.outcomes[ci].ready_at,
                     Payload{EventKind::call_ready, static_cast<std::uint32_t>(ci)});
    }
    while (!events_.empty()) {
        const auto [now, ev] = events_.pop();
        switch (ev.kind) {
        case EventKind::call_ready: {
            if (!waiting_.empty() || !try_dispatch(ev.index, now)) {
                r_.outcomes[ev.index].waited = true;
                ++r_.waited;
                waiting_.emplace(calls_[ev.index].priority, now, ev.index);
                r_.max_queue = std::max(r_.max_queue, waiting_.size());
            }
            break;
        }
        case EventKind::arrive: {
            SimUnit& u = units_[ev.index];
            u.phase = Phase::on_scene;
            u.at = call_at_[u.call];
            report(u, u.at, now);
            CallOutcome& out = r_.outcomes[u.call];
            // Service time: seeded by (seed, call), the same draw under every policy.
            analytics::Rng rng(o_.seed ^ (0x9E3779B97F4A7C15ull * (u.call + 1)));
            const double mean =
                static_cast<double>(fleet_.service_mean_ms(calls_[u.call].category));
            const double spread = std::clamp(fleet_.service_spread, 0.0, 1.0);
            const double f = 1.0 - spread + 2.0 * spread * rng.uniform();
            out.cleared_at = now + static_cast<TimeMs>(std::llround(mean * f));
            events_.push(out.cleared_at, Payload{EventKind::clear, ev.index});
            break;
        }
        case EventKind::clear: {
            SimUnit& u = units_[ev.index];
            r_.units[ev.index].busy_ms += now - u.dispatched_at;
            r_.end_at = std::max(r_.end_at, now);
            u.phase = Phase::returning;
            auto back = routes_.route(u.at, u.post);
            if (back && back->eta_ms > 0) {
                u.back = std::move(*back);
                u.back_since = now;
                events_.push(now + u.back.eta_ms, Payload{EventKind::home, ev.index, u.trip});
            } else {
                u.phase = Phase::at_post;
                u.at = u.post;
            }
            report(u, u.at, now);
            // The freed unit (or another) serves the waiting calls, most urgent first.
            while (!waiting_.empty()) {
                const std::size_t ci = std::get<2>(*waiting_.begin());
                if (!try_dispatch(ci, now)) break;
                waiting_.erase(waiting_.begin());
            }
            break;
        }
        case EventKind::home: {
            SimUnit& u = units_[ev.index];
            if (u.phase != Phase::returning || u.trip != ev.trip) break; // sent elsewhere
            u.phase = Phase::at_post;
            u.at = u.post;
            report(u, u.at, now);
            break;
        }
        }
    }

    // Statistics.
    std::vector<std::int32_t> d2a, c2a, travel, wait;
    std::size_t d_within = 0, c_within = 0;
    for (const CallOutcome& out : r_.outcomes) {
        if (!out.replayed) continue;
        const TimeMs da = out.on_scene_at - out.dispatched_at;
        const TimeMs ca = out.on_scene_at - calls_[out.call].received_at;
        d2a.push_back(clamp_ms(da));
        c2a.push_back(clamp_ms(ca));
        travel.push_back(clamp_ms(out.travel_ms));
        if (out.waited) wait.push_back(clamp_ms(out.dispatched_at - out.ready_at));
        if (da <= o_.within_ms) ++d_within;
        if (ca <= o_.within_ms) ++c_within;
    }
    const double n = static_cast<double>(d2a.size());
    r_.share_dispatch_within = static_cast<double>(d_within) / n;
    r_.share_call_within = static_cast<double>(c_within) / n;
    r_.dispatch_to_arrival = distribution(std::move(d2a));
    r_.call_to_arrival = distribution(std::move(c2a));
    r_.travel = distribution(std::move(travel));
    r_.wait = distribution(std::move(wait));
    const TimeMs span = std::max<TimeMs>(1, r_.end_at - r_.first_call_at);
    TimeMs busy = 0;
    for (UnitStats& s : r_.units) {
        s.utilisation = static_cast<double>(s.busy_ms) / static_cast<double>(span);
        r_.utilisation_max = std::max(r_.utilisation_max, s.utilisation);
        busy += s.busy_ms;
    }
    r_.utilisation = static_cast<double>(busy) / (static_cast<double>(span) * r_.units.size());
    return std::move(r_);
}

} // namespace

base::Result<ReplayResult> replay(const road::Graph& graph, const Fleet& fleet,
                                  std::span<const Call> calls, const ReplayOptions& options) {
    Simulation s(graph, fleet, calls, options);
    return s.run();
}

} // namespace pingan::sim
