// Triage rules against a table of real-looking call texts, Chinese and English.
#include <gtest/gtest.h>

#include "config_files.hpp"
#include "triage/rules.hpp"

using namespace pingan;
using namespace pingan::triage;

namespace {

struct Call {
    const char* text;
    const char* location_kind;
    int minute_of_day;
    const char* category; // expected; nullptr: no suggestion
    int priority;
};

void PrintTo(const Call& c, std::ostream* os) {
    *os << '"' << c.text << '"';
}

class TriageTable : public ::testing::TestWithParam<Call> {
protected:
    static void SetUpTestSuite() {
        taxonomy_ = new Taxonomy(Taxonomy::parse(test::read_config("taxonomy.toml")).value());
        auto t = Triage::parse(test::read_config("triage.toml"), *taxonomy_);
        ASSERT_TRUE(t.ok()) << t.error().detail;
        triage_ = new Triage(std::move(t).value());
    }
    static void TearDownTestSuite() {
        delete triage_;
        delete taxonomy_;
    }
    static Taxonomy* taxonomy_;
    static Triage* triage_;
};
Taxonomy* TriageTable::taxonomy_ = nullptr;
Triage* TriageTable::triage_ = nullptr;

} // namespace

TEST_P(TriageTable, SuggestsTheExpectedCategoryAndPriority) {
    const Call& c = GetParam();
    auto s = triage_->suggest(CallFacts{c.text, c.location_kind, c.minute_of_day});
    if (c.category == nullptr) {
        EXPECT_FALSE(s.has_value()) << c.text << " -> " << (s ? s->category : "");
        return;
    }
    ASSERT_TRUE(s.has_value()) << c.text;
    EXPECT_EQ(s->category, c.category) << c.text;
    EXPECT_EQ(s->priority, c.priority) << c.text;
    EXPECT_FALSE(s->reasons.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Calls, TriageTable,
    ::testing::Values(
        Call{"三楼厨房着火了，有很多烟，快来！", "residence", 600, "fire", 1},
        Call{"Smoke coming out of the garage next door", "", 600, "fire", 1},
        Call{"我爸突然晕倒了，叫不醒，呼吸困难", "residence", 900, "medical", 1},
        Call{"Man collapsed at the bus stop, not breathing", "road", 900, "medical", 1},
        Call{"二环路高架上两车追尾，没人受伤", "road", 480, "traffic", 2},
        Call{"车祸，有人受伤流血，躺在地上", "road", 480, "traffic", 1},
        Call{"Two-car collision at 14th and U, one driver injured and bleeding", "road", 480,
             "traffic", 1},
        Call{"有人持刀抢劫便利店，刚跑了", "public_place", 1320, "robbery", 1},
        Call{"I was mugged outside the metro, they took my phone", "road", 1320, "robbery", 1},
        Call{"听到好几声枪响，在小区门口", "residence", 60, "weapons", 1},
        Call{"Shots fired near the park, people running", "public_place", 60, "weapons", 1},
        Call{"隔壁两个人在打架，一个人被打伤了", "residence", 1200, "assault", 1},
        Call{"我老公又打我了，我很害怕", "residence", 1380, "assault", 1},
        Call{"家里被盗了，门锁被撬开，电脑不见了", "residence", 540, "burglary", 2},
        Call{"Someone broke into my apartment while I was at work", "residence", 1080, "burglary",
             2},
        Call{"我的电动车被盗了，停在楼下的", "residence", 450, "vehicle_theft", 3},
        Call{"My car was stolen from the parking lot overnight", "", 450, "vehicle_theft", 3},
        Call{"在地铁上钱包被偷了", "public_place", 1000, "theft", 3},
        Call{"Bike stolen from the rack outside the library", "", 1000, "theft", 3},
        Call{"接到冒充客服的电话，被骗转账五万元", "residence", 700, "fraud", 3},
        Call{"楼上邻居装修太吵了，晚上十一点还在砸墙", "residence", 1390, "noise", 4},
        Call{"广场舞噪音太大，影响休息", "public_place", 1170, "noise", 4},
        Call{"小区停水两天了，一直没人管", "residence", 600, "utility", 4},
        Call{"No heating in the whole building since Monday", "residence", 600, "utility", 4},
        Call{"老人走失了，有老年痴呆，穿蓝色外套", "", 1000, "welfare_check", 3},
        Call{"小孩被困在车里，车锁了，天很热", "road", 780, "welfare_check", 1},
        Call{"有个可疑的人一直在小区门口转悠", "residence", 130, "suspicious", 3},
        Call{"The burglar alarm at the shop next door keeps going off", "", 200, "alarm", 3},
        Call{"两个司机因为刮蹭吵起来了，没有动手", "road", 1000, "dispute", 3},
        Call{"有人持刀在学校门口，情绪激动", "school", 450, "assault", 1},
        Call{"我想问一下身份证怎么办理", "", 600, nullptr, 0}, Call{"", "", 600, nullptr, 0}));

TEST(Triage, NightRulesWakeUpOnlyAtNight) {
    auto taxonomy = Taxonomy::parse(test::read_config("taxonomy.toml")).value();
    auto triage = Triage::parse(test::read_config("triage.toml"), taxonomy).value();
    auto night = triage.suggest(CallFacts{"loud music next door", "residence", 23 * 60});
    auto day = triage.suggest(CallFacts{"loud music next door", "residence", 15 * 60});
    ASSERT_TRUE(night && day);
    EXPECT_GT(night->score, day->score); // the "noise at night" rule adds its weight
    EXPECT_EQ(night->reasons.front(), "noise at night");
}

// The longest description the API accepts (4,000 bytes) through the shipped rules: libstdc++
// matches ".*" by recursion, one frame per character, so this is the deepest stack triage needs.
TEST(Triage, TheLongestDescriptionRunsThroughTheShippedRegexes) {
    auto taxonomy = Taxonomy::parse(test::read_config("taxonomy.toml")).value();
    auto triage = Triage::parse(test::read_config("triage.toml"), taxonomy).value();
    std::string text = "车祸";
    while (text.size() < 3990)
        text += "x ";
    text += "流血";
    auto s = triage.suggest(CallFacts{text, "road", 600});
    ASSERT_TRUE(s);
    EXPECT_EQ(s->category, "traffic");
    EXPECT_EQ(s->priority, 1);
}

TEST(Triage, BadRulesAreRefusedByName) {
    auto taxonomy = Taxonomy::parse(test::read_config("taxonomy.toml")).value();
    auto unknown =
        Triage::parse("[[rule]]\nname='x'\ncategory='dragons'\nkeywords=['a']\n", taxonomy);
    ASSERT_FALSE(unknown.ok());
    EXPECT_NE(unknown.error().detail.find("dragons"), std::string::npos);
    auto bad_regex =
        Triage::parse("[[rule]]\nname='broken'\ncategory='fire'\nregex='(unclosed'\n", taxonomy);
    ASSERT_FALSE(bad_regex.ok());
    EXPECT_NE(bad_regex.error().detail.find("broken"), std::string::npos);
    // Refused before std::regex sees them: libstdc++ overflows a long on a huge repeat count
    // and recurses once per nesting level.
    for (const std::string& pattern : std::vector<std::string>{
             "a{1288888888888888888888}", "x{2,99999}", "=**", "(a+)+", "(a|ab)*x", "((a*)b)*",
             "a*?*", "(?:x{1,3})+", "a.*b.*c", "a+b{2,}", "(a)\\1", "\\99999999999999999999",
             "[\\1234]", std::string(20, '(') + "a" + std::string(20, ')'),
             std::string(600, 'a')}) {
        auto refused = Triage::parse(
            "[[rule]]\nname='r'\ncategory='fire'\nregex='" + pattern + "'\n", taxonomy);
        ASSERT_FALSE(refused.ok()) << pattern;
        EXPECT_NE(refused.error().detail.find("regex"), std::string::npos) << pattern;
    }
    for (const std::string& pattern :
         std::vector<std::string>{"a{0,12}\\{99999", "a\\\\1", "[*+]+x", "(?:老公|丈夫).{0,12}打",
                                  "x*?y", "(ab)+c", "a.*b|c.*d", "(a|b)c*", "a.{0,12}b+"}) {
        auto accepted = Triage::parse(
            "[[rule]]\nname='ok'\ncategory='fire'\nregex='" + pattern + "'\n", taxonomy);
        EXPECT_TRUE(accepted.ok()) << pattern << ": " << accepted.error().detail;
    }
    auto bad_hours = Triage::parse(
        "[[rule]]\nname='h'\ncategory='fire'\nkeywords=['a']\nhours='late'\n", taxonomy);
    ASSERT_FALSE(bad_hours.ok());
    EXPECT_NE(bad_hours.error().detail.find("hours"), std::string::npos);
}

TEST(Triage, RegexPrefilterKnowsTheTextsAPatternNeeds) {
    EXPECT_EQ(regex_required_texts("(车祸|撞|追尾).*(有人受伤|流血)|(Injur|bleeding).*(crash)"),
              (std::vector<std::string>{"车祸", "撞", "追尾", "injur", "bleeding"}));
    EXPECT_EQ(regex_required_texts("(?:老公|丈夫).{0,12}打"),
              (std::vector<std::string>{"老公", "丈夫"}));
    // Shapes where no text is required: the regex must always run.
    for (const char* p : {"crash.*injur", "(crash|)x", "(crash)?x", "(cr.sh|wreck)x",
                          "(crash)x|injur", "([ab]|c)x", "(crash|wreck", "(a)*b"}) {
        EXPECT_TRUE(regex_required_texts(p).empty()) << p;
    }
    // Groups and classes later in an alternative do not end it.
    EXPECT_EQ(regex_required_texts("(fire)(\\|[|]|x)|(smoke)"),
              (std::vector<std::string>{"fire", "smoke"}));
}
