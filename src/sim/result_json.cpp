// ReplayResult as JSON: the numbers `pingan replay --out` writes, one object per policy.
#include "base/json_writer.hpp"
#include "sim/replay.hpp"

namespace pingan::sim {
namespace {

void write(base::JsonWriter& w, std::string_view name, const Distribution& d) {
    w.key(name).begin_object();
    w.field("n", static_cast<std::int64_t>(d.n));
    w.field("p50", d.p50_s).field("p90", d.p90_s).field("p95", d.p95_s);
    w.field("mean", d.mean_s).field("max", d.max_s);
    w.end_object();
}

} // namespace

std::string to_json(const ReplayResult& r, bool with_outcomes) {
    std::string out;
    base::JsonWriter w(out);
    w.begin_object();
    w.field("policy", dispatch::to_string(r.policy));
    w.field("seed", static_cast<std::int64_t>(r.seed));
    w.key("calls").begin_object();
    w.field("given", static_cast<std::int64_t>(r.calls));
    w.field("replayed", static_cast<std::int64_t>(r.replayed));
    w.field("off_network", static_cast<std::int64_t>(r.off_network));
    w.time_field("first_received_at", r.first_call_at);
    w.time_field("last_received_at", r.last_call_at);
    w.time_field("last_cleared_at", r.end_at);
    w.end_object();
    w.key("response_s").begin_object();
    write(w, "dispatch_to_arrival", r.dispatch_to_arrival);
    write(w, "call_to_arrival", r.call_to_arrival);
    write(w, "travel", r.travel);
    write(w, "wait_for_unit", r.wait);
    w.end_object();
    w.key("within").begin_object();
    w.field("seconds", static_cast<double>(r.within_ms) / 1000.0);
    w.field("dispatch_to_arrival_share", r.share_dispatch_within);
    w.field("call_to_arrival_share", r.share_call_within);
    w.end_object();
    w.key("units").begin_object();
    w.field("count", static_cast<std::int64_t>(r.units.size()));
    w.field("utilisation", r.utilisation);
    w.field("utilisation_max", r.utilisation_max);
    w.field("dispatched_while_returning", static_cast<std::int64_t>(r.dispatched_returning));
    w.key("by_unit").begin_array();
    for (const UnitStats& u : r.units) {
        w.begin_object().field("callsign", u.callsign);
        w.field("calls", static_cast<std::int64_t>(u.calls));
        w.field("busy_s", static_cast<double>(u.busy_ms) / 1000.0);
        w.field("driven_km", u.driven_m / 1000.0);
        w.field("utilisation", u.utilisation).end_object();
    }
    w.end_array().end_object();
    w.key("waiting").begin_object();
    w.field("calls", static_cast<std::int64_t>(r.waited));
    w.field("share", r.replayed > 0 ? static_cast<double>(r.waited) / r.replayed : 0.0);
    w.field("max_queue", static_cast<std::int64_t>(r.max_queue));
    w.end_object();
    if (with_outcomes) {
        w.key("outcomes").begin_array();
        for (const CallOutcome& o : r.outcomes) {
            w.begin_object().field("call", static_cast<std::int64_t>(o.call));
            w.field("replayed", o.replayed);
            if (o.replayed) {
                w.field("unit", o.unit >= 0 ? r.units[static_cast<std::size_t>(o.unit)].callsign
                                            : std::string());
                w.time_field("dispatched_at", o.dispatched_at);
                w.time_field("on_scene_at", o.on_scene_at);
                w.time_field("cleared_at", o.cleared_at);
                w.field("travel_s", static_cast<double>(o.travel_ms) / 1000.0);
                w.field("waited", o.waited);
            }
            w.end_object();
        }
        w.end_array();
    }
    w.end_object();
    return out;
}

} // namespace pingan::sim
