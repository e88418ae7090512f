// The field-operation files an administrator hands to `pingan serve`: the camera register
// (CSV or GeoJSON, --cameras) and the patrol plan (GeoJSON, --patrol). Every input goes through
// all three readers; what the camera readers accept must also build an index.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cameras/coverage.hpp"
#include "io/cameras_import.hpp"
#include "io/patrol_geojson.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (auto read : {&pingan::io::read_cameras_csv, &pingan::io::read_cameras_geojson}) {
        if (auto cameras = read(text)) {
            auto index = pingan::cameras::CameraIndex::build(std::move(cameras).value());
            if (!index) __builtin_trap(); // validated by the reader: the index must accept them
            (void)index->covering({41.15, -8.61});
            (void)index->stream_origins();
        }
    }
    (void)pingan::io::read_patrol_plan(text, 480);
    return 0;
}
