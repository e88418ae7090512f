#include "analytics/compstat.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <thread>

#include <fmt/core.h>

#include "analytics/taxonomy.hpp"

namespace pingan::analytics {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

std::optional<double> pct_change(std::int64_t current, std::int64_t previous) {
    if (previous == 0) return std::nullopt;
    return 100.0 * static_cast<double>(current - previous) / static_cast<double>(previous);
}

std::optional<double> share(std::int64_t part, std::int64_t whole) {
    if (whole == 0) return std::nullopt;
    return static_cast<double>(part) / static_cast<double>(whole);
}

// Exact percentiles without keeping the samples: the first pass over the facts fills a
// histogram of 4.096 s buckets per segment (64 KiB each, cache-resident); the buckets holding
// the wanted ranks are then known, and a second pass gathers only the values in those buckets
// for sorting. Keeping all samples and selecting in them cost three times as much at a
// million facts (the writes, and the page faults of fresh arrays).
constexpr int kBucketShift = 12;                       // 4.096 s
constexpr std::size_t kBuckets = std::size_t{1} << 14; // up to 18.6 hours; beyond: one bucket
// Three more slots take the facts a segment does not measure (missing, coarse, inconsistent:
// the kSegment* codes), so the hot loop needs no branch and those counts come for free.
constexpr std::size_t kSlots = kBuckets + 4;
inline std::size_t bucket_of(std::int32_t v) {
    return std::min<std::size_t>(static_cast<std::uint32_t>(v) >> kBucketShift, kBuckets);
}
// Slot of a segment value: its bucket, or kBuckets + 1, 2, 3 for the codes −1, −2, −3.
inline std::size_t slot_of(std::int32_t v) {
    return v >= 0 ? bucket_of(v) : kBuckets + static_cast<std::size_t>(-v);
}

// Counts per bucket. The number of values and their sum are kept by the caller in locals:
// members updated through a pointer on every fact form store-to-load chains that cost more
// than the counting itself.
struct Histogram {
    std::vector<std::uint32_t> counts = std::vector<std::uint32_t>(kSlots, 0);
    void add(std::int32_t v) { ++counts[bucket_of(v)]; }
    std::uint64_t n() const {
        std::uint64_t total = 0;
        for (std::size_t b = 0; b <= kBuckets; ++b)
            total += counts[b];
        return total;
    }
};

// For quantiles qs of one histogram: the ranks around q·(n − 1), their buckets, and (after the
// gathering pass) the values of those buckets, sorted.
class QuantilePlan {
public:
    QuantilePlan(const Histogram& h, const std::vector<double>& qs) : qs_(qs), n_(h.n()) {
        slot_.assign(kSlots, -1);
        if (n_ == 0) return;
        for (double q : qs) {
            const double pos = q * static_cast<double>(n_ - 1);
            const auto lo = static_cast<std::size_t>(std::floor(pos));
            ranks_.push_back(lo);
            ranks_.push_back(std::min<std::size_t>(lo + 1, n_ - 1));
        }
        // Bucket of each rank, and how many values lie in earlier buckets.
        std::vector<std::size_t> order(ranks_.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        std::sort(order.begin(), order.end(),
                  [&](std::size_t a, std::size_t b) { return ranks_[a] < ranks_[b]; });
        bucket_.resize(ranks_.size());
        before_.resize(ranks_.size());
        std::size_t b = 0, below = 0;
        for (std::size_t i : order) {
            while (below + h.counts[b] <= ranks_[i]) {
                below += h.counts[b];
                ++b;
            }
            bucket_[i] = b;
            before_[i] = below;
        }
        for (std::size_t bk : bucket_) {
            if (std::find(wanted_.begin(), wanted_.end(), bk) == wanted_.end())
                wanted_.push_back(bk);
        }
        values_.resize(wanted_.size());
        for (std::size_t w = 0; w < wanted_.size(); ++w)
            slot_[wanted_[w]] = static_cast<std::int8_t>(w);
    }
    // The gathering pass over one column: keeps the values whose bucket holds a wanted rank.
    void offer_all(const std::int32_t* values, std::size_t n) {
        const std::int8_t* slot = slot_.data();
        for (std::size_t i = 0; i < n; ++i) {
            const std::int32_t v = values[i];
            const std::int8_t w = slot[slot_of(v)];
            if (w >= 0) keep(w, v);
        }
    }
    // For callers that look the slot up themselves: bucket slot -> wanted index, or -1
    // (all -1 when the histogram is empty).
    const std::int8_t* slots() const { return slot_.data(); }
    void keep(std::int8_t wanted, std::int32_t v) {
        values_[static_cast<std::size_t>(wanted)].push_back(v);
    }
    std::vector<std::optional<double>> result() {
        std::vector<std::optional<double>> out(qs_.size());
        if (n_ == 0) return out;
        // Within a bucket only the rank's value is needed: selection, not sorting.
        auto value_at = [&](std::size_t r) {
            auto& v = values_[static_cast<std::size_t>(slot_[bucket_[r]])];
            const auto nth = v.begin() + static_cast<std::ptrdiff_t>(ranks_[r] - before_[r]);
            std::nth_element(v.begin(), nth, v.end());
            return static_cast<double>(*nth);
        };
        for (std::size_t i = 0; i < qs_.size(); ++i) {
            const double pos = qs_[i] * static_cast<double>(n_ - 1);
            const double lo = value_at(2 * i), hi = value_at(2 * i + 1);
            out[i] = lo + (pos - std::floor(pos)) * (hi - lo);
        }
        return out;
    }

private:
    std::vector<double> qs_;
    std::uint64_t n_;
    std::vector<std::size_t> ranks_, bucket_, before_, wanted_;
    std::vector<std::int8_t> slot_; // bucket -> index into wanted_, or -1
    std::vector<std::vector<std::int32_t>> values_;
};

// Quantiles of a vector of non-negative values (linear interpolation).
std::vector<std::optional<double>> quantiles(const std::vector<std::int32_t>& values,
                                             const std::vector<double>& qs) {
    Histogram h;
    for (std::int32_t v : values)
        h.add(v);
    QuantilePlan plan(h, qs);
    plan.offer_all(values.data(), values.size());
    return plan.result();
}

struct SegmentPass {
    std::array<Histogram, 4> hist;
    std::array<SegmentStats, 4> stats;
    std::array<std::int64_t, 4> sum{}; // of the measured milliseconds
};

struct PeriodTally {
    std::vector<std::int64_t> count;            // category × jurisdiction
    std::vector<std::int64_t> with_disposition; // category × jurisdiction
    std::vector<std::int64_t> cleared;
    std::vector<std::int64_t> valid_by_jurisdiction;
    std::vector<std::optional<double>> p90_total_by_jurisdiction;
    CallShares shares;
    std::array<SegmentStats, 4> segments;
};

PeriodTally tally(const IncidentFacts& f, const Period& p, const std::vector<std::uint8_t>& cleared,
                  std::optional<std::uint16_t> diverted_category, bool coarse_allowed) {
    const std::size_t nc = f.category_names.size();
    const std::size_t nj = f.jurisdiction_names.size();
    PeriodTally t;
    t.count.assign(nc * nj, 0);
    t.with_disposition.assign(nc * nj, 0);
    t.cleared.assign(nc * nj, 0);
    t.valid_by_jurisdiction.assign(nj, 0);
    const auto [begin, end] = f.range_of(p);
    const int diverted_c = diverted_category ? *diverted_category : -1;
    SegmentPass seg;
    std::vector<Histogram> total_by_j(nj);
    std::vector<std::uint32_t*> jhist(nj);
    for (std::size_t j = 0; j < nj; ++j)
        jhist[j] = total_by_j[j].counts.data();
    std::array<std::uint32_t*, 4> hist;
    for (std::size_t k = 0; k < 4; ++k)
        hist[k] = seg.hist[k].counts.data();
    std::array<std::int64_t, 4> sum{};
    std::int64_t diverted_n = 0, void_n = 0;
    // The segment durations of the range: the cache's, or (when day-resolved times may be
    // measured too) recomputed without the coarse rule.
    std::array<std::vector<std::int32_t>, 4> recomputed;
    std::array<const std::int32_t*, 4> seg_ms{};
    for (std::size_t k = 0; k < 4; ++k)
        seg_ms[k] = f.segment_ms[k].data() + begin;
    if (coarse_allowed) {
        for (auto& r : recomputed)
            r.resize(end - begin);
        for (std::size_t i = begin; i < end; ++i) {
            const std::int32_t disp = f.dispatched_ms[i], enr = f.en_route_ms[i];
            const std::int32_t ons = f.on_scene_ms[i];
            recomputed[0][i - begin] = segment_duration(0, disp, false);
            recomputed[1][i - begin] = segment_duration(disp, enr, false);
            recomputed[2][i - begin] = segment_duration(enr, ons, false);
            recomputed[3][i - begin] = segment_duration(0, ons, false);
        }
        for (std::size_t k = 0; k < 4; ++k)
            seg_ms[k] = recomputed[k].data();
    }
    // Pass 1: counts and shares, then one histogram per segment. Separate loops, each with
    // few live values: the fused loop spilled its pointers to the stack on every fact.
    for (std::size_t i = begin; i < end; ++i) {
        const std::size_t c = f.category[i];
        const std::size_t j = f.jurisdiction[i];
        const std::size_t cell = c * nj + j;
        ++t.count[cell];
        const std::uint32_t d = f.disposition[i];
        if (d != 0) {
            ++t.with_disposition[cell];
            t.cleared[cell] += cleared[d];
        }
        const std::uint8_t flags = f.flags[i];
        const bool diverted = (flags & kFactDiverted) != 0 || static_cast<int>(c) == diverted_c;
        const bool void_call = !diverted && (flags & kFactVoid) != 0;
        diverted_n += diverted;
        void_n += void_call;
        t.valid_by_jurisdiction[j] += !diverted && !void_call;
    }
    // RT-CALL-PROCESSING, RT-TURNOUT, RT-TRAVEL, RT-TOTAL (precomputed in the cache).
    const std::size_t n = end - begin;
    for (std::size_t k = 0; k < 3; ++k) {
        std::uint32_t* h = hist[k];
        const std::int32_t* ms = seg_ms[k];
        std::int64_t s = 0;
        for (std::size_t at = 0; at < n; ++at) {
            ++h[slot_of(ms[at])];
            s += std::max(ms[at], 0);
        }
        sum[k] = s;
    }
    {
        std::uint32_t* h = hist[3];
        const std::int32_t* ms = seg_ms[3];
        const std::uint16_t* jur = f.jurisdiction.data() + begin;
        std::int64_t s = 0;
        for (std::size_t at = 0; at < n; ++at) {
            const std::size_t slot = slot_of(ms[at]);
            ++h[slot];
            ++jhist[jur[at]][slot];
            s += std::max(ms[at], 0);
        }
        sum[3] = s;
    }
    for (std::size_t k = 0; k < 4; ++k) {
        seg.stats[k].missing = hist[k][kBuckets + 1];
        seg.stats[k].coarse = hist[k][kBuckets + 2];
        seg.stats[k].inconsistent = hist[k][kBuckets + 3];
        seg.sum[k] = sum[k];
    }
    t.shares.diverted = diverted_n;
    t.shares.void_calls = void_n;
    t.shares.total = static_cast<std::int64_t>(end - begin);
    t.shares.valid = t.shares.total - t.shares.diverted - t.shares.void_calls;
    t.shares.valid_share = share(t.shares.valid, t.shares.total);
    t.shares.diverted_share = share(t.shares.diverted, t.shares.total);

    // Pass 2: gather the values of the buckets that hold the wanted ranks.
    std::vector<QuantilePlan> plans;
    for (int k = 0; k < 4; ++k)
        plans.emplace_back(seg.hist[k], std::vector<double>{0.5, 0.9});
    std::vector<QuantilePlan> by_j;
    for (std::size_t j = 0; j < nj; ++j)
        by_j.emplace_back(total_by_j[j], std::vector<double>{0.9});
    for (std::size_t k = 0; k < 3; ++k)
        plans[k].offer_all(seg_ms[k], n);
    {
        const std::int32_t* ms = seg_ms[3];
        const std::uint16_t* jur = f.jurisdiction.data() + begin;
        const std::int8_t* total_slots = plans[3].slots();
        std::vector<const std::int8_t*> j_slots(nj);
        for (std::size_t j = 0; j < nj; ++j)
            j_slots[j] = by_j[j].slots();
        for (std::size_t at = 0; at < n; ++at) {
            const std::int32_t v = ms[at];
            const std::size_t slot = slot_of(v);
            const std::size_t j = jur[at];
            if (const std::int8_t w = total_slots[slot]; w >= 0) plans[3].keep(w, v);
            if (const std::int8_t w = j_slots[j][slot]; w >= 0) by_j[j].keep(w, v);
        }
    }
    for (std::size_t k = 0; k < 4; ++k) {
        SegmentStats& st = seg.stats[k];
        st.segment = kSegments[k];
        st.measured = static_cast<std::int64_t>(seg.hist[k].n());
        if (st.measured > 0) {
            st.mean_s = static_cast<double>(seg.sum[k]) / static_cast<double>(st.measured) / 1000.0;
            const auto q = plans[k].result();
            st.p50_s = *q[0] / 1000.0;
            st.p90_s = *q[1] / 1000.0;
        }
    }
    t.segments = seg.stats;
    t.p90_total_by_jurisdiction.resize(nj);
    for (std::size_t j = 0; j < nj; ++j) {
        if (auto q = by_j[j].result()[0]) t.p90_total_by_jurisdiction[j] = *q / 1000.0;
    }
    return t;
}

CompStatRow make_row(std::string category, std::string group, std::string jurisdiction,
                     std::int64_t cur, std::int64_t prev, std::int64_t with_disp,
                     std::int64_t cleared) {
    CompStatRow r;
    r.category = std::move(category);
    r.group = std::move(group);
    r.jurisdiction = std::move(jurisdiction);
    r.current = cur;
    r.previous = prev;
    r.change = cur - prev;
    r.change_pct = pct_change(cur, prev);
    r.with_disposition = with_disp;
    r.cleared = cleared;
    r.clearance_share = share(cleared, with_disp);
    return r;
}

} // namespace

std::string_view segment_id(Segment s) {
    switch (s) {
    case Segment::call_processing:
        return "RT-CALL-PROCESSING";
    case Segment::turnout:
        return "RT-TURNOUT";
    case Segment::travel:
        return "RT-TRAVEL";
    case Segment::total:
        return "RT-TOTAL";
    }
    return "";
}

std::string_view segment_name(Segment s) {
    switch (s) {
    case Segment::call_processing:
        return "call_processing";
    case Segment::turnout:
        return "turnout";
    case Segment::travel:
        return "travel";
    case Segment::total:
        return "total";
    }
    return "";
}

std::optional<double> quantile_ms(std::vector<std::int32_t>& values, double q) {
    return quantiles(values, {q})[0];
}

base::Result<CompStatReport> compstat(const IncidentFacts& f, const CompStatRequest& request) {
    const Period cur = request.current;
    if (cur.to <= cur.from) {
        return base::error(base::Code::bad_argument, "to",
                           fmt::format("the report period must end after it starts ({} .. {})",
                                       base::format_iso8601(cur.from),
                                       base::format_iso8601(cur.to)));
    }
    const auto [b, e] = f.range_of(cur);
    if (b == e) {
        const DataRange r = f.data_range();
        return base::error(
            base::Code::bad_argument, "from",
            r.count == 0
                ? fmt::format("no incident records in the report period {} .. {}: the database "
                              "holds none; import some with `pingan import incidents`",
                              base::format_iso8601(cur.from), base::format_iso8601(cur.to))
                : fmt::format("no incident records in the report period {} .. {}; the data "
                              "covers {} .. {} ({} records)",
                              base::format_iso8601(cur.from), base::format_iso8601(cur.to),
                              base::format_iso8601(*r.first_received_at),
                              base::format_iso8601(*r.last_received_at), r.count));
    }

    std::vector<std::uint8_t> cleared(f.disposition_names.size(), 0);
    for (std::size_t d = 1; d < f.disposition_names.size(); ++d) {
        for (const std::string& c : request.cleared_dispositions) {
            if (iequals(f.disposition_names[d], c)) cleared[d] = 1;
        }
    }
    const auto diverted = f.category_index(kDivertedCategory);
    const bool coarse_allowed = request.max_time_resolution_s >= 86400;

    // The two periods are independent passes over disjoint (or at least separate) ranges of
    // the cache: the comparison runs on a second thread.
    PeriodTally before;
    std::thread comparison;
    if (request.comparison && request.threads > 1) {
        comparison = std::thread(
            [&] { before = tally(f, *request.comparison, cleared, diverted, coarse_allowed); });
    }
    PeriodTally now = tally(f, cur, cleared, diverted, coarse_allowed);
    if (comparison.joinable()) comparison.join();
    const std::size_t nc = f.category_names.size();
    const std::size_t nj = f.jurisdiction_names.size();
    if (request.comparison) {
        if (request.threads <= 1) {
            before = tally(f, *request.comparison, cleared, diverted, coarse_allowed);
        }
    } else {
        before.count.assign(nc * nj, 0);
        before.valid_by_jurisdiction.assign(nj, 0);
    }

    CompStatReport rep;
    rep.current = cur;
    rep.comparison = request.comparison;
    rep.compare = request.comparison ? request.compare : Compare::none;
    rep.data = f.data_range();
    rep.cleared_dispositions = request.cleared_dispositions;

    // Category order: taxonomy order, then unknown codes by name; jurisdictions by name.
    std::vector<std::size_t> cat_order(nc), jur_order(nj);
    for (std::size_t i = 0; i < nc; ++i)
        cat_order[i] = i;
    for (std::size_t i = 0; i < nj; ++i)
        jur_order[i] = i;
    auto tax_rank = [](std::string_view code) {
        const auto all = categories();
        for (std::size_t i = 0; i < all.size(); ++i) {
            if (all[i].code == code) return i;
        }
        return all.size();
    };
    std::sort(cat_order.begin(), cat_order.end(), [&](std::size_t a, std::size_t b2) {
        const auto ra = tax_rank(f.category_names[a]), rb = tax_rank(f.category_names[b2]);
        return ra != rb ? ra < rb : f.category_names[a] < f.category_names[b2];
    });
    std::sort(jur_order.begin(), jur_order.end(), [&](std::size_t a, std::size_t b2) {
        return f.jurisdiction_names[a] < f.jurisdiction_names[b2];
    });

    std::vector<std::int64_t> jc(nj, 0), jp(nj, 0), jd(nj, 0), jcl(nj, 0);
    std::int64_t tc = 0, tp = 0, td = 0, tcl = 0;
    struct GroupSums {
        std::int64_t c = 0, p = 0, d = 0, cl = 0;
    };
    std::vector<std::pair<std::string, GroupSums>> groups;
    for (std::size_t c : cat_order) {
        const std::string& code = f.category_names[c];
        const std::string group(group_of(code));
        std::int64_t cc = 0, cp = 0, cd = 0, ccl = 0;
        for (std::size_t j : jur_order) {
            const std::size_t cell = c * nj + j;
            const std::int64_t n_cur = now.count[cell], n_prev = before.count[cell];
            cc += n_cur;
            cp += n_prev;
            cd += now.with_disposition[cell];
            ccl += now.cleared[cell];
            jc[j] += n_cur;
            jp[j] += n_prev;
            jd[j] += now.with_disposition[cell];
            jcl[j] += now.cleared[cell];
            if (n_cur == 0 && n_prev == 0) continue;
            rep.cells.push_back(make_row(code, group, f.jurisdiction_names[j], n_cur, n_prev,
                                         now.with_disposition[cell], now.cleared[cell]));
        }
        if (cc == 0 && cp == 0) continue;
        rep.by_category.push_back(make_row(code, group, "", cc, cp, cd, ccl));
        auto it = std::find_if(groups.begin(), groups.end(),
                               [&](const auto& g) { return g.first == group; });
        if (it == groups.end()) {
            groups.emplace_back(group, GroupSums{});
            it = groups.end() - 1;
        }
        it->second.c += cc;
        it->second.p += cp;
        it->second.d += cd;
        it->second.cl += ccl;
        tc += cc;
        tp += cp;
        td += cd;
        tcl += ccl;
    }
    for (const auto& [group, s] : groups)
        rep.by_group.push_back(make_row(group, group, "", s.c, s.p, s.d, s.cl));
    for (std::size_t j : jur_order) {
        if (jc[j] == 0 && jp[j] == 0) continue;
        rep.by_jurisdiction.push_back(
            make_row("", "", f.jurisdiction_names[j], jc[j], jp[j], jd[j], jcl[j]));
    }
    rep.total = make_row("", "", "", tc, tp, td, tcl);
    rep.shares = now.shares;
    rep.segments = now.segments;
    if (request.comparison) {
        rep.shares_previous = before.shares;
        rep.segments_previous = before.segments;
    } else {
        for (std::size_t k = 0; k < 4; ++k)
            rep.segments_previous[k].segment = kSegments[k];
    }

    for (std::size_t j : jur_order) {
        if (jc[j] == 0 && jp[j] == 0) continue;
        JurisdictionRank r;
        r.jurisdiction = f.jurisdiction_names[j];
        r.current = now.valid_by_jurisdiction[j];
        r.previous = before.valid_by_jurisdiction[j];
        r.change_pct = pct_change(r.current, r.previous);
        r.p90_total_s = now.p90_total_by_jurisdiction[j];
        rep.ranking.push_back(std::move(r));
    }
    std::stable_sort(rep.ranking.begin(), rep.ranking.end(),
                     [](const JurisdictionRank& a, const JurisdictionRank& b2) {
                         return a.current > b2.current;
                     });
    for (std::size_t i = 0; i < rep.ranking.size(); ++i)
        rep.ranking[i].rank = static_cast<int>(i) + 1;
    return rep;
}

} // namespace pingan::analytics
