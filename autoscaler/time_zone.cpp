#include "autoscaler/time_zone.h"

#include <algorithm>
#include <array>

#include "common/file_io.h"

namespace wharf::autoscaler {
namespace {

std::int64_t BigEndian(std::string_view d, std::size_t pos, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(d[pos + static_cast<std::size_t>(i)]);
  if (bytes == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return static_cast<std::int64_t>(v);
}

bool ValidZoneName(std::string_view name) {
  if (name.empty() || name.size() > 100 || name.front() == '/') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '_' ||
              c == '-' || c == '+';
    if (!ok) return false;
  }
  return name.find("..") == std::string_view::npos;
}

}  // namespace

TimeZone TimeZone::Utc() {
  TimeZone z;
  z.name_ = "UTC";
  return z;
}

Result<TimeZone> TimeZone::FromTzif(std::string_view name, std::string_view d) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("time zone '" + std::string(name) + "': not a TZif file (" + std::string(why) + ")");
  };
  constexpr std::size_t kHeader = 44;
  if (d.size() < kHeader || d.substr(0, 4) != "TZif") return bad("no TZif header");
  auto counts = [&](std::size_t base, std::array<std::int64_t, 6>& c) {
    for (std::size_t i = 0; i < 6; ++i) c[i] = BigEndian(d, base + 20 + 4 * i, 4);
  };
  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  std::array<std::int64_t, 6> c{};
  counts(0, c);
  for (auto v : c) {
    if (v < 0 || v > 100000) return bad("bad counts");
  }
  std::size_t base = 0;
  int time_size = 4;
  auto block_size = [](const std::array<std::int64_t, 6>& k, int ts) {
    return static_cast<std::size_t>(k[3] * ts + k[3] + k[4] * 6 + k[5] + k[2] * (ts + 4) + k[1] + k[0]);
  };
  if (d[4] != '\0') {  // version 2+: skip the 32-bit block, read the 64-bit one
    std::size_t second = kHeader + block_size(c, 4);
    if (d.size() < second + kHeader || d.substr(second, 4) != "TZif") return bad("no second header");
    base = second;
    counts(base, c);
    for (auto v : c) {
      if (v < 0 || v > 100000) return bad("bad counts");
    }
    time_size = 8;
  }
  std::size_t p = base + kHeader;
  if (d.size() < p + block_size(c, time_size)) return bad("truncated");
  const auto timecnt = static_cast<std::size_t>(c[3]);
  const auto typecnt = static_cast<std::size_t>(c[4]);
  if (typecnt == 0) return bad("no local time types");
  std::vector<std::int64_t> times(timecnt);
  for (std::size_t i = 0; i < timecnt; ++i) times[i] = BigEndian(d, p + i * static_cast<std::size_t>(time_size), time_size);
  p += timecnt * static_cast<std::size_t>(time_size);
  std::vector<std::size_t> idx(timecnt);
  for (std::size_t i = 0; i < timecnt; ++i) idx[i] = static_cast<unsigned char>(d[p + i]);
  p += timecnt;
  std::vector<std::int32_t> offsets(typecnt);
  for (std::size_t i = 0; i < typecnt; ++i) offsets[i] = static_cast<std::int32_t>(BigEndian(d, p + i * 6, 4));
  TimeZone z;
  z.name_ = std::string(name);
  z.initial_offset_ = offsets[0];
  for (std::size_t i = 0; i < timecnt; ++i) {
    if (idx[i] >= typecnt) return bad("bad type index");
    if (i > 0 && times[i] <= times[i - 1]) return bad("transitions out of order");
    z.transitions_.push_back({times[i], offsets[idx[i]]});
  }
  return z;
}

Result<TimeZone> TimeZone::Load(const std::filesystem::path& zoneinfo_root, std::string_view name) {
  if (name == "UTC" || name == "Etc/UTC") {
    if (!std::filesystem::exists(zoneinfo_root / std::string(name))) return Utc();
  }
  if (!ValidZoneName(name)) return Status::InvalidArgument("'" + std::string(name) + "' is not a time zone name");
  auto path = zoneinfo_root / std::string(name);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::NotFound("unknown time zone '" + std::string(name) + "'");
  }
  WHARF_ASSIGN_OR_RETURN(std::string data, ReadFile(path));
  return FromTzif(name, data);
}

std::chrono::seconds TimeZone::OffsetAt(Instant t) const {
  const std::int64_t s = t.time_since_epoch().count();
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), s,
                             [](std::int64_t v, const Transition& tr) { return v < tr.at; });
  if (it == transitions_.begin()) return std::chrono::seconds{initial_offset_};
  return std::chrono::seconds{std::prev(it)->offset};
}

Instant TimeZone::ToInstant(CivilTime c) const {
  using std::chrono::hours;
  const Instant as_utc{c.time_since_epoch()};
  // Offsets around the civil time: transitions are days apart, so these bracket at most one.
  const auto before = OffsetAt(as_utc - hours{30});
  const auto after = OffsetAt(as_utc + hours{30});
  const Instant a = as_utc - before;  // reading with the earlier offset
  const Instant b = as_utc - after;
  const bool a_ok = ToCivil(a) == c;
  const bool b_ok = ToCivil(b) == c;
  if (a_ok && b_ok) return std::min(a, b);
  if (a_ok) return a;
  if (b_ok) return b;
  return a;  // in a gap: the offset before the change, i.e. moved forward by the gap
}

Result<TimeZone> TimeZoneDb::Find(std::string_view name) const { return TimeZone::Load(root_, name); }

}  // namespace wharf::autoscaler
