// Prepared statements only: values reach SQL as bound parameters, never as text. SQL text may
// still be composed from constant pieces (column lists, table names from a fixed list, filter
// clauses made of placeholders); each such place must say so on the lines just above it with
// a comment starting `// sql-composed:` and the reason it is safe. This test reads the sources
// and fails on any composition of SQL text that does not carry that comment, so a new one is
// looked at by whoever writes it and by the reviewer.
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;

// A string literal holding SQL: a statement keyword or a clause that only SQL has.
const std::regex kSqlLiteral(
    R"re("[^"]*\b(SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE|DROP|ALTER|PRAGMA|WHERE|FROM|VALUES|SET|ORDER BY|LIMIT)\b[^"]*")re");
// Text built at run time: formatting, or concatenation with something that is not a literal.
const std::regex kComposition(
    R"re((fmt::format|std::format|snprintf|sprintf)\s*\(|"\s*\+\s*[^"\s]|[^"\s]\s*\+\s*")re");

struct Finding {
    std::string where;
    std::string line;
};

std::vector<Finding> unmarked_compositions(const fs::path& root) {
    std::vector<Finding> found;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        const auto ext = entry.path().extension();
        if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".hpp")) continue;
        std::ifstream in(entry.path());
        std::vector<std::string> lines;
        for (std::string l; std::getline(in, l);)
            lines.push_back(l);
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const std::string& l = lines[i];
            if (!std::regex_search(l, kSqlLiteral) || !std::regex_search(l, kComposition)) continue;
            bool marked = false;
            for (std::size_t back = 1; back <= 6 && back <= i && !marked; ++back)
                marked = lines[i - back].find("// sql-composed:") != std::string::npos;
            if (!marked) {
                found.push_back(
                    {fs::relative(entry.path(), root).string() + ":" + std::to_string(i + 1), l});
            }
        }
    }
    return found;
}

TEST(SqlText, EveryCompositionOfSqlTextIsMarkedAndExplained) {
    const auto found = unmarked_compositions(fs::path(PINGAN_SOURCE_DIR) / "src");
    for (const auto& f : found)
        ADD_FAILURE() << f.where << ": SQL text built at run time without a `// sql-composed:` "
                      << "comment saying why no value is spliced in:\n  " << f.line;
}

// The check itself must be able to fail: a value spliced into SQL is found, a marked
// composition of constants is not.
TEST(SqlText, TheCheckFindsASplicedValue) {
    const fs::path dir = fs::temp_directory_path() / "pingan-sql-text-test";
    fs::create_directories(dir);
    {
        std::ofstream out(dir / "bad.cpp");
        out << "auto q = \"SELECT * FROM users WHERE name = '\" + name + \"'\";\n"
            << "auto r = fmt::format(\"DELETE FROM sessions WHERE id = {}\", id);\n"
            << "// sql-composed: the column list is a constant\n"
            << "auto s = fmt::format(\"SELECT {} FROM units\", kUnitColumns);\n"
            << "auto t = \"SELECT 1 FROM units WHERE id = ?\";\n";
    }
    const auto found = unmarked_compositions(dir);
    fs::remove_all(dir);
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0].where, "bad.cpp:1");
    EXPECT_EQ(found[1].where, "bad.cpp:2");
}

} // namespace
