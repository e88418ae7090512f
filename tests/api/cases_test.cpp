// Cases, evidence custody and oversight against the real server (issue 8; rules DL-* and CU-*
// of docs/cases.md). Time is the manual clock; the limits table and calendar are the shipped
// config/case_limits.toml and config/holidays.toml; the centre is at UTC+8.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/core.h>
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace pingan::test {
namespace {

using nlohmann::json;

class CaseTest : public ServerTest {
protected:
    void SetUp() override {
        ServerTest::SetUp();
        unit1 = create_unit("PA-101")["id"].get<std::int64_t>();
        unit2 = create_unit("PA-102")["id"].get<std::int64_t>();
        add_user(db, "off1", "unit", "Off1-Pass-2026", unit1);
        add_user(db, "off2", "unit", "Off2-Pass-2026", unit2);
        add_user(db, "sup", "supervisor", "Sup-Pass-2026");
        add_user(db, "aud", "auditor", "Aud-Pass-2026");
        add_user(db, "disp", "dispatcher", "Disp-Pass-2026");
        add_user(db, "taker", "call_taker", "Taker-Pass-2026");
        relogin();
        incident = create_incident("wallet stolen, suspect held")["id"].get<std::int64_t>();
    }
    std::vector<std::string> extra_args() const override {
        // 10:00 in China on Friday 30 January 2026.
        return {"--manual-clock", "2026-01-30T02:00:00Z", "--utc-offset", "480"};
    }
    void relogin() {
        off1 = login(server->port(), "off1", "Off1-Pass-2026");
        off2 = login(server->port(), "off2", "Off2-Pass-2026");
        sup = login(server->port(), "sup", "Sup-Pass-2026");
        aud = login(server->port(), "aud", "Aud-Pass-2026");
        disp = login(server->port(), "disp", "Disp-Pass-2026");
        taker = login(server->port(), "taker", "Taker-Pass-2026");
        admin = login(server->port(), "admin", kAdminPassword);
    }
    // Tokens expire on the server's clock (12 h): log in again after moving it.
    void set_clock(const std::string& iso) {
        auto r = http->post("/api/v1/test/clock", {{"now", iso}}, admin);
        ASSERT_EQ(r.status, 200) << r.body;
        relogin();
    }
    json open_alerts() {
        auto r = http->get("/api/v1/alerts", sup);
        EXPECT_EQ(r.status, 200) << r.body;
        return r.json()["items"];
    }
    json open_case(const std::string& token, json body = {}) {
        json b{{"incident_id", incident},
               {"kind", "criminal"},
               {"type", "theft"},
               {"stage", "arrest_request"},
               {"officers", {"off1"}}};
        for (auto& [k, v] : body.items())
            b[k] = v;
        auto r = http->post("/api/v1/cases", b, token);
        EXPECT_EQ(r.status, 201) << r.body;
        return r.json();
    }
    json register_item(const std::string& code, std::int64_t case_id,
                       const std::string& location = "Locker-1", const std::string& token = "") {
        auto r = http->post("/api/v1/evidence",
                            {{"code", code},
                             {"case_id", case_id},
                             {"description", "black leather wallet"},
                             {"location", location},
                             {"condition", "intact"}},
                            token.empty() ? off1 : token);
        EXPECT_EQ(r.status, 201) << r.body;
        return r.json();
    }
    HttpResult handover(const std::string& code, const std::string& receiver,
                        const std::string& token, json extra = {}) {
        json b{{"receiver", receiver}, {"place", "Evidence room"}, {"condition", "sealed"}};
        for (auto& [k, v] : extra.items())
            b[k] = v;
        return http->post("/api/v1/evidence/" + code + "/handover", b, token);
    }
    HttpResult confirm(const std::string& code, const std::string& token) {
        return http->post("/api/v1/evidence/" + code + "/handover/confirm", json::object(), token);
    }
    json item(const std::string& code) {
        auto r = http->get("/api/v1/evidence/" + code, sup);
        EXPECT_EQ(r.status, 200) << r.body;
        return r.json();
    }
    std::vector<json> events_of(const std::string& kind) {
        // The auditor: other roles get case events with their payload withheld.
        auto r = http->get("/api/v1/events?after=0&limit=1000", aud);
        EXPECT_EQ(r.status, 200) << r.body;
        std::vector<json> out;
        const json body = r.json(); // a range over a temporary's member would dangle
        for (const auto& e : body["items"]) {
            if (e["kind"] == kind) out.push_back(e);
        }
        return out;
    }
    // Expects a refusal naming `field` that records nothing.
    void expect_refused(const HttpResult& r, int status, const std::string& field,
                        std::int64_t head_before) {
        EXPECT_EQ(r.status, status) << r.body;
        EXPECT_EQ(r.json()["field"], field) << r.body;
        EXPECT_EQ(head_seq(), head_before) << "a refusal recorded events";
    }

    std::int64_t unit1 = 0, unit2 = 0, incident = 0;
    std::string off1, off2, sup, aud, disp, taker;
};

// DL-2 across a month end: detained Friday 30 Jan 2026 10:00 (UTC+8), request for arrest
// approval within 3 days -> last day Monday 2 Feb, overdue from 3 Feb 00:00 local.
TEST_F(CaseTest, DeadlineAcrossMonthEndWithAlertsOnTheLog) {
    const json c = open_case(off1);
    EXPECT_EQ(c["deadline"]["last_day"], "2026-02-02");
    EXPECT_EQ(c["deadline"]["ends_at"], "2026-02-02T16:00:00.000Z");
    EXPECT_EQ(c["deadline"]["unit"], "calendar_days");
    EXPECT_EQ(c["status"], "open");
    const std::string id = std::to_string(c["id"].get<int>());

    // 86 hours to go: not due within 72 h, due within 4 days.
    auto due = http->get("/api/v1/cases?due_within=PT72H", sup).json()["items"];
    EXPECT_TRUE(due.empty()) << due.dump();
    due = http->get("/api/v1/cases?due_within=4d", sup).json()["items"];
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0]["id"], c["id"]);
    EXPECT_EQ(http->get("/api/v1/cases?due_within=soon", sup).json()["field"], "due_within");

    set_clock("2026-01-30T17:00:00Z"); // 71 h left
    set_clock("2026-02-01T17:00:00Z"); // 23 h left
    set_clock("2026-02-02T16:00:00Z"); // overdue
    const auto alerts = events_of("case.deadline_alert");
    ASSERT_EQ(alerts.size(), 3u);
    EXPECT_EQ(alerts[0]["payload"]["name"], "due_in_3_days");
    EXPECT_EQ(alerts[1]["payload"]["name"], "due_in_1_day");
    EXPECT_EQ(alerts[2]["payload"]["name"], "overdue");
    EXPECT_EQ(alerts[2]["subject"], "case/" + id);
    set_clock("2026-02-02T17:00:00Z"); // each level once
    EXPECT_EQ(events_of("case.deadline_alert").size(), 3u);

    bool on_alert_list = false;
    for (const auto& a : open_alerts()) {
        if (a["kind"] == "case_deadline" && a["resolved_at"].is_null()) on_alert_list = true;
    }
    EXPECT_TRUE(on_alert_list);
    // Overdue cases are listed whatever the window, and counted on the oversight view.
    due = http->get("/api/v1/cases?due_within=1h", sup).json()["items"];
    ASSERT_EQ(due.size(), 1u);
    EXPECT_TRUE(due[0]["overdue"].get<bool>());
    auto o = http->get("/api/v1/oversight", sup).json();
    EXPECT_EQ(o["counts"]["overdue_cases"], 1);
    EXPECT_EQ(o["overdue_cases"][0]["id"], c["id"]);

    // Moving on to the next stage starts a new deadline and clears the alert.
    auto r = http->post("/api/v1/cases/" + id + "/stage", {{"stage", "arrest_review"}}, off1);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["stage"], "arrest_review");
    // Started 3 Feb 01:00 local: 7 days -> 10 Feb.
    EXPECT_EQ(r.json()["deadline"]["last_day"], "2026-02-10");
    EXPECT_FALSE(r.json()["overdue"].get<bool>());
    EXPECT_EQ(http->get("/api/v1/oversight", sup).json()["counts"]["overdue_cases"], 0);
    r = http->post("/api/v1/cases/" + id + "/stage", {{"stage", "no_such_stage"}}, off1);
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(r.json()["field"], "stage");
}

