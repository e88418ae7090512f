// Custody rules CU-1..CU-5 (src/cases/custody.hpp).
#include <gtest/gtest.h>

#include "cases/custody.hpp"
#include "test_support.hpp"

using namespace pingan;
using namespace pingan::cases;
using test::local;

namespace {

constexpr std::int64_t kMinute = 60'000;

// Applies a command's event, failing the test if the command was refused.
void record(CustodyLedger& ledger, const base::Result<CustodyEvent>& e,
            std::vector<CustodyEvent>* log = nullptr) {
    ASSERT_TRUE(e.ok()) << e.error().detail;
    ASSERT_TRUE(ledger.apply(*e).ok());
    if (log != nullptr) log->push_back(*e);
}

const base::TimeMs t0 = local(2026, 3, 10, 14, 0);

// Officer 李明 seizes a phone; it goes to the evidence room keeper 张华 and then on shelf A-3.
class CustodyTest : public ::testing::Test {
protected:
    void SetUp() override {
        record(
            ledger_,
            ledger_.register_item({"EV-2026-0001", "黑色手机一部 black mobile phone", "A2026-0042",
                                   "li.ming", "scene: 解放路 12号", "完好 intact", t0}),
            &log_);
    }

    const EvidenceItem& item() { return *ledger_.find("EV-2026-0001"); }

    HandoverProposal to_keeper(base::TimeMs at) {
        return {"li.ming", "zhang.hua", "证物室 evidence room", "完好，已封存 sealed", at};
    }

    CustodyLedger ledger_;
    std::vector<CustodyEvent> log_;
};

void expect_refused(const base::Result<CustodyEvent>& r, base::Code code, const char* field) {
    ASSERT_FALSE(r.ok()) << "expected a refusal naming " << field;
    EXPECT_EQ(r.error().code, code) << r.error().detail;
    EXPECT_EQ(r.error().field, field) << r.error().detail;
    EXPECT_FALSE(r.error().detail.empty());
}

} // namespace

TEST_F(CustodyTest, RegistrationMakesTheSeizingOfficerTheHolder) {
    EXPECT_EQ(item().holder, "li.ming");
    EXPECT_EQ(item().location, "scene: 解放路 12号");
    EXPECT_EQ(item().case_id, "A2026-0042");
    expect_refused(ledger_.register_item({"EV-2026-0001", "x", "c", "h", "l", "", t0}),
                   base::Code::duplicate_item, "item_code");
    expect_refused(ledger_.register_item({"EV 1", "x", "c", "h", "l", "", t0}),
                   base::Code::field_invalid, "item_code");
    expect_refused(ledger_.register_item({"EV-2", "", "c", "h", "l", "", t0}),
                   base::Code::field_missing, "description");
    expect_refused(ledger_.register_item({"EV-2", "x", "", "h", "l", "", t0}),
                   base::Code::field_missing, "case_id");
}

// CU-1: a hand-over without confirmation is not a hand-over.
TEST_F(CustodyTest, AHandOverWithoutConfirmationIsNotAHandOver) {
    record(ledger_, ledger_.propose("EV-2026-0001", to_keeper(t0 + 30 * kMinute)));
    EXPECT_EQ(item().holder, "li.ming");
    EXPECT_EQ(item().location, "scene: 解放路 12号");
    ASSERT_TRUE(item().pending.has_value());
    EXPECT_EQ(item().pending->receiver, "zhang.hua");
    // The giver still holds it, so the receiver cannot pass it on yet.
    expect_refused(
        ledger_.propose("EV-2026-0001", {"zhang.hua", "wang.qiang", "x", "ok", t0 + 31 * kMinute}),
        base::Code::invalid_transition, "item_code");

    record(ledger_, ledger_.confirm("EV-2026-0001", "zhang.hua", t0 + 40 * kMinute));
    EXPECT_EQ(item().holder, "zhang.hua");
    EXPECT_EQ(item().location, "证物室 evidence room");
    EXPECT_EQ(item().condition, "完好，已封存 sealed");
    EXPECT_FALSE(item().pending.has_value());
}

TEST_F(CustodyTest, CommandsRecordNothing) {
    auto e = ledger_.propose("EV-2026-0001", to_keeper(t0 + kMinute));
    ASSERT_TRUE(e.ok());
    EXPECT_FALSE(item().pending.has_value()); // only apply() changes the state
    EXPECT_EQ(item().event_count, 1u);
}

