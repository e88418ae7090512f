// The incident taxonomy: categories (bilingual), the service that answers each, default
// priorities, and response-time targets per priority. Loaded from config/taxonomy.toml.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace pingan::triage {

// Who answers a category. city_line: the 12345 city service line (a non-emergency, diverted).
enum class Service : std::uint8_t { police, fire, ems, city_line };

std::string_view to_string(Service s);

// Response-time targets of one priority, in seconds (NFPA 1221 segments).
struct PriorityTargets {
    int dispatch_s = 0;     // call received -> first unit dispatched
    int en_route_s = 0;     // unit dispatched -> unit en route
    int on_scene_s = 0;     // call received -> first unit on scene
    int on_scene_max_s = 0; // a unit on scene longer than this is checked on
};

struct Category {
    std::string code; // e.g. "theft"
    std::string zh;   // 盗窃
    std::string en;   // Theft
    Service service = Service::police;
    int priority = 3;   // default priority, 1 (most urgent) .. 4
    std::string parent; // broader category, or empty
    // How open-data sets name it: dataset -> exact values or prefixes ending in '*'.
    std::map<std::string, std::vector<std::string>> sources;
};

class Taxonomy {
public:
    // Parses TOML text; a problem names the entry and the reason.
    static base::Result<Taxonomy> parse(std::string_view toml_text);

    const Category* find(std::string_view code) const;
    const std::vector<Category>& categories() const { return categories_; }
    const PriorityTargets& targets(int priority) const;
    // The broad group of a code: its parent if it has one, else itself.
    std::string_view group(std::string_view code) const;
    // Two codes describe the same kind of event: the same code or the same group.
    bool compatible(std::string_view a, std::string_view b) const;
    // The category an open-data set's value maps to, if any (exact match before prefixes).
    std::optional<std::string> code_for_source(std::string_view dataset,
                                               std::string_view value) const;

private:
    std::vector<Category> categories_;
    std::map<std::string, std::size_t, std::less<>> index_;
    std::array<PriorityTargets, 4> targets_{};
};

} // namespace pingan::triage
