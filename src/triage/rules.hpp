// Triage rules: suggest a category and priority from what the caller says (keywords and
// regular expressions, Chinese and English), the kind of place, and the time of day.
// Loaded from config/triage.toml. Pure: the caller passes the time of day.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "triage/taxonomy.hpp"

namespace pingan::triage {

// What is known about a call when it is triaged.
struct CallFacts {
    std::string_view text;          // the call-taker's notes of what the caller said (UTF-8)
    std::string_view location_kind; // "school", "bank", "residence", "road", … or empty
    int minute_of_day = -1;         // in the centre's time, 0..1439; -1: unknown
};

struct Suggestion {
    std::string category;
    int priority = 3;
    int score = 0;
    std::vector<std::string> reasons; // names of the rules that matched, strongest first
};

class Triage {
public:
    // Parses TOML rules against a taxonomy; a problem names the rule and the reason.
    static base::Result<Triage> parse(std::string_view toml_text, const Taxonomy& taxonomy);

    // The best category for the call, or nothing when no rule matches.
    std::optional<Suggestion> suggest(const CallFacts& call) const;
    std::size_t size() const { return rules_.size(); }

private:
    struct Rule {
        std::string name;
        std::string category;
        int priority = 0; // 0: the category's default
        int weight = 1;
        struct Keyword {
            std::string text;        // ASCII letters lower-cased
            bool word_start = false; // must not follow an ASCII letter (English words)
            bool word_end = false;   // must not be followed by an ASCII letter (no '*')
        };
        std::vector<Keyword> keywords;
        std::optional<std::regex> regex;
        // Texts of which one must occur (lower-cased) for the regex to match at all, when the
        // pattern shows them (regex_required_texts); empty: always run the regex.
        std::vector<std::string> regex_needs;
        std::vector<std::string> location_kinds;
        int from_minute = -1; // active hours, [from, to) wrapping midnight; -1: always
        int to_minute = -1;
    };
    bool matches(const Rule& r, std::string_view lowered, const CallFacts& call) const;

    std::vector<Rule> rules_;
    const Taxonomy* taxonomy_ = nullptr;
};

// For a pattern whose every top-level alternative begins with a group of plain texts, such as
// "(crash|collision).*(injur|bleeding)|(车祸|撞).*受伤", those texts (ASCII lower-cased): a text
// can only match when it contains one of them. Empty when the pattern does not have this shape
// (then the regex must always run). Exposed for tests.
std::vector<std::string> regex_required_texts(std::string_view pattern);

} // namespace pingan::triage