// CU-2: the named refusals.
TEST_F(CustodyTest, RefusalsNameTheReason) {
    const base::TimeMs t = t0 + 10 * kMinute;
    expect_refused(ledger_.propose("EV-9999", to_keeper(t)), base::Code::unknown_item, "item_code");
    expect_refused(ledger_.confirm("EV-9999", "zhang.hua", t), base::Code::unknown_item,
                   "item_code");
    // To oneself.
    expect_refused(ledger_.propose("EV-2026-0001", {"li.ming", "li.ming", "x", "ok", t}),
                   base::Code::field_invalid, "receiver");
    // The giver does not hold it.
    expect_refused(ledger_.propose("EV-2026-0001", {"wang.qiang", "zhang.hua", "x", "ok", t}),
                   base::Code::not_in_custody, "giver");
    expect_refused(ledger_.propose("EV-2026-0001", {"li.ming", "", "x", "ok", t}),
                   base::Code::field_missing, "receiver");
    expect_refused(ledger_.propose("EV-2026-0001", {"li.ming", "zhang.hua", "", "ok", t}),
                   base::Code::field_missing, "place");
    expect_refused(ledger_.propose("EV-2026-0001", {"li.ming", "zhang.hua", "x", "", t}),
                   base::Code::field_missing, "condition");
    // Nothing pending to confirm.
    expect_refused(ledger_.confirm("EV-2026-0001", "zhang.hua", t), base::Code::invalid_transition,
                   "item_code");

    record(ledger_, ledger_.propose("EV-2026-0001", to_keeper(t)));
    // Confirmed by someone other than the named receiver.
    expect_refused(ledger_.confirm("EV-2026-0001", "wang.qiang", t + kMinute),
                   base::Code::field_invalid, "receiver");
    expect_refused(ledger_.confirm("EV-2026-0001", "li.ming", t + kMinute),
                   base::Code::field_invalid, "receiver");
    EXPECT_EQ(item().holder, "li.ming");
    expect_refused(ledger_.cancel("EV-2026-0001", "wang.qiang", t + kMinute),
                   base::Code::field_invalid, "actor");
}

// CU-3: events of an item never go back in time.
TEST_F(CustodyTest, BackDatedEventsAreRefused) {
    const base::TimeMs t = t0 + 60 * kMinute;
    record(ledger_, ledger_.propose("EV-2026-0001", to_keeper(t)));
    expect_refused(ledger_.confirm("EV-2026-0001", "zhang.hua", t - 1), base::Code::backdated_event,
                   "at");
    record(ledger_, ledger_.confirm("EV-2026-0001", "zhang.hua", t)); // same instant is fine
    expect_refused(ledger_.relocate("EV-2026-0001", "zhang.hua", "shelf A-3", t0),
                   base::Code::backdated_event, "at");
}

TEST_F(CustodyTest, CancelledOfferLeavesTheHolderAndAllowsANewOne) {
    record(ledger_, ledger_.propose("EV-2026-0001", to_keeper(t0 + kMinute)));
    record(ledger_, ledger_.cancel("EV-2026-0001", "zhang.hua", t0 + 2 * kMinute)); // declined
    EXPECT_EQ(item().holder, "li.ming");
    EXPECT_FALSE(item().pending.has_value());
    expect_refused(ledger_.confirm("EV-2026-0001", "zhang.hua", t0 + 3 * kMinute),
                   base::Code::invalid_transition, "item_code");
    record(ledger_, ledger_.propose("EV-2026-0001", to_keeper(t0 + 4 * kMinute)));
}

