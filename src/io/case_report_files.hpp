// The case reports (ops/case_reports.hpp) as files: CSV with a header row, and an HTML page in
// the look of the CompStat page (io/report_html.hpp). Columns in docs/cases.md "Reports".
#pragma once

#include <string>

#include "ops/case_reports.hpp"

namespace pingan::io {

// month,unit,due,on_time,late,overdue,pending,extended,compliance
std::string deadline_compliance_csv(const ops::ComplianceReport& r);
// found_at,location,found_by,kind,item_code,recorded_location,scanned_location,detail,
// resolved_at,item_location,item_holder,item_last_event_at,item_disposed
std::string custody_discrepancies_csv(const ops::DiscrepancyReport& r);

std::string deadline_compliance_html(const ops::ComplianceReport& r);
std::string custody_discrepancies_html(const ops::DiscrepancyReport& r);

} // namespace pingan::io
