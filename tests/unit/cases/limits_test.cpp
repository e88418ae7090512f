#include <gtest/gtest.h>

#include "cases/limits.hpp"
#include "test_support.hpp"

using namespace pingan;
using namespace pingan::cases;

namespace {

LimitsTable shipped() {
    auto t = LimitsTable::parse(test::read_config("case_limits.toml"));
    EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().detail);
    return std::move(t).value();
}

constexpr const char* kRow = R"(
[[limit]]
kind = "administrative"
stage = "case_handling"
zh = "治安案件办理期限"
en = "Handling"
amount = 30
unit = "calendar_days"
legal_ref = "治安管理处罚法 第99条第1款"
holiday_extends = true
extension_max = 30
extension_ref = "经上一级公安机关批准"
)";

std::string with(const std::string& from, const std::string& to) {
    std::string s = kRow;
    const auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
}

} // namespace

TEST(Limits, ShippedTableHasTheStatutoryStages) {
    const LimitsTable t = shipped();
    // 治安管理处罚法 第99条: 30 days, extendable by 30 with approval.
    const StageLimit* admin = t.find(CaseKind::administrative, "case_handling");
    ASSERT_NE(admin, nullptr);
    EXPECT_EQ(admin->amount, 30);
    EXPECT_EQ(admin->unit, LimitUnit::calendar_days);
    EXPECT_EQ(admin->extension_max, 30);
    EXPECT_NE(admin->legal_ref.find("第99条"), std::string::npos);
    // 治安管理处罚法 第83条: summons questioning 8 h, 24 h in all.
    const StageLimit* summons = t.find(CaseKind::administrative, "summons_questioning");
    ASSERT_NE(summons, nullptr);
    EXPECT_EQ(summons->unit, LimitUnit::hours);
    EXPECT_EQ(summons->amount + summons->extension_max, 24);
    // 刑事诉讼法 第91条: request for arrest approval within 3 days, 1–4 more, 30 for serious.
    const StageLimit* arrest = t.find(CaseKind::criminal, "arrest_request");
    ASSERT_NE(arrest, nullptr);
    EXPECT_EQ(arrest->amount, 3);
    EXPECT_EQ(arrest->extension_max, 4);
    EXPECT_FALSE(arrest->holiday_extends); // a person is held: runs to the day
    EXPECT_EQ(t.find(CaseKind::criminal, "arrest_request_serious")->extension_max + 3, 30);
    EXPECT_EQ(t.find(CaseKind::criminal, "arrest_review")->amount, 7);
    // 刑事诉讼法 第156条: investigation custody after arrest 2 months, +1 month.
    const StageLimit* custody = t.find(CaseKind::criminal, "investigation_custody");
    ASSERT_NE(custody, nullptr);
    EXPECT_EQ(custody->unit, LimitUnit::months);
    EXPECT_EQ(custody->amount, 2);
    EXPECT_EQ(custody->extension_max, 1);
    EXPECT_EQ(t.find(CaseKind::criminal, "case_handling"), nullptr); // kinds are separate
    for (const StageLimit& row : t.rows()) {
        EXPECT_FALSE(row.legal_ref.empty()) << row.stage;
        EXPECT_FALSE(row.zh.empty()) << row.stage;
        if (row.extension_max > 0) {
            EXPECT_FALSE(row.extension_ref.empty()) << row.stage;
        }
    }
    ASSERT_EQ(t.alerts().day_limits.size(), 2u);
    EXPECT_EQ(t.alerts().day_limits[0].name, "due_in_3_days"); // longest lead first
    EXPECT_EQ(t.alerts().day_limits[0].lead_ms, 3LL * 86'400'000);
    EXPECT_EQ(t.alerts().hour_limits.size(), 2u);
}

TEST(Limits, ProblemsNameTheRowAndField) {
    ASSERT_TRUE(LimitsTable::parse(kRow).ok());
    struct Case {
        std::string toml;
        std::string field;
    };
    const std::string row0 = "limit[0] (administrative case_handling)";
    const Case cases[] = {
        {with("unit = \"calendar_days\"", "unit = \"weeks\""), row0 + ".unit"},
        {with("amount = 30", "amount = 0"), row0 + ".amount"},
        {with("amount = 30", "amount = \"30\""), row0 + ".amount"},
        {with("amount = 30", "amount = 30.5"), row0 + ".amount"},
        // Read by toml++ alone, a float beyond int64 was cast to it: undefined behaviour
        // (tests/fuzz-corpus/config_toml/toml-float-1e40-read-as-integer).
        {with("amount = 30", "amount = 1e40"), row0 + ".amount"},
        {with("kind = \"administrative\"", "kind = \"civil\""),
         "limit[0] (civil case_handling).kind"},
        {with("stage = \"case_handling\"", "stage = \"\""), "limit[0].stage"},
        {with("legal_ref = \"治安管理处罚法 第99条第1款\"", ""), row0 + ".legal_ref"},
        {with("holiday_extends = true", ""), row0 + ".holiday_extends"},
        {with("extension_max = 30", "extension_max = -1"), row0 + ".extension_max"},
        {with("extension_ref = \"经上一级公安机关批准\"", ""), row0 + ".extension_ref"},
        {with("extension_ref", "extension_unit = \"hours\"\nextension_ref"),
         row0 + ".extension_unit"},
        {with("unit = \"calendar_days\"", "unit = \"hours\""), row0 + ".holiday_extends"},
        {std::string(kRow) + kRow, "limit[1]"},
        {"title = 1\n", "limit"},
        {std::string(kRow) + "[[alert]]\nname = \"x\"\nlead_minutes = 0\napplies_to = \"days\"\n",
         "alert[0].lead_minutes"},
        {std::string(kRow) +
             "[[alert]]\nname = \"x\"\nlead_minutes = -1e40\napplies_to = \"days\"\n",
         "alert[0].lead_minutes"},
        {std::string(kRow) + "[[alert]]\nname = \"x\"\nlead_minutes = 5\napplies_to = \"weeks\"\n",
         "alert[0].applies_to"},
        {std::string(kRow) + "[[alert]]\nname = \"x\"\nlead_minutes = 5\napplies_to = \"days\"\n"
                             "[[alert]]\nname = \"y\"\nlead_minutes = 5\napplies_to = \"days\"\n",
         "alert"},
    };
    for (const Case& c : cases) {
        auto t = LimitsTable::parse(c.toml);
        ASSERT_FALSE(t.ok()) << c.toml;
        EXPECT_EQ(t.error().code, base::Code::corrupt_file);
        EXPECT_EQ(t.error().field, c.field) << t.error().detail;
        EXPECT_NE(t.error().detail.find(c.field), std::string::npos) << t.error().detail;
    }
}
