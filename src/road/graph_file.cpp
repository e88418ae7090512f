// The graph file: one binary file holding every array of GraphData.
//
//   header   magic "PINGANRG", format version, byte-order mark, section count, file size,
//            checksum of the section table
//   table    per section: tag, element size, element count, offset, checksum of the bytes
//   data     the sections, each aligned to 8 bytes, in the order of for_each_section()
//
// A reader refuses a file whose size, magic, version, byte order, table or any section
// checksum disagrees, then checks the structural invariants of GraphData (indices in range,
// monotone offsets, a valid hierarchy), so that no query can read out of bounds.
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>
#include <type_traits>

#include <fmt/core.h>

#include "road/graph.hpp"

namespace pingan::road {

namespace {

constexpr char kMagic[8] = {'P', 'I', 'N', 'G', 'A', 'N', 'R', 'G'};
constexpr std::uint32_t kFormatVersion = 1;
constexpr std::uint32_t kByteOrderMark = 0x01020304;

struct FileHeader {
    char magic[8];
    std::uint32_t version;
    std::uint32_t byte_order;
    std::uint32_t section_count;
    std::uint32_t reserved;
    std::uint64_t file_size;
    std::uint64_t table_checksum;
};
static_assert(sizeof(FileHeader) == 40);

struct SectionEntry {
    std::uint32_t tag;
    std::uint32_t element_size;
    std::uint64_t count;
    std::uint64_t offset;
    std::uint64_t checksum;
};
static_assert(sizeof(SectionEntry) == 32);

// 64-bit multiply-xorshift hash, 8 bytes per step: detects damage, not tampering.
std::uint64_t checksum(const unsigned char* p, std::size_t n) {
    std::uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xC2B2AE3D27D4EB4Full);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
    }
    std::uint64_t tail = 0;
    if (i < n) std::memcpy(&tail, p + i, n - i);
    h = (h ^ tail) * 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 29;
    return h;
}

// Every array of GraphData, in file order, with its tag. Append new sections at the end and
// bump kFormatVersion.
template <class D, class F>
void for_each_section(D& d, F&& f) {
    f(1, d.node_coord);
    f(2, d.node_osm_id);
    f(3, d.seg_tail);
    f(4, d.seg_head);
    f(5, d.seg_fwd_ms);
    f(6, d.seg_bwd_ms);
    f(7, d.seg_length_m);
    f(8, d.seg_class);
    f(9, d.seg_name);
    f(10, d.seg_way_id);
    f(11, d.seg_shape_first);
    f(12, d.shape);
    f(13, d.name_first);
    f(14, d.name_chars);
    f(15, d.first_out);
    f(16, d.arc_head);
    f(17, d.arc_time_ms);
    f(18, d.arc_seg);
    f(19, d.first_in);
    f(20, d.in_tail);
    f(21, d.in_time_ms);
    f(22, d.in_arc);
    f(23, d.rank);
    f(24, d.node_at_rank);
    f(25, d.up_first);
    f(26, d.up_arcs);
    f(27, d.up_unpack);
    f(28, d.down_first);
    f(29, d.down_arcs);
    f(30, d.down_unpack);
    f(31, d.profile_name);
}
constexpr std::uint32_t kSectionCount = 31;

std::size_t align8(std::size_t n) {
    return (n + 7) & ~std::size_t{7};
}

base::Error corrupt(const std::string& path, const std::string& why) {
    return base::error(base::Code::corrupt_file, "graph",
                       fmt::format("graph file {} is not usable: {}", path, why));
}