// DL-5 across a month and year end: an administrative case accepted 2 Dec 2025 has 30 days;
// 1 Jan 2026 is New Year's Day, so it ends on the make-up working Sunday 4 Jan.
TEST_F(CaseTest, HolidayMovesTheLastDayAcrossTheYearEnd) {
    const json c = open_case(sup, {{"kind", "administrative"},
                                   {"stage", "case_handling"},
                                   {"started_at", "2025-12-02T01:00:00Z"}});
    EXPECT_EQ(c["deadline"]["statutory_day"], "2026-01-01");
    EXPECT_EQ(c["deadline"]["last_day"], "2026-01-04");
    EXPECT_TRUE(c["deadline"]["moved_for_holiday"].get<bool>());
    EXPECT_TRUE(c["overdue"].get<bool>());
}

// DL-6: a supervisor approves; the total may not exceed extension_max.
TEST_F(CaseTest, ExtensionApprovedBySupervisorAndRefusedBeyondTheMaximum) {
    const json c = open_case(off1);
    const std::string path = "/api/v1/cases/" + std::to_string(c["id"].get<int>()) + "/extensions";
    auto r = http->post(path, {{"amount", 4}, {"reason", "suspect moves between cities"}}, sup);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["deadline"]["last_day"], "2026-02-06");
    EXPECT_EQ(r.json()["stages"][0]["extensions"][0]["approver"], "sup");
    EXPECT_EQ(events_of("case.extended").size(), 1u);

    const std::int64_t head = head_seq();
    expect_refused(http->post(path, {{"amount", 1}, {"reason", "more"}}, sup), 422, "amount", head);
    expect_refused(http->post(path, {{"amount", 1}}, sup), 422, "reason", head);
    // A handling officer cannot approve their own extension.
    r = http->post(path, {{"amount", 1}, {"reason", "x"}}, off1);
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(head_seq(), head);
    // A stage that allows none.
    const json q = open_case(off1, {{"stage", "questioning_after_detention"}});
    expect_refused(http->post("/api/v1/cases/" + std::to_string(q["id"].get<int>()) + "/extensions",
                              {{"amount", 1}, {"reason", "x"}}, sup),
                   409, "extension_max", head_seq());
}

