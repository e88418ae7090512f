// encode_facts / decode_facts (declared in incident_facts.hpp).
#include <cstring>

#include <fmt/core.h>

#include "analytics/incident_facts.hpp"

namespace pingan::analytics {
namespace {

constexpr char kMagic[4] = {'P', 'A', 'F', 'B'};
constexpr std::uint32_t kVersion = 1;
constexpr std::uint32_t kByteOrder = 0x01020304; // reads back swapped on the other byte order

template <class T>
void put(std::string& out, const T& v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

template <class T>
void put_array(std::string& out, const std::vector<T>& v) {
    out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

void put_names(std::string& out, const std::vector<std::string>& names) {
    put(out, static_cast<std::uint32_t>(names.size()));
    for (const std::string& n : names) {
        put(out, static_cast<std::uint32_t>(n.size()));
        out += n;
    }
}

class Reader {
public:
    explicit Reader(std::string_view b) : b_(b) {}
    template <class T>
    bool get(T& v) {
        if (b_.size() - at_ < sizeof v) return false;
        std::memcpy(&v, b_.data() + at_, sizeof v);
        at_ += sizeof v;
        return true;
    }
    template <class T>
    bool get_array(std::vector<T>& v, std::size_t n) {
        if ((b_.size() - at_) / sizeof(T) < n) return false;
        v.resize(n);
        std::memcpy(v.data(), b_.data() + at_, n * sizeof(T));
        at_ += n * sizeof(T);
        return true;
    }
    bool get_names(std::vector<std::string>& names) {
        std::uint32_t n = 0;
        if (!get(n) || n > b_.size() - at_) return false;
        names.resize(n);
        for (std::string& s : names) {
            std::uint32_t len = 0;
            if (!get(len) || len > b_.size() - at_) return false;
            s.assign(b_.data() + at_, len);
            at_ += len;
        }
        return true;
    }
    bool done() const { return at_ == b_.size(); }

private:
    std::string_view b_;
    std::size_t at_ = 0;
};

} // namespace

std::string encode_facts(const IncidentFacts& f) {
    std::string out;
    out.reserve(64 + f.size() * 45);
    out.append(kMagic, 4);
    put(out, kVersion);
    put(out, kByteOrder);
    put(out, static_cast<std::uint32_t>(f.size()));
    put_names(out, f.category_names);
    put_names(out, f.jurisdiction_names);
    put_names(out, f.disposition_names);
    put_array(out, f.received_at);
    put_array(out, f.category);
    put_array(out, f.jurisdiction);
    put_array(out, f.disposition);
    put_array(out, f.lat);
    put_array(out, f.lon);
    put_array(out, f.dispatched_ms);
    put_array(out, f.en_route_ms);
    put_array(out, f.on_scene_ms);
    put_array(out, f.flags);
    return out;
}

base::Result<IncidentFacts> decode_facts(std::string_view bytes) {
    auto corrupt = [](std::string_view why) {
        return base::error(base::Code::corrupt_file,
                           fmt::format("stored incident fact block: {}", why));
    };
    if (bytes.size() < 16 || std::memcmp(bytes.data(), kMagic, 4) != 0) {
        return corrupt("not a fact block");
    }
    Reader r(bytes.substr(4));
    std::uint32_t version = 0, order = 0, n = 0;
    if (!r.get(version) || version != kVersion) return corrupt("unknown version");
    if (!r.get(order) || order != kByteOrder) return corrupt("written on another byte order");
    if (!r.get(n)) return corrupt("truncated");
    IncidentFacts f;
    if (!r.get_names(f.category_names) || !r.get_names(f.jurisdiction_names) ||
        !r.get_names(f.disposition_names) || !r.get_array(f.received_at, n) ||
        !r.get_array(f.category, n) || !r.get_array(f.jurisdiction, n) ||
        !r.get_array(f.disposition, n) || !r.get_array(f.lat, n) || !r.get_array(f.lon, n) ||
        !r.get_array(f.dispatched_ms, n) || !r.get_array(f.en_route_ms, n) ||
        !r.get_array(f.on_scene_ms, n) || !r.get_array(f.flags, n) || !r.done()) {
        return corrupt("truncated or sizes do not match");
    }
    if (f.disposition_names.empty() || !f.disposition_names[0].empty()) {
        return corrupt("disposition 0 must be the empty one");
    }
    for (std::uint32_t i = 0; i < n; ++i) {
        if (f.category[i] >= f.category_names.size() ||
            f.jurisdiction[i] >= f.jurisdiction_names.size() ||
            f.disposition[i] >= f.disposition_names.size() ||
            (i > 0 && f.received_at[i] < f.received_at[i - 1])) {
            return corrupt(fmt::format("fact {} out of range or order", i));
        }
    }
    derive_segments(f);
    return f;
}

} // namespace pingan::analytics
