#include "io/csv_reader.hpp"

#include <fmt/core.h>

namespace pingan::io {

CsvReader::CsvReader(std::string_view text, char delimiter) : text_(text), delimiter_(delimiter) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") {
        pos_ = 3;
        bom_ = true;
    }
}

bool CsvReader::next(std::vector<std::string_view>& fields) {
    fields.clear();
    if (!error_.empty() || pos_ >= text_.size()) return false;
    record_line_ = line_;
    // Fields are collected as spans of text_ or indices into unescaped_; views are made once
    // the record is complete because unescaped_ may reallocate while it grows.
    struct Span {
        std::size_t begin, size;
        int stored; // index into unescaped_, or -1 for a span of text_
    };
    std::vector<Span> spans;
    unescaped_.clear();
    const std::size_t n = text_.size();
    while (true) {
        if (pos_ < n && text_[pos_] == '"') {
            // Quoted field.
            const std::size_t quote_line = line_;
            ++pos_;
            std::size_t begin = pos_;
            std::string* buf = nullptr;
            while (true) {
                if (pos_ >= n) {
                    error_ = fmt::format("line {}: a quoted field is never closed", quote_line);
                    return false;
                }
                const char c = text_[pos_];
                if (c == '"') {
                    if (pos_ + 1 < n && text_[pos_ + 1] == '"') {
                        // An escaped quote: copy what came before, then one quote.
                        if (buf == nullptr) {
                            unescaped_.emplace_back();
                            buf = &unescaped_.back();
                        }
                        buf->append(text_.substr(begin, pos_ - begin));
                        buf->push_back('"');
                        pos_ += 2;
                        begin = pos_;
                        continue;
                    }
                    break;
                }
                if (c == '\n') ++line_;
                ++pos_;
            }
            if (buf != nullptr) {
                buf->append(text_.substr(begin, pos_ - begin));
                spans.push_back({0, 0, static_cast<int>(unescaped_.size() - 1)});
            } else {
                spans.push_back({begin, pos_ - begin, -1});
            }
            ++pos_; // closing quote
            // Anything between the closing quote and the delimiter is kept (lenient).
            const std::size_t tail = pos_;
            while (pos_ < n && text_[pos_] != delimiter_ && text_[pos_] != '\n' &&
                   text_[pos_] != '\r') {
                ++pos_;
            }
            if (pos_ > tail) {
                Span& s = spans.back();
                std::string joined = s.stored >= 0 ? unescaped_[static_cast<std::size_t>(s.stored)]
                                                   : std::string(text_.substr(s.begin, s.size));
                joined.append(text_.substr(tail, pos_ - tail));
                unescaped_.push_back(std::move(joined));
                s = {0, 0, static_cast<int>(unescaped_.size() - 1)};
            }
        } else {
            const std::size_t begin = pos_;
            while (pos_ < n && text_[pos_] != delimiter_ && text_[pos_] != '\n' &&
                   text_[pos_] != '\r') {
                ++pos_;
            }
            spans.push_back({begin, pos_ - begin, -1});
        }
        if (pos_ < n && text_[pos_] == delimiter_) {
            ++pos_;
            continue;
        }
        // End of record: CRLF, LF, a lone CR, or the end of the text.
        if (pos_ < n && text_[pos_] == '\r') ++pos_;
        if (pos_ < n && text_[pos_] == '\n') ++pos_;
        ++line_;
        break;
    }
    for (const Span& s : spans) {
        fields.push_back(s.stored >= 0
                             ? std::string_view(unescaped_[static_cast<std::size_t>(s.stored)])
                             : text_.substr(s.begin, s.size));
    }
    return true;
}

} // namespace pingan::io
