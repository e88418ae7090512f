// The analytics commands on bad input: a clear message naming the problem and exit code 2,
// nothing half-stored; and the happy path end to end on a small file.
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sys/wait.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "temp_dir.hpp"

namespace {

using pingan::analytics::testing::TempDir;

class AnalyticsCli : public ::testing::Test {
protected:
    int run(const std::string& args) {
        const std::string cmd = std::string(PINGAN_EXE) + " " + args + " >" + dir_.path("out") +
                                " 2>" + dir_.path("err");
        const int status = std::system(cmd.c_str());
        out_ = slurp(dir_.path("out"));
        err_ = slurp(dir_.path("err"));
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    static std::string slurp(const std::string& p) {
        std::ifstream in(p, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), {}};
    }
    std::string write(const std::string& name, const std::string& text) {
        std::ofstream(dir_.path(name), std::ios::binary) << text;
        return dir_.path(name);
    }
    // Records stored in the database (0 when there are none, or no database).
    int stored_records() {
        if (run("report compstat --db " + db() +
                " --from 2000-01-01 --to 2100-01-01 --compare "
                "none --format json") != 0) {
            return 0;
        }
        return nlohmann::json::parse(out_)["total"]["current"].get<int>();
    }
    std::string db() const { return dir_.path("p.db"); }

