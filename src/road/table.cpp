#include "road/table.hpp"

#include <algorithm>
#include <cstdint>

namespace pingan::road {

TableQuery::TableQuery(const Graph& graph) : graph_(&graph) {
    const std::size_t n = graph.node_count();
    dist_.resize(n, kNoTime);
    heap_.resize(n);
    bucket_first_.resize(n, kInvalid);
}

template <bool kForward, class Settle>
void TableQuery::upward(const Seed* seeds, int count, Settle&& settle) {
    dist_.reset();
    heap_.clear();
    const std::uint32_t* rank = graph_->data().rank.data();
    for (int i = 0; i < count; ++i) {
        const std::uint32_t r = rank[seeds[i].node];
        if (seeds[i].time_ms < dist_.get(r)) {
            dist_.set(r, seeds[i].time_ms);
            heap_.set(r, seeds[i].time_ms);
        }
    }
    const ChArc* arcs = graph_->ch_arcs();
    const Graph::ChNode* nodes = graph_->ch_nodes();
    while (!heap_.empty()) {
        const TimeMs d = heap_.min_key();
        const std::uint32_t r = heap_.pop();
        const std::uint32_t lo = nodes[r].first, m = nodes[r].mid, hi = nodes[r + 1].first;
        // The arcs this direction relaxes, and the opposite ones that may stall the node
        // (stall-on-demand, as in RouteQuery: a stalled node is on no shortest up-down path).
        const std::uint32_t go_lo = kForward ? m : lo, go_hi = kForward ? hi : m;
        const std::uint32_t stall_lo = kForward ? lo : m, stall_hi = kForward ? m : hi;
        bool stalled = false;
        for (std::uint32_t i = stall_lo; i < stall_hi && !stalled; ++i)
            stalled = std::uint64_t{dist_.get(arcs[i].other)} + arcs[i].weight < d;
        if (stalled) continue;
        settle(r, d);
        for (std::uint32_t i = go_lo; i < go_hi; ++i) {
            const std::uint32_t y = arcs[i].other;
            const TimeMs nd = d + arcs[i].weight;
            if (nd < dist_.get(y)) {
                dist_.set(y, nd);
                heap_.set(y, nd);
            }
        }
    }
}

TimeTable TableQuery::table(std::span<const RoadPosition> sources,
                            std::span<const RoadPosition> targets) {
    TimeTable out;
    out.sources = sources.size();
    out.targets = targets.size();
    out.times.assign(sources.size() * targets.size(), kNoTime);
    if (out.times.empty()) return out;

    buckets_.clear();
    for (std::size_t j = 0; j < targets.size(); ++j) {
        if (!targets[j].valid()) continue;
        Seed seeds[2];
        const int n = graph_->target_seeds(targets[j], seeds);
        upward<false>(seeds, n, [&](std::uint32_t r, TimeMs d) {
            buckets_.push_back({r, static_cast<std::uint32_t>(j), d});
        });
    }
    std::sort(buckets_.begin(), buckets_.end(),
              [](const BucketEntry& a, const BucketEntry& b) { return a.rank < b.rank; });
    bucket_first_.reset();
    for (std::uint32_t k = buckets_.size(); k-- > 0;)
        bucket_first_.set(buckets_[k].rank, k);

    for (std::size_t i = 0; i < sources.size(); ++i) {
        if (!sources[i].valid()) continue;
        TimeMs* row = out.times.data() + i * targets.size();
        for (std::size_t j = 0; j < targets.size(); ++j) {
            if (targets[j].valid()) row[j] = graph_->same_segment_time_ms(sources[i], targets[j]);
        }
        Seed seeds[2];
        const int n = graph_->source_seeds(sources[i], seeds);
        upward<true>(seeds, n, [&](std::uint32_t r, TimeMs d) {
            for (std::uint32_t k = bucket_first_.get(r);
                 k < buckets_.size() && buckets_[k].rank == r; ++k) {
                const std::uint64_t sum = std::uint64_t{d} + buckets_[k].time_ms;
                TimeMs& best = row[buckets_[k].target];
                if (sum < best) best = static_cast<TimeMs>(sum);
            }
        });
    }
    return out;
}

} // namespace pingan::road
