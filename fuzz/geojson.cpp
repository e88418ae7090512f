// Boundary GeoJSON (`pingan import boundaries`): features with names and polygon geometry,
// strict and lenient, and a bare geometry as stored in the database.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/boundaries_geojson.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)pingan::io::read_boundaries(text, "NAME", false);
    (void)pingan::io::read_boundaries(text, "NAME", true);
    if (auto shape = pingan::io::read_geojson_geometry(text)) {
        // What is read must write back and read again.
        const std::string again = pingan::io::to_geojson_geometry(*shape);
        if (!pingan::io::read_geojson_geometry(again)) __builtin_trap();
    }
    return 0;
}
