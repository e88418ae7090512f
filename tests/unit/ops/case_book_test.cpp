// The case book is rebuilt from its events alone: replaying what the commands recorded into a
// fresh book gives the same state (docs/cases.md "In the server").
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "../cases/test_support.hpp"
#include "ops/case_book.hpp"

using namespace pingan;

namespace {

using test::kHour;
using test::kStart;

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

// A case's team is in its case.opened event; an event from before teams has none and opens a
// centre-level case (team empty).
TEST_F(CaseBookTest, TheTeamIsRebuiltAndOldEventsHaveNone) {
    ops::NewCase in;
    in.type = "theft";
    in.stage = "arrest_request";
    in.officers = {"off1"};
    in.team = "东城派出所";
    in.started_at = kStart;
    auto c = book.open_case(in, rules, "sup_e", kStart, events);
    ASSERT_TRUE(c) << c.error().detail;
    const ops::Id id = (*c)->id;
    ASSERT_EQ(events.size(), 1u);
    nlohmann::json payload = nlohmann::json::parse(events[0].payload);
    EXPECT_EQ(payload["team"], "东城派出所");
    EXPECT_EQ(replay().find(id)->team, "东城派出所");
    EXPECT_EQ(ops::to_json(*book.find(id), kStart, nullptr)["team"], "东城派出所");

    payload.erase("team");
    ops::CaseBook old;
    ASSERT_TRUE(old.apply(ops::Event::log_only(kStart, "sup", "case.opened", "case/1", payload)));
    ASSERT_NE(old.find(id), nullptr);
    EXPECT_EQ(old.find(id)->team, "");
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

// PH-1, PH-7: photos are attached once per hash, change no custody, and come back on replay.
TEST_F(CaseBookTest, PhotosAttachOncePerHashAndReplay) {
    ops::NewCase in;
    in.type = "theft";
    in.stage = "arrest_request";
    in.officers = {"off1"};
    in.started_at = kStart;
    auto c = book.open_case(in, rules, "off1", kStart, events);
    ASSERT_TRUE(c);
    auto reg = book.ledger().register_item(
        {"E-1", "wallet", std::to_string((*c)->id), "off1", "Locker-1", "intact", kStart + kHour});
    ASSERT_TRUE(reg);
    ASSERT_TRUE(book.record_custody(*reg, kStart + kHour, events));
    const std::string sha(64, 'a');
    const std::size_t n = events.size();
    EXPECT_EQ(book.attach_photo("NO-SUCH", {sha, "image/jpeg", 10, ""}, "off1", kStart, events)
                  .error()
                  .field,
              "code");
    EXPECT_EQ(events.size(), n);
    auto p = book.attach_photo("E-1", {sha, "image/jpeg", 10, "front"}, "off1", kStart + 2 * kHour,
                               events);
    ASSERT_TRUE(p) << p.error().detail;
    EXPECT_EQ((*p)->by, "off1");
    EXPECT_EQ(events.size(), n + 1);
    EXPECT_EQ(events.back().kind, "evidence.photo_attached");
    EXPECT_EQ(events.back().subject, "evidence/E-1");
    // Again: the photo as it was, nothing appended.
    p = book.attach_photo("E-1", {sha, "image/jpeg", 10, "other"}, "off2", kStart + 3 * kHour,
                          events);
    ASSERT_TRUE(p);
    EXPECT_EQ((*p)->caption, "front");
    EXPECT_EQ(events.size(), n + 1);
    // A photo is no custody step: the item's last event stays the registration.
    EXPECT_EQ(book.ledger().find("E-1")->last_event_at, kStart + kHour);
    book.record_photo_read("E-1", sha, "aud", kStart + 4 * kHour, events);
    // A disposed item still takes photos.
    auto gone = book.ledger().dispose(
        "E-1", {"off1", cases::Disposal::returned, "sup", "", kStart + 5 * kHour});
    ASSERT_TRUE(gone) << gone.error().detail;
    ASSERT_TRUE(book.record_custody(*gone, kStart + 5 * kHour, events));
    ASSERT_TRUE(book.attach_photo("E-1", {std::string(64, 'b'), "image/png", 20, ""}, "off1",
                                  kStart + 6 * kHour, events));

    const ops::CaseBook fresh = replay();
    ASSERT_EQ(fresh.photos_of("E-1").size(), 2u);
    EXPECT_EQ(ops::to_json(fresh.photos_of("E-1")[0]), ops::to_json(book.photos_of("E-1")[0]));
    EXPECT_EQ(ops::to_json(fresh.photos_of("E-1")[1]), ops::to_json(book.photos_of("E-1")[1]));
    EXPECT_EQ(fresh.photos_of("E-1")[0].at, kStart + 2 * kHour);
    EXPECT_TRUE(fresh.photos_of("NO-SUCH").empty());
    ASSERT_NE(fresh.reads_of("evidence/E-1"), nullptr);
    EXPECT_EQ(fresh.reads_of("evidence/E-1")->at(0).photo, sha);

    // A stored photo event for an item that does not exist is named on replay.
    ops::CaseBook other;
    auto bad = other.apply(ops::Event::log_only(
        kStart, "off1", "evidence.photo_attached", "evidence/X",
        {{"item_code", "X"}, {"sha256", sha}, {"content_type", "image/png"}, {"bytes", 1}}));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().field, "item_code");
}

TEST(ImageType, SignaturesOfTheThreeTypes) {
    EXPECT_EQ(ops::image_type_of(std::string("\xFF\xD8\xFF\xE0\0\x10JFIF", 10)), "image/jpeg");
    EXPECT_EQ(ops::image_type_of(std::string("\x89PNG\r\n\x1A\n\0\0", 10)), "image/png");
    EXPECT_EQ(ops::image_type_of(std::string("RIFF\x24\0\0\0WEBPVP8 ", 16)), "image/webp");
    EXPECT_EQ(ops::image_type_of(std::string("RIFF\x24\0\0\0WAVEfmt ", 16)), "");
    EXPECT_EQ(ops::image_type_of("GIF89a"), "");
    EXPECT_EQ(ops::image_type_of("\xFF\xD8"), ""); // too short
    EXPECT_EQ(ops::image_type_of("\x89PNG\r\n"), "");
    EXPECT_EQ(ops::image_type_of(""), "");
}

} // namespace
