#include "cases/reconciliation.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/core.h>

namespace pingan::cases {
namespace {

std::string_view trim(std::string_view s) {
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && space(s.back()))
        s.remove_suffix(1);
    return s;
}

} // namespace

std::string_view to_string(DiscrepancyKind k) {
    switch (k) {
    case DiscrepancyKind::missing:
        return "missing";
    case DiscrepancyKind::unexpected:
        return "unexpected";
    case DiscrepancyKind::wrong_location:
        return "wrong_location";
    }
    return "unknown";
}

std::vector<Discrepancy> reconcile(std::span<const EvidenceItem> items, std::string_view location,
                                   std::span<const std::string> scanned) {
    std::map<std::string_view, const EvidenceItem*> by_code;
    for (const EvidenceItem& item : items)
        by_code.emplace(item.code, &item);

    std::vector<std::string_view> scans; // distinct, in scan order
    std::set<std::string_view> seen;
    for (const std::string& raw : scanned) {
        const std::string_view code = trim(raw);
        if (!code.empty() && seen.insert(code).second) scans.push_back(code);
    }

    std::vector<Discrepancy> out;
    std::vector<const EvidenceItem*> expected;
    for (const EvidenceItem& item : items) {
        if (!item.disposal && item.location == location) expected.push_back(&item);
    }
    std::sort(expected.begin(), expected.end(),
              [](const EvidenceItem* a, const EvidenceItem* b) { return a->code < b->code; });
    for (const EvidenceItem* item : expected) {
        if (seen.count(item->code) != 0) continue;
        out.push_back(
            Discrepancy{DiscrepancyKind::missing, item->code, item->location, "",
                        fmt::format("item {} ({}) is recorded at {}, held by {}, but "
                                    "was not scanned there",
                                    item->code, item->description, item->location, item->holder)});
    }
    for (const std::string_view code : scans) {
        auto it = by_code.find(code);
        if (it == by_code.end()) {
            out.push_back(Discrepancy{DiscrepancyKind::unexpected, std::string(code), "",
                                      std::string(location),
                                      fmt::format("code {} scanned at {} is not a registered "
                                                  "item",
                                                  code, location)});
            continue;
        }
        const EvidenceItem& item = *it->second;
        if (item.disposal) {
            out.push_back(Discrepancy{DiscrepancyKind::unexpected, item.code, item.location,
                                      std::string(location),
                                      fmt::format("item {} scanned at {} is recorded as {}",
                                                  item.code, location, to_string(*item.disposal))});
        } else if (item.location != location) {
            out.push_back(Discrepancy{DiscrepancyKind::wrong_location, item.code, item.location,
                                      std::string(location),
                                      fmt::format("item {} scanned at {} is recorded at {}",
                                                  item.code, location, item.location)});
        }
    }
    return out;
}

} // namespace pingan::cases
