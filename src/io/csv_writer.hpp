// Writing CSV: RFC 4180 quoting of one field, and whole rows (header rows included). Lines end
// in "\n", as the other CSV files the tools write.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace pingan::io {

// The field as is, or in double quotes (inner quotes doubled) when it holds , " CR or LF.
std::string csv_field(std::string_view v);
// Appends the fields, quoted as needed, separated by commas, and a line end.
void append_csv_row(std::string& out, std::initializer_list<std::string_view> fields);

} // namespace pingan::io
