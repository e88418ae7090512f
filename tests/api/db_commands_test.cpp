// pingan db migrate | backup | restore | copy, black-box: the real binary on real SQLite files
// and a throwaway PostgreSQL 15 cluster (scripts/pg_temp.sh; those tests skip without it).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <regex>
#include <sys/wait.h>
#include <thread>
#include <utility>

#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/postgres.hpp"
#include "support/server_process.hpp"

namespace pingan::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kPassword = "Admin-Pass-2026";

// The head `pingan audit verify` prints: "ok: N events (D breadcrumb digests), head HASH".
struct Verified {
    int exit_code = -1;
    std::int64_t events = -1;
    std::int64_t digests = -1;
    std::string head;
    std::string out;
};

Verified audit_verify(const std::string& db) {
    Verified v;
    auto r = run_cli({"audit", "verify", "--db", db});
    v.exit_code = r.exit_code;
    v.out = r.out;
    std::smatch m;
    static const std::regex kOk(
        R"(ok: (\d+) events \((\d+) breadcrumb digests\), head ([0-9a-f]{64}))");
    if (std::regex_search(r.out, m, kOk)) {
        v.events = std::stoll(m[1]);
        v.digests = std::stoll(m[2]);
        v.head = m[3];
    }
    return v;
}

// Runs a shell command line; its exit code, its output in `out`.
int shell(const std::string& command, std::string* out = nullptr) {
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    if (p == nullptr) return -1;
    std::string text;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        text.append(buf, n);
    const int rc = ::pclose(p);
    if (out != nullptr) *out = text;
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// Fills `db` through a running server: users, a unit whose breadcrumbs are digested into the
// chain (lat/lon values whose 15-digit and shortest text differ, and whole numbers), and
// incidents. The server runs while `during` is called, if given.
void fill(Scratch& scratch, const std::string& db, const std::function<void()>& during = nullptr) {
    add_user(db, "admin", "admin", kPassword);
    ServerProcess server(db, scratch.dir(), {"--digest-interval", "1"});
    server.start();
    const std::string token = login(server.port(), "admin", kPassword);
    HttpClient http(server.port());
    auto unit = http.post(
        "/api/v1/units",
        {{"callsign", "PA-1"}, {"agency", "police"}, {"lat", 38.91}, {"lon", -77.0}}, token);
    ASSERT_EQ(unit.status, 201) << unit.body;
    const std::string path =
        "/api/v1/units/" + std::to_string(unit.json()["id"].get<int>()) + "/position";
    for (int i = 0; i < 12; ++i) {
        ASSERT_EQ(http.post(path, {{"lat", 38.9 + i * 1e-4}, {"lon", -77.0}}, token).status, 204);
    }
    for (int i = 0; i < 3; ++i) {
        auto r = http.post("/api/v1/incidents",
                           {{"lat", 38.917},
                            {"lon", -77.029},
                            {"category", "theft"},
                            {"priority", 3},
                            {"description", "bicycle stolen, report " + std::to_string(i)}},
                           token);
        ASSERT_EQ(r.status, 201) << r.body;
    }
    std::this_thread::sleep_for(2500ms); // a breadcrumb digest lands
    if (during) during();
    server.stop();
}

// Imports the first 40 rows of the DC open-data extract into `db`; false when it is missing.
bool import_records(const Scratch& scratch, const std::string& db) {
    const std::string csv = data_dir().string() + "/incidents/dc_crime_2024-01-01_2024-03-17.csv";
    const std::string small = scratch.path("dc_small.csv").string();
    if (shell("head -n 41 '" + csv + "' > '" + small + "'") != 0) return false;
    auto r = run_cli({"import", "incidents", small, "--format", "dc", "--db", db});
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return r.exit_code == 0;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_file(const std::filesystem::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << bytes;
}

// A throwaway cluster in the scratch folder, and more databases in it.
class Postgres {
public:
    explicit Postgres(const Scratch& scratch) : dir_(scratch.path("pg")), pg_(dir_) {}
    bool ok() const { return !pg_.uri().empty(); }
    const std::string& uri() const { return pg_.uri(); } // the `postgres` database
    std::string port() const { return uri().substr(uri().rfind(':') + 1, 5); }
    // A new empty database and its URI.
    std::string create(const std::string& name) {
        std::string out;
        const int rc =
            shell(std::string(PINGAN_SOURCE_DIR) + "/scripts/pg_temp.sh psql '" + dir_.string() +
                      "' " + port() + " -c 'CREATE DATABASE " + name + "'",
                  &out);
        EXPECT_EQ(rc, 0) << out;
        return uri().substr(0, uri().rfind('/') + 1) + name;
    }

private:
    std::filesystem::path dir_;
    PgTemp pg_;
};

TEST(DbCommands, MigrateReportsTheSchemaVersion) {
    Scratch scratch;
    const std::string db = scratch.path("new.db").string();
    auto first = run_cli({"db", "migrate", "--db", db});
    EXPECT_EQ(first.exit_code, 0) << first.out;
    EXPECT_NE(first.out.find("schema version 0 -> 5"), std::string::npos) << first.out;
    auto again = run_cli({"db", "migrate", "--db", "sqlite:" + db});
    EXPECT_EQ(again.exit_code, 0) << again.out;
    EXPECT_NE(again.out.find("schema version 5: up to date"), std::string::npos) << again.out;
}

TEST(DbCommands, SqliteBackupWhileServingThenRestore) {
    Scratch scratch;
    const std::string live = scratch.path("live.db").string();
    const std::string backup = scratch.path("backup.db").string();
    CliResult during;
    fill(scratch, live, [&] { during = run_cli({"db", "backup", "--db", live, "--out", backup}); });
    ASSERT_EQ(during.exit_code, 0) << during.out;
    EXPECT_NE(during.out.find("head event"), std::string::npos) << during.out;

    const Verified original = audit_verify(live);
    ASSERT_EQ(original.exit_code, 0) << original.out;
    EXPECT_GE(original.digests, 1) << original.out;
    const Verified copy = audit_verify(backup);
    ASSERT_EQ(copy.exit_code, 0) << copy.out;
    // Taken while the server ran, the backup is a prefix of the chain; once stopped, the same.
    EXPECT_LE(copy.events, original.events);
    auto quiet = run_cli({"db", "backup", "--db", live, "--out", backup});
    ASSERT_EQ(quiet.exit_code, 0) << quiet.out;
    EXPECT_NE(quiet.out.find(original.head), std::string::npos) << quiet.out;

    const std::string restored = scratch.path("restored.db").string();
    auto r = run_cli({"db", "restore", "--db", restored, "--from", backup});
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find(original.head), std::string::npos) << r.out;
    const Verified after = audit_verify(restored);
    EXPECT_EQ(after.exit_code, 0) << after.out;
    EXPECT_EQ(after.head, original.head);
    EXPECT_EQ(after.events, original.events);

    auto refused = run_cli({"db", "restore", "--db", restored, "--from", backup});
    EXPECT_EQ(refused.exit_code, 2) << refused.out;
    EXPECT_NE(refused.out.find("--db"), std::string::npos) << refused.out;
    EXPECT_NE(refused.out.find("--force"), std::string::npos) << refused.out;
    auto forced = run_cli({"db", "restore", "--db", restored, "--from", backup, "--force"});
    EXPECT_EQ(forced.exit_code, 0) << forced.out;
}

TEST(DbCommands, RestoreOfATamperedBackupNamesTheBrokenLink) {
    Scratch scratch;
    const std::string live = scratch.path("live.db").string();
    add_user(live, "admin", "admin", kPassword);
    add_user(live, "amy", "dispatcher", kPassword);
    const std::string backup = scratch.path("backup.db").string();
    ASSERT_EQ(run_cli({"db", "backup", "--db", live, "--out", backup}).exit_code, 0);
    // The event payload holds "username":"amy"; the users row holds amy without quotes.
    std::string bytes = read_file(backup);
    const auto at = bytes.find("\"username\":\"amy\"");
    ASSERT_NE(at, std::string::npos);
    bytes[at + 12] = 'e'; // "amy" -> "emy"
    write_file(backup, bytes);
    auto r =
        run_cli({"db", "restore", "--db", scratch.path("restored.db").string(), "--from", backup});
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("event 2"), std::string::npos) << r.out;
}

