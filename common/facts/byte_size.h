// Memory and disk sizes as Cloud Foundry writes them: 256M, 1G, 1024MB, 2gb.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace wharf {

// Parses a size with a unit (K/KB, M/MB, G/GB, T/TB, any case) into whole
// megabytes, rounding kilobytes up. A bare number is refused: "256" is
// ambiguous, and Cloud Foundry refuses it too.
Result<std::int64_t> ParseMegabytes(std::string_view text);

// A log rate limit as cf takes it (`scale -l`, manifest `log-rate-limit-per-second`): bytes per
// second with a unit (B, K/KB, M/MB, G/GB; 1K = 1024), or -1 for unlimited.
Result<std::int64_t> ParseLogRateLimit(std::string_view text);

// 256 -> "256M", 1024 -> "1G", 1536 -> "1536M".
std::string FormatMegabytes(std::int64_t mb);

// Human-readable bytes: 512 B, 12.3 KiB, 4.0 MiB.
std::string FormatBytes(std::uint64_t bytes);

}  // namespace wharf
