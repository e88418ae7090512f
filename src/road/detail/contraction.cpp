#include "road/detail/contraction.hpp"

#include <algorithm>

#include "road/detail/heap.hpp"

namespace pingan::road::detail {

namespace {

struct DynArc {
    NodeId other;
    TimeMs weight;
    std::uint32_t unpack; // original arc id, or kShortcutBit | middle node (a node id here)
    std::uint32_t hops;   // original arcs the arc stands for
};

// Witness searches stop after this many settled nodes: a missed witness only costs an extra
// shortcut, never a wrong answer. Small for priority estimates, larger when contracting.
constexpr std::uint32_t kSimulateSettleLimit = 60;
constexpr std::uint32_t kContractSettleLimit = 400;

class Contractor {
public:
    explicit Contractor(const GraphData& d) : n_(static_cast<std::uint32_t>(d.node_coord.size())) {
        out_.resize(n_);
        in_.resize(n_);
        for (NodeId u = 0; u < n_; ++u) {
            for (ArcId a = d.first_out[u]; a < d.first_out[u + 1]; ++a) {
                const NodeId v = d.arc_head[a];
                if (v != u) add_arc(u, v, d.arc_time_ms[a], a, 1);
            }
        }
        dist_.resize(n_, kNoTime);
        heap_.resize(n_);
        depth_.assign(n_, 0);
        contracted_.assign(n_, 0);
    }

    void run(GraphData& d) {
        IndexedHeap<float> queue(n_);
        for (NodeId v = 0; v < n_; ++v)
            queue.set(v, priority(v));
        std::vector<std::uint32_t> rank(n_);
        std::vector<std::vector<DynArc>> up(n_), down(n_);
        std::uint32_t next_rank = 0;
        std::vector<NodeId> neighbours;
        while (!queue.empty()) {
            // Lazy update: re-evaluate the best candidate; if it got worse than the next one,
            // put it back and try again.
            const NodeId v = queue.pop();
            const float p = priority(v);
            if (!queue.empty() && p > queue.min_key()) {
                queue.set(v, p);
                continue;
            }
            contract(v);
            rank[v] = next_rank++;
            contracted_[v] = 1;
            up[v] = out_[v];
            down[v] = in_[v];
            neighbours.clear();
            for (const DynArc& a : out_[v])
                neighbours.push_back(a.other);
            for (const DynArc& a : in_[v])
                neighbours.push_back(a.other);
            for (const DynArc& a : out_[v])
                erase_arc(in_[a.other], v);
            for (const DynArc& a : in_[v])
                erase_arc(out_[a.other], v);
            out_[v].clear();
            out_[v].shrink_to_fit();
            in_[v].clear();
            in_[v].shrink_to_fit();
            std::sort(neighbours.begin(), neighbours.end());
            neighbours.erase(std::unique(neighbours.begin(), neighbours.end()), neighbours.end());
            for (NodeId w : neighbours) {
                depth_[w] = std::max(depth_[w], depth_[v] + 1);
                queue.set(w, priority(w));
            }
        }

        // Renumber for the queries (PHAST, Delling et al. 2011, section 4.2): by level (longest
        // chain of lower neighbours), then by node id (a Hilbert curve) within a level. Every
        // hierarchy arc still goes from a lower to a strictly higher level, so the new order is
        // as good a "rank" as the contraction order, but the top of the hierarchy, where every
        // search ends, is one small contiguous block, a downward sweep reads its labels nearly
        // in order, and nodes near each other on the map are near each other in memory.
        {
            std::vector<NodeId> by_contraction(n_);
            for (NodeId v = 0; v < n_; ++v)
                by_contraction[rank[v]] = v;
            std::vector<std::uint32_t> level(n_, 0);
            for (const NodeId v : by_contraction) {
                for (const DynArc& a : up[v])
                    level[a.other] = std::max(level[a.other], level[v] + 1);
                for (const DynArc& a : down[v])
                    level[a.other] = std::max(level[a.other], level[v] + 1);
            }
            std::vector<NodeId> order(n_);
            for (NodeId v = 0; v < n_; ++v)
                order[v] = v;
            std::stable_sort(order.begin(), order.end(),
                             [&](NodeId x, NodeId y) { return level[x] < level[y]; });
            for (std::uint32_t r = 0; r < n_; ++r)
                rank[order[r]] = r;
        }
        d.rank = rank;
        d.node_at_rank.assign(n_, 0);
        for (NodeId v = 0; v < n_; ++v)
            d.node_at_rank[rank[v]] = v;
        auto emit = [&](std::vector<std::vector<DynArc>>& lists, std::vector<std::uint32_t>& first,
                        std::vector<ChArc>& arcs, std::vector<std::uint32_t>& unpack) {
            first.assign(n_ + 1, 0);
            arcs.clear();
            unpack.clear();
            for (std::uint32_t r = 0; r < n_; ++r) {
                first[r] = static_cast<std::uint32_t>(arcs.size());
                auto& list = lists[d.node_at_rank[r]];
                // Sorted by the other end's rank: searches touch label memory in order.
                for (DynArc& a : list)
                    a.other = rank[a.other];
                std::sort(list.begin(), list.end(),
                          [](const DynArc& x, const DynArc& y) { return x.other < y.other; });
                for (const DynArc& a : list) {
                    arcs.push_back({a.other, a.weight});
                    unpack.push_back((a.unpack & kShortcutBit)
                                         ? (kShortcutBit | rank[a.unpack & ~kShortcutBit])
                                         : a.unpack);
                }
                list.clear();
                list.shrink_to_fit();
            }
            first[n_] = static_cast<std::uint32_t>(arcs.size());
        };
        emit(up, d.up_first, d.up_arcs, d.up_unpack);
        emit(down, d.down_first, d.down_arcs, d.down_unpack);
    }

private:
    // Adds u->v or lowers its weight; arcs are unique per ordered pair.
    void add_arc(NodeId u, NodeId v, TimeMs w, std::uint32_t unpack, std::uint32_t hops) {
        for (DynArc& a : out_[u]) {
            if (a.other == v) {
                if (w < a.weight) {
                    a = {v, w, unpack, hops};
                    for (DynArc& b : in_[v]) {
                        if (b.other == u) b = {u, w, unpack, hops};
                    }
                }
                return;
            }
        }
        out_[u].push_back({v, w, unpack, hops});
        in_[v].push_back({u, w, unpack, hops});
    }

