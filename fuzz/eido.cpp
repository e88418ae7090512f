// EIDO documents posted by other centres (POST /api/v1/eido).
#include "io/eido.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)pingan::io::parse_eido(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
