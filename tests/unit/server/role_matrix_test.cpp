// The role matrix is the one place access is decided; docs/api/roles.md must show it as it is.
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "server/role_matrix.hpp"

using namespace pingan;
using namespace pingan::server;

namespace {

std::string render_markdown() {
    std::string out = "| method | route | ";
    for (auto r : auth::kAllRoles)
        out += std::string(auth::to_string(r)) + " | ";
    out += "what it does |\n|---|---|";
    for (std::size_t i = 0; i < auth::kAllRoles.size(); ++i)
        out += "---|";
    out += "---|\n";
    for (const RouteRule& rule : kRoleMatrix) {
        out += "| " + std::string(rule.method) + " | `" + std::string(rule.pattern) + "` | ";
        for (auto r : auth::kAllRoles) {
            out += rule.is_public ? "public | " : (rule.roles.contains(r) ? "yes | " : "– | ");
        }
        out += std::string(rule.summary) + " |\n";
    }
    return out;
}

} // namespace

TEST(RoleMatrix, RoutesAreUniqueAndNonPublicRoutesHaveRoles) {
    std::set<std::string> seen;
    for (const RouteRule& rule : kRoleMatrix) {
        EXPECT_TRUE(seen.insert(std::string(rule.method) + " " + std::string(rule.pattern)).second);
        EXPECT_TRUE(rule.is_public || !rule.roles.empty()) << rule.pattern;
    }
}

TEST(RoleMatrix, CallerDataIsNeitherForAnalystsNorAdmins) {
    for (const RouteRule& rule : kRoleMatrix) {
        if (rule.pattern != "/api/v1/incidents/{id}/caller") continue;
        EXPECT_FALSE(rule.roles.contains(auth::Role::analyst));
        EXPECT_FALSE(rule.roles.contains(auth::Role::admin));
        EXPECT_FALSE(rule.roles.contains(auth::Role::unit));
    }
}

TEST(RoleMatrix, DocumentationShowsTheTableInCode) {
    std::ifstream in(std::string(PINGAN_SOURCE_DIR) + "/docs/api/roles.md");
    ASSERT_TRUE(in) << "docs/api/roles.md is missing";
    std::stringstream doc;
    doc << in.rdbuf();
    const std::string table = render_markdown();
    EXPECT_NE(doc.str().find(table), std::string::npos)
        << "docs/api/roles.md does not contain the current role matrix; paste this table:\n"
        << table;
}
