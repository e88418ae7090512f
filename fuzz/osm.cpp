// OSM files (`pingan import osm`): the bytes are written to a file and imported as pingan
// does it, road graph and contraction included. The first byte picks the format by the file's
// extension: even bytes OSM XML (.osm), odd bytes PBF (.osm.pbf).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

#include "io/osm_import.hpp"
#include "road/profile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static const std::string base = "/tmp/pingan-fuzz-" + std::to_string(getpid());
    static const pingan::road::Profile profile = pingan::road::Profile::car();
    const std::string path = base + (data[0] % 2 == 0 ? ".osm" : ".osm.pbf");
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return 0;
    std::fwrite(data + 1, 1, size - 1, f);
    std::fclose(f);
    (void)pingan::io::import_osm(path, profile);
    std::remove(path.c_str());
    return 0;
}