TEST(DbCommands, CopySqliteToPostgresAndBack) {
    Scratch scratch;
    Postgres pg(scratch);
    if (!pg.ok()) GTEST_SKIP() << "needs PostgreSQL 15 (scripts/pg_temp.sh)";
    const std::string live = scratch.path("live.db").string();
    // Imported records bring the BLOB column (incident_fact_blocks.data) and BIGSERIAL ids.
    const bool records = import_records(scratch, live);
    fill(scratch, live);
    const Verified original = audit_verify(live);
    ASSERT_EQ(original.exit_code, 0) << original.out;
    ASSERT_GE(original.digests, 1) << original.out;

    const std::string central = pg.create("central");
    auto to_pg = run_cli({"db", "copy", "--from", live, "--to", central});
    ASSERT_EQ(to_pg.exit_code, 0) << to_pg.out;
    if (records) {
        EXPECT_NE(to_pg.out.find("incident_records       40 rows"), std::string::npos) << to_pg.out;
        EXPECT_NE(to_pg.out.find("incident_fact_blocks   1 rows"), std::string::npos) << to_pg.out;
    }
    const Verified on_pg = audit_verify(central);
    EXPECT_EQ(on_pg.exit_code, 0) << on_pg.out;
    EXPECT_EQ(on_pg.head, original.head);
    EXPECT_EQ(on_pg.events, original.events);
    EXPECT_EQ(on_pg.digests, original.digests); // digests verify on the other backend

    const std::string back = scratch.path("back.db").string();
    auto to_sqlite = run_cli({"db", "copy", "--from", central, "--to", "sqlite:" + back});
    ASSERT_EQ(to_sqlite.exit_code, 0) << to_sqlite.out;
    if (records) {
        EXPECT_NE(to_sqlite.out.find("incident_fact_blocks   1 rows"), std::string::npos)
            << to_sqlite.out;
    }
    const Verified on_sqlite = audit_verify(back);
    EXPECT_EQ(on_sqlite.exit_code, 0) << on_sqlite.out;
    EXPECT_EQ(on_sqlite.head, original.head);
    EXPECT_EQ(on_sqlite.events, original.events);
    EXPECT_EQ(on_sqlite.digests, original.digests);

    // Copying again is a no-op; a different database is refused.
    auto again = run_cli({"db", "copy", "--from", live, "--to", central});
    EXPECT_EQ(again.exit_code, 0) << again.out;
    EXPECT_NE(again.out.find("nothing to do"), std::string::npos) << again.out;
    const std::string other = scratch.path("other.db").string();
    add_user(other, "admin", "admin", kPassword);
    auto refused = run_cli({"db", "copy", "--from", other, "--to", central});
    EXPECT_EQ(refused.exit_code, 2) << refused.out;
    EXPECT_NE(refused.out.find("--to"), std::string::npos) << refused.out;
    auto refused_sqlite = run_cli({"db", "copy", "--from", other, "--to", back});
    EXPECT_EQ(refused_sqlite.exit_code, 2) << refused_sqlite.out;

    // The server runs on the copy: PostgreSQL sequences continue after the copied ids.
    ServerProcess server(central, scratch.dir());
    server.start();
    const std::string token = login(server.port(), "admin", kPassword);
    HttpClient http(server.port());
    EXPECT_EQ(
        http.post("/api/v1/units/1/position", {{"lat", 38.95}, {"lon", -77.01}}, token).status,
        204);
    server.stop();
    EXPECT_EQ(audit_verify(central).exit_code, 0);
}

