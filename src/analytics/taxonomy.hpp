// The incident category codes the analyses know, with the top-level group each one rolls up
// to (CompStat reports both). The same codes are in config/taxonomy.toml (triage owns that
// file and the bilingual names shown to call-takers); this table is what the import mappings
// in config/import/ are checked against, so that a mapping can never invent a code.
#pragma once

#include <span>
#include <string_view>

namespace pingan::analytics {

struct CategoryInfo {
    std::string_view code;    // taxonomy code as stored, e.g. "vehicle_theft"
    std::string_view group;   // top-level code it rolls up to (itself for top-level codes)
    std::string_view name_zh; // label for reports
    std::string_view name_en;
};

// Every known code: the eight top-level codes first, then the finer ones.
std::span<const CategoryInfo> categories();
// nullptr for an unknown code.
const CategoryInfo* find_category(std::string_view code);
// The top-level group of a code; "other" for codes not in the table.
std::string_view group_of(std::string_view code);

// Calls that are not police matters and are handed to the 12345 city service line. CompStat
// counts them as diverted, and therefore not as valid police calls.
inline constexpr std::string_view kDivertedCategory = "non_police";

} // namespace pingan::analytics
