#include "common/facts/byte_size.h"

#include <cctype>
#include <cstdio>

namespace wharf {

Result<std::int64_t> ParseLogRateLimit(std::string_view text) {
  std::string t;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) t += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (t == "-1") return -1;
  std::size_t i = 0;
  std::int64_t n = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) {
    if (n > (INT64_MAX / 10) - 10) return Status::InvalidArgument("log rate limit '" + std::string(text) + "' is too large");
    n = n * 10 + (t[i] - '0');
    ++i;
  }
  const std::string bad = "log rate limit '" + std::string(text) + "' must be -1 (unlimited) or a size per second with a unit, e.g. 1K, 16K or 1M";
  if (i == 0) return Status::InvalidArgument(bad);
  std::string unit = t.substr(i);
  if (unit.size() == 2 && unit[1] == 'B') unit.pop_back();
  std::int64_t scale = 0;
  if (unit == "B") scale = 1;
  else if (unit == "K") scale = 1024;
  else if (unit == "M") scale = 1024 * 1024;
  else if (unit == "G") scale = 1024 * 1024 * 1024;
  if (scale == 0) return Status::InvalidArgument(bad);
  if (n > (std::int64_t{1} << 40) / scale) return Status::InvalidArgument("log rate limit '" + std::string(text) + "' is too large");
  return n * scale;
}

Result<std::int64_t> ParseMegabytes(std::string_view text) {
  std::string t;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) t += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  std::size_t i = 0;
  std::int64_t n = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) {
    if (n > (INT64_MAX / 10) - 10) return Status::InvalidArgument("size '" + std::string(text) + "' is too large");
    n = n * 10 + (t[i] - '0');
    ++i;
  }
  if (i == 0) return Status::InvalidArgument("size '" + std::string(text) + "' must start with a number, e.g. 256M or 1G");
  std::string unit = t.substr(i);
  if (unit.size() == 2 && unit[1] == 'B') unit.pop_back();
  std::int64_t mb;
  if (unit == "K") {
    mb = (n + 1023) / 1024;
  } else if (unit == "M") {
    mb = n;
  } else if (unit == "G") {
    mb = n * 1024;
  } else if (unit == "T") {
    mb = n * 1024 * 1024;
  } else {
    return Status::InvalidArgument("size '" + std::string(text) + "' needs a unit: K, M, G or T (e.g. 256M, 1G)");
  }
  if (mb <= 0) return Status::InvalidArgument("size '" + std::string(text) + "' must be greater than zero");
  return mb;
}

std::string FormatMegabytes(std::int64_t mb) {
  if (mb > 0 && mb % 1024 == 0) return std::to_string(mb / 1024) + "G";
  return std::to_string(mb) + "M";
}

std::string FormatBytes(std::uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  }
  return buf;
}

}  // namespace wharf
