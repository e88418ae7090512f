// Cases, evidence custody and oversight against the real server (issue 8; rules DL-* and CU-*
// of docs/cases.md). Time is the manual clock; the limits table and calendar are the shipped
// config/case_limits.toml and config/holidays.toml; the centre is at UTC+8.
#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
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
    // A hand-over must state the item's condition (CU-5 compares it at confirmation).
    expect_refused(http->post("/api/v1/evidence/E-0001/handover",
                              json{{"receiver", "off1"}, {"place", "Evidence room"}}, off2),
                   422, "condition", head);
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

// Teams (docs/cases.md "Who sees what"): a supervisor of a station (派出所) sees that station's
// cases and those it is an officer of; a centre-level supervisor and the auditor see all. A
// case's team is the one given or the opener's. Other teams' cases, items and notices are 403
// naming the field, and writes on them record nothing; the compliance report groups by team.
TEST_F(CaseTest, SupervisorsOfATeamSeeAndActOnTheirTeamsCasesOnly) {
    const std::string east = "东城派出所";
    const std::string west = "西城派出所";
    // One account through the API, one through the CLI.
    auto r = http->post("/api/v1/users",
                        {{"username", "sup_e"},
                         {"password", "SupE-Pass-2026"},
                         {"role", "supervisor"},
                         {"team", east}},
                        admin);
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.json()["team"], east);
    const CliResult cli =
        run_cli({"user", "add", "sup_w", "--role", "supervisor", "--team", west, "--db", db},
                "SupW-Pass-2026\n");
    ASSERT_EQ(cli.exit_code, 0) << cli.out;
    std::string sup_e = login(server->port(), "sup_e", "SupE-Pass-2026");
    std::string sup_w = login(server->port(), "sup_w", "SupW-Pass-2026");
    EXPECT_EQ(http->get("/api/v1/me", sup_e).json()["team"], east);
    EXPECT_EQ(http->get("/api/v1/me", sup).json()["team"], "");
    const auto created = events_of("user.created");
    ASSERT_GE(created.size(), 2u);
    EXPECT_EQ(created[created.size() - 2]["payload"]["team"], east);
    EXPECT_EQ(created.back()["payload"]["team"], west);

    // a: east (the opener's team); b: west; c: west, given by the centre; d: centre level;
    // e: west, with sup_e as one of its officers.
    const json a = open_case(sup_e);
    const json b = open_case(sup_w, {{"officers", {"off2"}}});
    const json c = open_case(sup, {{"team", west}});
    const json d = open_case(sup);
    const json e = open_case(sup_w, {{"officers", {"sup_e"}}});
    EXPECT_EQ(a["team"], east);
    EXPECT_EQ(b["team"], west);
    EXPECT_EQ(c["team"], west);
    EXPECT_EQ(d["team"], "");
    EXPECT_EQ(e["team"], west);
    const std::string b_id = std::to_string(b["id"].get<int>());
    auto ids = [&](const std::string& token) {
        auto list = http->get("/api/v1/cases", token);
        EXPECT_EQ(list.status, 200) << list.body;
        std::vector<int> out;
        const json listed = list.json(); // a range over a temporary's member would dangle
        for (const auto& item : listed["items"])
            out.push_back(item["id"].get<int>());
        std::sort(out.begin(), out.end());
        return out;
    };
    const int ia = a["id"].get<int>(), ib = b["id"].get<int>(), ic = c["id"].get<int>(),
              id = d["id"].get<int>(), ie = e["id"].get<int>();
    const std::vector<int> all{ia, ib, ic, id, ie};
    const std::vector<int> east_sees{ia, ie};
    const std::vector<int> west_sees{ib, ic, ie};
    EXPECT_EQ(ids(sup_e), east_sees);
    EXPECT_EQ(ids(sup_w), west_sees);
    EXPECT_EQ(ids(sup), all);
    EXPECT_EQ(ids(aud), all);
    EXPECT_EQ(ids(off1), (std::vector<int>{ia, ic, id}));

    // Items follow their case.
    register_item("W-1", ib, "Locker-W", off2);
    r = http->get("/api/v1/cases/" + b_id, sup_e);
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(r.json()["field"], "id");
    EXPECT_EQ(http->get("/api/v1/cases/" + b_id, sup_w).status, 200);
    r = http->get("/api/v1/evidence/W-1", sup_e);
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(r.json()["field"], "code");
    EXPECT_EQ(http->get("/api/v1/evidence/W-1/label.svg", sup_e).status, 403);
    EXPECT_EQ(http->get("/api/v1/evidence/W-1", sup_w).status, 200);
    EXPECT_TRUE(http->get("/api/v1/evidence?case_id=" + b_id, sup_e).json()["items"].empty());
    EXPECT_EQ(http->get("/api/v1/evidence?case_id=" + b_id, sup_w).json()["items"].size(), 1u);

    // A notice on b by its own team's supervisor; sup_e neither lists nor answers it.
    r = http->post(
        "/api/v1/notices",
        {{"case_id", ib}, {"text", "explain the delay"}, {"respond_by", "2026-02-05T02:00:00Z"}},
        sup_w);
    ASSERT_EQ(r.status, 201) << r.body;
    const std::string notice = std::to_string(r.json()["id"].get<int>());
    EXPECT_TRUE(http->get("/api/v1/notices", sup_e).json()["items"].empty());
    EXPECT_EQ(http->get("/api/v1/notices", sup_w).json()["items"].size(), 1u);
    EXPECT_EQ(http->get("/api/v1/notices", sup).json()["items"].size(), 1u);

    // Cross-team writes: refused, nothing recorded.
    const std::int64_t head = head_seq();
    expect_refused(http->post("/api/v1/cases/" + b_id + "/stage", {{"stage", "closed"}}, sup_e),
                   403, "id", head);
    expect_refused(http->post("/api/v1/cases/" + b_id + "/extensions",
                              {{"amount", 1}, {"reason", "witness abroad"}}, sup_e),
                   403, "id", head);
    expect_refused(
        http->post("/api/v1/notices",
                   {{"case_id", ib}, {"text", "why?"}, {"respond_by", "2026-02-05T02:00:00Z"}},
                   sup_e),
        403, "case_id", head);
    expect_refused(
        http->post("/api/v1/notices/" + notice + "/response", {{"response", "not ours"}}, sup_e),
        403, "id", head);
    expect_refused(http->post("/api/v1/evidence/W-1/disposal", {{"disposal", "returned"}}, sup_e),
                   403, "code", head);
    expect_refused(
        http->post(
            "/api/v1/evidence",
            {{"code", "W-2"}, {"case_id", ib}, {"description", "phone"}, {"location", "Locker-E"}},
            sup_e),
        403, "case_id", head);
    // A team's supervisor opens cases for its own team only; a team is a short name.
    json body{{"incident_id", incident},   {"kind", "criminal"},   {"type", "theft"},
              {"stage", "arrest_request"}, {"officers", {"off1"}}, {"team", west}};
    expect_refused(http->post("/api/v1/cases", body, sup_e), 403, "team", head);
    body["team"] = std::string(65, 'x');
    expect_refused(http->post("/api/v1/cases", body, sup), 422, "team", head);
    r = http->post("/api/v1/users",
                   {{"username", "sup_x"},
                    {"password", "SupX-Pass-2026"},
                    {"role", "supervisor"},
                    {"team", "east\x07"}},
                   admin);
    expect_refused(r, 422, "team", head);
    EXPECT_NE(run_cli({"user", "add", "sup_y", "--role", "supervisor", "--team",
                       std::string(65, 'y'), "--db", db},
                      "SupY-Pass-2026\n")
                  .exit_code,
              0);
    // The same writes by the case's own supervisor go through.
    r = http->post("/api/v1/cases/" + b_id + "/extensions",
                   {{"amount", 1}, {"reason", "witness abroad"}}, sup_w);
    EXPECT_EQ(r.status, 200) << r.body;

    // Oversight counts and reports cover what the reader sees.
    EXPECT_EQ(http->get("/api/v1/oversight", sup_e).json()["counts"]["open_cases"], 2);
    EXPECT_EQ(http->get("/api/v1/oversight", sup_w).json()["counts"]["open_cases"], 3);
    EXPECT_EQ(http->get("/api/v1/oversight", sup).json()["counts"]["open_cases"], 5);
    EXPECT_EQ(http->get("/api/v1/oversight", sup_e).json()["counts"]["items_in_custody"], 0);
    EXPECT_EQ(http->get("/api/v1/oversight", sup_w).json()["counts"]["items_in_custody"], 1);
    // RP-1: by team where the case has one, else by first officer. All five fall due in
    // February (b one day later, extended).
    r = http->get("/api/v1/reports/deadline-compliance?from=2026-02&to=2026-02", sup);
    ASSERT_EQ(r.status, 200) << r.body;
    json rows = r.json()["rows"];
    ASSERT_EQ(rows.size(), 3u) << r.body;
    EXPECT_EQ(rows[0]["unit"], "off1");
    EXPECT_EQ(rows[0]["by"], "officer");
    EXPECT_EQ(rows[0]["due"], 1);
    EXPECT_EQ(rows[1]["unit"], east);
    EXPECT_EQ(rows[1]["by"], "team");
    EXPECT_EQ(rows[1]["due"], 1);
    EXPECT_EQ(rows[2]["unit"], west);
    EXPECT_EQ(rows[2]["due"], 3);
    EXPECT_EQ(rows[2]["extended"], 1);
    r = http->get("/api/v1/reports/deadline-compliance?from=2026-02&to=2026-02", sup_e);
    rows = r.json()["rows"];
    ASSERT_EQ(rows.size(), 2u) << r.body;
    EXPECT_EQ(rows[0]["unit"], east);
    EXPECT_EQ(rows[1]["unit"], west); // e only: sup_e is one of its officers
    EXPECT_EQ(rows[1]["due"], 1);
    EXPECT_EQ(r.json()["total"]["due"], 2);
    // A reconciliation at west's locker: W-1 is missing, X-9 (no such item) is there. West's
    // report has W-1, east's nothing; a code of no case only the centre's.
    r = http->post("/api/v1/evidence/reconciliation",
                   {{"location", "Locker-W"}, {"codes", {"X-9"}}}, off2);
    ASSERT_EQ(r.status, 200) << r.body;
    r = http->get("/api/v1/reports/custody-discrepancies?from=2026-01&to=2026-01", sup_w);
    ASSERT_EQ(r.json()["count"], 1) << r.body;
    EXPECT_EQ(r.json()["items"][0]["item_code"], "W-1");
    r = http->get("/api/v1/reports/custody-discrepancies?from=2026-01&to=2026-01", sup_e);
    EXPECT_EQ(r.json()["count"], 0) << r.body;
    r = http->get("/api/v1/reports/custody-discrepancies?from=2026-01&to=2026-01", sup);
    EXPECT_EQ(r.json()["count"], 2) << r.body;

    // Case events reach a team's supervisor withheld (the stream is not filtered by case).
    const json seen_by_east = http->get("/api/v1/events?after=0&limit=1000", sup_e).json();
    int opened = 0;
    for (const auto& ev : seen_by_east["items"]) {
        if (ev["kind"] != "case.opened") continue;
        ++opened;
        EXPECT_EQ(ev["payload"], json({{"withheld", true}}));
    }
    EXPECT_EQ(opened, 5);
    EXPECT_EQ(events_of("case.opened")[0]["payload"]["team"], east);

    // A restart keeps the teams: of the accounts, their live sessions and the cases.
    restart();
    EXPECT_EQ(ids(sup_e), east_sees); // the same token: the session kept its team
    EXPECT_EQ(ids(sup_w), west_sees);
    sup_e = login(server->port(), "sup_e", "SupE-Pass-2026");
    EXPECT_EQ(ids(sup_e), east_sees);
    EXPECT_EQ(http->get("/api/v1/cases/" + b_id, sup_w).json()["team"], west);
    EXPECT_EQ(http->get("/api/v1/cases/" + b_id, sup_e).status, 403);
    json teams = json::object();
    const json users = http->get("/api/v1/users", admin).json();
    for (const auto& u : users["items"])
        teams[u["username"].get<std::string>()] = u["team"];
    EXPECT_EQ(teams["sup_e"], east);
    EXPECT_EQ(teams["sup_w"], west);
    EXPECT_EQ(teams["sup"], "");
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
        {"POST", "/api/v1/evidence/W-1/photos", {&disp, &taker, &aud, &admin}},
        {"GET", "/api/v1/evidence/W-1/photos/" + std::string(64, 'a'), {&disp, &taker, &admin}},
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