TEST(DbCommands, PostgresBackupAndRestore) {
    Scratch scratch;
    Postgres pg(scratch);
    if (!pg.ok()) GTEST_SKIP() << "needs PostgreSQL 15 (scripts/pg_temp.sh)";
    const std::string live = scratch.path("live.db").string();
    fill(scratch, live);
    const std::string central = pg.create("central");
    ASSERT_EQ(run_cli({"db", "copy", "--from", live, "--to", central}).exit_code, 0);
    const Verified original = audit_verify(central);
    ASSERT_EQ(original.exit_code, 0) << original.out;

    const std::string dump = scratch.path("central.dump").string();
    auto b = run_cli({"db", "backup", "--db", central, "--out", dump});
    ASSERT_EQ(b.exit_code, 0) << b.out;
    EXPECT_NE(b.out.find(original.head), std::string::npos) << b.out;
    EXPECT_NE(b.out.find("head event " + std::to_string(original.events)), std::string::npos)
        << b.out;

    const std::string standby = pg.create("restored");
    auto r = run_cli({"db", "restore", "--db", standby, "--from", dump});
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const Verified after = audit_verify(standby);
    EXPECT_EQ(after.exit_code, 0) << after.out;
    EXPECT_EQ(after.head, original.head);

    auto refused = run_cli({"db", "restore", "--db", standby, "--from", dump});
    EXPECT_EQ(refused.exit_code, 2) << refused.out;
    EXPECT_NE(refused.out.find("--force"), std::string::npos) << refused.out;
    auto forced = run_cli({"db", "restore", "--db", standby, "--from", dump, "--force"});
    EXPECT_EQ(forced.exit_code, 0) << forced.out;
    EXPECT_EQ(audit_verify(standby).head, original.head);

    // Archives of one backend are not restored into the other.
    auto wrong = run_cli({"db", "restore", "--db", scratch.path("x.db").string(), "--from", dump});
    EXPECT_EQ(wrong.exit_code, 2) << wrong.out;
    EXPECT_NE(wrong.out.find("--from"), std::string::npos) << wrong.out;
    auto wrong_pg = run_cli({"db", "restore", "--db", pg.create("other"), "--from", live});
    EXPECT_EQ(wrong_pg.exit_code, 2) << wrong_pg.out;
    EXPECT_NE(wrong_pg.out.find("db copy"), std::string::npos) << wrong_pg.out;
}

