// Incident CSV import (`pingan import incidents`): the built-in DC, Baltimore and Sacramento
// mappings over arbitrary bytes. The first byte picks the mapping.
#include "io/incident_csv.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/incident_mapping.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static const pingan::io::IncidentMapping mappings[] = {
        *pingan::io::builtin_mapping("dc"), *pingan::io::builtin_mapping("baltimore"),
        *pingan::io::builtin_mapping("sacramento")};
    const auto& mapping = mappings[data[0] % 3];
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    (void)pingan::io::read_incident_csv(text, mapping, "fuzz.csv");
    return 0;
}
