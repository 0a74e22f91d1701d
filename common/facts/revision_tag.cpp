#include "common/facts/revision_tag.h"

#include <charconv>

namespace wharf {

std::string RevisionTagPrefix(std::int64_t revision) { return "r" + std::to_string(revision) + "-"; }

std::optional<std::int64_t> RevisionOfTag(std::string_view tag) {
  if (tag.size() < 3 || tag[0] != 'r') return std::nullopt;
  std::size_t dash = tag.find('-');
  if (dash == std::string_view::npos || dash == 1) return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(tag.data() + 1, tag.data() + dash, value);
  if (ec != std::errc() || end != tag.data() + dash || value < 1) return std::nullopt;
  return value;
}

}  // namespace wharf