TEST(DbCommands, BadInputNamesTheOptionAndTheReason) {
    Scratch scratch;
    const std::string missing = scratch.path("missing.db").string();
    const std::string out = scratch.path("out.db").string();
    struct Case {
        std::vector<std::string> args;
        int exit_code;
        std::string says;
    };
    const std::vector<Case> cases = {
        {{"db", "backup", "--db", "mysql://db.example/pingan", "--out", out},
         2,
         "--db: unknown scheme"},
        {{"db", "backup", "--db", missing, "--out", out}, 2, "--db: no file at"},
        {{"db", "backup", "--db", "sqlite:", "--out", out}, 2, "--db: no path"},
        {{"db", "restore", "--db", out, "--from", missing}, 2, "--from: no file at"},
        {{"db", "copy", "--from", missing, "--to", out}, 2, "--from: no file at"},
        {{"db", "copy", "--from", out, "--to", "mongodb://x"}, 2, "--to: unknown scheme"},
        {{"db", "backup", "--db", "postgresql://postgres@127.0.0.1:1/none", "--out", out},
         1,
         "--db: cannot connect"},
        {{"db", "copy", "--from", "postgresql://postgres@127.0.0.1:1/none", "--to", out},
         1,
         "--from"},
        {{"db", "migrate", "--db", "postgresql://postgres@127.0.0.1:1/none"}, 1, "--db"},
    };
    for (const auto& c : cases) {
        auto r = run_cli(c.args);
        EXPECT_EQ(r.exit_code, c.exit_code) << c.args[1] << " " << c.args[3] << ": " << r.out;
        EXPECT_NE(r.out.find(c.says), std::string::npos) << r.out;
    }
    EXPECT_FALSE(std::filesystem::exists(missing)); // reading commands never create the file
}

} // namespace
} // namespace pingan::test
