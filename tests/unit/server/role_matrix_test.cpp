// The role matrix is the one place access is decided; docs/api/roles.md must show it as it is.
#include <fstream>
#include <map>
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

TEST(RoleMatrix, OpenApiDescribesEveryRoute) {
    std::ifstream in(std::string(PINGAN_SOURCE_DIR) + "/docs/api/openapi.yaml");
    ASSERT_TRUE(in) << "docs/api/openapi.yaml is missing";
    // path -> methods listed under it (two-space indented path keys, four-space methods)
    std::map<std::string, std::set<std::string>> paths;
    std::string line;
    std::string current;
    bool in_paths = false;
    while (std::getline(in, line)) {
        if (line == "paths:") {
            in_paths = true;
            continue;
        }
        if (in_paths && !line.empty() && line[0] != ' ') in_paths = false;
        if (!in_paths) continue;
        if (line.size() > 3 && line.rfind("  /", 0) == 0 && line.back() == ':') {
            current = line.substr(2, line.size() - 3);
        } else if (line.rfind("    ", 0) == 0 && line[4] != ' ' && line.back() == ':') {
            paths[current].insert(line.substr(4, line.size() - 5));
        }
    }
    for (const RouteRule& rule : kRoleMatrix) {
        std::string method(rule.method);
        for (auto& c : method)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        EXPECT_EQ(paths[std::string(rule.pattern)].count(method), 1u)
            << rule.method << " " << rule.pattern << " is not in docs/api/openapi.yaml";
    }
}
