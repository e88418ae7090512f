#include "road/address_index.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

namespace pingan::road {

namespace {

// Street-type and direction abbreviations of US and UK addresses (USPS Publication 28 suffixes
// that occur in our data) spelled out, so "Connecticut Ave NW" finds "Connecticut Avenue
// Northwest" as OSM writes it.
constexpr std::array<std::pair<std::string_view, std::string_view>, 30> kAbbreviations{{
    {"st", "street"},       {"str", "street"},     {"ave", "avenue"},   {"av", "avenue"},
    {"rd", "road"},         {"blvd", "boulevard"}, {"dr", "drive"},     {"pl", "place"},
    {"ct", "court"},        {"sq", "square"},      {"ter", "terrace"},  {"pkwy", "parkway"},
    {"hwy", "highway"},     {"ln", "lane"},        {"cir", "circle"},   {"aly", "alley"},
    {"expy", "expressway"}, {"fwy", "freeway"},    {"nw", "northwest"}, {"ne", "northeast"},
    {"sw", "southwest"},    {"se", "southeast"},   {"n", "north"},      {"s", "south"},
    {"e", "east"},          {"w", "west"},         {"mt", "mount"},     {"ft", "fort"},
    {"hts", "heights"},     {"jct", "junction"},
}};

bool is_ascii_space_or_punct(unsigned char c) {
    return c < 0x80 && !std::isalnum(c);
}

std::vector<std::string_view> split_tokens(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ')
            ++i;
        std::size_t j = i;
        while (j < s.size() && s[j] != ' ')
            ++j;
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return std::string(s);
}

bool has_non_ascii(std::string_view s) {
    return std::any_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

bool starts_with(std::string_view s, std::string_view p) {
    return s.substr(0, p.size()) == p;
}
bool ends_with(std::string_view s, std::string_view p) {
    return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// House numbers compare without case and punctuation: "12a" == "12 A" == "12-A".
std::string normalise_number(std::string_view n) {
    std::string out;
    for (char c : n) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u)) out += static_cast<char>(std::tolower(u));
    }
    return out;
}

bool looks_like_number(std::string_view t) {
    return !t.empty() && std::isdigit(static_cast<unsigned char>(t.front())) &&
           std::all_of(t.begin(), t.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '/';
           });
}

// Words of an intersection query: "A & B", "A and B", "A at B", "A / B", "A和B", "A与B".
constexpr std::array<std::string_view, 10> kJoiners{"&", "＆", " and ", " at ", "/",
                                                    "@", "和", "与",    "交",   "|"};
// Chinese ways of saying "the crossing": stripped before splitting.
constexpr std::array<std::string_view, 5> kCrossingSuffixes{"十字路口", "交叉口", "交叉路口",
                                                            "路口", "交口"};

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (static_cast<unsigned char>(c) < 0x80)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

} // namespace

std::string_view to_string(PlaceKind kind) {
    switch (kind) {
    case PlaceKind::address:
        return "address";
    case PlaceKind::intersection:
        return "intersection";
    case PlaceKind::street:
        return "street";
    }
    return "street";
}

std::string normalise_street(std::string_view text) {
    std::string spaced;
    spaced.reserve(text.size());
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x80) {
            spaced += c;
        } else if (c == '.' || c == '\'') {
            continue; // "N.W." is "nw", "Ave." is "ave", "O'Street" is "ostreet"
        } else if (is_ascii_space_or_punct(u)) {
            spaced += ' ';
        } else {
            spaced += static_cast<char>(std::tolower(u));
        }
    }
    std::string out;
    for (std::string_view t : split_tokens(spaced)) {
        for (const auto& [abbr, full] : kAbbreviations) {
            if (t == abbr) {
                t = full;
                break;
            }
        }
        if (!out.empty()) out += ' ';
        out += t;
    }
    return out;
}

