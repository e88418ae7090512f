// Reconciliation of a storage location (涉案财物清点): the items the ledger says are there
// against the codes scanned there. Every difference is a discrepancy to be explained.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cases/custody.hpp"

namespace pingan::cases {

enum class DiscrepancyKind : std::uint8_t {
    missing,        // recorded at the location, not scanned there
    unexpected,     // scanned, but no such item, or the item was disposed of
    wrong_location, // scanned here, recorded elsewhere
};

std::string_view to_string(DiscrepancyKind k);

struct Discrepancy {
    DiscrepancyKind kind = DiscrepancyKind::missing;
    std::string item_code;
    std::string recorded_location; // where the ledger has it ("" for unknown codes)
    std::string scanned_location;  // where it was scanned ("" for missing)
    std::string detail;            // one sentence for the alert
};

// Items recorded at `location` (not disposed of) vs `scanned` codes (duplicates and
// surrounding white space from the scanner are ignored). Missing items come first, by code;
// then unexpected and misplaced scans in scan order. An empty result means the location
// reconciles.
std::vector<Discrepancy> reconcile(std::span<const EvidenceItem> items, std::string_view location,
                                   std::span<const std::string> scanned);

} // namespace pingan::cases
