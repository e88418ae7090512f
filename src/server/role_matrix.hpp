// The role matrix: which role may call which route. This table is the only place access is
// decided; the router enforces it for every request, docs/api/roles.md shows it, and a test
// checks every row against a running server.
#pragma once

#include <array>
#include <string_view>

#include "auth/role.hpp"

namespace pingan::server {

struct RouteRule {
    std::string_view method;
    std::string_view pattern; // "{name}" matches one path segment
    bool is_public;           // no token needed (login, health)
    auth::RoleSet roles;      // who may call it when not public
    std::string_view summary;
};

namespace roles {
using auth::Role;
inline constexpr auth::RoleSet kEveryone = auth::RoleSet::all();
inline constexpr auth::RoleSet kIntake{Role::call_taker, Role::dispatcher, Role::supervisor,
                                       Role::admin};
inline constexpr auth::RoleSet kCommand{Role::dispatcher, Role::supervisor, Role::admin};
inline constexpr auth::RoleSet kReaders{Role::call_taker, Role::dispatcher, Role::supervisor,
                                        Role::analyst,    Role::auditor,    Role::admin};
inline constexpr auth::RoleSet kCallerData{Role::call_taker, Role::dispatcher, Role::supervisor};
inline constexpr auth::RoleSet kUnitReport{Role::unit, Role::dispatcher, Role::supervisor,
                                           Role::admin};
inline constexpr auth::RoleSet kFleet{Role::supervisor, Role::admin};
inline constexpr auth::RoleSet kAudit{Role::auditor, Role::supervisor, Role::admin};
inline constexpr auth::RoleSet kAdmin{Role::admin};
inline constexpr auth::RoleSet kOps{Role::admin, Role::supervisor};
inline constexpr auth::RoleSet kAnalysis{Role::analyst, Role::supervisor, Role::admin};
// Cases and evidence (issue 8): unit accounts and supervisors handle them; a unit account
// sees only the cases it handles (checked in api_cases.cpp); auditors read everything.
inline constexpr auth::RoleSet kCaseWork{Role::unit, Role::supervisor};
inline constexpr auth::RoleSet kCaseRead{Role::unit, Role::supervisor, Role::auditor};
inline constexpr auth::RoleSet kSupervisor{Role::supervisor};
inline constexpr auth::RoleSet kOversight{Role::supervisor, Role::auditor};
// Who sees case, evidence and notice events whole on the stream and in GET /api/v1/events;
// everyone else gets the event with its payload withheld (the chain stays gap-free).
inline constexpr auth::RoleSet kCaseEvents{Role::supervisor, Role::auditor};
inline constexpr auth::RoleSet kAuditor{Role::auditor};
inline constexpr auth::RoleSet kWatch{Role::call_taker, Role::dispatcher, Role::supervisor,
                                      Role::auditor, Role::admin};
} // namespace roles

inline constexpr std::array kRoleMatrix{
    RouteRule{"GET", "/healthz", true, {}, "liveness and store health"},
    RouteRule{"POST", "/api/v1/login", true, {}, "exchange user name and password for a token"},
    RouteRule{"POST", "/api/v1/logout", false, roles::kEveryone, "revoke the calling token"},
    RouteRule{"GET", "/api/v1/me", false, roles::kEveryone, "who the token belongs to"},
    RouteRule{"GET", "/metrics", false, roles::kOps, "Prometheus metrics"},
    RouteRule{"POST", "/api/v1/incidents", false, roles::kIntake, "create an incident"},
    RouteRule{"GET", "/api/v1/incidents", false, roles::kReaders, "list incidents"},
    RouteRule{"GET", "/api/v1/incidents/{id}", false,
              auth::RoleSet{auth::Role::call_taker, auth::Role::dispatcher, auth::Role::supervisor,
                            auth::Role::unit, auth::Role::analyst, auth::Role::auditor,
                            auth::Role::admin},
              "one incident with its assignments"},
    RouteRule{"POST", "/api/v1/incidents/{id}/dispatch", false, roles::kCommand,
              "assign a unit to an incident"},
    RouteRule{"POST", "/api/v1/incidents/{id}/status", false, roles::kCommand,
              "clear, close, cancel, divert or merge an incident"},
    RouteRule{"GET", "/api/v1/incidents/{id}/caller", false, roles::kCallerData,
              "caller details (personal data; every read is logged)"},
    RouteRule{"POST", "/api/v1/incidents/{id}/merge", false, roles::kIntake,
              "merge a duplicate call into the incident it repeats"},
    RouteRule{"GET", "/api/v1/incidents/{id}/recommendations", false, roles::kIntake,
              "units ranked by road travel time, with the reasons"},
    RouteRule{"POST", "/api/v1/incidents/{id}/containment", false, roles::kCommand,
              "plan checkpoints around a serious incident, staffed by the units first there"},
    RouteRule{"GET", "/api/v1/cameras", false, roles::kReaders,
              "cameras standing in a map view (no stream addresses)"},
    RouteRule{"GET", "/api/v1/incidents/{id}/cameras", false, roles::kReaders,
              "cameras whose view cone covers the incident, best view first"},
    RouteRule{"POST", "/api/v1/cameras/{id}/view", false, roles::kCommand,
              "a camera's stream address (owner_only: supervisor, admin); logged"},
    RouteRule{"GET", "/api/v1/patrol/plan", false, roles::kReaders,
              "patrol areas and required points with their windows"},
    RouteRule{"GET", "/api/v1/patrol/shifts", false, roles::kReaders, "units assigned to areas"},
    RouteRule{"POST", "/api/v1/patrol/shifts", false, roles::kCommand,
              "assign a unit to a patrol area for a shift"},
    RouteRule{"GET", "/api/v1/patrol/shifts/{id}/report", false, roles::kReaders,
              "points visited and missed, time in area, distance, idle time"},
    RouteRule{"GET", "/api/v1/patrol/shifts/{id}/tour", false, roles::kReaders,
              "a suggested order to visit the points still owed, by road, with arrival times"},
    RouteRule{"POST", "/api/v1/patrol/visits", false, roles::kCommand,
              "record a visit by hand, with the reason"},
    RouteRule{"GET", "/api/v1/patrol/status", false, roles::kReaders,
              "shifts on duty, overdue points and points about to be missed"},
    RouteRule{"POST", "/api/v1/triage", false, roles::kIntake,
              "suggest a category and priority for what a caller says"},
    RouteRule{"GET", "/api/v1/taxonomy", false, roles::kEveryone,
              "categories (zh/en), priorities and response-time targets"},
    RouteRule{"GET", "/api/v1/alerts", false, roles::kWatch, "open and recent alerts"},
    RouteRule{"GET", "/api/v1/coverage", false, roles::kReaders,
              "road length reachable within the coverage time by available units"},
    RouteRule{"GET", "/api/v1/incidents/{id}/eido", false, roles::kWatch,
              "the incident as a NENA-STA-021 EIDO JSON document (no caller details)"},
    RouteRule{"GET", "/api/v1/incidents/{id}/cap", false, roles::kCommand,
              "a CAP 1.2 public alert about the incident's area"},
    RouteRule{"POST", "/api/v1/eido", false, roles::kIntake,
              "create an incident from an EIDO, or update one of ours"},
    RouteRule{"POST", "/api/v1/test/clock", false, roles::kAdmin,
              "move the manual clock (only with serve --manual-clock)"},
    RouteRule{"POST", "/api/v1/units", false, roles::kFleet, "register a unit"},
    RouteRule{"GET", "/api/v1/units", false, roles::kEveryone, "list units"},
    RouteRule{"GET", "/api/v1/units/{id}", false, roles::kEveryone, "one unit"},
    RouteRule{"POST", "/api/v1/units/{id}/status", false, roles::kUnitReport,
              "change a unit's status"},
    RouteRule{"POST", "/api/v1/units/{id}/position", false, roles::kUnitReport,
              "report a unit's position (AVL)"},
    RouteRule{"POST", "/api/v1/positions", false, roles::kUnitReport,
              "report many units' positions at once (AVL gateway)"},
    RouteRule{"GET", "/api/v1/events", false, roles::kAudit,
              "the event log after a sequence number"},
    RouteRule{"GET", "/api/v1/stream", false, roles::kEveryone,
              "WebSocket: every committed event, resumable"},
    RouteRule{"GET", "/tiles/{z}/{x}/{y}.mvt", false, roles::kEveryone,
              "base map vector tile (roads, jurisdictions, patrol areas)"},
    RouteRule{"GET", "/tiles/style.json", false, roles::kEveryone,
              "MapLibre style of the base map"},
    RouteRule{"GET", "/api/v1/geocode", false, roles::kEveryone,
              "find a place: street and house number, intersection or street"},
    RouteRule{"GET", "/api/v1/geocode/reverse", false, roles::kEveryone,
              "the road at a point (outside the map's data: off_road)"},
    RouteRule{"GET", "/api/v1/console", false, roles::kEveryone,
              "console settings: the centre's time zone, whether a map is loaded"},
    RouteRule{"GET", "/api/v1/analytics/range", false, roles::kAnalysis,
              "how many incident records the store holds, first and last"},
    RouteRule{"GET", "/api/v1/analytics/compstat", false, roles::kAnalysis,
              "CompStat: counts by category and area vs a comparison period, response times"},
    RouteRule{"GET", "/api/v1/analytics/hotspots", false, roles::kAnalysis,
              "place-based hotspots: kernel density, Gi* with FDR, near-repeat (Knox)"},
    RouteRule{"POST", "/api/v1/cases", false, roles::kCaseWork,
              "open a case from an incident; the stage's statutory deadline is computed"},
    RouteRule{"GET", "/api/v1/cases", false, roles::kCaseRead,
              "cases by deadline (due_within=PT72H lists those due soon, overdue included)"},
    RouteRule{"GET", "/api/v1/cases/{id}", false, roles::kCaseRead,
              "one case with its stages, extensions and notices (every read is logged)"},
    RouteRule{"POST", "/api/v1/cases/{id}/stage", false, roles::kCaseWork,
              "move a case to another stage (new deadline) or close it"},
    RouteRule{"POST", "/api/v1/cases/{id}/extensions", false, roles::kSupervisor,
              "approve an extension of the current stage's deadline"},
    RouteRule{"POST", "/api/v1/evidence", false, roles::kCaseWork,
              "register a seized item on a case; the caller is its first holder"},
    RouteRule{"GET", "/api/v1/evidence", false, roles::kCaseRead,
              "items by case, location or holder (summaries)"},
    RouteRule{"POST", "/api/v1/evidence/reconciliation", false, roles::kCaseWork,
              "items recorded at a location vs codes scanned there: discrepancies"},
    RouteRule{"GET", "/api/v1/evidence/{code}", false, roles::kCaseRead,
              "one item: holder, location, pending hand-over (every read is logged)"},
    RouteRule{"GET", "/api/v1/evidence/{code}/label.svg", false, roles::kCaseRead,
              "the item's Code 128 label as SVG"},
    RouteRule{"POST", "/api/v1/evidence/{code}/photos", false, roles::kCaseWork,
              "attach a photo (raw JPEG, PNG or WebP body, up to 8 MiB), stored by SHA-256"},
    RouteRule{"GET", "/api/v1/evidence/{code}/photos/{sha256}", false, roles::kCaseRead,
              "the bytes of one of the item's photos (every read is logged)"},
    RouteRule{"POST", "/api/v1/evidence/{code}/handover", false, roles::kCaseWork,
              "the holder offers the item to a receiver (two-party hand-over)"},
    RouteRule{"POST", "/api/v1/evidence/{code}/handover/confirm", false, roles::kCaseWork,
              "the named receiver confirms: custody passes"},
    RouteRule{"POST", "/api/v1/evidence/{code}/handover/cancel", false, roles::kCaseWork,
              "the giver withdraws or the receiver declines a pending hand-over"},
    RouteRule{"POST", "/api/v1/evidence/{code}/relocation", false, roles::kCaseWork,
              "the holder puts the item in a storage location"},
    RouteRule{"POST", "/api/v1/evidence/{code}/disposal", false, roles::kSupervisor,
              "approve the holder's disposal: returned, confiscated or destroyed"},
    RouteRule{"POST", "/api/v1/notices", false, roles::kSupervisor,
              "issue a supervisor notice on a case or incident, with a response deadline"},
    RouteRule{"GET", "/api/v1/notices", false, roles::kCaseRead, "supervisor notices"},
    RouteRule{"POST", "/api/v1/notices/{id}/response", false, roles::kCaseWork,
              "answer a supervisor notice"},
    RouteRule{"GET", "/api/v1/oversight", false, roles::kOversight,
              "overdue cases, unanswered notices, incidents closed without disposition"},
    RouteRule{"GET", "/api/v1/audit/reads", false, roles::kAuditor,
              "who read a case or evidence item, from the event log"},
    RouteRule{"GET", "/api/v1/reports/deadline-compliance", false, roles::kOversight,
              "stage deadlines met on time, late or overdue per unit and month (JSON, CSV, HTML)"},
    RouteRule{"GET", "/api/v1/reports/custody-discrepancies", false, roles::kOversight,
              "reconciliation discrepancies over a period and whether they were resolved"},
    RouteRule{"GET", "/api/v1/users", false, roles::kAdmin, "list users"},
    RouteRule{"POST", "/api/v1/users", false, roles::kAdmin, "create a user"},
    RouteRule{"POST", "/api/v1/users/{username}/revoke-sessions", false, roles::kAdmin,
              "end every session of a user, on every server"},
    RouteRule{"POST", "/api/v1/users/{username}/disable", false, roles::kAdmin,
              "disable an account (with a reason) and end its sessions"},
    RouteRule{"POST", "/api/v1/users/{username}/enable", false, roles::kAdmin,
              "enable an account again, also one locked by failed logins"},
};

} // namespace pingan::server