// CU-1 and CU-2: a hand-over is two-party; refusals name the field and record nothing.
TEST_F(CaseTest, HandoverNeedsTheReceiversConfirmation) {
    const json c = open_case(off1, {{"officers", {"off1", "off2"}}});
    register_item("E-0001", c["id"].get<int>());
    EXPECT_EQ(item("E-0001")["holder"], "off1");

    auto r = handover("E-0001", "off2", off1);
    ASSERT_EQ(r.status, 200) << r.body;
    // Not confirmed: still with the giver.
    json it = item("E-0001");
    EXPECT_EQ(it["holder"], "off1");
    EXPECT_EQ(it["pending_handover"]["receiver"], "off2");

    std::int64_t head = head_seq();
    expect_refused(confirm("E-0001", sup), 422, "receiver", head);            // the wrong person
    expect_refused(confirm("E-0001", off1), 422, "receiver", head);           // the giver
    expect_refused(handover("E-0001", "off2", off1), 409, "item_code", head); // one at a time

    r = confirm("E-0001", off2);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["holder"], "off2");
    EXPECT_EQ(r.json()["location"], "Evidence room");
    EXPECT_TRUE(r.json()["pending_handover"].is_null());
    const json chain = item("E-0001")["custody"];
    ASSERT_EQ(chain.size(), 3u) << chain.dump();
    EXPECT_EQ(chain[2]["kind"], "handover_confirmed");
    EXPECT_EQ(chain[2]["giver"], "off1");
    EXPECT_EQ(chain[2]["receiver"], "off2");

    head = head_seq();
    expect_refused(handover("E-0001", "off2", off2), 422, "receiver", head); // to oneself
    expect_refused(handover("E-0001", "sup", off1), 409, "giver", head);     // not the holder
    // CU-3: back-dated before the item's last event.
    expect_refused(handover("E-0001", "off1", off2, {{"at", "2026-01-30T01:00:00Z"}}), 409, "at",
                   head);
    expect_refused(handover("E-0001", "nobody", off2), 404, "receiver", head);
    // Unknown item codes.
    expect_refused(handover("E-9999", "off1", off2), 404, "code", head);
    expect_refused(confirm("E-9999", off2), 404, "code", head);
    auto g = http->get("/api/v1/evidence/E-9999", sup);
    expect_refused(g, 404, "code", head);
    EXPECT_EQ(g.json()["code"], "unknown_item");

    // Label for printing.
    auto label = http->get("/api/v1/evidence/E-0001/label.svg", off2);
    ASSERT_EQ(label.status, 200) << label.body;
    EXPECT_EQ(label.header("content-type").rfind("image/svg+xml", 0), 0u);
    EXPECT_NE(label.body.find("<svg"), std::string::npos);

    // CU-4: disposal by the holder with a supervisor's approval.
    r = http->post("/api/v1/evidence/E-0001/disposal", {{"disposal", "returned"}}, sup);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["disposal"], "returned");
    expect_refused(handover("E-0001", "off1", off2), 409, "item_code", head_seq());
}

