#include "reference_coverage.hpp"

#include <algorithm>

#include "road/route.hpp"

namespace pingan::road::testing {

double reference_covered_m(const Graph& g, std::span<const std::pair<UnitKey, RoadPosition>> units,
                           TimeMs within, std::vector<TimeMs>& node_time) {
    std::vector<Seed> seeds;
    for (const auto& [key, p] : units) {
        Seed s[2];
        seeds.insert(seeds.end(), s, s + g.source_seeds(p, s));
    }
    DijkstraQuery dq(g);
    dq.run(seeds, within);
    node_time.assign(g.node_count(), kNoTime);
    for (NodeId x : dq.settled())
        node_time[x] = dq.time_ms(x);
    double total = 0;
    for (SegmentId s = 0; s < g.segment_count(); ++s) {
        const double len = g.length_m(s), T = within;
        const TimeMs ft = g.forward_time_ms(s), bt = g.backward_time_ms(s);
        std::vector<std::pair<double, double>> iv;
        if (node_time[g.tail(s)] != kNoTime && ft != kNoTime)
            iv.emplace_back(0, len * std::min(1.0, (T - node_time[g.tail(s)]) / ft));
        if (node_time[g.head(s)] != kNoTime && bt != kNoTime)
            iv.emplace_back(len - len * std::min(1.0, (T - node_time[g.head(s)]) / bt), len);
        for (const auto& [key, p] : units) {
            if (p.segment != s) continue;
            if (ft != kNoTime)
                iv.emplace_back(p.offset_m,
                                std::min(len, p.offset_m + len * std::min(1.0, T / ft)));
            if (bt != kNoTime)
                iv.emplace_back(std::max(0.0, p.offset_m - len * std::min(1.0, T / bt)),
                                p.offset_m);
        }
        std::sort(iv.begin(), iv.end());
        double covered = 0, end = 0;
        for (const auto& [a, b] : iv) {
            covered += std::max(0.0, b - std::max(a, end));
            end = std::max(end, b);
        }
        total += std::min(len, covered);
    }
    return total;
}

} // namespace pingan::road::testing
