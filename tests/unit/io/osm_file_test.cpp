// The check before libosmium reads an OSM file (io/osm_file.hpp): a coordinate in exponent
// notation is refused, whether plain or gzip-compressed XML, by the road import and the address
// import alike. Without the check, lat="1e70" overflowed inside libosmium (undefined behaviour,
// found by fuzz_osm) and came out as latitude 0, and the road was imported at the equator.
// A PBF file's framing is read blob by blob: a BlobHeader without a type (libosmium passed it to
// strncmp as a null pointer, also found by fuzz_osm), a wrong type, a truncated file.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <zlib.h>

#include <gtest/gtest.h>
#include <osmium/builder/attr.hpp>
#include <osmium/io/any_output.hpp>

#include "io/osm_addresses.hpp"
#include "io/osm_file.hpp"
#include "io/osm_import.hpp"
#include "road/profile.hpp"

using namespace pingan;
namespace fs = std::filesystem;

namespace {

// One residential road 1-2-3, its middle node's latitude given.
std::string road_xml(const std::string& middle_lat) {
    return "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>\n"
           " <node id='1' lat='38.9000' lon='-77.0300'/>\n"
           " <node id='2' lat='" +
           middle_lat +
           "' lon='-77.0250'><tag k='addr:housenumber' v='1'/>"
           "<tag k='addr:street' v='U Street Northwest'/></node>\n"
           " <node id='3' lat='38.9000' lon='-77.0200'/>\n"
           " <way id='10'><nd ref='1'/><nd ref='2'/><nd ref='3'/>"
           "<tag k='highway' v='residential'/></way>\n</osm>\n";
}

// The same road as road_xml("38.9") written as PBF by libosmium: an OSMHeader blob, then OSMData.
void write_road_pbf(const std::string& path) {
    using namespace osmium::builder::attr;
    osmium::memory::Buffer buffer{4096, osmium::memory::Buffer::auto_grow::yes};
    osmium::builder::add_node(buffer, _id(1), _location(-77.03, 38.9));
    osmium::builder::add_node(buffer, _id(2), _location(-77.025, 38.9));
    osmium::builder::add_node(buffer, _id(3), _location(-77.02, 38.9));
    osmium::builder::add_way(buffer, _id(10), _nodes({1, 2, 3}), _tag("highway", "residential"));
    osmium::io::Writer writer{path, osmium::io::overwrite::allow};
    writer(std::move(buffer));
    writer.close();
}

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

class OsmFile : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("pingan-osm-file-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string write(const std::string& name, const std::string& text) {
        const fs::path p = dir_ / name;
        std::ofstream(p, std::ios::binary) << text;
        return p.string();
    }
    std::string write_gz(const std::string& name, const std::string& text) {
        const fs::path p = dir_ / name;
        gzFile f = gzopen(p.c_str(), "wb");
        EXPECT_NE(f, nullptr);
        EXPECT_EQ(gzwrite(f, text.data(), static_cast<unsigned>(text.size())),
                  static_cast<int>(text.size()));
        gzclose(f);
        return p.string();
    }

    fs::path dir_;
    const road::Profile car_ = road::Profile::car();
};

TEST_F(OsmFile, PlainDecimalCoordinatesAreImported) {
    for (const std::string lat : {"38.9000", "38.9", "38", "+38.9", ".5", "-0.5", "38."}) {
        const std::string path = write("road.osm", road_xml(lat));
        const bool plain = lat != "+38.9";
        EXPECT_EQ(static_cast<bool>(io::check_osm_file(path)), plain) << lat;
        auto imported = io::import_osm(path, car_);
        EXPECT_EQ(imported.ok(), plain) << lat;
        if (imported.ok()) {
            EXPECT_EQ(imported.value().stats.nodes_found, 3u) << lat;
        }
    }
}

TEST_F(OsmFile, ExponentCoordinatesAreRefusedNamingElementAttributeAndValue) {
    for (const std::string lat : {"1e70", "3.89E1", "1e-3", "0e0", "1e99999"}) {
        const std::string path = write("road.osm", road_xml(lat));
        auto imported = io::import_osm(path, car_);
        ASSERT_FALSE(imported.ok()) << lat;
        const base::Error& e = imported.error();
        EXPECT_EQ(e.code, base::Code::corrupt_file) << lat;
        EXPECT_EQ(e.field, "file");
        EXPECT_NE(e.detail.find("line 4: <node> lat=\"" + lat + "\" is not a plain decimal"),
                  std::string::npos)
            << e.detail;
        auto addresses = io::read_osm_addresses(path);
        ASSERT_FALSE(addresses.ok()) << lat;
        EXPECT_EQ(addresses.error().code, base::Code::corrupt_file);
    }
}

TEST_F(OsmFile, CharacterReferencesAreReadAsLibosmiumReadsThem) {
    // &#49; is "1": what libosmium would parse is 1e70, so the check sees 1e70 too.
    auto imported = io::import_osm(write("road.osm", road_xml("&#49;e70")), car_);
    ASSERT_FALSE(imported.ok());
    EXPECT_NE(imported.error().detail.find("lat=\"1e70\""), std::string::npos)
        << imported.error().detail;
}

TEST_F(OsmFile, CompressedXmlIsCheckedToo) {
    auto good = io::import_osm(write_gz("road.osm.gz", road_xml("38.9")), car_);
    ASSERT_TRUE(good.ok()) << good.error().detail;
    EXPECT_EQ(good.value().stats.nodes_found, 3u);
    auto bad = io::import_osm(write_gz("road.osm.gz", road_xml("1e70")), car_);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().detail.find("lat=\"1e70\""), std::string::npos) << bad.error().detail;
}

