#include "io/osm_file.hpp"

#include <algorithm>
#include <array>
#include <expat.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string_view>
#include <unistd.h>

#include <fmt/core.h>
#include <osmium/io/any_compression.hpp>
#include <osmium/io/file.hpp>
#include <protozero/exception.hpp>
#include <protozero/pbf_reader.hpp>

namespace pingan::io {

namespace {

// Every attribute libosmium's XML reader turns into a coordinate: node and nd (lat, lon),
// bounds (minlat ...) and changeset (min_lat ...).
constexpr std::array<std::string_view, 10> kCoordinateAttributes = {
    "lat",    "lon",     "minlat",  "minlon",  "maxlat",
    "maxlon", "min_lat", "min_lon", "max_lat", "max_lon"};

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// -?D+(.D*)? or -?.D+ : no exponent, no spaces, no sign but a leading minus. The number of
// digits is left to libosmium, which refuses too many without overflowing.
bool plain_decimal(std::string_view v) {
    std::size_t i = 0;
    if (i < v.size() && v[i] == '-') ++i;
    std::size_t digits = 0;
    while (i < v.size() && is_digit(v[i]))
        ++i, ++digits;
    if (i < v.size() && v[i] == '.') {
        ++i;
        while (i < v.size() && is_digit(v[i]))
            ++i, ++digits;
    }
    return digits > 0 && i == v.size();
}

// The start of a refused value for a message: printable ASCII, the rest as '?'.
std::string printable(std::string_view v) {
    std::string out(v.substr(0, 40));
    for (char& c : out)
        if (c < ' ' || c > '~') c = '?';
    return out;
}

struct CoordinateCheck {
    XML_Parser parser = nullptr;
    std::string bad; // the first refused attribute, described; empty while all are plain

    static void on_start(void* self, const XML_Char* element, const XML_Char** attrs) {
        auto* check = static_cast<CoordinateCheck*>(self);
        for (; attrs[0] != nullptr; attrs += 2) {
            const std::string_view name = attrs[0];
            if (std::find(kCoordinateAttributes.begin(), kCoordinateAttributes.end(), name) ==
                kCoordinateAttributes.end())
                continue;
            if (plain_decimal(attrs[1])) continue;
            check->bad = fmt::format("line {}: <{}> {}=\"{}\" is not a plain decimal number "
                                     "of degrees",
                                     XML_GetCurrentLineNumber(check->parser), element, name,
                                     printable(attrs[1]));
            XML_StopParser(check->parser, XML_FALSE);
            return;
        }
    }

