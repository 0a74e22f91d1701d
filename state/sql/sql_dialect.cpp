#include "state/sql/sql_dialect.h"

#include <cctype>

namespace wharf::state::detail {
namespace {

bool IdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The next word at or after `pos` (skipping blanks), upper-cased; empty if none.
std::string NextWord(std::string_view sql, std::size_t pos) {
  while (pos < sql.size() && std::isspace(static_cast<unsigned char>(sql[pos]))) ++pos;
  std::size_t end = pos;
  while (end < sql.size() && IdentChar(sql[end])) ++end;
  return Upper(sql.substr(pos, end - pos));
}

}  // namespace

PostgresSql ToPostgresSql(std::string_view sql, bool schema) {
  PostgresSql out;
  std::string& o = out.sql;
  o.reserve(sql.size() + 16);
  std::string previous_word;  // the last word seen, upper-cased (CAST(x AS TEXT) stays TEXT)
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {  // a literal or a quoted name, '' and "" escaping the quote
      std::size_t j = i + 1;
      for (; j < sql.size(); ++j) {
        if (sql[j] == c) {
          if (j + 1 < sql.size() && sql[j + 1] == c) {
            ++j;
            continue;
          }
          break;
        }
      }
      j = j < sql.size() ? j + 1 : j;
      o.append(sql.substr(i, j - i));
      i = j;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      std::size_t j = sql.find('\n', i);
      if (j == std::string_view::npos) j = sql.size();
      o.append(sql.substr(i, j - i));
      i = j;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      std::size_t j = sql.find("*/", i + 2);
      j = j == std::string_view::npos ? sql.size() : j + 2;
      o.append(sql.substr(i, j - i));
      i = j;
    } else if (c == '?') {
      std::size_t j = i + 1;
      int n = 0;
      while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) n = n * 10 + (sql[j++] - '0');
      if (j == i + 1) n = out.parameters + 1;
      if (n > out.parameters) out.parameters = n;
      o += '$';
      o += std::to_string(n);
      i = j;
    } else if (IdentStart(c)) {
      std::size_t j = i;
      while (j < sql.size() && IdentChar(sql[j])) ++j;
      const std::string_view word = sql.substr(i, j - i);
      const std::string up = Upper(word);
      if (up == "IFNULL") {
        o += "COALESCE";
      } else if (up == "INTEGER") {
        o += NextWord(sql, j) == "PRIMARY" ? "BIGSERIAL" : "BIGINT";
      } else if (up == "REAL") {
        o += "DOUBLE PRECISION";
      } else if (up == "TEXT" && schema && previous_word != "AS") {
        o += "TEXT COLLATE \"C\"";
      } else {
        o.append(word);
      }
      previous_word = up;
      i = j;
    } else {
      o += c;
      ++i;
    }
  }
  return out;
}

}  // namespace wharf::state::detail
