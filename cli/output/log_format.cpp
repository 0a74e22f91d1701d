#include "cli/output/log_format.h"

#include <cstdio>
#include <ctime>

namespace wharf::cli {
namespace {

bool Digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::string ShowControlCharacters(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\t') {
      out += '\t';
    } else if (c < 0x20 || c == 0x7f) {
      out += '^';
      out += static_cast<char>(c ^ 0x40);  // ESC -> ^[, BEL -> ^G, DEL -> ^?
    } else if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
      // a C1 control in UTF-8 (U+0080..U+009F, e.g. the one-byte CSI U+009B)
      char hex[16];
      std::snprintf(hex, sizeof hex, "<U+%04X>", static_cast<unsigned char>(text[i + 1]));
      out += hex;
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string FormatLogTimestamp(std::string_view t) {
  int year, month, day, hour, minute, second;
  if (!Digits(t, 0, 4, year) || t.size() < 19 || t[4] != '-' || !Digits(t, 5, 2, month) || t[7] != '-' ||
      !Digits(t, 8, 2, day) || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || !Digits(t, 11, 2, hour) ||
      t[13] != ':' || !Digits(t, 14, 2, minute) || t[16] != ':' || !Digits(t, 17, 2, second)) {
    return std::string(t);
  }
  std::size_t pos = 19;
  int centis = 0;
  if (pos < t.size() && t[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      if (digits < 2) centis = centis * 10 + (t[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::string(t);
    if (digits == 1) centis *= 10;
  }
  long offset_seconds = 0;
  if (pos < t.size() && (t[pos] == 'Z' || t[pos] == 'z')) {
    ++pos;
  } else if (pos < t.size() && (t[pos] == '+' || t[pos] == '-')) {
    int oh, om;
    if (!Digits(t, pos + 1, 2, oh)) return std::string(t);
    std::size_t mpos = pos + 3;
    if (mpos < t.size() && t[mpos] == ':') ++mpos;
    if (!Digits(t, mpos, 2, om)) return std::string(t);
    offset_seconds = (oh * 3600L + om * 60L) * (t[pos] == '+' ? 1 : -1);
    pos = mpos + 2;
  } else {
    return std::string(t);
  }
  if (pos != t.size()) return std::string(t);

  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t utc = ::timegm(&tm) - offset_seconds;
  std::tm out{};
  ::gmtime_r(&utc, &out);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%02d+0000", out.tm_year + 1900, out.tm_mon + 1,
                out.tm_mday, out.tm_hour, out.tm_min, out.tm_sec, centis);
  return buf;
}

std::string FormatLogLine(const api::LogLine& line) {
  // App output reaches the user's terminal: its control characters are shown, never obeyed.
  std::string header = "   " + ShowControlCharacters(FormatLogTimestamp(line.timestamp)) + " [" +
                       ShowControlCharacters(line.source) + "] " +
                       (line.stream.empty() ? "OUT" : ShowControlCharacters(line.stream)) + " ";
  std::string message = line.message;
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) message.pop_back();
  std::string out;
  std::size_t start = 0;
  while (true) {
    std::size_t nl = message.find('\n', start);
    std::string part = message.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!part.empty() && part.back() == '\r') part.pop_back();
    out += header + ShowControlCharacters(part) + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

}  // namespace wharf::cli
