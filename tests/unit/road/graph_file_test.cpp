// The graph file: round trip, and refusal of damaged, truncated and foreign files.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

#include "ascii_map.hpp"
#include "road/route.hpp"

namespace pingan::road {
namespace {

namespace fs = std::filesystem;

class GraphFile : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("pingan_graph_file_" +
                std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string bytes(const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), {}};
    }
    void write(const fs::path& p, const std::string& b) {
        std::ofstream out(p, std::ios::binary);
        out << b;
    }
    fs::path dir_;
};

const char* kMap = "A---B-<-C---D\n"
                   "|   |   |   |\n"
                   "E---F===G---H\n";

TEST_F(GraphFile, RoundTripKeepsEveryAnswer) {
    const testing::AsciiMap map = testing::parse_ascii_map(kMap);
    const fs::path p = dir_ / "g.graph";
    ASSERT_TRUE(map.graph.save(p.string()).ok());
    auto loaded = Graph::load(p.string());
    ASSERT_TRUE(loaded.ok()) << loaded.error().detail;
    EXPECT_EQ(loaded->node_count(), map.graph.node_count());
    EXPECT_EQ(loaded->segment_count(), map.graph.segment_count());
    RouteQuery a(map.graph), b(*loaded);
    for (NodeId s = 0; s < map.graph.node_count(); ++s) {
        for (NodeId t = 0; t < map.graph.node_count(); ++t)
            EXPECT_EQ(a.eta_ms(s, t), b.eta_ms(s, t));
    }
    for (SegmentId s = 0; s < map.graph.segment_count(); ++s) {
        EXPECT_EQ(loaded->name(s), map.graph.name(s));
        EXPECT_EQ(loaded->road_class(s), map.graph.road_class(s));
        EXPECT_EQ(loaded->shape(s).size(), map.graph.shape(s).size());
    }
    // Saving the loaded graph gives the same bytes.
    const fs::path p2 = dir_ / "g2.graph";
    ASSERT_TRUE(loaded->save(p2.string()).ok());
    EXPECT_EQ(bytes(p), bytes(p2));
}

TEST_F(GraphFile, RefusesDamagedTruncatedAndForeignFiles) {
    const testing::AsciiMap map = testing::parse_ascii_map(kMap);
    const fs::path good = dir_ / "g.graph";
    ASSERT_TRUE(map.graph.save(good.string()).ok());
    const std::string b = bytes(good);
    auto expect_corrupt = [&](const std::string& content, const char* what) {
        const fs::path p = dir_ / "bad.graph";
        write(p, content);
        auto r = Graph::load(p.string());
        ASSERT_FALSE(r.ok()) << what;
        EXPECT_EQ(r.error().code, base::Code::corrupt_file) << what;
        EXPECT_FALSE(r.error().detail.empty());
    };
    expect_corrupt("", "empty");
    expect_corrupt(b.substr(0, b.size() / 2), "truncated");
    expect_corrupt(b.substr(0, b.size() - 1), "one byte short");
    expect_corrupt(b + "x", "trailing byte");
    expect_corrupt("this is not a graph file, it is some text that is long enough\n", "text");
    for (std::size_t at : {std::size_t{9}, std::size_t{50}, b.size() / 3, b.size() - 5}) {
        std::string flipped = b;
        flipped[at] = static_cast<char>(flipped[at] ^ 0x5A);
        expect_corrupt(flipped, "flipped byte");
    }
    auto missing = Graph::load((dir_ / "missing.graph").string());
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, base::Code::io_error);
}

} // namespace
} // namespace pingan::road
