#include "cli/output/table.h"

#include <algorithm>

namespace wharf::cli {
namespace {

std::size_t DisplayWidth(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;  // count lead bytes only
  }
  return n;
}

}  // namespace

std::string Bold(const std::string& text, bool enabled) { return enabled ? "\x1b[1m" + text + "\x1b[0m" : text; }

std::string RenderTable(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows,
                        bool bold_headers) {
  std::size_t columns = headers.size();
  for (const auto& r : rows) columns = std::max(columns, r.size());
  std::vector<std::size_t> widths(columns, 0);
  for (std::size_t c = 0; c < headers.size(); ++c) widths[c] = DisplayWidth(headers[c]);
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < r.size(); ++c) widths[c] = std::max(widths[c], DisplayWidth(r[c]));
  }
  auto render_row = [&](const std::vector<std::string>& cells, bool bold) {
    std::string line;
    for (std::size_t c = 0; c < columns; ++c) {
      std::string cell = c < cells.size() ? cells[c] : "";
      bool last = c + 1 == columns;
      line += Bold(cell, bold && !cell.empty());
      if (!last) line += std::string(widths[c] - DisplayWidth(cell) + 3, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line + "\n";
  };
  std::string out = render_row(headers, bold_headers);
  for (const auto& r : rows) out += render_row(r, false);
  return out;
}

std::string RenderKeyValues(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::size_t width = 0;
  for (const auto& [k, v] : pairs) width = std::max(width, DisplayWidth(k) + 1);
  std::string out;
  for (const auto& [k, v] : pairs) {
    std::string line = k + ":" + std::string(width - DisplayWidth(k) - 1 + 3, ' ') + v;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace wharf::cli