// Structural invariants; returns an empty string when they hold.
std::string check_structure(const GraphData& d) {
    const std::size_t n = d.node_coord.size();
    const std::size_t s = d.seg_tail.size();
    const std::size_t m = d.arc_head.size();
    if (n < 2 || s == 0 || m == 0) return "the graph is empty";
    if (d.node_osm_id.size() != n) return "node arrays differ in size";
    if (d.seg_head.size() != s || d.seg_fwd_ms.size() != s || d.seg_bwd_ms.size() != s ||
        d.seg_length_m.size() != s || d.seg_class.size() != s || d.seg_name.size() != s ||
        d.seg_way_id.size() != s || d.seg_shape_first.size() != s + 1) {
        return "segment arrays differ in size";
    }
    if (d.name_first.empty() || d.name_first.front() != 0 ||
        d.name_first.back() != d.name_chars.size()) {
        return "name table is inconsistent";
    }
    for (std::size_t i = 1; i < d.name_first.size(); ++i) {
        if (d.name_first[i] < d.name_first[i - 1]) return "name table is not monotone";
    }
    const std::size_t names = d.name_first.size() - 1;
    if (d.seg_shape_first[0] != 0 || d.seg_shape_first[s] != d.shape.size()) {
        return "segment shapes do not cover the shape array";
    }
    for (std::size_t i = 0; i < s; ++i) {
        if (d.seg_shape_first[i + 1] < d.seg_shape_first[i] + 2) return "a segment has no shape";
        if (d.seg_tail[i] >= n || d.seg_head[i] >= n || d.seg_tail[i] == d.seg_head[i]) {
            return "a segment has a bad end node";
        }
        if (d.seg_name[i] >= names) return "a segment names an unknown street";
        if (static_cast<std::size_t>(d.seg_class[i]) >= kRoadClassCount) {
            return "a segment has an unknown road class";
        }
        if (!(d.seg_length_m[i] >= 0) || !std::isfinite(d.seg_length_m[i])) {
            return "a segment has a bad length";
        }
        if (d.seg_fwd_ms[i] == 0 || d.seg_bwd_ms[i] == 0) return "a segment has zero travel time";
    }
    auto csr_ok = [](const auto& first, std::size_t rows, std::size_t size) {
        if (first.size() != rows + 1 || first[0] != 0 || first[rows] != size) return false;
        for (std::size_t i = 0; i < rows; ++i) {
            if (first[i + 1] < first[i]) return false;
        }
        return true;
    };
    if (!csr_ok(d.first_out, n, m) || d.arc_time_ms.size() != m || d.arc_seg.size() != m) {
        return "forward arcs are inconsistent";
    }
    for (std::size_t a = 0; a < m; ++a) {
        if (d.arc_head[a] >= n || d.arc_time_ms[a] == 0 || d.arc_time_ms[a] == kNoTime ||
            (d.arc_seg[a] >> 1) >= s) {
            return "a forward arc is out of range";
        }
    }
    if (!csr_ok(d.first_in, n, m) || d.in_tail.size() != m || d.in_time_ms.size() != m ||
        d.in_arc.size() != m) {
        return "reverse arcs are inconsistent";
    }
    for (std::size_t a = 0; a < m; ++a) {
        if (d.in_tail[a] >= n || d.in_arc[a] >= m) return "a reverse arc is out of range";
    }
    if (d.rank.size() != n || d.node_at_rank.size() != n) return "hierarchy ranks are missing";
    for (std::size_t v = 0; v < n; ++v) {
        if (d.rank[v] >= n || d.node_at_rank[d.rank[v]] != v)
            return "hierarchy ranks are not a permutation";
    }
    auto ch_ok = [&](const std::vector<std::uint32_t>& first, const std::vector<ChArc>& arcs,
                     const std::vector<std::uint32_t>& unpack) {
        if (!csr_ok(first, n, arcs.size()) || unpack.size() != arcs.size()) return false;
        for (std::uint32_t r = 0; r < n; ++r) {
            for (std::uint32_t i = first[r]; i < first[r + 1]; ++i) {
                if (arcs[i].other >= n || arcs[i].other <= r || arcs[i].weight == 0) return false;
                const std::uint32_t u = unpack[i];
                if ((u & kShortcutBit) ? (u & ~kShortcutBit) >= r : u >= m) return false;
            }
        }
        return true;
    };
    if (!ch_ok(d.up_first, d.up_arcs, d.up_unpack)) return "upward hierarchy arcs are invalid";
    if (!ch_ok(d.down_first, d.down_arcs, d.down_unpack))
        return "downward hierarchy arcs are invalid";
    return {};
}

struct FileCloser {
    void operator()(std::FILE* f) const {
        if (f) std::fclose(f);
    }
};

} // namespace