    // libosmium refuses entity declarations (no entity expansion); so does this pass.
    static void on_entity(void* self, const XML_Char*, int, const XML_Char*, int, const XML_Char*,
                          const XML_Char*, const XML_Char*, const XML_Char*) {
        XML_StopParser(static_cast<CoordinateCheck*>(self)->parser, XML_FALSE);
    }
};

base::Status check_xml_coordinates(const std::string& path, const osmium::io::File& file) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return base::error(base::Code::io_error, "file", fmt::format("cannot open {}", path));
    std::unique_ptr<osmium::io::Decompressor> input;
    try {
        input =
            osmium::io::CompressionFactory::instance().create_decompressor(file.compression(), fd);
    } catch (const std::exception& e) {
        ::close(fd);
        return unreadable_osm(path, e.what());
    }
    std::unique_ptr<std::remove_pointer_t<XML_Parser>, decltype(&XML_ParserFree)> parser(
        XML_ParserCreate(nullptr), &XML_ParserFree);
    CoordinateCheck check;
    check.parser = parser.get();
    XML_SetUserData(parser.get(), &check);
    XML_SetStartElementHandler(parser.get(), &CoordinateCheck::on_start);
    XML_SetEntityDeclHandler(parser.get(), &CoordinateCheck::on_entity);
    try {
        for (bool last = false; !last;) {
            const std::string data = input->read();
            last = data.empty();
            const int n = static_cast<int>(data.size());
            // Stopped by a refusal, or a syntax error: libosmium names that one itself.
            if (XML_Parse(parser.get(), data.data(), n, last) != XML_STATUS_OK) break;
        }
        input->close();
    } catch (const std::exception& e) {
        return unreadable_osm(path, e.what());
    }
    if (!check.bad.empty()) return unreadable_osm(path, check.bad);
    return {};
}

// PBF: the framing, blob by blob, without decompressing anything. Each blob is a 4-byte
// big-endian length, a BlobHeader (type, datasize) and the Blob; the first is an OSMHeader, the
// others OSMData, and the last ends where the file ends. The limits are libosmium's
// (osmium/io/detail/pbf.hpp).
base::Status check_pbf_framing(const std::string& path, std::uint64_t size) {
    constexpr std::uint32_t kMaxHeader = 64 * 1024;
    constexpr std::int64_t kMaxBlob = 32 * 1024 * 1024;
    std::ifstream in(path, std::ios::binary);
    if (!in) return base::error(base::Code::io_error, "file", fmt::format("cannot open {}", path));
    std::string header;
    std::uint64_t offset = 0;
    for (std::size_t blob = 0; offset < size; ++blob) {
        const std::uint64_t start = offset;
        auto refuse = [&](const std::string& why) {
            return unreadable_osm(path,
                                  fmt::format("PBF blob {} at byte {}: {}", blob, start, why));
        };
        unsigned char length[4];
        if (size - offset < 4 || !in.read(reinterpret_cast<char*>(length), 4)) {
            return refuse("the file ends inside the blob's length");
        }
        const std::uint32_t n = (std::uint32_t{length[0]} << 24) |
                                (std::uint32_t{length[1]} << 16) | (std::uint32_t{length[2]} << 8) |
                                std::uint32_t{length[3]};
        if (n == 0 || n > kMaxHeader) {
            return refuse(fmt::format("a header of {} bytes (1 to {} expected)", n, kMaxHeader));
        }
        if (size - offset - 4 < n) return refuse("the file ends inside the blob's header");
        header.resize(n);
        if (!in.read(header.data(), n)) return refuse("the blob's header cannot be read");
        std::string_view type;
        std::int64_t datasize = 0;
        try {
            protozero::pbf_reader message(header.data(), header.size());
            while (message.next()) {
                if (message.tag() == 1 &&
                    message.wire_type() == protozero::pbf_wire_type::length_delimited) {
                    const protozero::data_view v = message.get_view();
                    type = std::string_view(v.data(), v.size());
                } else if (message.tag() == 3 &&
                           message.wire_type() == protozero::pbf_wire_type::varint) {
                    datasize = message.get_int32();
                } else {
                    message.skip();
                }
            }
        } catch (const protozero::exception& e) {
            return refuse(fmt::format("the header is not a BlobHeader ({})", e.what()));
        }
        const std::string_view expected = blob == 0 ? "OSMHeader" : "OSMData";
        if (type != expected) {
            return refuse(
                fmt::format("its type is \"{}\" where {} belongs", printable(type), expected));
        }
        if (datasize <= 0 || datasize > kMaxBlob) {
            return refuse(fmt::format("a size of {} bytes (1 to {} expected)", datasize, kMaxBlob));
        }
        offset += 4 + n;
        if (size - offset < static_cast<std::uint64_t>(datasize)) {
            return refuse(
                fmt::format("the blob's {} bytes run past the end of the file ({} remain)",
                            datasize, size - offset));
        }
        offset += static_cast<std::uint64_t>(datasize);
        in.seekg(static_cast<std::streamoff>(offset));
    }
    return {};
}

base::Status check_file(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        return base::error(base::Code::io_error, "file",
                           fmt::format("cannot open {}: no such file", path));
    }
    const std::uint64_t size = std::filesystem::file_size(path, ec);
    if (ec) {
        return base::error(base::Code::io_error, "file",
                           fmt::format("cannot read {}: {}", path, ec.message()));
    }
    if (size == 0) return unreadable_osm(path, "the file is empty");
    const osmium::io::File file(path); // the format and compression its name says
    switch (file.format()) {
    case osmium::io::file_format::pbf:
        if (file.compression() != osmium::io::file_compression::none) {
            return unreadable_osm(path, "a compressed PBF: PBF compresses its own blobs; give "
                                        "the .osm.pbf itself");
        }
        return check_pbf_framing(path, size);
    case osmium::io::file_format::xml:
        return check_xml_coordinates(path, file);
    case osmium::io::file_format::unknown:
        return unreadable_osm(path,
                              "its name says no format; pingan reads OSM PBF (.osm.pbf) or XML "
                              "(.osm, .osm.gz, .osm.bz2)");
    default:
        return unreadable_osm(path,
                              fmt::format("its name says {}; pingan reads OSM PBF (.osm.pbf) or "
                                          "XML (.osm, .osm.gz, .osm.bz2)",
                                          osmium::io::as_string(file.format())));
    }
}

} // namespace

base::Error unreadable_osm(const std::string& path, const std::string& why) {
    return base::error(base::Code::corrupt_file, "file",
                       fmt::format("{} is not a readable OSM file: {}", path, why));
}

base::Result<CheckedOsmFile> check_osm_file(const std::string& path) {
    if (auto checked = check_file(path); !checked) return checked.error();
    return CheckedOsmFile(path);
}

} // namespace pingan::io
