// Configuration TOML read at start-up and by commands: the taxonomy, triage rules (against the
// shipped taxonomy), import mappings, fleets, case time limits and the working-day calendar.
// The first byte picks the parser.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "cases/calendar.hpp"
#include "cases/limits.hpp"
#include "io/fleet_toml.hpp"
#include "io/incident_mapping.hpp"
#include "triage/rules.hpp"
#include "triage/taxonomy.hpp"

namespace {

const pingan::triage::Taxonomy& shipped_taxonomy() {
    static const pingan::triage::Taxonomy taxonomy = [] {
        std::ifstream in(std::string(PINGAN_CONFIG_DIR) + "/taxonomy.toml");
        std::stringstream s;
        s << in.rdbuf();
        return *pingan::triage::Taxonomy::parse(s.str());
    }();
    return taxonomy;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 6) {
    case 0:
        (void)pingan::triage::Taxonomy::parse(text);
        break;
    case 1:
        if (auto triage = pingan::triage::Triage::parse(text, shipped_taxonomy())) {
            pingan::triage::CallFacts call;
            call.text = text.substr(0, 200);
            (void)triage->suggest(call);
        }
        break;
    case 2:
        (void)pingan::io::parse_mapping(text, "fuzz.toml");
        break;
    case 3:
        (void)pingan::io::parse_fleet(text, "fuzz.toml");
        break;
    case 4:
        (void)pingan::cases::LimitsTable::parse(text);
        break;
    default:
        (void)pingan::cases::WorkCalendar::parse(text);
        break;
    }
    return 0;
}