TEST_F(CaseTest, ReconciliationFindsAPlantedDiscrepancy) {
    const json c = open_case(off1);
    const int id = c["id"].get<int>();
    register_item("R-1", id, "Locker-1");
    register_item("R-2", id, "Locker-1");
    register_item("R-3", id, "Locker-2");
    auto listed = http->get("/api/v1/evidence?location=Locker-1", off1);
    ASSERT_EQ(listed.status, 200) << listed.body;
    EXPECT_EQ(listed.json()["items"].size(), 2u);
    EXPECT_EQ(http->get("/api/v1/evidence?location=Locker-1", off2).json()["items"].size(), 0u);
    auto r = http->post("/api/v1/evidence/reconciliation",
                        {{"location", "Locker-1"}, {"codes", {"R-1", "R-2"}}}, off1);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(r.json()["reconciled"].get<bool>());

    // Planted: R-2 gone, R-3 from another locker, X-1 unknown.
    r = http->post("/api/v1/evidence/reconciliation",
                   {{"location", "Locker-1"}, {"codes", {"R-1", " R-3 ", "X-1"}}}, off1);
    ASSERT_EQ(r.status, 200) << r.body;
    const json d = r.json()["discrepancies"];
    ASSERT_EQ(d.size(), 3u) << d.dump();
    EXPECT_EQ(d[0]["kind"], "missing");
    EXPECT_EQ(d[0]["item_code"], "R-2");
    EXPECT_EQ(d[1]["kind"], "wrong_location");
    EXPECT_EQ(d[1]["item_code"], "R-3");
    EXPECT_EQ(d[2]["kind"], "unexpected");
    EXPECT_EQ(d[2]["item_code"], "X-1");
    const auto recorded = events_of("evidence.reconciled");
    ASSERT_EQ(recorded.size(), 2u);
    EXPECT_EQ(recorded[1]["payload"]["discrepancies"].size(), 3u);
    bool alerted = false;
    for (const auto& a : open_alerts()) {
        if (a["kind"] == "custody_discrepancy" && a["resolved_at"].is_null()) alerted = true;
    }
    EXPECT_TRUE(alerted);
    EXPECT_EQ(http->get("/api/v1/oversight", sup).json()["counts"]["locations_with_discrepancies"],
              1);
}

TEST_F(CaseTest, TamperedCustodyEventIsCaughtByAuditAndCustodyVerify) {
    const json c = open_case(off1, {{"officers", {"off1", "off2"}}});
    register_item("T-1", c["id"].get<int>());
    ASSERT_EQ(handover("T-1", "off2", off1).status, 200);
    ASSERT_EQ(confirm("T-1", off2).status, 200);
    server->stop();

    auto ok = run_cli({"custody", "verify", "T-1", "--db", db});
    EXPECT_EQ(ok.exit_code, 0) << ok.out;
    EXPECT_NE(ok.out.find("off2 confirms receipt from off1"), std::string::npos) << ok.out;
    auto unknown = run_cli({"custody", "verify", "NO-SUCH", "--db", db});
    EXPECT_EQ(unknown.exit_code, 2) << unknown.out;
    EXPECT_NE(unknown.out.find("NO-SUCH"), std::string::npos) << unknown.out;

    // Someone with file access rewrites who received it.
    const std::string sql = "UPDATE events SET payload = replace(payload, '\"receiver\":\"off2\"', "
                            "'\"receiver\":\"sup\"') WHERE kind = 'evidence.handover_confirmed'";
    const auto sql_file = scratch.path("tamper.sql");
    std::ofstream(sql_file) << sql << ";\n";
    ASSERT_EQ(std::system(fmt::format("sqlite3 '{}' < '{}'", db, sql_file.string()).c_str()), 0);

    auto audit = run_cli({"audit", "verify", "--db", db});
    EXPECT_EQ(audit.exit_code, 1) << audit.out;
    EXPECT_NE(audit.out.find("BROKEN"), std::string::npos) << audit.out;
    auto custody = run_cli({"custody", "verify", "T-1", "--db", db});
    EXPECT_EQ(custody.exit_code, 1) << custody.out;
    EXPECT_NE(custody.out.find("BROKEN"), std::string::npos) << custody.out;
    EXPECT_NE(custody.out.find("evidence.handover_confirmed"), std::string::npos) << custody.out;
}