// ------------------------------------------------------------------------ photos (PH-*) ---

// Bytes that start with the signature of their type (the server checks signatures; it does
// not decode images). `seed` makes different photos.
std::string jpeg(char seed, std::size_t size = 4096) {
    std::string b = "\xFF\xD8\xFF\xE0";
    b += std::string("\0\x10JFIF\0", 7);
    for (std::size_t i = b.size(); i + 2 < size; ++i)
        b += static_cast<char>((i * 31 + static_cast<std::size_t>(seed)) % 256);
    return b + "\xFF\xD9";
}
std::string png(char seed) {
    return std::string("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16) + std::string(100, seed);
}
std::string webp(char seed) {
    return std::string("RIFF\x20\0\0\0WEBPVP8 ", 16) + std::string(100, seed);
}

// Output of a shell command (sha256sum, sqlite3): the test's own view, not the server's.
std::string shell_out(const std::string& cmd) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) return out;
    std::array<char, 4096> buf{};
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p))
        out.append(buf.data(), n);
    pclose(p);
    return out;
}

class PhotoTest : public CaseTest {
protected:
    HttpResult attach(const std::string& code, const std::string& bytes, const std::string& type,
                      const std::string& token, const std::string& query = "") {
        return http->request("POST", "/api/v1/evidence/" + code + "/photos" + query, bytes, token,
                             {{"Content-Type", type}});
    }
    std::string sha256_of(const std::string& bytes) {
        const auto file = scratch.path("photo.bin");
        std::ofstream(file, std::ios::binary) << bytes;
        return shell_out("sha256sum '" + file.string() + "'").substr(0, 64);
    }
    // A POST that declares `length` body bytes and sends none; the raw answer.
    std::string declare_length(const std::string& target, std::size_t length,
                               const std::string& token) {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(server->port());
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return {};
        const std::string head =
            fmt::format("POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\n"
                        "Content-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n",
                        target, token, length);
        std::string out;
        if (send(fd, head.data(), head.size(), 0) == static_cast<ssize_t>(head.size())) {
            timeval tv{10, 0};
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            std::array<char, 4096> buf{};
            for (ssize_t n; (n = recv(fd, buf.data(), buf.size(), 0)) > 0;)
                out.append(buf.data(), static_cast<std::size_t>(n));
        }
        close(fd);
        return out;
    }
    std::string sql(const std::string& query) {
        const auto file = scratch.path("query.sql");
        std::ofstream(file) << query << ";\n";
        std::string out = shell_out(fmt::format("sqlite3 '{}' < '{}'", db, file.string()));
        while (!out.empty() && out.back() == '\n')
            out.pop_back();
        return out;
    }
};

