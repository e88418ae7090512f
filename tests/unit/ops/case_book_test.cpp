// The case book is rebuilt from its events alone: replaying what the commands recorded into a
// fresh book gives the same state (docs/cases.md "In the server").
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "../cases/test_support.hpp"
#include "ops/case_book.hpp"

using namespace pingan;

namespace {

// 10:00 on 30 January 2026 in China.
constexpr base::TimeMs kStart = 1'769'738'400'000;
constexpr base::TimeMs kHour = 3'600'000;

class CaseBookTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto limits = cases::LimitsTable::parse(test::read_config("case_limits.toml"));
        ASSERT_TRUE(limits) << limits.error().detail;
        rules.limits = std::move(limits).value();
        auto cal = cases::WorkCalendar::parse(test::read_config("holidays.toml"));
        ASSERT_TRUE(cal) << cal.error().detail;
        rules.calendar = std::move(cal).value();
        rules.utc_offset_minutes = 480;
    }
    ops::CaseBook replay() const {
        ops::CaseBook fresh;
        for (const auto& e : events) {
            auto applied = fresh.apply(e);
            EXPECT_TRUE(applied) << e.kind << ": " << applied.error().detail;
        }
        return fresh;
    }

    ops::CaseRules rules;
    ops::CaseBook book;
    std::vector<ops::Event> events;
};

TEST_F(CaseBookTest, ReplayingTheEventsRebuildsTheSameBook) {
    ops::NewCase in;
    in.type = "theft";
    in.stage = "arrest_request";
    in.officers = {"off1", "off2"};
    in.incidents = {7};
    in.started_at = kStart;
    auto c = book.open_case(in, rules, "off1", kStart, events);
    ASSERT_TRUE(c) << c.error().detail;
    const ops::Id id = (*c)->id;
    ASSERT_TRUE(book.extend(id, {"sup", "witness abroad", 2, kStart + kHour}, rules, events));
    auto reg = book.ledger().register_item(
        {"E-1", "wallet", std::to_string(id), "off1", "Locker-1", "intact", kStart + kHour});
    ASSERT_TRUE(reg);
    ASSERT_TRUE(book.record_custody(*reg, kStart + kHour, events));
    auto offer = book.ledger().propose(
        "E-1", {"off1", "off2", "Evidence room", "sealed", kStart + 2 * kHour});
    ASSERT_TRUE(offer);
    ASSERT_TRUE(book.record_custody(*offer, kStart + 2 * kHour, events));
    auto due = book.check_deadlines(kStart + 5 * 24 * kHour, rules.limits.alerts(), events);
    EXPECT_EQ(due.size(), 1u);
    EXPECT_TRUE(book.check_deadlines(kStart + 5 * 24 * kHour, rules.limits.alerts(), events)
                    .empty()); // raised once
    ASSERT_TRUE(book.issue_notice({ops::case_subject(id), "explain", kStart + 9 * kHour}, "sup",
                                  kStart + 3 * kHour, events));
    book.record_read("case.read", ops::case_subject(id), "aud", kStart + 4 * kHour, events);
    ASSERT_TRUE(book.change_stage(id, "arrest_review", kStart + 6 * 24 * kHour, rules, "off1",
                                  kStart + 6 * 24 * kHour, events));

    const ops::CaseBook fresh = replay();
    const ops::Case* a = book.find(id);
    const ops::Case* b = fresh.find(id);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(ops::to_json(*a, kStart, nullptr), ops::to_json(*b, kStart, nullptr));
    EXPECT_EQ(b->stages.size(), 2u);
    EXPECT_EQ(b->stages[0].alerted_level, a->stages[0].alerted_level);
    EXPECT_EQ(ops::to_json(*fresh.ledger().find("E-1")), ops::to_json(*book.ledger().find("E-1")));
    EXPECT_EQ(fresh.notices().size(), 1u);
    ASSERT_NE(fresh.reads_of(ops::case_subject(id)), nullptr);
    EXPECT_EQ(fresh.reads_of(ops::case_subject(id))->at(0).actor, "aud");
    EXPECT_EQ(fresh.custody_of("E-1")->size(), 2u);
}

TEST_F(CaseBookTest, RefusalsAppendAndChangeNothing) {
    ops::NewCase in;
    in.type = "theft";
    in.stage = "no_such_stage";
    in.officers = {"off1"};
    in.started_at = kStart;
    auto c = book.open_case(in, rules, "off1", kStart, events);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().field, "stage");
    in.stage = "questioning_after_detention";
    in.officers.clear();
    EXPECT_EQ(book.open_case(in, rules, "off1", kStart, events).error().field, "officers");
    in.officers = {"off1"};
    c = book.open_case(in, rules, "off1", kStart, events);
    ASSERT_TRUE(c);
    const std::size_t n = events.size();
    EXPECT_EQ(book.extend((*c)->id, {"sup", "x", 1, kStart}, rules, events).error().field,
              "extension_max");
    EXPECT_EQ(
        book.change_stage(99, "arrest_review", kStart, rules, "off1", kStart, events).error().field,
        "id");
    EXPECT_EQ(
        book.change_stage((*c)->id, "arrest_review", kStart - 1, rules, "off1", kStart, events)
            .error()
            .code,
        base::Code::backdated_event);
    EXPECT_EQ(events.size(), n);
}

TEST_F(CaseBookTest, ATamperedPayloadIsRefusedOnReplay) {
    ops::Event e = ops::Event::log_only(kStart, "off1", "evidence.registered", "evidence/E-1",
                                        {{"item_code", "E-1"}, {"at", "not a time"}});
    ops::CaseBook fresh;
    auto applied = fresh.apply(e);
    ASSERT_FALSE(applied);
    EXPECT_EQ(applied.error().field, "at");
}

} // namespace
