// A CSV reader for incident files (RFC 4180 and what city portals actually publish): a UTF-8
// byte-order mark is skipped, fields may be quoted ("a, b" and "say ""hi"""), quoted fields may
// span lines, lines end in LF or CRLF. It reads from memory, records one at a time, and knows
// the physical line each record starts on, so rejections can name the line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pingan::io {

class CsvReader {
public:
    explicit CsvReader(std::string_view text, char delimiter = ',');

    // The next record's fields, or false at the end (or on error(), checked by the caller).
    // The views stay valid until the next call.
    bool next(std::vector<std::string_view>& fields);

    std::size_t line() const { return record_line_; } // 1-based line the last record began on
    std::size_t consumed() const { return pos_; }     // bytes read so far (for progress)
    std::size_t size() const { return text_.size(); }
    bool had_bom() const { return bom_; }
    // Non-empty when the input ended inside a quoted field.
    const std::string& error() const { return error_; }

private:
    std::string_view text_;
    char delimiter_;
    std::size_t pos_ = 0;
    std::size_t line_ = 1;
    std::size_t record_line_ = 0;
    bool bom_ = false;
    std::string error_;
    std::vector<std::string> unescaped_; // storage for quoted fields with "" inside
};

} // namespace pingan::io