TEST_F(CaseTest, RestartRebuildsCasesAndCustodyFromTheLog) {
    const json c = open_case(off1, {{"officers", {"off1", "off2"}}});
    const std::string id = std::to_string(c["id"].get<int>());
    ASSERT_EQ(http->post("/api/v1/cases/" + id + "/extensions",
                         {{"amount", 2}, {"reason", "witness abroad"}}, sup)
                  .status,
              200);
    register_item("S-1", c["id"].get<int>());
    ASSERT_EQ(handover("S-1", "off2", off1).status, 200);
    ASSERT_EQ(confirm("S-1", off2).status, 200);
    register_item("S-2", c["id"].get<int>());
    ASSERT_EQ(handover("S-2", "off2", off1).status, 200); // left pending
    ASSERT_EQ(http->post("/api/v1/notices",
                         {{"case_id", c["id"]},
                          {"text", "explain the delay"},
                          {"respond_by", "2026-01-31T02:00:00Z"}},
                         sup)
                  .status,
              201);
    const json before = http->get("/api/v1/cases/" + id, sup).json();

    restart();
    relogin();
    json after = http->get("/api/v1/cases/" + id, sup).json();
    EXPECT_EQ(after["deadline"], before["deadline"]);
    EXPECT_EQ(after["stages"], before["stages"]);
    EXPECT_EQ(after["items"], before["items"]);
    EXPECT_EQ(after["notices"].size(), 1u);
    EXPECT_EQ(item("S-1")["holder"], "off2");
    EXPECT_EQ(item("S-2")["holder"], "off1");
    EXPECT_EQ(item("S-2")["pending_handover"]["receiver"], "off2");
    // The book goes on where it stopped: the next case gets the next id, custody continues.
    EXPECT_EQ(open_case(off1)["id"].get<int>(), c["id"].get<int>() + 1);
    auto r = confirm("S-2", off2);
    EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(CaseTest, NoticesAndOversight) {
    const json c = open_case(off1);
    auto r = http->post("/api/v1/notices",
                        {{"case_id", c["id"]},
                         {"text", "督察通知书: explain why the suspect was not questioned"},
                         {"respond_by", "2026-01-30T04:00:00Z"}},
                        sup);
    ASSERT_EQ(r.status, 201) << r.body;
    const std::string nid = std::to_string(r.json()["id"].get<int>());
    r = http->post("/api/v1/notices",
                   {{"incident_id", 999}, {"text", "x"}, {"respond_by", "2026-01-30T04:00:00Z"}},
                   sup);
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(r.json()["field"], "incident_id");
    r = http->post(
        "/api/v1/notices",
        {{"incident_id", incident}, {"text", "x"}, {"respond_by", "2026-01-29T00:00:00Z"}}, sup);
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(r.json()["field"], "respond_by");

    set_clock("2026-01-30T05:00:00Z");
    auto o = http->get("/api/v1/oversight", aud).json();
    EXPECT_EQ(o["counts"]["overdue_notices"], 1);
    EXPECT_EQ(o["counts"]["unanswered_notices"], 1);
    EXPECT_EQ(http->post("/api/v1/notices/" + nid + "/response", {{"response", "x"}}, off2).status,
              403);
    r = http->post("/api/v1/notices/" + nid + "/response",
                   {{"response", "questioned at 14:00; record attached"}}, off1);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["responded_by"], "off1");
    o = http->get("/api/v1/oversight", aud).json();
    EXPECT_EQ(o["counts"]["overdue_notices"], 0);
    EXPECT_EQ(o["counts"]["unanswered_notices"], 0);

    // An incident closed without a disposition is counted; one with a disposition is not.
    auto close = [this](const std::string& disposition) {
        const auto id = create_incident("noise")["id"].get<std::int64_t>();
        const std::string path = "/api/v1/incidents/" + std::to_string(id) + "/status";
        auto sent = http->post("/api/v1/incidents/" + std::to_string(id) + "/dispatch",
                               {{"unit_id", unit1}}, admin);
        EXPECT_EQ(sent.status, 201) << sent.body;
        const std::string unit_path = "/api/v1/units/" + std::to_string(unit1) + "/status";
        EXPECT_EQ(http->post(unit_path, {{"status", "en_route"}}, admin).status, 200);
        EXPECT_EQ(http->post(unit_path, {{"status", "on_scene"}}, admin).status, 200);
        auto cleared = http->post(path, {{"status", "cleared"}}, admin);
        EXPECT_EQ(cleared.status, 200) << cleared.body;
        auto closed = http->post(path, {{"status", "closed"}, {"disposition", disposition}}, admin);
        EXPECT_EQ(closed.status, 200) << closed.body;
        return id;
    };
    const auto bare = close("");
    close("advised, no offence");
    o = http->get("/api/v1/oversight", sup).json();
    EXPECT_EQ(o["counts"]["incidents_closed_without_disposition"], 1);
    EXPECT_EQ(o["incidents_closed_without_disposition"], json::array({bare}));
}

TEST_F(CaseTest, ReadsAreLoggedAndListedForAuditors) {
    const json c = open_case(off1);
    const std::string id = std::to_string(c["id"].get<int>());
    register_item("A-1", c["id"].get<int>());
    ASSERT_EQ(http->get("/api/v1/cases/" + id, off1).status, 200);
    ASSERT_EQ(http->get("/api/v1/cases/" + id, sup).status, 200);
    ASSERT_EQ(http->get("/api/v1/evidence/A-1", aud).status, 200);
    // A refused read is not a read.
    EXPECT_EQ(http->get("/api/v1/cases/" + id, off2).status, 403);

    auto r = http->get("/api/v1/audit/reads?subject=case/" + id, aud);
    ASSERT_EQ(r.status, 200) << r.body;
    std::vector<std::string> who;
    const json reads = r.json();
    for (const auto& i : reads["items"])
        who.push_back(i["actor"].get<std::string>());
    EXPECT_EQ(who, (std::vector<std::string>{"off1", "sup"}));
    r = http->get("/api/v1/audit/reads?subject=evidence/A-1", aud);
    ASSERT_EQ(r.json()["items"].size(), 1u);
    EXPECT_EQ(r.json()["items"][0]["actor"], "aud");
    EXPECT_EQ(events_of("case.read").size(), 2u);
    EXPECT_EQ(http->get("/api/v1/audit/reads", aud).json()["field"], "subject");
    // Only auditors list reads.
    EXPECT_EQ(http->get("/api/v1/audit/reads?subject=case/" + id, sup).status, 403);
    EXPECT_EQ(http->get("/api/v1/audit/reads?subject=case/" + id, off1).status, 403);
    // Still listed after a restart (rebuilt from the log).
    restart();
    relogin();
    r = http->get("/api/v1/audit/reads?subject=case/" + id, aud);
    EXPECT_EQ(r.json()["items"].size(), 2u) << r.body;
}

