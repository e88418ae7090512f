// The in-memory columnar cache of incident facts that every analysis reads: one array per
// column, dictionary-encoded strings, sorted by time of receipt. Loading it from the store is
// the expensive step (seconds of SQL for millions of rows), aggregating over it is cheap
// (milliseconds), so a server keeps one and appends new records to it.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "geo/latlon.hpp"

namespace pingan::analytics {

using base::TimeMs;

// A half-open time interval [from, to) in UTC milliseconds.
struct Period {
    TimeMs from = 0;
    TimeMs to = 0;

    bool contains(TimeMs t) const { return t >= from && t < to; }
    TimeMs length_ms() const { return to - from; }
    friend bool operator==(const Period&, const Period&) = default;
};

// What the data holds: the time span of the facts and how many there are.
struct DataRange {
    std::size_t count = 0;
    std::optional<TimeMs> first_received_at;
    std::optional<TimeMs> last_received_at;
};

// One incident as given to the builder; strings are copied into the dictionaries.
struct IncidentFact {
    TimeMs received_at = 0;    // NFPA 1221 "call received" (or the report time of a crime record)
    std::string_view category; // taxonomy code
    std::string_view jurisdiction;       // district label of the source; empty when unknown
    std::string_view disposition;        // outcome; empty when none was recorded
    std::optional<geo::LatLon> location; // only for usable geocodes (geocode_ok)
    std::optional<TimeMs> dispatched_at; // first unit dispatched
    std::optional<TimeMs> en_route_at;   // first unit en route
    std::optional<TimeMs> on_scene_at;   // first unit on scene
    std::int32_t time_resolution_s = 1;  // coarsest resolution of the time stamps (86400: dates)
    bool diverted = false;  // handed to the 12345 line (live status `diverted`), whatever the code
    bool void_call = false; // merged into another incident or cancelled: not a separate call
};

// Flags per fact.
inline constexpr std::uint8_t kFactDiverted = 1;    // IncidentFact::diverted
inline constexpr std::uint8_t kFactVoid = 2;        // IncidentFact::void_call
inline constexpr std::uint8_t kFactCoarseTimes = 4; // time resolution coarser than a minute

// A stage time as an offset from received_at, or kNoOffset when the stage never happened (or
// lies more than 24 days away, which only a data error produces).
inline constexpr std::int32_t kNoOffset = std::numeric_limits<std::int32_t>::min();

// Derived per-segment durations (IncidentFacts::segment_ms): milliseconds when measured, else
// one of these codes.
inline constexpr std::int32_t kSegmentMissing = -1;      // a stamp is absent
inline constexpr std::int32_t kSegmentCoarse = -2;       // times resolve only to the day
inline constexpr std::int32_t kSegmentInconsistent = -3; // the end precedes the start

// The columns. Invariants: every vector has size() entries; received_at is non-decreasing;
// every index is below its dictionary's size; lat/lon are NaN where there is no usable location;
// segment_ms follows from the stage offsets and flags (derive_segments).
struct IncidentFacts {
    std::vector<TimeMs> received_at;
    std::vector<std::uint16_t> category;     // index into category_names
    std::vector<std::uint16_t> jurisdiction; // index into jurisdiction_names
    std::vector<std::uint32_t> disposition;  // index into disposition_names; 0 = none
    std::vector<double> lat, lon;
    std::vector<std::int32_t> dispatched_ms; // offsets from received_at
    std::vector<std::int32_t> en_route_ms;
    std::vector<std::int32_t> on_scene_ms;
    std::vector<std::uint8_t> flags;
    // The response-time segments of compstat.hpp (RT-CALL-PROCESSING, RT-TURNOUT, RT-TRAVEL,
    // RT-TOTAL), precomputed once per cache so that every report only counts.
    std::array<std::vector<std::int32_t>, 4> segment_ms;

    std::vector<std::string> category_names;
    std::vector<std::string> jurisdiction_names;
    std::vector<std::string> disposition_names; // [0] = ""

    std::size_t size() const { return received_at.size(); }
    bool has_location(std::size_t i) const { return lat[i] == lat[i]; } // not NaN
    // Indices [begin, end) of the facts received within the period.
    std::pair<std::size_t, std::size_t> range_of(const Period& p) const;
    DataRange data_range() const;
    // Index of a dictionary entry, or nothing when the value never occurs.
    std::optional<std::uint16_t> category_index(std::string_view code) const;
    std::optional<std::uint16_t> jurisdiction_index(std::string_view name) const;
};

// Fills segment_ms from the stage offsets and flags (coarse times are not measured).
void derive_segments(IncidentFacts& facts);
// The duration of one segment from its two stage offsets, or a kSegment* code.
inline std::int32_t segment_duration(std::int32_t from, std::int32_t to, bool coarse) {
    if (from == kNoOffset || to == kNoOffset) return kSegmentMissing;
    if (coarse) return kSegmentCoarse;
    if (to < from) return kSegmentInconsistent;
    return to - from;
}

// Builds IncidentFacts from facts in any order. Dictionaries are limited to 65,535 categories
// and jurisdictions (a source with more is mis-mapped); add() returns false beyond that.
class IncidentFactsBuilder {
public:
    IncidentFactsBuilder();
    // Continues from existing facts (the cache appends what was stored since it was loaded).
    explicit IncidentFactsBuilder(IncidentFacts existing);

    void reserve(std::size_t n);
    bool add(const IncidentFact& fact);
    // Appends facts [begin, end) of another set (its own dictionaries), remapping indices once
    // per dictionary entry instead of looking strings up per fact. False beyond 65,535 names.
    bool append(const IncidentFacts& part, std::size_t begin, std::size_t end);
    // Sorts by received_at (stable: equal times keep their order) and hands the columns over.
    IncidentFacts finish();

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };
    using Dictionary = std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>>;
    static std::uint32_t intern(Dictionary& dict, std::vector<std::string>& names,
                                std::string_view value);

    IncidentFacts f_;
    Dictionary categories_, jurisdictions_, dispositions_;
};

// A binary form of IncidentFacts, for storing column blocks next to the rows they come from
// (store/sqlite_records.cpp): a header ("PAFB", version, byte-order mark, count), the three
// dictionaries, then each column as a little-endian array. decode_facts checks every size and
// index, and refuses anything else with corrupt_file.
std::string encode_facts(const IncidentFacts& facts);
base::Result<IncidentFacts> decode_facts(std::string_view bytes);

} // namespace pingan::analytics
