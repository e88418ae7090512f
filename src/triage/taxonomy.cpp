#include "triage/taxonomy.hpp"

#include <fmt/core.h>
#include <toml++/toml.h>

#include "base/toml_integer.hpp"

namespace pingan::triage {
namespace {

using base::Code;

constexpr std::array<std::string_view, 4> kServiceNames{"police", "fire", "ems", "city_line"};

base::Error problem(std::string_view where, std::string detail) {
    return base::error(Code::corrupt_file, std::string(where),
                       fmt::format("taxonomy: {}: {}", where, detail));
}

} // namespace

std::string_view to_string(Service s) {
    return kServiceNames[static_cast<std::size_t>(s)];
}

base::Result<Taxonomy> Taxonomy::parse(std::string_view text) {
    toml::table doc;
    try {
        doc = toml::parse(text);
    } catch (const toml::parse_error& e) {
        return problem(fmt::format("line {}", e.source().begin.line), std::string(e.description()));
    }
    Taxonomy t;
    for (int p = 1; p <= 4; ++p) {
        const std::string key = fmt::format("P{}", p);
        const toml::table* row = doc["priorities"][key].as_table();
        if (row == nullptr) return problem("priorities." + key, "missing");
        PriorityTargets& pt = t.targets_[static_cast<std::size_t>(p - 1)];
        for (auto [name, field] :
             {std::pair{"dispatch_s", &pt.dispatch_s}, std::pair{"en_route_s", &pt.en_route_s},
              std::pair{"on_scene_s", &pt.on_scene_s},
              std::pair{"on_scene_max_s", &pt.on_scene_max_s}}) {
            auto v = base::toml_integer((*row)[name]);
            if (!v || *v <= 0 || *v > 7 * 86400) {
                return problem(fmt::format("priorities.{}.{}", key, name),
                               "must be a positive number of seconds");
            }
            *field = static_cast<int>(*v);
        }
    }
    const toml::array* list = doc["category"].as_array();
    if (list == nullptr || list->empty()) return problem("category", "no [[category]] entries");
    for (std::size_t i = 0; i < list->size(); ++i) {
        const toml::table* row = list->get(i)->as_table();
        const std::string where = fmt::format("category[{}]", i);
        if (row == nullptr) return problem(where, "must be a table");
        Category c;
        c.code = (*row)["code"].value_or(std::string());
        c.zh = (*row)["zh"].value_or(std::string());
        c.en = (*row)["en"].value_or(std::string());
        c.parent = (*row)["parent"].value_or(std::string());
        if (c.code.empty() || c.zh.empty() || c.en.empty()) {
            return problem(where, "code, zh and en are required");
        }
        const std::string service = (*row)["service"].value_or(std::string());
        bool known = false;
        for (std::size_t s = 0; s < kServiceNames.size(); ++s) {
            if (kServiceNames[s] == service) {
                c.service = static_cast<Service>(s);
                known = true;
            }
        }
        if (!known) {
            return problem(
                where + " (" + c.code + ")",
                fmt::format("service '{}' is not police, fire, ems or city_line", service));
        }
        c.priority = static_cast<int>(base::toml_integer((*row)["priority"]).value_or(0));
        if (c.priority < 1 || c.priority > 4) {
            return problem(where + " (" + c.code + ")", "priority must be 1..4");
        }
        if (const toml::table* sources = (*row)["sources"].as_table()) {
            for (const auto& [dataset, values] : *sources) {
                if (const toml::array* arr = values.as_array()) {
                    for (const auto& v : *arr) {
                        if (auto s = v.value<std::string>()) {
                            c.sources[std::string(dataset.str())].push_back(*s);
                        }
                    }
                }
            }
        }
        if (t.index_.count(c.code) != 0) return problem(where, "duplicate code " + c.code);
        t.index_.emplace(c.code, t.categories_.size());
        t.categories_.push_back(std::move(c));
    }
    for (const Category& c : t.categories_) {
        if (!c.parent.empty() && t.index_.count(c.parent) == 0) {
            return problem("category " + c.code, "parent '" + c.parent + "' is not a category");
        }
    }
    return t;
}

const Category* Taxonomy::find(std::string_view code) const {
    auto it = index_.find(code);
    return it == index_.end() ? nullptr : &categories_[it->second];
}

const PriorityTargets& Taxonomy::targets(int priority) const {
    const int p = priority < 1 ? 1 : (priority > 4 ? 4 : priority);
    return targets_[static_cast<std::size_t>(p - 1)];
}

std::string_view Taxonomy::group(std::string_view code) const {
    const Category* c = find(code);
    if (c == nullptr) return code;
    return c->parent.empty() ? std::string_view(c->code) : std::string_view(c->parent);
}

bool Taxonomy::compatible(std::string_view a, std::string_view b) const {
    return a == b || group(a) == group(b);
}

std::optional<std::string> Taxonomy::code_for_source(std::string_view dataset,
                                                     std::string_view value) const {
    const Category* prefix_match = nullptr;
    std::size_t prefix_len = 0;
    for (const Category& c : categories_) {
        auto it = c.sources.find(std::string(dataset));
        if (it == c.sources.end()) continue;
        for (const std::string& pattern : it->second) {
            if (!pattern.empty() && pattern.back() == '*') {
                const std::string_view prefix(pattern.data(), pattern.size() - 1);
                if (value.substr(0, prefix.size()) == prefix && prefix.size() > prefix_len) {
                    prefix_match = &c; // the longest prefix wins
                    prefix_len = prefix.size();
                }
            } else if (pattern == value) {
                return c.code;
            }
        }
    }
    if (prefix_match != nullptr) return prefix_match->code;
    return std::nullopt;
}

} // namespace pingan::triage
