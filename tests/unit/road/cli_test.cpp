// The `pingan` road commands on bad input: a clear error, exit code 2, no output file left.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <sys/wait.h>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;

class RoadCli : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("pingan_road_cli_" +
                std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    // Runs pingan with arguments; returns the exit code, stderr in err_.
    int run(const std::string& args) {
        const fs::path err = dir_ / "stderr.txt";
        const std::string cmd = std::string(PINGAN_EXE) + " " + args + " >" +
                                (dir_ / "stdout.txt").string() + " 2>" + err.string();
        const int status = std::system(cmd.c_str());
        std::ifstream in(err);
        err_.assign(std::istreambuf_iterator<char>(in), {});
        std::ifstream out_in(dir_ / "stdout.txt");
        out_.assign(std::istreambuf_iterator<char>(out_in), {});
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    void write(const fs::path& p, const std::string& content) {
        std::ofstream out(p, std::ios::binary);
        out << content;
    }
    // Only the inputs we wrote remain: no output, no temporary file.
    void expect_only(std::initializer_list<std::string> names) {
        std::set<std::string> expected(names.begin(), names.end());
        expected.insert("stderr.txt");
        expected.insert("stdout.txt");
        std::set<std::string> actual;
        for (const auto& e : fs::directory_iterator(dir_))
            actual.insert(e.path().filename().string());
        EXPECT_EQ(actual, expected);
    }

    fs::path dir_;
    std::string err_, out_;
};

TEST_F(RoadCli, ImportRefusesGarbageEmptyTruncatedAndNonOsmFiles) {
    std::string garbage(4096, '\0');
    for (std::size_t i = 0; i < garbage.size(); ++i)
        garbage[i] = static_cast<char>((i * 7919 + 13) % 251);
    write(dir_ / "garbage.osm.pbf", garbage);
    write(dir_ / "empty.osm.pbf", "");
    write(dir_ / "notosm.osm", "id,lat,lon\n1,2,3\n");
    write(dir_ / "html.osm", "<html><body>not osm</body></html>\n");
    write(dir_ / "noroads.osm",
          "<?xml version='1.0'?><osm version='0.6'><node id='1' lat='1' lon='1'/></osm>\n");
    write(dir_ / "unknown.txt", "hello\n");
    std::vector<std::string> inputs = {"garbage.osm.pbf", "empty.osm.pbf", "notosm.osm",
                                       "html.osm",        "noroads.osm",   "unknown.txt"};
    const fs::path real = fs::path(PINGAN_DATA_DIR) / "roads" / "dc-nw.osm.pbf";
    if (fs::exists(real)) {
        std::ifstream in(real, std::ios::binary);
        std::string bytes{std::istreambuf_iterator<char>(in), {}};
        write(dir_ / "truncated.osm.pbf", bytes.substr(0, bytes.size() / 3));
        inputs.push_back("truncated.osm.pbf");
    }
    for (const std::string& input : inputs) {
        const int code = run("import osm " + (dir_ / input).string() + " --out " +
                             (dir_ / "out.graph").string());
        EXPECT_EQ(code, 2) << input << ": " << err_;
        EXPECT_NE(err_.find("pingan: error:"), std::string::npos) << input << ": " << err_;
        EXPECT_FALSE(fs::exists(dir_ / "out.graph")) << input;
    }
    const int missing = run("import osm " + (dir_ / "missing.osm.pbf").string() + " --out " +
                            (dir_ / "out.graph").string());
    EXPECT_EQ(missing, 2);
    std::vector<std::string> names(inputs.begin(), inputs.end());
    std::set<std::string> expected(names.begin(), names.end());
    for (const auto& e : fs::directory_iterator(dir_)) {
        const std::string n = e.path().filename().string();
        EXPECT_TRUE(expected.count(n) || n == "stderr.txt" || n == "stdout.txt")
            << "left behind: " << n;
    }
}

TEST_F(RoadCli, QueriesRefuseBadGraphsAndCoordinates) {
    write(dir_ / "bad.graph", "PINGANRG but not really a graph");
    EXPECT_EQ(run("route --graph " + (dir_ / "bad.graph").string() + " --from 1,1 --to 2,2"), 2);
    EXPECT_NE(err_.find("not usable"), std::string::npos) << err_;
    EXPECT_EQ(run("export graph --graph " + (dir_ / "bad.graph").string() + " --csv " +
                  (dir_ / "out.csv").string()),
              2);
    EXPECT_FALSE(fs::exists(dir_ / "out.csv"));

    const fs::path real = fs::path(PINGAN_DATA_DIR) / "roads" / "baltimore.osm.pbf";
    if (!fs::exists(real)) GTEST_SKIP() << "needs real data: " << real << " is missing";
    const std::string g = (dir_ / "b.graph").string();
    ASSERT_EQ(run("import osm " + real.string() + " --out " + g), 0) << err_;
    EXPECT_NE(out_.find("\"nodes\":"), std::string::npos);
    // Out of range, garbage, off the map.
    EXPECT_EQ(run("route --graph " + g + " --from 95,0 --to 39.29,-76.61"), 2);
    EXPECT_EQ(run("route --graph " + g + " --from abc --to 39.29,-76.61"), 2);
    EXPECT_EQ(run("route --graph " + g + " --from 0,0 --to 39.29,-76.61"), 2);
    EXPECT_NE(err_.find("off_road"), std::string::npos) << err_;
    EXPECT_EQ(run("route --graph " + g + " --from 39.30,-76.60 --to 39.29,-76.61"), 0) << err_;
    EXPECT_NE(out_.find("\"eta_s\":"), std::string::npos);
    // Units file problems.
    write(dir_ / "units.csv", "id,lat,lon\nU1,39.30,notanumber\n");
    EXPECT_EQ(
        run("nearest --graph " + g + " --to 39.29,-76.61 --units " + (dir_ / "units.csv").string()),
        2);
    EXPECT_NE(err_.find("line 2"), std::string::npos) << err_;
    write(dir_ / "units.csv", "id,lat,lon\nU1,39.30,-76.60\nU2,39.31,-76.59\n");
    EXPECT_EQ(run("coverage --graph " + g + " --units " + (dir_ / "units.csv").string() +
                  " --within -5 --geojson " + (dir_ / "cov.json").string()),
              2);
    EXPECT_FALSE(fs::exists(dir_ / "cov.json"));
    EXPECT_EQ(run("coverage --graph " + g + " --units " + (dir_ / "units.csv").string() +
                  " --within 120 --geojson " + (dir_ / "cov.json").string()),
              0)
        << err_;
    EXPECT_TRUE(fs::exists(dir_ / "cov.json"));
}

} // namespace