base::Status Graph::save(const std::string& path) const {
    std::vector<SectionEntry> table;
    std::size_t offset = align8(sizeof(FileHeader) + kSectionCount * sizeof(SectionEntry));
    for_each_section(d_, [&](std::uint32_t tag, const auto& v) {
        using T = typename std::decay_t<decltype(v)>::value_type;
        const std::size_t bytes = v.size() * sizeof(T);
        table.push_back({tag, static_cast<std::uint32_t>(sizeof(T)), v.size(), offset,
                         checksum(reinterpret_cast<const unsigned char*>(v.data()), bytes)});
        offset = align8(offset + bytes);
    });
    FileHeader header{};
    std::memcpy(header.magic, kMagic, sizeof kMagic);
    header.version = kFormatVersion;
    header.byte_order = kByteOrderMark;
    header.section_count = kSectionCount;
    header.file_size = offset;
    header.table_checksum = checksum(reinterpret_cast<const unsigned char*>(table.data()),
                                     table.size() * sizeof(SectionEntry));

    std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "wb"));
    if (!f) return base::error(base::Code::io_error, "out", fmt::format("cannot create {}", path));
    bool ok =
        std::fwrite(&header, sizeof header, 1, f.get()) == 1 &&
        std::fwrite(table.data(), sizeof(SectionEntry), table.size(), f.get()) == table.size();
    std::size_t written = sizeof header + table.size() * sizeof(SectionEntry);
    static const char zeros[8] = {};
    auto pad_to = [&](std::size_t target) {
        if (ok && target > written)
            ok = std::fwrite(zeros, 1, target - written, f.get()) == target - written;
        written = target;
    };
    std::size_t i = 0;
    for_each_section(d_, [&](std::uint32_t, const auto& v) {
        using T = typename std::decay_t<decltype(v)>::value_type;
        pad_to(table[i].offset);
        const std::size_t bytes = v.size() * sizeof(T);
        if (ok && bytes) ok = std::fwrite(v.data(), 1, bytes, f.get()) == bytes;
        written += bytes;
        ++i;
    });
    pad_to(offset);
    if (ok) ok = std::fflush(f.get()) == 0;
    if (std::fclose(f.release()) != 0) ok = false;
    if (!ok) return base::error(base::Code::io_error, "out", fmt::format("cannot write {}", path));
    return {};
}

base::Result<Graph> Graph::load(const std::string& path) {
    std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    if (!f) return base::error(base::Code::io_error, "graph", fmt::format("cannot open {}", path));
    if (std::fseek(f.get(), 0, SEEK_END) != 0) {
        return base::error(base::Code::io_error, "graph", fmt::format("cannot read {}", path));
    }
    const long size_l = std::ftell(f.get());
    if (size_l < 0)
        return base::error(base::Code::io_error, "graph", fmt::format("cannot read {}", path));
    const auto size = static_cast<std::size_t>(size_l);
    std::rewind(f.get());
    if (size < sizeof(FileHeader)) return corrupt(path, "too short to be a graph file");
    FileHeader header{};
    if (std::fread(&header, sizeof header, 1, f.get()) != 1) {
        return base::error(base::Code::io_error, "graph", fmt::format("cannot read {}", path));
    }
    if (std::memcmp(header.magic, kMagic, sizeof kMagic) != 0) {
        return corrupt(path, "not a pingan graph file (wrong magic bytes)");
    }
    if (header.byte_order != kByteOrderMark)
        return corrupt(path, "written with another byte order");
    if (header.version != kFormatVersion) {
        return corrupt(path, fmt::format("format version {} (this program reads version {}); "
                                         "import the map again",
                                         header.version, kFormatVersion));
    }
    if (header.file_size != size) {
        return corrupt(path, fmt::format("truncated or extended: {} bytes, header says {}", size,
                                         header.file_size));
    }
    if (header.section_count != kSectionCount) return corrupt(path, "unexpected section count");
    std::vector<SectionEntry> table(kSectionCount);
    if (size < sizeof header + kSectionCount * sizeof(SectionEntry) ||
        std::fread(table.data(), sizeof(SectionEntry), table.size(), f.get()) != table.size()) {
        return corrupt(path, "section table is truncated");
    }
    if (checksum(reinterpret_cast<const unsigned char*>(table.data()),
                 table.size() * sizeof(SectionEntry)) != header.table_checksum) {
        return corrupt(path, "section table checksum mismatch");
    }
    GraphData d;
    std::string problem;
    std::size_t i = 0;
    for_each_section(d, [&](std::uint32_t tag, auto& v) {
        using T = typename std::decay_t<decltype(v)>::value_type;
        const SectionEntry e = table[i++];
        if (!problem.empty()) return;
        if (e.tag != tag || e.element_size != sizeof(T)) {
            problem = fmt::format("section {} has an unexpected layout", tag);
            return;
        }
        if (e.count > size / sizeof(T) || e.offset > size ||
            e.count * sizeof(T) > size - e.offset) {
            problem = fmt::format("section {} lies outside the file", tag);
            return;
        }
        v.resize(e.count);
        const std::size_t bytes = e.count * sizeof(T);
        if (bytes) {
            if (std::fseek(f.get(), static_cast<long>(e.offset), SEEK_SET) != 0 ||
                std::fread(v.data(), 1, bytes, f.get()) != bytes) {
                problem = fmt::format("section {} cannot be read", tag);
                return;
            }
        }
        if (checksum(reinterpret_cast<const unsigned char*>(v.data()), bytes) != e.checksum) {
            problem = fmt::format("section {} checksum mismatch (damaged file)", tag);
        }
    });
    if (!problem.empty()) return corrupt(path, problem);
    if (std::string why = check_structure(d); !why.empty()) return corrupt(path, why);
    return Graph(std::move(d));
}

} // namespace pingan::road
