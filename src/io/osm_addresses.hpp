// House numbers for call-taking: OSM `addr:housenumber` + `addr:street` on nodes and on ways
// (buildings: the mean of the way's nodes), and the address file written next to a graph
// (`G.graph.addresses`) that `pingan serve --graph G.graph` loads into road::AddressIndex.
//
// Address file, version 1 (UTF-8 text, one address a line, tab-separated, so it can be read
// and checked by eye):
//   # pingan addresses 1
//   lat<TAB>lon<TAB>housenumber<TAB>street
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"
#include "io/osm_file.hpp"
#include "road/address_index.hpp"

namespace pingan::io {

// The address file that belongs to a graph file.
std::string address_file_for(const std::string& graph_path);

// Every address in an OSM file (PBF or XML, sorted or not). corrupt_file when the file is not
// OSM; io_error when it cannot be opened. A file without addresses gives an empty list.
base::Result<std::vector<road::AddressPoint>> read_osm_addresses(const CheckedOsmFile& osm);
// The same, checking the file first (check_osm_file).
base::Result<std::vector<road::AddressPoint>> read_osm_addresses(const std::string& osm_path);

// Writes the address file (the caller renames it into place).
base::Status save_addresses(const std::string& path, const std::vector<road::AddressPoint>& list);
// Reads an address file; corrupt_file names the first bad line.
base::Result<std::vector<road::AddressPoint>> load_addresses(const std::string& path);

} // namespace pingan::io
