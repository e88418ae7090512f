#include "triage/rules.hpp"

#include <algorithm>
#include <map>

#include <fmt/core.h>
#include <toml++/toml.h>

#include "base/toml_integer.hpp"

namespace pingan::triage {
namespace {

using base::Code;

base::Error rules_problem(std::string_view where, std::string detail) {
    return base::error(Code::corrupt_file, std::string(where),
                       fmt::format("triage rules: {}: {}", where, detail));
}

bool is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// Why a rule's regex is refused before std::regex sees it, or empty. libstdc++ compiles and
// matches by recursion and backtracking: it reads a repeat count into a long without an
// overflow check (also a back-reference number), recurses once per nesting level, and takes
// exponential time on a repeat of something that itself repeats or alternates ("(a+)+", "(a|ab)*",
// "a**"), and time growing as length^(k+1) for k open-ended repeats in a row ("a.*b.*c" on a
// 4,000-byte description). Such patterns are refused: at most one open-ended repeat (*, +, {n,})
// per top-level branch; the shipped rules need no more.
std::string regex_refusal(std::string_view pattern) {
    constexpr std::size_t kMaxLength = 500;
    constexpr std::size_t kMaxDepth = 16;
    constexpr long kMaxRepeat = 1000;
    if (pattern.size() > kMaxLength) {
        return fmt::format("regex is longer than {} bytes", kMaxLength);
    }
    // libstdc++ reads "\\N" as a back-reference of any length, also inside [...]; triage
    // rules match words and never need one.
    constexpr const char* kBackref = "regex has a back-reference (a digit after a backslash)";
    const auto is_digit = [](char d) { return d >= '0' && d <= '9'; };
    enum class Last { nothing, atom, repeat, lazy_repeat, group };
    Last last = Last::nothing;
    bool last_group_varies = false; // the group just closed repeats or alternates inside
    std::vector<bool> group_varies; // per open group
    int open_ended = 0;             // *, + and {n,} in this top-level branch
    const std::size_t n = pattern.size();
    for (std::size_t i = 0; i < n; ++i) {
        const char c = pattern[i];
        const bool counted = c == '{' && i + 1 < n && is_digit(pattern[i + 1]);
        if (c == '*' || c == '+' || c == '?' || counted) {
            if (c == '?' && last == Last::repeat) {
                last = Last::lazy_repeat; // "*?": the lazy form of the same repeat
                continue;
            }
            if (last == Last::repeat || last == Last::lazy_repeat) {
                return "regex repeats a repeat (exponential matching time)";
            }
            if (last == Last::group && last_group_varies) {
                return "regex repeats a group that repeats or alternates inside (exponential "
                       "matching time)";
            }
            if (!group_varies.empty()) group_varies.back() = true;
            bool unbounded = c == '*' || c == '+';
            if (counted) {
                long count = 0;
                for (++i; i < n && pattern[i] != '}'; ++i) {
                    if (pattern[i] == ',') {
                        count = 0;
                        unbounded = i + 1 < n && pattern[i + 1] == '}';
                    } else if (pattern[i] >= '0' && pattern[i] <= '9') {
                        count = count * 10 + (pattern[i] - '0');
                        if (count > kMaxRepeat) {
                            return fmt::format("regex repeats more than {} times", kMaxRepeat);
                        }
                    } else {
                        return "regex has a malformed repeat count";
                    }
                }
            }
            if (unbounded && ++open_ended > 1) {
                return "regex has two open-ended repeats (*, +, {n,}) in one branch; split it "
                       "into alternatives";
            }
            last = Last::repeat;
        } else if (c == '\\') {
            if (i + 1 < n && is_digit(pattern[i + 1])) return kBackref;
            ++i; // an escaped character is one atom
            last = Last::atom;
        } else if (c == '[') {
            // A bracket class is one atom; its ']' may come first, as in "[]a]" or "[^]a]".
            std::size_t j = i + 1;
            if (j < n && pattern[j] == '^') ++j;
            if (j < n && pattern[j] == ']') ++j;
            for (; j < n && pattern[j] != ']'; ++j) {
                if (pattern[j] == '\\') {
                    if (j + 1 < n && is_digit(pattern[j + 1])) return kBackref;
                    ++j;
                }
            }
            i = j;
            last = Last::atom;
        } else if (c == '(') {
            if (group_varies.size() == kMaxDepth) {
                return fmt::format("regex nests groups deeper than {}", kMaxDepth);
            }
            group_varies.push_back(false);
            if (i + 2 < n && pattern[i + 1] == '?') i += 2; // "(?:", "(?=", "(?!"
            last = Last::nothing;
        } else if (c == ')') {
            last_group_varies = !group_varies.empty() && group_varies.back();
            if (!group_varies.empty()) group_varies.pop_back();
            if (last_group_varies && !group_varies.empty()) group_varies.back() = true;
            last = Last::group;
        } else if (c == '|') {
            if (!group_varies.empty()) group_varies.back() = true;
            if (group_varies.empty()) open_ended = 0; // a new top-level branch
            last = Last::nothing;
        } else {
            last = Last::atom;
        }
    }
    return {};
}

// "22-07" or "22:30-06:45" -> minutes of day.
bool parse_hours(std::string_view s, int& from, int& to) {
    int h1 = 0;
    int m1 = 0;
    int h2 = 0;
    int m2 = 0;
    const std::string text(s);
    if (std::sscanf(text.c_str(), "%d:%d-%d:%d", &h1, &m1, &h2, &m2) == 4 ||
        (m1 = m2 = 0, std::sscanf(text.c_str(), "%d-%d", &h1, &h2) == 2)) {
        if (h1 < 0 || h1 > 24 || h2 < 0 || h2 > 24 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59) {
            return false;
        }
        from = (h1 * 60 + m1) % 1440;
        to = (h2 * 60 + m2) % 1440;
        return true;
    }
    return false;
}

} // namespace

base::Result<Triage> Triage::parse(std::string_view text, const Taxonomy& taxonomy) {
    toml::table doc;
    try {
        doc = toml::parse(text);
    } catch (const toml::parse_error& e) {
        return rules_problem(fmt::format("line {}", e.source().begin.line),
                             std::string(e.description()));
    }
    Triage t;
    t.taxonomy_ = &taxonomy;
    const toml::array* list = doc["rule"].as_array();
    if (list == nullptr) return rules_problem("rule", "no [[rule]] entries");
    for (std::size_t i = 0; i < list->size(); ++i) {
        const toml::table* row = list->get(i)->as_table();
        std::string where = fmt::format("rule[{}]", i);
        if (row == nullptr) return rules_problem(where, "must be a table");
        Rule r;
        r.name = (*row)["name"].value_or(std::string());
        if (!r.name.empty()) where += " (" + r.name + ")";
        r.category = (*row)["category"].value_or(std::string());
        if (r.name.empty()) return rules_problem(where, "name is required");
        if (taxonomy.find(r.category) == nullptr) {
            return rules_problem(where,
                                 fmt::format("category '{}' is not in the taxonomy", r.category));
        }
        r.priority = static_cast<int>(base::toml_integer((*row)["priority"]).value_or(0));
        if (r.priority < 0 || r.priority > 4) return rules_problem(where, "priority must be 1..4");
        r.weight = static_cast<int>(base::toml_integer((*row)["weight"]).value_or(1));
        if (r.weight <= 0 || r.weight > 1000) return rules_problem(where, "weight must be 1..1000");
        if (const toml::array* kw = (*row)["keywords"].as_array()) {
            for (const auto& k : *kw) {
                auto s = k.value<std::string>();
                if (!s || s->empty())
                    return rules_problem(where, "keywords must be non-empty strings");
                Rule::Keyword word;
                word.text = ascii_lower(*s);
                const bool prefix_only = word.text.back() == '*';
                if (prefix_only) word.text.pop_back();
                if (word.text.empty()) return rules_problem(where, "a keyword is only '*'");
                word.word_start = is_letter(word.text.front());
                word.word_end = is_letter(word.text.back()) && !prefix_only;
                r.keywords.push_back(std::move(word));
            }
        }
        if (auto re = (*row)["regex"].value<std::string>()) {
            if (auto why = regex_refusal(*re); !why.empty()) return rules_problem(where, why);
            try {
                r.regex.emplace(*re,
                                std::regex::ECMAScript | std::regex::icase | std::regex::optimize);
                r.regex_needs = regex_required_texts(*re);
            } catch (const std::regex_error& e) {
                return rules_problem(where, fmt::format("regex does not compile: {}", e.what()));
            }
        }
        if (r.keywords.empty() && !r.regex)
            return rules_problem(where, "needs keywords or a regex");
        if (const toml::array* kinds = (*row)["location_kinds"].as_array()) {
            for (const auto& k : *kinds) {
                if (auto s = k.value<std::string>()) r.location_kinds.push_back(*s);
            }
        }
        if (auto hours = (*row)["hours"].value<std::string>()) {
            if (!parse_hours(*hours, r.from_minute, r.to_minute)) {
                return rules_problem(where,
                                     fmt::format("hours '{}' is not like \"22-07\"", *hours));
            }
        }
        t.rules_.push_back(std::move(r));
    }
    return t;
}

std::vector<std::string> regex_required_texts(std::string_view pattern) {
    constexpr std::string_view kMeta = "\\.^$|?*+()[]{}";
    std::vector<std::string> needs;
    std::size_t at = 0;
    while (true) {
        // One top-level alternative: "(" [?:] text { "|" text } ")" not made optional.
        if (at >= pattern.size() || pattern[at] != '(') return {};
        ++at;
        if (pattern.substr(at, 2) == "?:") at += 2;
        std::string text;
        for (; at < pattern.size() && pattern[at] != ')'; ++at) {
            const char c = pattern[at];
            if (c == '|') {
                if (text.empty()) return {};
                needs.push_back(ascii_lower(text));
                text.clear();
            } else if (kMeta.find(c) != std::string_view::npos) {
                return {};
            } else {
                text += c;
            }
        }
        if (at >= pattern.size() || text.empty()) return {};
        needs.push_back(ascii_lower(text));
        ++at; // ')'
        if (at < pattern.size() &&
            (pattern[at] == '?' || pattern[at] == '*' || pattern[at] == '{')) {
            return {};
        }
        // Skip the rest of this alternative up to a "|" outside groups and classes.
        int depth = 0;
        bool in_class = false;
        for (; at < pattern.size(); ++at) {
            const char c = pattern[at];
            if (c == '\\') {
                ++at;
            } else if (in_class) {
                in_class = c != ']';
            } else if (c == '[') {
                in_class = true;
            } else if (c == '(') {
                ++depth;
            } else if (c == ')') {
                --depth;
            } else if (c == '|' && depth == 0) {
                break;
            }
        }
        if (at >= pattern.size()) return needs;
        ++at; // '|'
    }
}

bool Triage::matches(const Rule& r, std::string_view lowered, const CallFacts& call) const {
    if (!r.location_kinds.empty() && std::find(r.location_kinds.begin(), r.location_kinds.end(),
                                               call.location_kind) == r.location_kinds.end()) {
        return false;
    }
    if (r.from_minute >= 0) {
        if (call.minute_of_day < 0) return false;
        const int m = call.minute_of_day;
        const bool active = r.from_minute <= r.to_minute ? (m >= r.from_minute && m < r.to_minute)
                                                         : (m >= r.from_minute || m < r.to_minute);
        if (!active) return false;
    }
    for (const Rule::Keyword& k : r.keywords) {
        for (std::size_t at = lowered.find(k.text); at != std::string_view::npos;
             at = lowered.find(k.text, at + 1)) {
            const std::size_t end = at + k.text.size();
            const bool starts = !k.word_start || at == 0 || !is_letter(lowered[at - 1]);
            const bool ends = !k.word_end || end == lowered.size() || !is_letter(lowered[end]);
            if (starts && ends) return true;
        }
    }
    if (!r.regex) return false;
    // std::regex is slow (a fifth of intake's CPU): skip it when a text it needs is absent.
    if (!r.regex_needs.empty() &&
        std::none_of(r.regex_needs.begin(), r.regex_needs.end(),
                     [&](const std::string& t) { return lowered.find(t) != std::string::npos; })) {
        return false;
    }
    return std::regex_search(call.text.begin(), call.text.end(), *r.regex);
}

std::optional<Suggestion> Triage::suggest(const CallFacts& call) const {
    const std::string lowered = ascii_lower(call.text);
    struct Score {
        int total = 0;
        int best_priority = 5;
        std::vector<const Rule*> rules;
    };
    std::map<std::string, Score> scores;
    for (const Rule& r : rules_) {
        if (!matches(r, lowered, call)) continue;
        Score& s = scores[r.category];
        s.total += r.weight;
        s.rules.push_back(&r);
        const int p = r.priority != 0 ? r.priority : taxonomy_->find(r.category)->priority;
        s.best_priority = std::min(s.best_priority, p);
    }
    if (scores.empty()) return std::nullopt;
    // Highest score; on a tie, the more urgent category, then the code (deterministic).
    auto best = std::max_element(scores.begin(), scores.end(), [](const auto& a, const auto& b) {
        if (a.second.total != b.second.total) return a.second.total < b.second.total;
        if (a.second.best_priority != b.second.best_priority) {
            return a.second.best_priority > b.second.best_priority;
        }
        return a.first > b.first;
    });
    Suggestion out;
    out.category = best->first;
    out.priority = best->second.best_priority;
    out.score = best->second.total;
    auto rules = best->second.rules;
    std::stable_sort(rules.begin(), rules.end(),
                     [](const Rule* a, const Rule* b) { return a->weight > b->weight; });
    for (const Rule* r : rules)
        out.reasons.push_back(r->name);
    return out;
}

} // namespace pingan::triage