// PH-1..PH-4: stored by content hash, once; listed on the item; bytes read back exactly; each
// read of the bytes logged; covered by audit verify and custody verify.
TEST_F(PhotoTest, AttachedByHashStoredOnceReadBackAndLogged) {
    const json c = open_case(off1, {{"officers", {"off1", "off2"}}});
    register_item("P-1", c["id"].get<int>());
    register_item("P-2", c["id"].get<int>());
    const std::string front = jpeg('a');
    const std::string sha = sha256_of(front);
    ASSERT_EQ(sha.size(), 64u);

    auto r = attach("P-1", front, "image/jpeg", off1, "?caption=front%20side");
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.json()["sha256"], sha);
    EXPECT_EQ(r.json()["content_type"], "image/jpeg");
    EXPECT_EQ(r.json()["bytes"], front.size());
    EXPECT_EQ(r.json()["by"], "off1");
    EXPECT_EQ(r.json()["caption"], "front side");
    EXPECT_EQ(r.json()["at"], "2026-01-30T02:00:00.000Z");

    // The same bytes again on the same item: nothing new, the photo as it was.
    const std::int64_t head = head_seq();
    r = attach("P-1", front, "image/jpeg", off2, "?caption=again");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["by"], "off1");
    EXPECT_EQ(r.json()["caption"], "front side");
    EXPECT_EQ(head_seq(), head);
    // On another item: attached there too, the bytes stored once.
    r = attach("P-2", front, "image/jpeg", off2);
    EXPECT_EQ(r.status, 201) << r.body;
    const std::string back = png('b');
    r = attach("P-1", back, "image/png", sup);
    ASSERT_EQ(r.status, 201) << r.body;
    const std::string back_sha = r.json()["sha256"];
    EXPECT_EQ(back_sha, sha256_of(back));
    EXPECT_EQ(attach("P-2", webp('c'), "image/webp", off1).status, 201);
    EXPECT_EQ(events_of("evidence.photo_attached").size(), 4u);
    EXPECT_EQ(events_of("evidence.photo_attached")[0]["payload"]["sha256"], sha);
    EXPECT_EQ(sql("SELECT count(*) FROM blobs"), "3");
    EXPECT_EQ(sql("SELECT count(*) FROM blobs WHERE sha256 = '" + sha + "'"), "1");

    const json item1 = item("P-1");
    ASSERT_EQ(item1["photos"].size(), 2u) << item1.dump();
    EXPECT_EQ(item1["photos"][0]["sha256"], sha);
    EXPECT_EQ(item1["photos"][0]["caption"], "front side");
    EXPECT_EQ(item1["photos"][1]["sha256"], back_sha);
    EXPECT_EQ(item1["photos"][1]["content_type"], "image/png");
    EXPECT_EQ(item1["photos"][1]["by"], "sup");
    EXPECT_EQ(item1["photos"][1]["caption"], "");

    // The bytes come back exactly, with their type, to those who may read the item.
    const std::string path = "/api/v1/evidence/P-1/photos/" + sha;
    r = http->get(path, aud);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "image/jpeg");
    EXPECT_EQ(r.body.size(), front.size());
    EXPECT_TRUE(r.body == front);
    r = http->get("/api/v1/evidence/P-1/photos/" + back_sha, off2);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "image/png");
    EXPECT_TRUE(r.body == back);
    auto reads = http->get("/api/v1/audit/reads?subject=evidence/P-1", aud).json()["items"];
    std::vector<std::pair<std::string, std::string>> who;
    for (const auto& i : reads) {
        who.emplace_back(i["actor"].get<std::string>(),
                         i.contains("photo") ? i["photo"].get<std::string>() : "");
    }
    EXPECT_EQ(who, (std::vector<std::pair<std::string, std::string>>{
                       {"sup", ""}, {"aud", sha}, {"off2", back_sha}}))
        << reads.dump();

    // A hash that is not this item's is not found through it, even when stored.
    const std::string webp_sha = item("P-2")["photos"][1]["sha256"];
    r = http->get("/api/v1/evidence/P-1/photos/" + webp_sha, sup);
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(r.json()["field"], "sha256");
    r = http->get("/api/v1/evidence/NO-SUCH/photos/" + sha, sup);
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(r.json()["field"], "code");
    r = http->get("/api/v1/evidence/P-1/photos/" + std::string(64, 'G'), sup);
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(r.json()["field"], "sha256");

    // Still there after a restart (rebuilt from the log).
    restart();
    relogin();
    EXPECT_EQ(item("P-1")["photos"], item1["photos"]);
    r = http->get(path, sup);
    EXPECT_TRUE(r.status == 200 && r.body == front) << r.status;
    server->stop();

    auto audit = run_cli({"audit", "verify", "--db", db});
    EXPECT_EQ(audit.exit_code, 0) << audit.out;
    auto custody = run_cli({"custody", "verify", "P-1", "--db", db});
    EXPECT_EQ(custody.exit_code, 0) << custody.out;
    EXPECT_NE(custody.out.find("photo " + sha + " (image/jpeg"), std::string::npos) << custody.out;

    // Changed bytes are caught by custody verify and never served.
    sql("UPDATE blobs SET bytes = X'FFD8FF00' WHERE sha256 = '" + sha + "'");
    custody = run_cli({"custody", "verify", "P-1", "--db", db});
    EXPECT_EQ(custody.exit_code, 1) << custody.out;
    EXPECT_NE(custody.out.find("do not match its hash"), std::string::npos) << custody.out;
    server->start();
    http = std::make_unique<HttpClient>(server->port());
    relogin();
    r = http->get(path, sup);
    EXPECT_EQ(r.status, 500) << r.body;
    EXPECT_EQ(r.json()["field"], "sha256");
    // A changed photo event is caught by audit verify.
    server->stop();
    sql("UPDATE events SET payload = replace(payload, '" + back_sha + "', '" + sha +
        "') WHERE kind = 'evidence.photo_attached'");
    audit = run_cli({"audit", "verify", "--db", db});
    EXPECT_EQ(audit.exit_code, 1) << audit.out;
    EXPECT_NE(audit.out.find("BROKEN"), std::string::npos) << audit.out;
}