TEST_F(OsmFile, BoundsNdAndChangesetCoordinatesAreCheckedAndValuesPrintedSafely) {
    const std::string head = "<?xml version='1.0'?>\n<osm version='0.6'>\n";
    const std::string cases[] = {
        head + "<bounds minlat='38' minlon='-77' maxlat='39' maxlon='-7.7e1'/>\n</osm>\n",
        head + "<way id='1'><nd ref='1' lat='1e70' lon='1'/></way>\n</osm>\n",
        head + "<changeset id='1' min_lat='1E70'/>\n</osm>\n",
        head + "<node id='1' lat='1\t\xe4\xb8\xad' lon='1'/>\n</osm>\n"};
    for (const std::string& text : cases) {
        auto checked = io::check_osm_file(write("x.osm", text));
        ASSERT_FALSE(checked) << text;
        const std::string& m = checked.error().detail;
        EXPECT_NE(m.find("is not a plain decimal number"), std::string::npos) << m;
        for (char c : m)
            EXPECT_TRUE(c >= ' ' && c <= '~') << m;
    }
}

TEST_F(OsmFile, OnlyPbfAndXmlAreRead) {
    auto opl = io::check_osm_file(write("x.opl", "n1 v1 x1e70 y1\n"));
    ASSERT_FALSE(opl);
    EXPECT_EQ(opl.error().code, base::Code::corrupt_file);
    EXPECT_NE(opl.error().detail.find("its name says OPL; pingan reads OSM PBF"), std::string::npos)
        << opl.error().detail;
    auto unnamed = io::check_osm_file(write("x.txt", "hello\n"));
    ASSERT_FALSE(unnamed);
    EXPECT_NE(unnamed.error().detail.find("its name says no format"), std::string::npos)
        << unnamed.error().detail;
    auto missing = io::check_osm_file((dir_ / "missing.osm").string());
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, base::Code::io_error);
    auto empty = io::check_osm_file(write("empty.osm", ""));
    ASSERT_FALSE(empty);
    EXPECT_NE(empty.error().detail.find("the file is empty"), std::string::npos);
}

TEST_F(OsmFile, PbfFramingIsReadBlobByBlob) {
    const std::string good = (dir_ / "road.osm.pbf").string();
    write_road_pbf(good);
    ASSERT_TRUE(io::check_osm_file(good));
    auto imported = io::import_osm(good, car_);
    ASSERT_TRUE(imported.ok()) << imported.error().detail;
    EXPECT_EQ(imported.value().stats.nodes_found, 3u);

    const std::string bytes = read_all(good);
    ASSERT_GT(bytes.size(), 40u);
    const std::size_t first_header = 4; // the OSMHeader blob's header starts after its length
    const std::string_view header_type = "OSMHeader";
    const std::size_t type_at = bytes.find(header_type);
    ASSERT_NE(type_at, std::string::npos);
    std::string wrong_type = bytes;
    wrong_type[type_at + header_type.size() - 1] = 'X';
    struct Case {
        std::string name, bytes, says;
    };
    const Case cases[] = {
        {"last byte cut", bytes.substr(0, bytes.size() - 1), "bytes run past the end of the file"},
        {"inside a header", bytes.substr(0, first_header + 3),
         "PBF blob 0 at byte 0: the file "
         "ends inside the blob's header"},
        {"inside a length", bytes.substr(0, 2), "the file ends inside the blob's length"},
        {"a byte after the end", bytes + '\x01', "the file ends inside the blob's length"},
        {"wrong type", wrong_type, "its type is \"OSMHeadeX\" where OSMHeader belongs"},
        {"empty header", std::string("\0\0\0\0", 4) + bytes, "a header of 0 bytes"},
        // fuzz_osm's input: a 34-byte header without a type field.
        {"no type",
         read_all(std::string(PINGAN_SOURCE_DIR) +
                  "/tests/fuzz-corpus/osm/libosmium-pbf-blob-header-without-type")
             .substr(1),
         "PBF blob 0 at byte 0: its type is \"\" where OSMHeader belongs"},
    };
    for (const Case& c : cases) {
        const std::string path = write("bad.osm.pbf", c.bytes);
        auto checked = io::check_osm_file(path);
        ASSERT_FALSE(checked) << c.name;
        EXPECT_EQ(checked.error().code, base::Code::corrupt_file) << c.name;
        EXPECT_NE(checked.error().detail.find(c.says), std::string::npos)
            << c.name << ": " << checked.error().detail;
        auto refused = io::import_osm(path, car_);
        ASSERT_FALSE(refused.ok()) << c.name;
        EXPECT_EQ(refused.error().detail, checked.error().detail) << c.name;
    }
    auto compressed = io::check_osm_file(write("road.osm.pbf.gz", bytes));
    ASSERT_FALSE(compressed);
    EXPECT_NE(compressed.error().detail.find("a compressed PBF"), std::string::npos)
        << compressed.error().detail;
}

TEST_F(OsmFile, XmlSyntaxErrorsAreLeftToLibosmiumWhichNamesThem) {
    const std::string path = write("broken.osm", "<?xml version='1.0'?>\n<osm><node id='1'\n");
    EXPECT_TRUE(io::check_osm_file(path));
    auto imported = io::import_osm(path, car_);
    ASSERT_FALSE(imported.ok());
    EXPECT_EQ(imported.error().code, base::Code::corrupt_file);
}

} // namespace
