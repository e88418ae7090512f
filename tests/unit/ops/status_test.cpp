// Every pair of states, checked against a transition list written out independently of
// ops/status.hpp: a change to the state machine must change this test too.
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "ops/status.hpp"

using namespace pingan::ops;

namespace {

std::string pair_name(std::string_view a, std::string_view b) {
    return std::string(a) + "->" + std::string(b);
}

} // namespace

TEST(IncidentStateMachine, ExactlyTheDocumentedTransitionsAreAllowed) {
    const std::set<std::string> expected = {"received->dispatched",  "received->diverted",
                                            "received->merged",      "received->cancelled",
                                            "dispatched->on_scene",  "dispatched->received",
                                            "dispatched->cancelled", "on_scene->cleared",
                                            "cleared->closed",       "cleared->dispatched"};
    int allowed_count = 0;
    for (auto from : kAllIncidentStatuses) {
        for (auto to : kAllIncidentStatuses) {
            const std::string name = pair_name(to_string(from), to_string(to));
            EXPECT_EQ(allowed(from, to), expected.count(name) == 1) << name;
            allowed_count += allowed(from, to) ? 1 : 0;
        }
    }
    EXPECT_EQ(allowed_count, static_cast<int>(expected.size()));
}

TEST(IncidentStateMachine, TerminalStatesHaveNoWayOut) {
    for (auto from : kAllIncidentStatuses) {
        if (!is_terminal(from)) continue;
        for (auto to : kAllIncidentStatuses)
            EXPECT_FALSE(allowed(from, to)) << to_string(from);
    }
}

TEST(UnitStateMachine, ExactlyTheDocumentedTransitionsAreAllowed) {
    const std::set<std::string> expected = {
        "available->dispatched",     "available->out_of_service", "available->off_duty",
        "dispatched->en_route",      "dispatched->on_scene",      "dispatched->available",
        "en_route->on_scene",        "en_route->available",       "on_scene->available",
        "out_of_service->available", "out_of_service->off_duty",  "off_duty->available",
        "off_duty->out_of_service"};
    for (auto from : kAllUnitStatuses) {
        for (auto to : kAllUnitStatuses) {
            const std::string name = pair_name(to_string(from), to_string(to));
            EXPECT_EQ(allowed(from, to), expected.count(name) == 1) << name;
        }
    }
}

TEST(StatusNames, RoundTrip) {
    for (auto s : kAllIncidentStatuses)
        EXPECT_EQ(parse_incident_status(to_string(s)), s);
    for (auto s : kAllUnitStatuses)
        EXPECT_EQ(parse_unit_status(to_string(s)), s);
    EXPECT_FALSE(parse_incident_status("Received").has_value());
    EXPECT_FALSE(parse_unit_status("").has_value());
    EXPECT_EQ(parse_agency("ems"), Agency::ems);
    EXPECT_FALSE(parse_agency("army").has_value());
}