// PH-5: bad input is refused with a problem naming the field, and nothing is recorded.
TEST_F(PhotoTest, BadInputIsRefusedAndRecordsNothing) {
    const json c = open_case(off1);
    register_item("B-1", c["id"].get<int>());
    const std::int64_t head = head_seq();
    expect_refused(attach("NO-SUCH", jpeg('a'), "image/jpeg", off1), 404, "code", head);
    expect_refused(attach("bad%20code", jpeg('a'), "image/jpeg", off1), 422, "code", head);
    expect_refused(attach("B-1", "", "image/jpeg", off1), 422, "body", head);
    expect_refused(attach("B-1", jpeg('a'), "text/plain", off1), 415, "Content-Type", head);
    expect_refused(attach("B-1", jpeg('a'), "image/gif", off1), 415, "Content-Type", head);
    // The default of the test client is application/json.
    expect_refused(http->post_raw("/api/v1/evidence/B-1/photos", jpeg('a'), off1), 415,
                   "Content-Type", head);
    expect_refused(attach("B-1", png('a'), "image/jpeg", off1), 422, "body", head);
    expect_refused(attach("B-1", "GIF89a not an accepted image", "image/webp", off1), 422, "body",
                   head);
    expect_refused(attach("B-1", std::string("RIFF\x20\0\0\0WAVEfmt ", 16), "image/webp", off1),
                   422, "body", head);
    expect_refused(
        attach("B-1", jpeg('a'), "image/jpeg", off1, "?caption=" + std::string(501, 'x')), 422,
        "caption", head);
    expect_refused(attach("B-1", jpeg('a'), "image/jpeg", off1, "?caption=a%07b"), 422, "caption",
                   head);
    // Over 8 MiB: refused from the declared length, before the body is read (the test
    // declares it and sends none: the server answers and closes without reading a body).
    auto declared = declare_length("/api/v1/evidence/B-1/photos", (8u << 20) + 1, off1);
    EXPECT_NE(declared.find("HTTP/1.1 413"), std::string::npos) << declared;
    EXPECT_NE(declared.find("\"field\":\"body\""), std::string::npos) << declared;
    EXPECT_NE(declared.find("8388608 bytes"), std::string::npos) << declared;
    EXPECT_EQ(head_seq(), head);
    // Uploads may exceed the 1 MiB of other bodies; other routes keep their limit.
    const std::string big = jpeg('b', 3u << 20);
    auto r = attach("B-1", big, "image/jpeg", off1);
    EXPECT_EQ(r.status, 201) << r.body.substr(0, 300);
    EXPECT_EQ(r.json()["bytes"], big.size());
    const std::int64_t after = head_seq();
    EXPECT_EQ(after, head + 1);
    declared = declare_length("/api/v1/evidence/B-1/handover", 2u << 20, off1);
    EXPECT_NE(declared.find("HTTP/1.1 413"), std::string::npos) << declared;
    EXPECT_NE(declared.find("1048576 bytes"), std::string::npos) << declared;
    declared = declare_length("/api/v1/evidence/B-1/photos/x", 3u << 20, off1);
    EXPECT_NE(declared.find("HTTP/1.1 413"), std::string::npos) << declared;
    EXPECT_EQ(head_seq(), after);
    EXPECT_EQ(http->get("/api/v1/evidence/B-1/photos/" + sha256_of(big), sup).body.size(),
              big.size());
}