std::uint32_t AddressIndex::intern(std::string_view name) {
    auto it = name_id_.find(std::string(name));
    if (it != name_id_.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(names_.size());
    names_.emplace_back(name);
    normalised_.push_back(normalise_street(name));
    street_at_.push_back({});
    name_id_.emplace(std::string(name), id);
    return id;
}

AddressIndex AddressIndex::build(const Graph& graph, const std::vector<AddressPoint>& addresses) {
    AddressIndex ix;
    const std::size_t n_seg = graph.segment_count();
    // Name id per segment (kInvalid: unnamed), and the street names meeting at each junction.
    std::vector<std::uint32_t> seg_name(n_seg, kInvalid);
    std::vector<std::vector<SegmentId>> by_name;
    for (SegmentId s = 0; s < n_seg; ++s) {
        const std::string_view name = graph.name(s);
        if (name.empty()) continue;
        const std::uint32_t id = ix.intern(name);
        seg_name[s] = id;
        if (by_name.size() <= id) by_name.resize(id + 1);
        by_name[id].push_back(s);
    }
    // A point near the middle of each street: the segment midpoint closest to the centroid of
    // all its segment midpoints (a centroid alone can fall off a curved street).
    for (std::uint32_t id = 0; id < by_name.size(); ++id) {
        const auto& segs = by_name[id];
        if (segs.empty()) continue;
        std::vector<geo::LatLon> mids;
        mids.reserve(segs.size());
        geo::LatLon c{0, 0};
        for (SegmentId s : segs) {
            mids.push_back(graph.position_on(s, graph.length_m(s) / 2).point);
            c.lat += mids.back().lat / static_cast<double>(segs.size());
            c.lon += mids.back().lon / static_cast<double>(segs.size());
        }
        ix.street_at_[id] = *std::min_element(mids.begin(), mids.end(), [&](auto a, auto b) {
            return geo::distance_m(a, c) < geo::distance_m(b, c);
        });
    }
    std::vector<std::vector<std::uint32_t>> node_names(graph.node_count());
    for (SegmentId s = 0; s < n_seg; ++s) {
        if (seg_name[s] == kInvalid) continue;
        for (NodeId v : {graph.tail(s), graph.head(s)}) {
            auto& names = node_names[v];
            if (std::find(names.begin(), names.end(), seg_name[s]) == names.end())
                names.push_back(seg_name[s]);
        }
    }
    for (NodeId v = 0; v < node_names.size(); ++v) {
        const auto& names = node_names[v];
        for (std::size_t i = 0; i < names.size(); ++i) {
            for (std::size_t j = i + 1; j < names.size(); ++j) {
                const std::uint64_t a = std::min(names[i], names[j]);
                const std::uint64_t b = std::max(names[i], names[j]);
                ix.junctions_[a << 32 | b].push_back(graph.node_latlon(v));
            }
        }
    }
    for (const AddressPoint& a : addresses) {
        if (a.street.empty() || a.housenumber.empty()) continue;
        const std::size_t before = ix.names_.size();
        const std::uint32_t id = ix.intern(a.street);
        if (ix.names_.size() > before) ix.street_at_[id] = a.position; // a street only addr:* names
        ix.numbers_[id].emplace_back(normalise_number(a.housenumber), a.position);
        ++ix.address_count_;
    }
    return ix;
}

std::vector<AddressIndex::NameMatch> AddressIndex::match_street(std::string_view q,
                                                                std::size_t limit) const {
    std::vector<NameMatch> out;
    if (q.empty()) return out;
    const std::vector<std::string_view> q_tokens = split_tokens(q);
    for (std::uint32_t id = 0; id < normalised_.size(); ++id) {
        const std::string& n = normalised_[id];
        double score = 0;
        if (n == q) {
            score = 100;
        } else if (starts_with(n, q) && (n.size() == q.size() || n[q.size()] == ' ' ||
                                         static_cast<unsigned char>(q.back()) >= 0x80)) {
            score = 90; // "connecticut avenue" of "connecticut avenue northwest"
        } else {
            // Every query word starts a word of the name, in order: "conn ave" finds
            // "connecticut avenue northwest".
            const std::vector<std::string_view> n_tokens = split_tokens(n);
            std::size_t j = 0;
            bool all = !q_tokens.empty();
            for (std::string_view t : q_tokens) {
                while (j < n_tokens.size() && !starts_with(n_tokens[j], t))
                    ++j;
                if (j == n_tokens.size()) {
                    all = false;
                    break;
                }
                ++j;
            }
            if (all) {
                score = 70;
            } else if (has_non_ascii(q) && q.size() >= 3 && n.find(q) != std::string::npos) {
                score = 60; // Chinese names are not split into words: a part of the name
            }
        }
        if (score == 0) continue;
        // Among equal kinds of match, the name closest in length to what was said.
        score -= 0.01 * static_cast<double>(n.size() > q.size() ? n.size() - q.size() : 0);
        out.push_back({id, score});
    }
    std::sort(out.begin(), out.end(), [&](const NameMatch& a, const NameMatch& b) {
        return a.score != b.score ? a.score > b.score : names_[a.name] < names_[b.name];
    });
    if (out.size() > limit) out.resize(limit);
    return out;
}

std::vector<Place> AddressIndex::search(std::string_view query_text, std::size_t limit) const {
    std::vector<Place> out;
    std::string query = trim(query_text);
    if (query.empty() || query.size() > 500 || limit == 0) return out;
    constexpr std::size_t kNameCandidates = 6;

    // 1. Intersections: every way of splitting the query in two at a joiner.
    std::string crossing = query;
    for (std::string_view suffix : kCrossingSuffixes) {
        if (ends_with(crossing, suffix)) {
            crossing.resize(crossing.size() - suffix.size());
            break;
        }
    }
    const std::string lowered = lower_ascii(crossing);
    for (std::string_view joiner : kJoiners) {
        for (std::size_t at = lowered.find(joiner); at != std::string::npos;
             at = lowered.find(joiner, at + 1)) {
            const std::string a = normalise_street(crossing.substr(0, at));
            const std::string b = normalise_street(crossing.substr(at + joiner.size()));
            if (a.empty() || b.empty()) continue;
            const auto ma = match_street(a, kNameCandidates);
            const auto mb = match_street(b, kNameCandidates);
            for (const NameMatch& x : ma) {
                for (const NameMatch& y : mb) {
                    if (x.name == y.name) continue;
                    const std::uint64_t lo = std::min(x.name, y.name);
                    const std::uint64_t hi = std::max(x.name, y.name);
                    auto it = junctions_.find(lo << 32 | hi);
                    if (it == junctions_.end()) continue;
                    // Junctions of the same pair within 200 m are one crossing (dual
                    // carriageways); farther ones are separate places (a curving street).
                    std::vector<std::pair<geo::LatLon, int>> clusters;
                    for (const geo::LatLon& p : it->second) {
                        bool merged = false;
                        for (auto& [c, count] : clusters) {
                            if (geo::distance_m(c, p) < 200) {
                                c.lat = (c.lat * count + p.lat) / (count + 1);
                                c.lon = (c.lon * count + p.lon) / (count + 1);
                                ++count;
                                merged = true;
                                break;
                            }
                        }
                        if (!merged) clusters.emplace_back(p, 1);
                    }
                    const std::string sep = has_non_ascii(names_[x.name]) ? " 与 " : " & ";
                    for (const auto& [c, count] : clusters) {
                        out.push_back({names_[x.name] + sep + names_[y.name], c,
                                       PlaceKind::intersection, 200 + (x.score + y.score) / 2});
                    }
                }
            }
        }
    }

    // 2. House number and street: "1600 Pennsylvania Ave", "Rua X 123", "红星路88号".
    std::string number, street;
    if (const std::size_t hao = query.rfind("号"); hao != std::string::npos) {
        std::size_t d = hao;
        while (d > 0 &&
               (std::isalnum(static_cast<unsigned char>(query[d - 1])) || query[d - 1] == '-'))
            --d;
        if (d < hao && std::isdigit(static_cast<unsigned char>(query[d]))) {
            number = query.substr(d, hao - d);
            street = query.substr(0, d);
        }
    }
    if (number.empty()) {
        const std::vector<std::string_view> words = split_tokens(query);
        if (words.size() >= 2 && looks_like_number(words.front())) {
            number = std::string(words.front());
            street = query.substr(query.find(words[1]));
        } else if (words.size() >= 2 && looks_like_number(words.back())) {
            number = std::string(words.back());
            street = query.substr(0, query.rfind(words.back()));
        }
    }
    if (!number.empty()) {
        const std::string wanted = normalise_number(number);
        for (const NameMatch& m : match_street(normalise_street(street), kNameCandidates)) {
            auto it = numbers_.find(m.name);
            bool found = false;
            if (it != numbers_.end()) {
                for (const auto& [num, pos] : it->second) {
                    if (num != wanted) continue;
                    const std::string& s = names_[m.name];
                    out.push_back({has_non_ascii(s) ? s + number + "号" : number + " " + s, pos,
                                   PlaceKind::address, 300 + m.score});
                    found = true;
                    break;
                }
            }
            // The street alone is still worth offering when the number is not in the data.
            if (!found) {
                out.push_back({names_[m.name], street_at_[m.name], PlaceKind::street, m.score - 5});
            }
        }
    }

    // 3. The street alone.
    for (const NameMatch& m : match_street(normalise_street(query), kNameCandidates)) {
        out.push_back({names_[m.name], street_at_[m.name], PlaceKind::street, m.score});
    }

    std::stable_sort(out.begin(), out.end(),
                     [](const Place& a, const Place& b) { return a.score > b.score; });
    std::vector<Place> unique;
    std::set<std::pair<std::string, std::int64_t>> seen;
    for (Place& p : out) {
        // Same label and kind at a distinct place (two crossings of a curving street) stay.
        const std::int64_t cell =
            std::llround(p.position.lat * 500) * 1'000'000 + std::llround(p.position.lon * 500);
        if (!seen.insert({p.label + "|" + std::string(to_string(p.kind)), cell}).second) continue;
        unique.push_back(std::move(p));
        if (unique.size() == limit) break;
    }
    return unique;
}

} // namespace pingan::road