    static void erase_arc(std::vector<DynArc>& list, NodeId other) {
        list.erase(std::remove_if(list.begin(), list.end(),
                                  [&](const DynArc& a) { return a.other == other; }),
                   list.end());
    }

    // Bounded Dijkstra from source over uncontracted nodes, never through `skip`.
    void witness_search(NodeId source, NodeId skip, TimeMs max_dist, std::uint32_t settle_limit) {
        dist_.reset();
        heap_.clear();
        dist_.set(source, 0);
        heap_.set(source, 0);
        std::uint32_t settled = 0;
        while (!heap_.empty()) {
            const TimeMs du = heap_.min_key();
            if (du > max_dist || settled >= settle_limit) break;
            const NodeId u = heap_.pop();
            ++settled;
            for (const DynArc& a : out_[u]) {
                if (a.other == skip) continue;
                const TimeMs dv = du + a.weight;
                if (dv < dist_.get(a.other)) {
                    dist_.set(a.other, dv);
                    heap_.set(a.other, dv);
                }
            }
        }
        heap_.clear();
    }

    // Shortcuts needed to contract v; when `apply`, they are added to the graph.
    void shortcuts(NodeId v, bool apply, std::uint32_t& added, std::uint32_t& added_hops) {
        added = 0;
        added_hops = 0;
        if (in_[v].empty() || out_[v].empty()) return;
        TimeMs max_out = 0;
        for (const DynArc& b : out_[v])
            max_out = std::max(max_out, b.weight);
        const std::uint32_t limit = apply ? kContractSettleLimit : kSimulateSettleLimit;
        pending_.clear();
        for (const DynArc& a : in_[v]) {
            witness_search(a.other, v, a.weight + max_out, limit);
            for (const DynArc& b : out_[v]) {
                if (b.other == a.other) continue;
                const TimeMs via = a.weight + b.weight;
                if (dist_.get(b.other) <= via) continue; // witness found
                ++added;
                added_hops += a.hops + b.hops;
                if (apply) pending_.push_back({a.other, b.other, via, a.hops + b.hops});
            }
        }
        // Added after all witness searches, so that searches see the graph before v goes.
        for (const Pending& p : pending_)
            add_arc(p.from, p.to, p.weight, kShortcutBit | v, p.hops);
    }

    float priority(NodeId v) {
        std::uint32_t added = 0, added_hops = 0;
        shortcuts(v, false, added, added_hops);
        const std::uint32_t removed = static_cast<std::uint32_t>(in_[v].size() + out_[v].size());
        std::uint32_t removed_hops = 0;
        for (const DynArc& a : in_[v])
            removed_hops += a.hops;
        for (const DynArc& a : out_[v])
            removed_hops += a.hops;
        // Edge quotient, hop quotient and depth: the combination used by OSRM and RoutingKit
        // that keeps search spaces small on road networks.
        return 2.0f * static_cast<float>(added) / static_cast<float>(std::max(1u, removed)) +
               static_cast<float>(added_hops) / static_cast<float>(std::max(1u, removed_hops)) +
               static_cast<float>(depth_[v]);
    }

    void contract(NodeId v) {
        std::uint32_t added = 0, added_hops = 0;
        shortcuts(v, true, added, added_hops);
    }

    struct Pending {
        NodeId from, to;
        TimeMs weight;
        std::uint32_t hops;
    };

    std::uint32_t n_;
    std::vector<std::vector<DynArc>> out_, in_;
    StampedArray<TimeMs> dist_;
    IndexedHeap<TimeMs> heap_;
    std::vector<std::uint32_t> depth_;
    std::vector<std::uint8_t> contracted_;
    std::vector<Pending> pending_;
};

} // namespace

void build_contraction_hierarchy(GraphData& d) {
    Contractor contractor(d);
    contractor.run(d);
}

} // namespace pingan::road::detail
