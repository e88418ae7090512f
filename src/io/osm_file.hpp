// The check every OSM file passes before libosmium reads it (road import, address import).
//
// pingan reads OSM PBF and OSM XML (plain, .gz or .bz2); the other formats libosmium knows
// (OPL, O5M, debug, ids) are refused by name.
//
// PBF files have their framing read first, blob by blob, without decompressing: a length, a
// BlobHeader whose type is OSMHeader (first) or OSMData (the rest) and a size, and the file ends
// where the last blob does. libosmium 2.19 passes a missing type to strncmp as a null pointer
// (undefined behaviour, found by fuzz_osm) and then takes the blob for the type it expected; a
// truncated file is named here with the blob and byte where it ends.
//
// XML coordinates are read once on their own first. libosmium 2.19 (Debian 12) parses an XML
// coordinate with int64 arithmetic that overflows when the value has a large exponent
// (lat="1e70"; found by fuzz_osm). That is undefined behaviour. Built without sanitizers it
// wraps, and lat="1e70" comes out as a valid 0. No OSM producer writes exponents, so a
// coordinate attribute must be a plain decimal number, or the file is refused with the element,
// attribute and value named.
#pragma once

#include <string>
#include <utility>

#include "base/result.hpp"

namespace pingan::io {

class CheckedOsmFile;

// io_error when the file is missing; corrupt_file when it is empty, not a format pingan reads,
// a PBF whose framing is broken, or an XML file whose coordinate attribute is not a plain
// decimal number. An XML syntax error passes here: libosmium reports it with its own line and
// column.
base::Result<CheckedOsmFile> check_osm_file(const std::string& path);

// A file that check_osm_file passed. The readers take one, so that a file read twice (roads,
// then addresses, by `pingan import osm`) is checked once: an XML check is a pass of its own.
class CheckedOsmFile {
public:
    const std::string& path() const { return path_; }

private:
    friend base::Result<CheckedOsmFile> check_osm_file(const std::string& path);
    explicit CheckedOsmFile(std::string path) : path_(std::move(path)) {}
    std::string path_;
};

// corrupt_file on "file": "PATH is not a readable OSM file: WHY", for the readers' own refusals.
base::Error unreadable_osm(const std::string& path, const std::string& why);

} // namespace pingan::io