    TempDir dir_;
    std::string out_, err_;
};

constexpr const char* kHeader =
    "\xEF\xBB\xBF"
    "X,Y,CCN,REPORT_DAT,OFFENSE,DISTRICT,PSA,LATITUDE,LONGITUDE,OBJECTID\n";

std::string dc_row(int id, const std::string& when, const std::string& offense = "THEFT/OTHER",
                   const std::string& district = "2") {
    return "0,0,1," + when + "," + offense + "," + district + ",201,38.9,-77.03," +
           std::to_string(id) + "\n";
}

TEST_F(AnalyticsCli, ImportSummaryReimportAndAudit) {
    const std::string f =
        write("dc.csv", std::string(kHeader) + dc_row(1, "2024/02/01 10:00:00+00") +
                            dc_row(2, "2024/02/02 10:00:00+00", "ROBBERY", "3") +
                            dc_row(3, "2024/13/02 10:00:00+00"));
    ASSERT_EQ(run("import incidents " + f + " --format dc --db " + db() + " --json"), 0) << err_;
    auto j = nlohmann::json::parse(out_);
    EXPECT_EQ(j["rows_read"], 3);
    EXPECT_EQ(j["imported"], 2);
    EXPECT_EQ(j["rejected"], 1);
    EXPECT_EQ(j["problems"][0]["line"], 4);
    EXPECT_NE(j["problems"][0]["reason"].get<std::string>().find("REPORT_DAT"), std::string::npos);
    ASSERT_EQ(run("import incidents " + f + " --format dc --db " + db()), 0) << err_;
    EXPECT_NE(out_.find("already stored            2"), std::string::npos) << out_;
    EXPECT_NE(out_.find("line 4: REPORT_DAT"), std::string::npos) << out_;
    ASSERT_EQ(run("audit verify --db " + db()), 0) << out_ << err_;
    EXPECT_NE(out_.find("ok: 2 events"), std::string::npos) << out_;
    EXPECT_EQ(stored_records(), 2);
}

TEST_F(AnalyticsCli, BadFilesAreRefusedWithExitCode2AndNothingStored) {
    struct Case {
        std::string name, content, needle;
    };
    const std::vector<Case> cases = {
        {"empty.csv", "", "empty"},
        {"header_only.csv", kHeader, "no rows"},
        {"wrong_columns.csv", "when,what,lat,lon\n2024-01-01,x,1,2\n",
         "'REPORT_DAT' (mapping time.column)"},
        {"bad_dates.csv",
         std::string(kHeader) + dc_row(1, "yesterday") + dc_row(2, "01/02/2024 10:00"),
         "no row could be imported"},
        {"mixed_zones.csv",
         std::string(kHeader) + dc_row(1, "2024/02/01 10:00:00+00") +
             dc_row(2, "2024/02/01 10:00:00-05"),
         "mixed time zones"},
        {"mostly_bad.csv",
         std::string(kHeader) + dc_row(1, "2024/02/01 10:00:00+00") + dc_row(2, "x") +
             dc_row(3, "y") + dc_row(4, "z"),
         "--max-rejected-share"},
    };
    for (const Case& c : cases) {
        const std::string f = write(c.name, c.content);
        EXPECT_EQ(run("import incidents " + f + " --format dc --db " + db()), 2) << c.name;
        EXPECT_NE(err_.find(c.needle), std::string::npos) << c.name << ": " << err_;
        EXPECT_NE(err_.find("pingan: error:"), std::string::npos) << c.name;
    }
    EXPECT_EQ(stored_records(), 0);
    EXPECT_EQ(run("import incidents " + dir_.path("missing.csv") + " --format dc --db " + db()), 2);
    EXPECT_NE(err_.find("no such file"), std::string::npos);
    EXPECT_EQ(run("import incidents " + write("x.csv", "a\n1\n") + " --format nyc --db " + db()),
              2);
    EXPECT_NE(err_.find("'nyc'"), std::string::npos) << err_;
    const std::string bad_mapping = write("m.toml", "source = \"m\"\n[time]\ncolumn = \"t\"\n");
    EXPECT_EQ(run("import incidents " + write("y.csv", "t\n1\n") + " --format " + bad_mapping +
                  " --db " + db()),
              2);
    EXPECT_NE(err_.find("time.format"), std::string::npos) << err_;
}

TEST_F(AnalyticsCli, ReportsRefuseEmptyPeriodsBadDatesAndMissingEcharts) {
    const std::string f =
        write("dc.csv", std::string(kHeader) + dc_row(1, "2024/02/01 10:00:00+00"));
    ASSERT_EQ(run("import incidents " + f + " --format dc --db " + db()), 0) << err_;
    EXPECT_EQ(run("report compstat --db " + db() + " --from 2023-01-01 --to 2023-01-31"), 2);
    EXPECT_NE(err_.find("no incident records between 2023-01-01"), std::string::npos) << err_;
    EXPECT_NE(err_.find("the database holds 1 records"), std::string::npos) << err_;
    EXPECT_EQ(run("report compstat --db " + db() + " --from 2024-02-31 --to 2024-03-01"), 2);
    EXPECT_NE(err_.find("--from"), std::string::npos) << err_;
    EXPECT_EQ(run("report compstat --db " + db() + " --from 2024-02-01 --to 2024-01-01"), 2);
    EXPECT_EQ(
        run("report compstat --db " + dir_.path("none.db") + " --from 2024-02-01 --to 2024-02-02"),
        2);
    EXPECT_NE(err_.find("no file"), std::string::npos) << err_;
    EXPECT_EQ(run("report compstat --db " + db() +
                  " --from 2024-02-01 --to 2024-02-02 --format "
                  "html --echarts " +
                  dir_.path("nowhere.js") + " --out " + dir_.path("r.html")),
              2);
    EXPECT_NE(err_.find("npm ci --prefix tools/report"), std::string::npos) << err_;
    EXPECT_FALSE(std::ifstream(dir_.path("r.html")).good());
    EXPECT_EQ(run("hotspots --db " + db() + " --from 2023-01-01 --to 2023-01-31"), 2);
    EXPECT_NE(err_.find("no located incident records"), std::string::npos) << err_;
    EXPECT_EQ(run("hotspots --db " + db() +
                  " --from 2024-02-01 --to 2024-02-02 --category "
                  "pickpocketing"),
              2);
    EXPECT_NE(err_.find("'pickpocketing'"), std::string::npos) << err_;
    // A fake echarts is enough to check the page has no external reference.
    const std::string js = write("echarts.min.js", "window.echarts={init:function(){}};");
    ASSERT_EQ(run("report compstat --db " + db() +
                  " --from 2024-02-01 --to 2024-02-29 --format "
                  "html --echarts " +
                  js + " --out " + dir_.path("r.html")),
              0)
        << err_;
    const std::string html = slurp(dir_.path("r.html"));
    EXPECT_NE(html.find("window.echarts={init"), std::string::npos);
    EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
    EXPECT_EQ(html.find("http://"), std::string::npos);
    EXPECT_EQ(html.find("https://"), std::string::npos);
}

} // namespace