// PH-6: the role gates of the other evidence routes; a unit account only for items it sees.
// PH-7: a disposed item still takes photos (for the record).
TEST_F(PhotoTest, RolesAndDisposedItems) {
    const json c = open_case(off1);
    register_item("R-1", c["id"].get<int>());
    const std::string photo = jpeg('r');
    ASSERT_EQ(attach("R-1", photo, "image/jpeg", off1).status, 201);
    const std::string path = "/api/v1/evidence/R-1/photos/" + sha256_of(photo);
    const std::int64_t head = head_seq();
    for (const std::string* token : {&disp, &taker, &aud, &admin}) {
        auto r = attach("R-1", jpeg('s'), "image/jpeg", *token);
        EXPECT_EQ(r.status, 403) << r.body;
    }
    for (const std::string* token : {&disp, &taker, &admin})
        EXPECT_EQ(http->get(path, *token).status, 403);
    // off2 does not handle the case and does not hold the item.
    expect_refused(attach("R-1", jpeg('s'), "image/jpeg", off2), 403, "code", head);
    expect_refused(http->get(path, off2), 403, "code", head);
    EXPECT_TRUE(http->get("/api/v1/audit/reads?subject=evidence/R-1", aud).json()["items"].empty());

    auto r = http->post("/api/v1/evidence/R-1/disposal", {{"disposal", "returned"}}, sup);
    ASSERT_EQ(r.status, 200) << r.body;
    r = attach("R-1", png('d'), "image/png", off1, "?caption=returned%20to%20owner");
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(item("R-1")["photos"].size(), 2u);
    EXPECT_EQ(item("R-1")["disposal"], "returned");
}

} // namespace
} // namespace pingan::test