// Role gates beyond the matrix: a unit account sees and works only its own cases.
TEST_F(CaseTest, UnitAccountsSeeOnlyTheirCases) {
    const json mine = open_case(off1);
    const json theirs = open_case(sup, {{"officers", {"off2"}}});
    const std::string theirs_id = std::to_string(theirs["id"].get<int>());
    auto list = http->get("/api/v1/cases", off1).json()["items"];
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0]["id"], mine["id"]);
    EXPECT_EQ(http->get("/api/v1/cases", sup).json()["items"].size(), 2u);
    EXPECT_EQ(http->get("/api/v1/cases", aud).json()["items"].size(), 2u);
    EXPECT_EQ(http->get("/api/v1/cases/" + theirs_id, off1).status, 403);
    EXPECT_EQ(
        http->post("/api/v1/cases/" + theirs_id + "/stage", {{"stage", "arrest_review"}}, off1)
            .status,
        403);
    auto r = http->post("/api/v1/evidence",
                        {{"code", "Z-1"},
                         {"case_id", theirs["id"]},
                         {"description", "phone"},
                         {"location", "Locker-1"}},
                        off1);
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(r.json()["field"], "case_id");
    // A case opened by a unit account includes it as an officer.
    const json own = open_case(off2, {{"officers", json::array()}});
    EXPECT_EQ(own["officers"], json::array({"off2"}));
    // Officers must be people who handle cases.
    r = http->post("/api/v1/cases",
                   {{"incident_id", incident},
                    {"kind", "criminal"},
                    {"type", "theft"},
                    {"stage", "arrest_request"},
                    {"officers", {"disp"}}},
                   sup);
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(r.json()["field"], "officers");
    r = http->post("/api/v1/cases",
                   {{"incident_id", 999},
                    {"kind", "criminal"},
                    {"type", "theft"},
                    {"stage", "arrest_request"},
                    {"officers", {"off1"}}},
                   sup);
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(r.json()["field"], "incident_id");
}

// Every new route refuses the roles the matrix leaves out (dispatchers and call-takers do not
// see cases; auditors only read; only supervisors approve).
TEST_F(CaseTest, WrongRolesAreRefusedOnEveryCaseRoute) {
    const json c = open_case(off1);
    register_item("W-1", c["id"].get<int>());
    const std::string id = std::to_string(c["id"].get<int>());
    struct Route {
        std::string method;
        std::string path;
        std::vector<std::string*> refused;
    };
    const std::vector<Route> routes{
        {"POST", "/api/v1/cases", {&disp, &taker, &aud, &admin}},
        {"GET", "/api/v1/cases", {&disp, &taker, &admin}},
        {"GET", "/api/v1/cases/" + id, {&disp, &taker, &admin}},
        {"POST", "/api/v1/cases/" + id + "/stage", {&disp, &taker, &aud, &admin}},
        {"POST", "/api/v1/cases/" + id + "/extensions", {&off1, &disp, &taker, &aud, &admin}},
        {"POST", "/api/v1/evidence", {&disp, &taker, &aud, &admin}},
        {"POST", "/api/v1/evidence/reconciliation", {&disp, &taker, &aud, &admin}},
        {"GET", "/api/v1/evidence", {&disp, &taker, &admin}},
        {"GET", "/api/v1/evidence/W-1", {&disp, &taker, &admin}},
        {"GET", "/api/v1/evidence/W-1/label.svg", {&disp, &taker, &admin}},
        {"POST", "/api/v1/evidence/W-1/handover", {&disp, &taker, &aud, &admin}},
        {"POST", "/api/v1/evidence/W-1/handover/confirm", {&disp, &taker, &aud, &admin}},
        {"POST", "/api/v1/evidence/W-1/handover/cancel", {&disp, &taker, &aud, &admin}},
        {"POST", "/api/v1/evidence/W-1/relocation", {&disp, &taker, &aud, &admin}},
        {"POST", "/api/v1/evidence/W-1/disposal", {&off1, &disp, &taker, &aud, &admin}},
        {"POST", "/api/v1/notices", {&off1, &disp, &taker, &aud, &admin}},
        {"GET", "/api/v1/notices", {&disp, &taker, &admin}},
        {"POST", "/api/v1/notices/1/response", {&disp, &taker, &aud, &admin}},
        {"GET", "/api/v1/oversight", {&off1, &disp, &taker, &admin}},
        {"GET", "/api/v1/audit/reads?subject=case/" + id, {&off1, &sup, &disp, &taker, &admin}},
        {"GET", "/api/v1/reports/deadline-compliance", {&off1, &disp, &taker, &admin}},
        {"GET", "/api/v1/reports/custody-discrepancies", {&off1, &disp, &taker, &admin}},
    };
    const std::int64_t head = head_seq();
    for (const Route& route : routes) {
        for (const std::string* token : route.refused) {
            auto r =
                http->request(route.method, route.path, route.method == "POST" ? "{}" : "", *token);
            EXPECT_EQ(r.status, 403) << route.method << " " << route.path << ": " << r.body;
        }
    }
    EXPECT_EQ(head_seq(), head);
}

