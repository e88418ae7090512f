// Fault test: the disk fills up under a steady write load. While it is full, writes are refused
// with 503 and Retry-After (never a 201 that is not kept, never a 500); once space is back the
// server accepts writes again by itself, every acknowledged incident is there exactly once, and
// the hash chain verifies.
//
// The database lives on a small tmpfs mounted for the test (root, as in CI). Where mounting is
// not allowed, the same failure comes from a file-size limit on the server process (writes past
// it fail as on a full disk), raised again to "free space".
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sys/mount.h>
#include <sys/resource.h>
#include <thread>

#include <fmt/core.h>

#include "fixture.hpp"

namespace pingan::test {
namespace {

// A place to put the database whose space can run out and come back.
class SmallDisk {
public:
    explicit SmallDisk(const std::filesystem::path& dir) : dir_(dir) {
        std::filesystem::create_directories(dir_);
        mounted_ = mount("tmpfs", dir_.c_str(), "tmpfs", 0, "size=64m") == 0;
    }
    ~SmallDisk() {
        if (mounted_) umount2(dir_.c_str(), MNT_DETACH);
    }
    bool mounted() const { return mounted_; }
    const std::filesystem::path& dir() const { return dir_; }

    // Takes all free space (tmpfs) or lowers the server's file-size limit below what its files
    // need next.
    void fill(ServerProcess& server) {
        if (mounted_) {
            std::ofstream ballast(dir_ / "ballast", std::ios::binary);
            const std::string chunk(1 << 20, 'x');
            while (ballast.write(chunk.data(), static_cast<std::streamsize>(chunk.size())))
                ballast.flush();
            return;
        }
        const rlimit tight{64 * 1024, RLIM_INFINITY};
        ASSERT_EQ(prlimit(server.pid(), RLIMIT_FSIZE, &tight, nullptr), 0) << std::strerror(errno);
    }
    void free_space(ServerProcess& server) {
        if (mounted_) {
            std::filesystem::remove(dir_ / "ballast");
            return;
        }
        const rlimit open{RLIM_INFINITY, RLIM_INFINITY};
        ASSERT_EQ(prlimit(server.pid(), RLIMIT_FSIZE, &open, nullptr), 0) << std::strerror(errno);
    }

private:
    std::filesystem::path dir_;
    bool mounted_ = false;
};

nlohmann::json incident(const std::string& description, int n) {
    return {{"lat", 38.9 + n * 1e-5},
            {"lon", -77.03},
            {"category", "theft"},
            {"description", description}};
}

TEST(Fault, DiskFullRefusesWritesWith503AndRecoversWhenSpaceReturns) {
    Scratch scratch;
    SmallDisk disk(scratch.path("disk"));
    std::cerr << (disk.mounted() ? "database on a 64 MiB tmpfs\n"
                                 : "tmpfs not allowed here: using a file-size limit\n");
    const std::string db = (disk.dir() / "pingan.db").string();
    add_user(db, "admin", "admin", kAdminPassword);
    ServerProcess server(db, scratch.dir());
    server.start();
    const std::string admin = login(server.port(), "admin", kAdminPassword);
    HttpClient http(server.port());

    std::map<std::string, StoredIncident> acked;
    int n = 0;
    auto create = [&](const std::string& phase) {
        const std::string description = fmt::format("fault {} {}", phase, n);
        auto r = http.post("/api/v1/incidents", incident(description, n++), admin);
        if (r.status == 201) {
            auto j = r.json();
            acked[description] = {j["id"].get<std::int64_t>(), j["number"].get<std::string>()};
        }
        return r;
    };

    for (int i = 0; i < 200; ++i)
        ASSERT_EQ(create("before").status, 201);

    disk.fill(server);
    // Writes go on until the store's files need space they cannot get; from then on every
    // write is refused as unavailable. Nothing may be answered 500.
    int refused = 0;
    for (int i = 0; i < 20'000 && refused < 50; ++i) {
        auto r = create("full");
        ASSERT_TRUE(r.status == 201 || r.status == 503) << r.status << " " << r.body;
        if (r.status == 503) {
            ++refused;
            EXPECT_FALSE(r.header("retry-after").empty());
            EXPECT_NE(r.json()["type"].get<std::string>().find("unavailable"), std::string::npos)
                << r.body;
        }
    }
    ASSERT_EQ(refused, 50) << "the full disk never refused a write";
    // Reads still work while writes cannot.
    EXPECT_EQ(http.get("/api/v1/units", admin).status, 200);

    disk.free_space(server);
    // Recovers by itself: no restart, within 10 s.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        status = create("after").status;
        if (status == 201) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(status, 201) << "no write accepted within 10 s of space returning:\n" << server.log();
    for (int i = 0; i < 100; ++i)
        ASSERT_EQ(create("after").status, 201);

    const auto stored = incidents_by_description(http, admin);
    for (const auto& [description, ack] : acked) {
        ASSERT_EQ(stored.count(description), 1u) << description;
        EXPECT_EQ(stored.find(description)->second.id, ack.id) << description;
        EXPECT_EQ(stored.find(description)->second.number, ack.number) << description;
    }
    for (const auto& [description, s] : stored)
        EXPECT_TRUE(acked.count(description) == 1) << "stored but refused: " << description;

    server.stop();
    auto verify = run_cli({"audit", "verify", "--db", db});
    EXPECT_EQ(verify.exit_code, 0) << verify.out;
}

} // namespace
} // namespace pingan::test
