// An instance's version tag (health::ProcessDesire::version, the router endpoint's
// version) starts with the app revision it runs: "r3-ab12cd34-g5-m256-d1024". The
// cell writes it, the router matches X-Wharf-Revision against it, the API counts
// instances per revision with it. Tags without the prefix (apps started before
// revisions existed) name no revision.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wharf {

// "r3-" for revision 3.
std::string RevisionTagPrefix(std::int64_t revision);

// 3 for "r3-...", nullopt for a tag without a revision.
std::optional<std::int64_t> RevisionOfTag(std::string_view version_tag);

}  // namespace wharf