TEST_F(CaseTest, CaseEventsAreWholeOnlyForSupervisorsAndAuditors) {
    const json opened = open_case(off1);
    auto first_case_event = [](StreamClient& stream) {
        for (int i = 0; i < 200; ++i) {
            auto e = stream.next_event(std::chrono::seconds(5));
            if (!e) break;
            if ((*e)["kind"] == "case.opened") return *e;
        }
        return json();
    };
    StreamClient dispatcher(server->port(), "/api/v1/stream?after=0&token=" + disp);
    const json hidden = first_case_event(dispatcher);
    ASSERT_FALSE(hidden.is_null()) << "no case.opened on the dispatcher's stream";
    EXPECT_EQ(hidden["payload"], json({{"withheld", true}})) << hidden.dump();
    EXPECT_FALSE(hidden["hash"].get<std::string>().empty()); // the chain stays visible

    StreamClient supervisor(server->port(), "/api/v1/stream?after=0&token=" + sup);
    const json whole = first_case_event(supervisor);
    ASSERT_FALSE(whole.is_null()) << "no case.opened on the supervisor's stream";
    EXPECT_EQ(whole["seq"], hidden["seq"]);
    EXPECT_NE(whole["payload"].dump().find("arrest_request"), std::string::npos) << whole.dump();

    auto admin_view = http->get("/api/v1/events?after=0&limit=1000", admin).json();
    for (const auto& e : admin_view["items"]) {
        if (e["kind"] == "case.opened") {
            EXPECT_EQ(e["payload"], json({{"withheld", true}}));
        }
    }
    EXPECT_EQ(events_of("case.opened").size(), 1u);
    EXPECT_NE(events_of("case.opened")[0]["payload"].dump().find(
                  std::to_string(opened["id"].get<std::int64_t>())),
              std::string::npos);
}

