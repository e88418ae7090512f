#include "analytics/incident_facts.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace pingan::analytics {
namespace {

std::int32_t offset_of(TimeMs received, const std::optional<TimeMs>& stage) {
    if (!stage) return kNoOffset;
    const TimeMs d = *stage - received;
    // kNoOffset itself is reserved; anything at or beyond ±2^31 ms (24.8 days) is a data error.
    if (d <= static_cast<TimeMs>(kNoOffset) || d > std::numeric_limits<std::int32_t>::max()) {
        return kNoOffset;
    }
    return static_cast<std::int32_t>(d);
}

template <class T>
void permute(std::vector<T>& v, const std::vector<std::uint32_t>& order) {
    std::vector<T> out(v.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        out[i] = v[order[i]];
    v.swap(out);
}

} // namespace

std::pair<std::size_t, std::size_t> IncidentFacts::range_of(const Period& p) const {
    const auto b = std::lower_bound(received_at.begin(), received_at.end(), p.from);
    const auto e = std::lower_bound(b, received_at.end(), p.to);
    return {static_cast<std::size_t>(b - received_at.begin()),
            static_cast<std::size_t>(e - received_at.begin())};
}

DataRange IncidentFacts::data_range() const {
    DataRange r;
    r.count = size();
    if (!received_at.empty()) {
        r.first_received_at = received_at.front();
        r.last_received_at = received_at.back();
    }
    return r;
}

std::optional<std::uint16_t> IncidentFacts::category_index(std::string_view code) const {
    for (std::size_t i = 0; i < category_names.size(); ++i) {
        if (category_names[i] == code) return static_cast<std::uint16_t>(i);
    }
    return std::nullopt;
}

std::optional<std::uint16_t> IncidentFacts::jurisdiction_index(std::string_view name) const {
    for (std::size_t i = 0; i < jurisdiction_names.size(); ++i) {
        if (jurisdiction_names[i] == name) return static_cast<std::uint16_t>(i);
    }
    return std::nullopt;
}

IncidentFactsBuilder::IncidentFactsBuilder() {
    intern(dispositions_, f_.disposition_names, ""); // index 0 = no disposition
}

IncidentFactsBuilder::IncidentFactsBuilder(IncidentFacts existing) : f_(std::move(existing)) {
    for (std::size_t i = 0; i < f_.category_names.size(); ++i)
        categories_.emplace(f_.category_names[i], static_cast<std::uint32_t>(i));
    for (std::size_t i = 0; i < f_.jurisdiction_names.size(); ++i)
        jurisdictions_.emplace(f_.jurisdiction_names[i], static_cast<std::uint32_t>(i));
    if (f_.disposition_names.empty()) f_.disposition_names.emplace_back();
    for (std::size_t i = 0; i < f_.disposition_names.size(); ++i)
        dispositions_.emplace(f_.disposition_names[i], static_cast<std::uint32_t>(i));
}

std::uint32_t IncidentFactsBuilder::intern(Dictionary& dict, std::vector<std::string>& names,
                                           std::string_view value) {
    if (auto it = dict.find(value); it != dict.end()) return it->second;
    const auto index = static_cast<std::uint32_t>(names.size());
    names.emplace_back(value);
    dict.emplace(names.back(), index);
    return index;
}

void IncidentFactsBuilder::reserve(std::size_t n) {
    f_.received_at.reserve(n);
    f_.category.reserve(n);
    f_.jurisdiction.reserve(n);
    f_.disposition.reserve(n);
    f_.lat.reserve(n);
    f_.lon.reserve(n);
    f_.dispatched_ms.reserve(n);
    f_.en_route_ms.reserve(n);
    f_.on_scene_ms.reserve(n);
    f_.flags.reserve(n);
}

bool IncidentFactsBuilder::add(const IncidentFact& fact) {
    const std::uint32_t c = intern(categories_, f_.category_names, fact.category);
    const std::uint32_t j = intern(jurisdictions_, f_.jurisdiction_names, fact.jurisdiction);
    if (c > 0xFFFF || j > 0xFFFF) return false;
    f_.received_at.push_back(fact.received_at);
    f_.category.push_back(static_cast<std::uint16_t>(c));
    f_.jurisdiction.push_back(static_cast<std::uint16_t>(j));
    f_.disposition.push_back(intern(dispositions_, f_.disposition_names, fact.disposition));
    const bool located = fact.location && geo::is_valid(*fact.location);
    f_.lat.push_back(located ? fact.location->lat : std::nan(""));
    f_.lon.push_back(located ? fact.location->lon : std::nan(""));
    f_.dispatched_ms.push_back(offset_of(fact.received_at, fact.dispatched_at));
    f_.en_route_ms.push_back(offset_of(fact.received_at, fact.en_route_at));
    f_.on_scene_ms.push_back(offset_of(fact.received_at, fact.on_scene_at));
    std::uint8_t flags = 0;
    if (fact.diverted) flags |= kFactDiverted;
    if (fact.void_call) flags |= kFactVoid;
    if (fact.time_resolution_s > 60) flags |= kFactCoarseTimes;
    f_.flags.push_back(flags);
    return true;
}

bool IncidentFactsBuilder::append(const IncidentFacts& part, std::size_t begin, std::size_t end) {
    std::vector<std::uint32_t> cat(part.category_names.size()), jur(part.jurisdiction_names.size()),
        disp(part.disposition_names.size());
    for (std::size_t i = 0; i < cat.size(); ++i)
        cat[i] = intern(categories_, f_.category_names, part.category_names[i]);
    for (std::size_t i = 0; i < jur.size(); ++i)
        jur[i] = intern(jurisdictions_, f_.jurisdiction_names, part.jurisdiction_names[i]);
    for (std::size_t i = 0; i < disp.size(); ++i)
        disp[i] = intern(dispositions_, f_.disposition_names, part.disposition_names[i]);
    if (f_.category_names.size() > 0x10000 || f_.jurisdiction_names.size() > 0x10000) return false;
    auto copy = [&](auto& to, const auto& from) {
        to.insert(to.end(), from.begin() + static_cast<std::ptrdiff_t>(begin),
                  from.begin() + static_cast<std::ptrdiff_t>(end));
    };
    copy(f_.received_at, part.received_at);
    copy(f_.lat, part.lat);
    copy(f_.lon, part.lon);
    copy(f_.dispatched_ms, part.dispatched_ms);
    copy(f_.en_route_ms, part.en_route_ms);
    copy(f_.on_scene_ms, part.on_scene_ms);
    copy(f_.flags, part.flags);
    for (std::size_t i = begin; i < end; ++i) {
        f_.category.push_back(static_cast<std::uint16_t>(cat[part.category[i]]));
        f_.jurisdiction.push_back(static_cast<std::uint16_t>(jur[part.jurisdiction[i]]));
        f_.disposition.push_back(disp[part.disposition[i]]);
    }
    return true;
}

void derive_segments(IncidentFacts& f) {
    const std::size_t n = f.size();
    for (auto& s : f.segment_ms)
        s.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const bool coarse = (f.flags[i] & kFactCoarseTimes) != 0;
        const std::int32_t disp = f.dispatched_ms[i], enr = f.en_route_ms[i];
        const std::int32_t ons = f.on_scene_ms[i];
        f.segment_ms[0][i] = segment_duration(0, disp, coarse);   // received -> dispatched
        f.segment_ms[1][i] = segment_duration(disp, enr, coarse); // dispatched -> en route
        f.segment_ms[2][i] = segment_duration(enr, ons, coarse);  // en route -> on scene
        f.segment_ms[3][i] = segment_duration(0, ons, coarse);    // received -> on scene
    }
}

IncidentFacts IncidentFactsBuilder::finish() {
    if (!std::is_sorted(f_.received_at.begin(), f_.received_at.end())) {
        std::vector<std::uint32_t> order(f_.size());
        std::iota(order.begin(), order.end(), 0u);
        std::stable_sort(order.begin(), order.end(), [this](std::uint32_t a, std::uint32_t b) {
            return f_.received_at[a] < f_.received_at[b];
        });
        permute(f_.received_at, order);
        permute(f_.category, order);
        permute(f_.jurisdiction, order);
        permute(f_.disposition, order);
        permute(f_.lat, order);
        permute(f_.lon, order);
        permute(f_.dispatched_ms, order);
        permute(f_.en_route_ms, order);
        permute(f_.on_scene_ms, order);
        permute(f_.flags, order);
    }
    derive_segments(f_);
    IncidentFacts out = std::move(f_);
    f_ = IncidentFacts{};
    categories_.clear();
    jurisdictions_.clear();
    dispositions_.clear();
    intern(dispositions_, f_.disposition_names, "");
    return out;
}

} // namespace pingan::analytics
