// Agreement with an independent implementation: the exported graph loaded into pgRouting
// (PostgreSQL 15, started by this test on a loopback port with scripts/pg_temp.sh) gives the same
// travel times as `pingan route` for 200 random node pairs, within 0.1 s.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;

std::string capture(const std::string& cmd, int& status) {
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) {
        status = -1;
        return out;
    }
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    const int rc = ::pclose(p);
    status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return out;
}

TEST(PgRouting, SameCostsAsPinganRouteFor200RandomPairs) {
    const fs::path osm = fs::path(PINGAN_DATA_DIR) / "roads" / "dc-nw.osm.pbf";
    if (!fs::exists(osm)) GTEST_SKIP() << "needs real data: " << osm << " is missing";
    if (!fs::exists("/usr/lib/postgresql/15/bin/initdb")) {
        GTEST_SKIP() << "needs PostgreSQL 15 (postgresql-15, postgresql-15-pgrouting)";
    }
    const fs::path script = fs::path(PINGAN_SOURCE_DIR) / "scripts" / "pg_temp.sh";
    char tmpl[] = "/tmp/pingan_pgr_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    const fs::path dir = tmpl;
    fs::permissions(dir, fs::perms::all); // the postgres user reads the CSV files from here
    // Whatever happens (an ASSERT returns early), the cluster stops and the files go.
    struct Cleanup {
        fs::path dir;
        std::string script;
        ~Cleanup() {
            if (fs::exists(dir / "pg")) {
                const std::string stop =
                    script + " stop " + (dir / "pg").string() + " >/dev/null 2>&1";
                [[maybe_unused]] const int rc = std::system(stop.c_str());
            }
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    } cleanup{dir, script.string()};
    const std::string exe = PINGAN_EXE;
    int status = 0;

    const std::string graph = (dir / "dc.graph").string(), csv = (dir / "edges.csv").string();
    capture(exe + " import osm " + osm.string() + " --out " + graph + " 2>/dev/null", status);
    ASSERT_EQ(status, 0);
    capture(exe + " export graph --graph " + graph + " --csv " + csv, status);
    ASSERT_EQ(status, 0);

    // Random pairs among the node ids that appear in the export.
    std::size_t nodes = 0;
    {
        std::ifstream in(csv);
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line)) {
            std::size_t source = 0, target = 0;
            std::sscanf(line.c_str(), "%*u,%zu,%zu", &source, &target);
            nodes = std::max({nodes, source + 1, target + 1});
        }
    }
    ASSERT_GT(nodes, 1000u);
    std::mt19937 rng(2024);
    std::ofstream pairs(dir / "pairs.csv");
    pairs << "source,target\n";
    std::vector<std::pair<std::size_t, std::size_t>> pair_list;
    for (int i = 0; i < 200; ++i) {
        const std::size_t a = rng() % nodes, b = rng() % nodes;
        pair_list.emplace_back(a, b);
        pairs << a << "," << b << "\n";
    }
    pairs.close();

    // Ours.
    std::map<std::pair<std::size_t, std::size_t>, double> ours;
    {
        std::istringstream lines(capture(
            exe + " route --graph " + graph + " --pairs " + (dir / "pairs.csv").string(), status));
        ASSERT_EQ(status, 0);
        std::string line;
        while (std::getline(lines, line)) {
            std::size_t a = 0, b = 0;
            double eta = 0;
            if (std::sscanf(line.c_str(), "{\"from_node\":%zu,\"to_node\":%zu,\"eta_s\":%lf}", &a,
                            &b, &eta) == 3) {
                ours[{a, b}] = eta;
            }
        }
    }
    const std::set<std::pair<std::size_t, std::size_t>> distinct(pair_list.begin(),
                                                                 pair_list.end());
    ASSERT_EQ(ours.size(), distinct.size());

    // pgRouting.
    const std::string port = std::to_string(20000 + ::getpid() % 20000);
    const std::string uri =
        capture(script.string() + " start " + (dir / "pg").string() + " " + port, status);
    if (status != 0) {
        GTEST_SKIP() << "could not start a PostgreSQL cluster with " << script << ": " << uri;
    }
    const std::string psql = script.string() + " psql " + (dir / "pg").string() + " " + port;
    const std::string sql =
        "CREATE EXTENSION pgrouting CASCADE;" // pgRouting 3.4 in Debian requires PostGIS
        "CREATE TABLE edges (id bigint, source bigint, target bigint, cost double precision,"
        " reverse_cost double precision, length_m double precision, x1 float8, y1 float8,"
        " x2 float8, y2 float8, road_class text, name text);"
        "CREATE TABLE pairs (source bigint, target bigint);";
    std::string out = capture(psql + " -c \"" + sql + "\" 2>&1", status);
    EXPECT_EQ(status, 0) << out;
    out = capture(psql + " -c \"\\copy edges FROM STDIN WITH (FORMAT csv, HEADER true)\" < " + csv +
                      " 2>&1",
                  status);
    EXPECT_EQ(status, 0) << out;
    out = capture(psql + " -c \"\\copy pairs FROM STDIN WITH (FORMAT csv, HEADER true)\" < " +
                      (dir / "pairs.csv").string() + " 2>&1",
                  status);
    EXPECT_EQ(status, 0) << out;
    const std::string query = "SELECT start_vid, end_vid, agg_cost FROM pgr_dijkstraCost("
                              "'SELECT id, source, target, cost, reverse_cost FROM edges',"
                              " 'SELECT source, target FROM pairs', directed => true)";
    out = capture(psql + " -At -F, -c \"" + query + "\" 2>&1", status);

    std::istringstream rows(out);
    std::string line;
    std::size_t compared = 0;
    while (std::getline(rows, line)) {
        std::size_t a = 0, b = 0;
        double cost = 0;
        if (std::sscanf(line.c_str(), "%zu,%zu,%lf", &a, &b, &cost) != 3) continue;
        auto it = ours.find({a, b});
        ASSERT_NE(it, ours.end()) << line;
        EXPECT_NEAR(it->second, cost, 0.1) << "pair " << a << " -> " << b;
        ++compared;
    }
    // pgr_dijkstraCost leaves out pairs with source == target (cost 0 on our side).
    std::size_t same = 0;
    for (const auto& [k, v] : ours)
        same += k.first == k.second;
    EXPECT_EQ(compared + same, ours.size()) << out.substr(0, 2000);
}

} // namespace
