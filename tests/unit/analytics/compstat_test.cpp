// CompStat on hand-made facts: every number below is worked out by hand in the comments.
#include <algorithm>
#include <numeric>

#include <gtest/gtest.h>

#include "analytics/compstat.hpp"
#include "analytics/incident_facts.hpp"
#include "test_time.hpp"

namespace pingan::analytics {
namespace {

using test::kDay;
constexpr TimeMs kJan1 = 1'704'067'200'000; // 2024-01-01T00:00:00Z

struct F {
    TimeMs at;
    const char* category;
    const char* jurisdiction;
    const char* disposition = "";
    std::optional<TimeMs> dispatched = std::nullopt, en_route = std::nullopt,
                          on_scene = std::nullopt;
    bool diverted = false, void_call = false;
    int resolution_s = 1;
};

IncidentFacts build(const std::vector<F>& in) {
    IncidentFactsBuilder b;
    for (const F& f : in) {
        IncidentFact x;
        x.received_at = f.at;
        x.category = f.category;
        x.jurisdiction = f.jurisdiction;
        x.disposition = f.disposition;
        x.dispatched_at = f.dispatched;
        x.en_route_at = f.en_route;
        x.on_scene_at = f.on_scene;
        x.diverted = f.diverted;
        x.void_call = f.void_call;
        x.time_resolution_s = f.resolution_s;
        EXPECT_TRUE(b.add(x));
    }
    return b.finish();
}

const CompStatRow* find(const std::vector<CompStatRow>& rows, std::string_view cat,
                        std::string_view jur) {
    for (const auto& r : rows) {
        if (r.category == cat && r.jurisdiction == jur) return &r;
    }
    return nullptr;
}

TEST(Facts, BuilderSortsByTimeAndKeepsDictionaries) {
    const IncidentFacts f = build({{kJan1 + 3, "theft", "A"},
                                   {kJan1 + 1, "robbery", "B"},
                                   {kJan1 + 2, "theft", "B", "arrest", kJan1 + 1000}});
    ASSERT_EQ(f.size(), 3u);
    EXPECT_EQ(f.received_at, (std::vector<TimeMs>{kJan1 + 1, kJan1 + 2, kJan1 + 3}));
    EXPECT_EQ(f.category_names[f.category[0]], "robbery");
    EXPECT_EQ(f.jurisdiction_names[f.jurisdiction[2]], "A");
    EXPECT_EQ(f.disposition_names[f.disposition[1]], "arrest");
    EXPECT_EQ(f.disposition[0], 0u);
    EXPECT_EQ(f.dispatched_ms[1], 998); // kJan1 + 1000 - (kJan1 + 2)
    EXPECT_EQ(f.dispatched_ms[0], kNoOffset);
    const auto [b, e] = f.range_of({kJan1 + 2, kJan1 + 3});
    EXPECT_EQ(b, 1u);
    EXPECT_EQ(e, 2u);
}

TEST(Facts, EncodeDecodeRoundTripAndRefuseDamage) {
    const IncidentFacts f = build({{kJan1, "theft", "A", "arrest", kJan1 + 5000},
                                   {kJan1 + 9, "robbery", "", "", std::nullopt, kJan1 + 10}});
    const std::string bytes = encode_facts(f);
    auto back = decode_facts(bytes);
    ASSERT_TRUE(back) << back.error().detail;
    EXPECT_EQ(back->received_at, f.received_at);
    EXPECT_EQ(back->category_names, f.category_names);
    EXPECT_EQ(back->jurisdiction, f.jurisdiction);
    EXPECT_EQ(back->disposition_names, f.disposition_names);
    EXPECT_EQ(back->dispatched_ms, f.dispatched_ms);
    EXPECT_EQ(back->en_route_ms, f.en_route_ms);
    EXPECT_EQ(back->flags, f.flags);
    EXPECT_FALSE(decode_facts(bytes.substr(0, bytes.size() - 1)));
    EXPECT_FALSE(decode_facts(bytes + "x"));
    EXPECT_FALSE(decode_facts("PAFB"));
    std::string bad_index = bytes;
    // The category column follows the received_at column; index 7 does not exist.
    const std::size_t at = bytes.size() - 2 * (1 + 4 * 3 + 8 * 2 + 4 + 2) - 2 * 2;
    bad_index[at] = 7;
    EXPECT_FALSE(decode_facts(bad_index));
}

TEST(Facts, AppendRemapsDictionaries) {
    const IncidentFacts a = build({{kJan1, "theft", "A"}, {kJan1 + 1, "robbery", "B", "arrest"}});
    const IncidentFacts b = build({{kJan1 + 2, "robbery", "C"}, {kJan1 + 3, "theft", "A"}});
    IncidentFactsBuilder builder;
    ASSERT_TRUE(builder.append(a, 0, 2));
    ASSERT_TRUE(builder.append(b, 1, 2));
    const IncidentFacts f = builder.finish();
    ASSERT_EQ(f.size(), 3u);
    EXPECT_EQ(f.category_names[f.category[2]], "theft");
    EXPECT_EQ(f.jurisdiction_names[f.jurisdiction[2]], "A");
    EXPECT_EQ(f.category[0], f.category[2]);
    EXPECT_EQ(f.disposition_names[f.disposition[1]], "arrest");
}

TEST(CompStat, CountsChangeAndShareByCategoryAndJurisdiction) {
    // Current period: January 10..20. Comparison: January 1..10 (same length, before).
    const Period cur{kJan1 + 10 * kDay, kJan1 + 20 * kDay};
    const Period prev{kJan1, kJan1 + 10 * kDay};
    std::vector<F> in = {
        // current: theft A ×3, theft B ×1, robbery A ×1, non_police A ×1 (diverted)
        {cur.from, "theft", "A"},
        {cur.from + 1, "theft", "A", "arrest"},
        {cur.from + 2, "theft", "A", "unfounded"},
        {cur.from + 3, "theft", "B"},
        {cur.from + 4, "robbery", "A", "ARREST"},
        {cur.from + 5, "non_police", "A"},
        // current: a live incident merged into another (void) in B
        {cur.from + 6, "theft", "B", "", std::nullopt, std::nullopt, std::nullopt, false, true},
        // comparison: theft A ×2, robbery B ×1
        {prev.from, "theft", "A"},
        {prev.from + 1, "theft", "A"},
        {prev.from + 2, "robbery", "B"},
        // outside both periods
        {cur.to, "theft", "A"},
    };
    const IncidentFacts f = build(in);
    CompStatRequest req;
    req.current = cur;
    req.comparison = prev;
    req.compare = Compare::previous_period;
    auto r = compstat(f, req);
    ASSERT_TRUE(r) << r.error().detail;

    const CompStatRow* theft_a = find(r->cells, "theft", "A");
    ASSERT_NE(theft_a, nullptr);
    EXPECT_EQ(theft_a->current, 3);
    EXPECT_EQ(theft_a->previous, 2);
    EXPECT_EQ(theft_a->change, 1);
    EXPECT_DOUBLE_EQ(*theft_a->change_pct, 50.0); // (3 - 2) / 2
    // Clearance: 2 of theft A have a disposition, 1 of them "arrest" -> 1/2.
    EXPECT_EQ(theft_a->with_disposition, 2);
    EXPECT_EQ(theft_a->cleared, 1);
    EXPECT_DOUBLE_EQ(*theft_a->clearance_share, 0.5);

    const CompStatRow* theft_b = find(r->cells, "theft", "B");
    ASSERT_NE(theft_b, nullptr);
    EXPECT_EQ(theft_b->current, 2); // the void one is still an incident in the counts
    EXPECT_EQ(theft_b->previous, 0);
    EXPECT_FALSE(theft_b->change_pct.has_value()); // no base to compare with
    EXPECT_FALSE(theft_b->clearance_share.has_value());

    const CompStatRow* robbery_b = find(r->cells, "robbery", "B");
    ASSERT_NE(robbery_b, nullptr);
    EXPECT_EQ(robbery_b->current, 0);
    EXPECT_DOUBLE_EQ(*robbery_b->change_pct, -100.0);
    // "ARREST" matches "arrest" without case.
    EXPECT_DOUBLE_EQ(*find(r->cells, "robbery", "A")->clearance_share, 1.0);

    const CompStatRow* theft_all = find(r->by_category, "theft", "");
    ASSERT_NE(theft_all, nullptr);
    EXPECT_EQ(theft_all->current, 5);
    EXPECT_EQ(theft_all->previous, 2);
    const CompStatRow* criminal = find(r->by_group, "criminal", "");
    ASSERT_NE(criminal, nullptr);
    EXPECT_EQ(criminal->current, 6); // theft 5 + robbery 1
    EXPECT_EQ(criminal->previous, 3);
    EXPECT_EQ(find(r->by_jurisdiction, "", "A")->current, 5);
    EXPECT_EQ(find(r->by_jurisdiction, "", "B")->current, 2);
    EXPECT_EQ(r->total.current, 7);
    EXPECT_EQ(r->total.previous, 3);

    // Shares: 7 incidents, 1 diverted (non_police), 1 void (merged) -> 5 valid.
    EXPECT_EQ(r->shares.total, 7);
    EXPECT_EQ(r->shares.diverted, 1);
    EXPECT_EQ(r->shares.void_calls, 1);
    EXPECT_EQ(r->shares.valid, 5);
    EXPECT_DOUBLE_EQ(*r->shares.valid_share, 5.0 / 7.0);
    EXPECT_DOUBLE_EQ(*r->shares.diverted_share, 1.0 / 7.0);

    // Ranking by valid calls: A has 4 (5 minus the diverted), B has 1 (2 minus the void).
    ASSERT_EQ(r->ranking.size(), 2u);
    EXPECT_EQ(r->ranking[0].jurisdiction, "A");
    EXPECT_EQ(r->ranking[0].rank, 1);
    EXPECT_EQ(r->ranking[0].current, 4);
    EXPECT_EQ(r->ranking[0].previous, 2);
    EXPECT_EQ(r->ranking[1].jurisdiction, "B");
    EXPECT_EQ(r->ranking[1].current, 1);
}

TEST(CompStat, DivertedFlagCountsWhateverTheCategory) {
    const Period cur{kJan1, kJan1 + kDay};
    const IncidentFacts f =
        build({{kJan1, "dispute", "A", "", std::nullopt, std::nullopt, std::nullopt, true, false},
               {kJan1 + 1, "dispute", "A"}});
    CompStatRequest req;
    req.current = cur;
    auto r = compstat(f, req);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->shares.diverted, 1);
    EXPECT_EQ(r->shares.valid, 1);
    EXPECT_EQ(r->compare, Compare::none);
    EXPECT_EQ(r->total.previous, 0);
}

// EVIDENCE-OF: RT-CALL-PROCESSING, RT-TURNOUT, RT-TRAVEL, RT-TOTAL — each segment is measured
// between exactly the two stamps its definition names.
TEST(CompStat, ResponseSegmentsFollowTheNfpaDefinitions) {
    const Period cur{kJan1, kJan1 + kDay};
    // Received 0 s; dispatched 60 s; en route 90 s; on scene 390 s.
    // call processing 60 s, turnout 30 s, travel 300 s, total 390 s.
    const IncidentFacts f =
        build({{kJan1, "theft", "A", "", kJan1 + 60'000, kJan1 + 90'000, kJan1 + 390'000}});
    CompStatRequest req;
    req.current = cur;
    auto r = compstat(f, req);
    ASSERT_TRUE(r);
    const auto& s = r->segments;
    EXPECT_EQ(segment_id(s[0].segment), "RT-CALL-PROCESSING");
    EXPECT_DOUBLE_EQ(*s[0].p90_s, 60.0);
    EXPECT_EQ(segment_id(s[1].segment), "RT-TURNOUT");
    EXPECT_DOUBLE_EQ(*s[1].p90_s, 30.0);
    EXPECT_EQ(segment_id(s[2].segment), "RT-TRAVEL");
    EXPECT_DOUBLE_EQ(*s[2].p90_s, 300.0);
    EXPECT_EQ(segment_id(s[3].segment), "RT-TOTAL");
    EXPECT_DOUBLE_EQ(*s[3].p90_s, 390.0);
}

TEST(CompStat, PercentilesInterpolateAndSkipMissingCoarseAndInconsistent) {
    const Period cur{kJan1, kJan1 + kDay};
    std::vector<F> in;
    // Total response times 10, 20, ..., 100 s: p90 = 91 s (position 0.9 · 9 = 8.1 between 90
    // and 100), p50 = 55 s (position 4.5 between 50 and 60).
    for (int i = 1; i <= 10; ++i) {
        in.push_back(
            {kJan1 + i, "theft", "A", "", std::nullopt, std::nullopt, kJan1 + i + i * 10'000});
    }
    in.push_back({kJan1 + 20, "theft", "A"}); // never on scene: missing
    // Dates only: coarse, not measured.
    in.push_back({kJan1 + 21, "theft", "A", "", std::nullopt, std::nullopt, kJan1 + 21 + kDay,
                  false, false, 86400});
    // On scene before received: inconsistent.
    in.push_back({kJan1 + 22, "theft", "A", "", std::nullopt, std::nullopt, kJan1 + 10});
    const IncidentFacts f = build(in);
    CompStatRequest req;
    req.current = cur;
    auto r = compstat(f, req);
    ASSERT_TRUE(r);
    const SegmentStats& total = r->segments[3];
    EXPECT_EQ(total.measured, 10);
    EXPECT_EQ(total.missing, 1);
    EXPECT_EQ(total.coarse, 1);
    EXPECT_EQ(total.inconsistent, 1);
    EXPECT_NEAR(*total.p90_s, 91.0, 1e-9);
    EXPECT_NEAR(*total.p50_s, 55.0, 1e-9);
    EXPECT_NEAR(*total.mean_s, 55.0, 1e-9);
    EXPECT_NEAR(*r->ranking[0].p90_total_s, 91.0, 1e-9);
}

TEST(CompStat, LargeSampleQuantilesMatchSorting) {
    // More than the histogram path's threshold, with values in many buckets and beyond them.
    std::vector<std::int32_t> v(50'000);
    std::uint64_t x = 12345;
    for (auto& e : v) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        e = static_cast<std::int32_t>((x >> 33) % 90'000'000); // up to 25 hours
    }
    std::vector<std::int32_t> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    for (double q : {0.0, 0.1, 0.5, 0.9, 0.99, 1.0}) {
        const double pos = q * (sorted.size() - 1);
        const auto lo = static_cast<std::size_t>(pos);
        const auto hi = std::min(lo + 1, sorted.size() - 1);
        const double expect = sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
        std::vector<std::int32_t> copy = v;
        EXPECT_NEAR(*quantile_ms(copy, q), expect, 1e-6) << q;
    }
}

TEST(CompStat, EmptyPeriodIsABadArgumentNamingTheDataSpan) {
    const IncidentFacts f = build({{kJan1, "theft", "A"}});
    CompStatRequest req;
    req.current = {kJan1 + 10 * kDay, kJan1 + 20 * kDay};
    auto r = compstat(f, req);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, base::Code::bad_argument);
    EXPECT_NE(r.error().detail.find("no incident records"), std::string::npos);
    EXPECT_NE(r.error().detail.find("2024-01-01T00:00:00.000Z"), std::string::npos);
    req.current = {kJan1 + kDay, kJan1};
    EXPECT_FALSE(compstat(f, req));
}

} // namespace
} // namespace pingan::analytics
