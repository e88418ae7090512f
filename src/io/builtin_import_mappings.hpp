// The import mappings compiled into pingan: config/import/<name>.toml, embedded at build time
// (src/io/CMakeLists.txt writes builtin_import_mappings.cpp), so `--format dc` needs no file.
#pragma once

#include <span>
#include <string_view>

namespace pingan::io {

struct BuiltinMapping {
    std::string_view name; // "dc", "baltimore", "sacramento"
    std::string_view toml; // the file's text
};

std::span<const BuiltinMapping> builtin_import_mappings();

} // namespace pingan::io
