// Reads an incident CSV file through a mapping into incident records. Problems with one row
// (unparseable time, unmapped category, wrong number of fields, duplicate key) reject that row
// and are reported with its line; problems with the file (empty, no rows, a column the mapping
// names is missing, a quote never closed, times in more than one time zone) refuse the file.
// Blank coordinates and bad geocodes (outside the mapping's box, unconvertible) keep the row
// with geocode_ok = false, so counts stay right while maps leave them out.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/incident_record.hpp"
#include "base/result.hpp"
#include "io/incident_mapping.hpp"

namespace pingan::io {

struct RowProblem {
    std::size_t line = 0; // 1-based physical line where the row starts
    std::string reason;
};

struct CsvImport {
    std::vector<analytics::IncidentRecord> records;
    std::size_t rows_read = 0;        // data rows (blank lines are not rows)
    std::size_t rejected = 0;         // rows not imported
    std::vector<RowProblem> problems; // the first max_problems rejections
    std::size_t blank_location = 0;   // kept, geocode_ok = false
    std::size_t bad_geocode = 0;      // outside the box or unconvertible; kept, not mapped
    std::size_t default_category = 0; // values the mapping did not list, given the default
    bool had_bom = false;
};

// Called now and then with (bytes read, total bytes).
using ReadProgress = std::function<void(std::size_t, std::size_t)>;

base::Result<CsvImport> read_incident_csv(std::string_view text, const IncidentMapping& mapping,
                                          std::string_view file_name,
                                          const ReadProgress& progress = {},
                                          std::size_t max_problems = 20);

} // namespace pingan::io
