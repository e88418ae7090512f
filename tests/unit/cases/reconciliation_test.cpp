#include <gtest/gtest.h>

#include "cases/reconciliation.hpp"
#include "test_support.hpp"

using namespace pingan;
using namespace pingan::cases;

namespace {

EvidenceItem item(std::string code, std::string location) {
    EvidenceItem i;
    i.code = std::move(code);
    i.description = "item " + i.code;
    i.holder = "zhang.hua";
    i.location = std::move(location);
    return i;
}

} // namespace

TEST(Reconciliation, FindsPlantedDiscrepancies) {
    std::vector<EvidenceItem> items = {item("EV-1", "shelf A"), item("EV-2", "shelf A"),
                                       item("EV-3", "shelf A"), item("EV-4", "shelf B"),
                                       item("EV-5", "shelf A")};
    items[4].disposal = Disposal::destroyed;
    // Scanned at shelf A: EV-3 is missing, EV-4 belongs on shelf B, X-9 is unknown and EV-5 was
    // destroyed. Repeats and scanner line endings are ignored.
    const std::vector<std::string> scanned = {"EV-1", "EV-4", "X-9", "EV-1", " EV-2\r\n", "EV-5"};
    const auto d = reconcile(items, "shelf A", scanned);
    ASSERT_EQ(d.size(), 4u);
    EXPECT_EQ(d[0].kind, DiscrepancyKind::missing);
    EXPECT_EQ(d[0].item_code, "EV-3");
    EXPECT_EQ(d[0].recorded_location, "shelf A");
    EXPECT_EQ(d[1].kind, DiscrepancyKind::wrong_location);
    EXPECT_EQ(d[1].item_code, "EV-4");
    EXPECT_EQ(d[1].recorded_location, "shelf B");
    EXPECT_EQ(d[1].scanned_location, "shelf A");
    EXPECT_EQ(d[2].kind, DiscrepancyKind::unexpected);
    EXPECT_EQ(d[2].item_code, "X-9");
    EXPECT_EQ(d[3].kind, DiscrepancyKind::unexpected);
    EXPECT_EQ(d[3].item_code, "EV-5");
    EXPECT_NE(d[3].detail.find("destroyed"), std::string::npos) << d[3].detail;
    EXPECT_EQ(to_string(d[1].kind), "wrong_location");
}

TEST(Reconciliation, AMatchingScanReconciles) {
    const std::vector<EvidenceItem> items = {item("EV-1", "shelf A"), item("EV-2", "shelf B")};
    const std::vector<std::string> scanned = {"EV-1"};
    EXPECT_TRUE(reconcile(items, "shelf A", scanned).empty());
    const auto empty_shelf = reconcile(items, "shelf B", std::vector<std::string>{});
    ASSERT_EQ(empty_shelf.size(), 1u);
    EXPECT_EQ(empty_shelf[0].kind, DiscrepancyKind::missing);
}