// Reports (docs/cases.md "Reports", RP-1..RP-7): one deadline met thanks to an extension in
// January, one overdue in February; a discrepancy resolved by the next clean scan.
TEST_F(CaseTest, ReportsOfDeadlineComplianceAndCustodyDiscrepancies) {
    // off1: 30 Jan 10:00 -> last day 2 Feb, never ended: overdue in February.
    const json first = open_case(off1);
    // off2: 27 Jan -> last day 30 Jan, extended by a day -> 31 Jan, closed on 31 Jan 18:00:
    // on time in January, only because of the extension.
    const json second =
        open_case(sup, {{"officers", {"off2"}}, {"started_at", "2026-01-27T02:00:00Z"}});
    const std::string second_id = std::to_string(second["id"].get<int>());
    auto r = http->post("/api/v1/cases/" + second_id + "/extensions",
                        {{"amount", 1}, {"reason", "witness in hospital"}}, sup);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["deadline"]["last_day"], "2026-01-31");
    register_item("P-1", first["id"].get<int>(), "Locker-1");
    r = http->post("/api/v1/evidence/reconciliation",
                   {{"location", "Locker-1"}, {"codes", {"X-1"}}}, off1);
    ASSERT_EQ(r.status, 200) << r.body;

    set_clock("2026-01-31T10:00:00Z");
    r = http->post("/api/v1/cases/" + second_id + "/stage", {{"stage", "closed"}}, off2);
    ASSERT_EQ(r.status, 200) << r.body;
    r = http->post("/api/v1/evidence/reconciliation",
                   {{"location", "Locker-1"}, {"codes", {"P-1"}}}, off1);
    ASSERT_EQ(r.status, 200) << r.body;
    set_clock("2026-02-03T02:00:00Z");

    r = http->get("/api/v1/reports/deadline-compliance?from=2026-01&to=2026-02", sup);
    ASSERT_EQ(r.status, 200) << r.body;
    const json rows = r.json()["rows"];
    ASSERT_EQ(rows.size(), 2u) << r.body;
    EXPECT_EQ(rows[0]["month"], "2026-01");
    EXPECT_EQ(rows[0]["unit"], "off2");
    EXPECT_EQ(rows[0]["due"], 1);
    EXPECT_EQ(rows[0]["on_time"], 1);
    EXPECT_EQ(rows[0]["extended"], 1);
    EXPECT_EQ(rows[0]["compliance"], 1.0);
    EXPECT_EQ(rows[1]["month"], "2026-02");
    EXPECT_EQ(rows[1]["unit"], "off1");
    EXPECT_EQ(rows[1]["overdue"], 1);
    EXPECT_EQ(rows[1]["compliance"], 0.0);
    EXPECT_EQ(r.json()["total"]["due"], 2);
    EXPECT_EQ(r.json()["period"]["begins_at"], "2025-12-31T16:00:00.000Z");

    r = http->get("/api/v1/reports/deadline-compliance?from=2026-01&to=2026-02&format=csv", aud);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "text/csv; charset=utf-8");
    EXPECT_EQ(r.body, "month,unit,due,on_time,late,overdue,pending,extended,compliance\n"
                      "2026-01,off2,1,1,0,0,0,1,1.0000\n"
                      "2026-02,off1,1,0,0,1,0,0,0.0000\n");
    // The current month (February) by default.
    r = http->get("/api/v1/reports/deadline-compliance?format=html", sup);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "text/html; charset=utf-8");
    EXPECT_NE(r.body.find("<td>2026-02</td><td>off1</td><td class=n>1</td>"), std::string::npos);
    EXPECT_EQ(r.body.find("<td>2026-01</td>"), std::string::npos);

    r = http->get("/api/v1/reports/custody-discrepancies?from=2026-01&to=2026-01", aud);
    ASSERT_EQ(r.status, 200) << r.body;
    const json found = r.json();
    EXPECT_EQ(found["count"], 2);
    EXPECT_EQ(found["unresolved"], 0);
    ASSERT_EQ(found["items"].size(), 2u);
    EXPECT_EQ(found["items"][0]["kind"], "missing");
    EXPECT_EQ(found["items"][0]["item_code"], "P-1");
    EXPECT_EQ(found["items"][0]["found_at"], "2026-01-30T02:00:00.000Z");
    EXPECT_EQ(found["items"][0]["resolved_at"], "2026-01-31T10:00:00.000Z");
    EXPECT_EQ(found["items"][0]["item"]["location"], "Locker-1");
    EXPECT_EQ(found["items"][1]["kind"], "unexpected");
    EXPECT_EQ(found["items"][1]["item_code"], "X-1");
    EXPECT_TRUE(found["items"][1]["item"].is_null());
    r = http->get("/api/v1/reports/custody-discrepancies?from=2026-02&to=2026-02", sup);
    EXPECT_EQ(r.json()["count"], 0) << r.body;

    r = http->get("/api/v1/reports/custody-discrepancies?from=2026-01&to=2026-01&format=csv", sup);
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string header =
        "found_at,location,found_by,kind,item_code,recorded_location,scanned_location,detail,"
        "resolved_at,item_location,item_holder,item_last_event_at,item_disposed\n";
    ASSERT_EQ(r.body.substr(0, header.size()), header);
    const std::size_t eol = r.body.find('\n', header.size());
    const std::string line = r.body.substr(header.size(), eol - header.size() + 1);
    EXPECT_EQ(line.rfind("2026-01-30T02:00:00.000Z,Locker-1,off1,missing,P-1,Locker-1,,", 0), 0u)
        << line;
    EXPECT_NE(line.find(",2026-01-31T10:00:00.000Z,Locker-1,off1,2026-01-30T02:00:00.000Z,false\n"),
              std::string::npos)
        << line;
    EXPECT_EQ(std::count(r.body.begin(), r.body.end(), '\n'), 3);

    // Bad input names the field.
    const std::vector<std::pair<std::string, std::string>> bad{{"from=2026-13&to=2026-02", "from"},
                                                               {"from=2026-01&to=Feb", "to"},
                                                               {"from=2026-03&to=2026-02", "from"},
                                                               {"format=xml", "format"}};
    for (const auto& [query, field] : bad) {
        for (const char* route : {"deadline-compliance", "custody-discrepancies"}) {
            r = http->get(fmt::format("/api/v1/reports/{}?{}", route, query), sup);
            EXPECT_EQ(r.status, 400) << route << "?" << query << ": " << r.body;
            EXPECT_EQ(r.json()["field"], field) << route << "?" << query << ": " << r.body;
        }
    }
    EXPECT_EQ(http->get("/api/v1/reports/deadline-compliance", off1).status, 403);
    EXPECT_EQ(http->get("/api/v1/reports/custody-discrepancies", disp).status, 403);
}

} // namespace
} // namespace pingan::test
