#include "io/report_html.hpp"

#include <fmt/core.h>

#include "io/xml_text.hpp"

namespace pingan::io {
namespace {

constexpr std::string_view kStyle = R"css(
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.meta{color:#555;font-size:13px} table{border-collapse:collapse;font-size:13px;margin:6px 0}
td,th{border:1px solid #ddd;padding:3px 8px} th{background:#f3f3f3;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums} .charts{display:flex;flex-wrap:wrap;gap:12px}
.chart{width:560px;height:360px;border:1px solid #eee} #map{width:100%;max-width:1140px;height:520px;border:1px solid #eee}
small{color:#777}
)css";

} // namespace

std::string html_escape(std::string_view s) {
    return xml_escape(s);
}

std::string report_page_begin(std::string_view title) {
    std::string h = "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\n";
    h += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n";
    h += fmt::format("<title>{}</title>\n<style>{}</style></head><body>\n", html_escape(title),
                     kStyle);
    h += fmt::format("<h1>{}</h1>\n", html_escape(title));
    return h;
}

std::string_view report_page_end() {
    return "</body></html>\n";
}

} // namespace pingan::io