// CU-4: disposal by the holder with another person's approval; nothing after it.
TEST_F(CustodyTest, DisposalNeedsAnApprover) {
    const base::TimeMs t = t0 + 24 * 60 * kMinute;
    expect_refused(ledger_.dispose("EV-2026-0001", {"li.ming", Disposal::returned, "", "", t}),
                   base::Code::field_missing, "approver");
    expect_refused(
        ledger_.dispose("EV-2026-0001", {"li.ming", Disposal::returned, "li.ming", "", t}),
        base::Code::field_invalid, "approver");
    expect_refused(
        ledger_.dispose("EV-2026-0001", {"zhang.hua", Disposal::returned, "chen.ju", "", t}),
        base::Code::not_in_custody, "actor");
    record(ledger_, ledger_.propose("EV-2026-0001", to_keeper(t)));
    expect_refused(
        ledger_.dispose("EV-2026-0001", {"li.ming", Disposal::returned, "chen.ju", "", t}),
        base::Code::invalid_transition, "item_code"); // a hand-over is pending
    record(ledger_, ledger_.confirm("EV-2026-0001", "zhang.hua", t));

    record(ledger_, ledger_.dispose("EV-2026-0001", {"zhang.hua", Disposal::returned, "chen.ju",
                                                     "发还失主 returned to owner", t + 1}));
    EXPECT_EQ(item().disposal, Disposal::returned);
    expect_refused(ledger_.propose("EV-2026-0001", {"zhang.hua", "li.ming", "x", "ok", t + 2}),
                   base::Code::invalid_transition, "item_code");
    EXPECT_EQ(disposal_from_string("destroyed"), Disposal::destroyed);
    EXPECT_FALSE(disposal_from_string("lost").has_value());
}

TEST_F(CustodyTest, ChainCheckPassesAGoodChain) {
    record(ledger_, ledger_.propose("EV-2026-0001", to_keeper(t0 + kMinute)), &log_);
    record(ledger_, ledger_.confirm("EV-2026-0001", "zhang.hua", t0 + 2 * kMinute), &log_);
    record(ledger_, ledger_.relocate("EV-2026-0001", "zhang.hua", "shelf A-3", t0 + 3 * kMinute),
           &log_);
    const ChainCheck c = verify_chain(log_);
    EXPECT_TRUE(c.ok);
    EXPECT_EQ(c.checked, 4u);
    ASSERT_TRUE(c.item.has_value());
    EXPECT_EQ(c.item->holder, "zhang.hua");
    EXPECT_EQ(c.item->location, "shelf A-3");
}

// A planted bad link is named: the first event that does not follow from those before it.
TEST_F(CustodyTest, ChainCheckFindsAPlantedBadLink) {
    record(ledger_, ledger_.propose("EV-2026-0001", to_keeper(t0 + kMinute)), &log_);
    record(ledger_, ledger_.confirm("EV-2026-0001", "zhang.hua", t0 + 2 * kMinute), &log_);
    record(ledger_,
           ledger_.propose("EV-2026-0001",
                           {"zhang.hua", "wang.qiang", "审讯室 2", "完好", t0 + 3 * kMinute}),
           &log_);
    record(ledger_, ledger_.confirm("EV-2026-0001", "wang.qiang", t0 + 4 * kMinute), &log_);

    // Someone else than the named receiver "confirmed" event 2.
    std::vector<CustodyEvent> forged = log_;
    forged[2].actor = "wang.qiang";
    ChainCheck c = verify_chain(forged);
    EXPECT_FALSE(c.ok);
    EXPECT_EQ(c.bad, 2u);
    EXPECT_EQ(c.checked, 2u);
    ASSERT_TRUE(c.reason.has_value());
    EXPECT_EQ(c.reason->field, "receiver");
    EXPECT_NE(c.reason->detail.find("event 2 (handover_confirmed"), std::string::npos)
        << c.reason->detail;
    EXPECT_EQ(c.item->holder, "li.ming"); // state after the good links

    // A back-dated event 3.
    forged = log_;
    forged[3].at = t0;
    c = verify_chain(forged);
    EXPECT_EQ(c.bad, 3u);
    EXPECT_EQ(c.reason->code, base::Code::backdated_event);

    // A confirmation that does not repeat its proposal's place (CU-5).
    forged = log_;
    forged[4].place = "somewhere else";
    c = verify_chain(forged);
    EXPECT_EQ(c.bad, 4u);
    EXPECT_EQ(c.reason->field, "handover");

    // A proposal by someone who did not hold it: event 1 given by another officer.
    forged = log_;
    forged[1].actor = forged[1].giver = "wang.qiang";
    c = verify_chain(forged);
    EXPECT_EQ(c.bad, 1u);
    EXPECT_EQ(c.reason->code, base::Code::not_in_custody);

    // An event of another item spliced in, and a chain that does not start at registration.
    forged = log_;
    forged[3].item_code = "EV-2026-0002";
    EXPECT_EQ(verify_chain(forged).bad, 3u);
    c = verify_chain(std::span(log_).subspan(1));
    EXPECT_EQ(c.bad, 0u);
    EXPECT_FALSE(c.item.has_value());
    EXPECT_TRUE(verify_chain({}).ok);
}
